namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 4: 40 triangular mel bands (HTK mel scale, 20 Hz to 8 kHz, peak 1) as sparse runs of Q0.15 weights:
    /// band m covers bins MelStart[m] .. MelStart[m] + MelCount[m] − 1 (493 weights in all, each bin in at most
    /// two bands). energy[m] = Σ (power[k] / 2^s) · w[m,k] in int64, with s = max(0, bits(max power) − 39) per frame:
    /// power / 2^s &lt; 2^39, a band has at most 32 bins, so the sum stays below 2^39 · 2^15 · 2^5 = 2^59, and every
    /// bin keeps a resolution of 2^−38 of the frame's largest bin (114 dB). In float units
    /// energy ≈ E · 2^(87 − 2r − s).
    /// </summary>
    public static class MelFilterbank
    {
        /// <summary>Number of bands.</summary>
        public const int Bands = 40;

        /// <summary>Bits a power value may keep before weighting.</summary>
        public const int PowerBits = 39;

        /// <summary>The shift s for a frame whose largest bin holds <paramref name="maxPower"/> (&lt; 2^62).</summary>
        public static int PowerShift(long maxPower)
        {
            int bits = 0;
            while ((maxPower >> bits) != 0) bits++;
            return bits > PowerBits ? bits - PowerBits : 0;
        }

        /// <summary>Writes the 40 band energies of power / 2^<paramref name="shift"/> into <paramref name="energy"/>.</summary>
        public static void Apply(long[] power, int shift, long[] energy)
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
                for (; i < end; i++, k++) acc += (power[k] >> shift) * w[i];
                energy[m] = acc;
            }
        }
    }
}
