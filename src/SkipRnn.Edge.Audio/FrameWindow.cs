namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 1: the periodic Hann window with block floating point. Each product p[n] = x[n] · w[n] (int16 × Q30,
    /// |p| ≤ 2^45) is exact in int64; the whole frame is then shifted so that its largest magnitude uses 29 bits:
    /// y[n] = round(p[n] / 2^r), r = bits(max |p|) − 29 ∈ [−28, 17] (r ≤ 0 is an exact left shift), |y| ≤ 2^29.
    /// A quiet frame keeps all its precision, and the FFT's headroom argument starts from |y| ≤ 2^29.
    /// In float units y[n] ≈ (pcm[n] / 32768) · w[n] · 2^(45 − r).
    /// </summary>
    public static class FrameWindow
    {
        /// <summary>Samples per frame (30 ms at 16 kHz).</summary>
        public const int Length = 480;

        /// <summary>The magnitude bound of the scaled output, as a power of two.</summary>
        public const int OutputBits = 29;

        /// <summary>
        /// Windows <paramref name="frame"/>[offset .. offset+480) (products kept in <paramref name="products"/>, 480)
        /// and writes the scaled samples into <paramref name="output"/> (480). Returns the shift r in [−28, 17], or
        /// <see cref="int.MinValue"/> for an all-zero frame (output all zero).
        /// </summary>
        public static int Apply(short[] frame, int offset, long[] products, int[] output)
        {
            int[] w = AudioTables.HannQ30;
            long max = 0;
            for (int n = 0; n < Length; n++)
            {
                long p = (long)frame[offset + n] * w[n];    // |p| ≤ 2^15 · 2^30
                products[n] = p;
                if (p < 0) p = -p;
                if (p > max) max = p;
            }
            if (max == 0)
            {
                for (int n = 0; n < Length; n++) output[n] = 0;
                return int.MinValue;
            }
            int bits = 0;
            while ((max >> bits) != 0) bits++;              // 1 ≤ bits ≤ 46
            int r = bits - OutputBits;                      // max < 2^bits, so max / 2^r < 2^29
            if (r > 0)
            {
                long half = 1L << (r - 1);
                for (int n = 0; n < Length; n++) output[n] = (int)((products[n] + half) >> r);
            }
            else
            {
                int l = -r;
                for (int n = 0; n < Length; n++) output[n] = (int)products[n] << l;
            }
            return r;
        }
    }
}
