namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 3: power[k] = re[k]² + im[k]² for k = 0..256, in int64: with |X'| &lt; 2^29 (<see cref="RealFft512"/>)
    /// the sum stays below 2^59. In float units power ≈ |X|² · 2^(72 − 2r).
    /// </summary>
    public static class PowerSpectrum
    {
        /// <summary>Writes the 257 bins' power into <paramref name="power"/>; returns the largest.</summary>
        public static long Compute(int[] re, int[] im, long[] power)
        {
            long max = 0;
            for (int k = 0; k < RealFft512.Bins; k++)
            {
                long a = re[k], b = im[k];
                long p = a * a + b * b;
                power[k] = p;
                if (p > max) max = p;
            }
            return max;
        }
    }
}
