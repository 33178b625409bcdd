namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 4: 40 triangular mel bands (HTK mel scale, 20 Hz to 8 kHz, peak 1) as sparse runs of Q0.15 weights:
    /// band m covers bins MelStart[m] .. MelStart[m] + MelCount[m] − 1 (493 weights in all, each bin in at most
    /// two bands). energy[m] = Σ power[k] · w[m,k] in int64: below 2^28 · 2^15 · 32 = 2^48. In float units
    /// energy ≈ E · 2^(57 − 2r).
    /// </summary>
    public static class MelFilterbank
    {
        /// <summary>Number of bands.</summary>
        public const int Bands = 40;

        /// <summary>Writes the 40 band energies into <paramref name="energy"/>.</summary>
        public static void Apply(int[] power, long[] energy)
        {
            short[] start = AudioTables.MelStart;
            short[] count = AudioTables.MelCount;
            short[] w = AudioTables.MelWeightsQ15;
            int i = 0;
            for (int m = 0; m < Bands; m++)
            {
                int k = start[m];
                int end = i + count[m];
                long acc = 0;
                for (; i < end; i++, k++) acc += (long)power[k] * w[i];
                energy[m] = acc;
            }
        }
    }
}
