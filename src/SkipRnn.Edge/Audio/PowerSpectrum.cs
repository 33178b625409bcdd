namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 3: power[k] = re[k]² + im[k]² for k = 0..256. With |X'| ≤ 15 360 + rounding (<see cref="RealFft512"/>)
    /// the sum stays below 2^28 + 2^28 &lt; 2^31. In float units power ≈ |X|² · 2^(42 − 2r).
    /// </summary>
    public static class PowerSpectrum
    {
        /// <summary>Writes the 257 bins' power into <paramref name="power"/>.</summary>
        public static void Compute(int[] re, int[] im, int[] power)
        {
            for (int k = 0; k < RealFft512.Bins; k++)
            {
                int a = re[k], b = im[k];
                power[k] = a * a + b * b;
            }
        }
    }
}
