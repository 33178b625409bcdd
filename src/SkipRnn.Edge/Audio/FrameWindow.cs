namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 1: the periodic Hann window with block floating point. Each product x[n] · w[n] (int16 × Q0.15,
    /// below 2^30 in magnitude) is kept in int32, then the whole frame is shifted so that its largest magnitude
    /// uses 14 bits: y[n] = round(x[n] · w[n] / 2^r) (or · 2^−r when r &lt; 0), |y| ≤ 2^14. A quiet frame keeps
    /// all its precision; the FFT's headroom argument starts from |y| ≤ 2^14. In float units
    /// y[n] ≈ (pcm[n] / 32768) · w[n] · 2^(30 − r).
    /// </summary>
    public static class FrameWindow
    {
        /// <summary>Samples per frame (30 ms at 16 kHz).</summary>
        public const int Length = 480;

        /// <summary>The magnitude bound of the scaled output, as a power of two.</summary>
        public const int OutputBits = 14;

        /// <summary>
        /// Windows <paramref name="frame"/>[offset .. offset+480) into <paramref name="products"/> (int32 scratch,
        /// 480) and writes the scaled samples into <paramref name="output"/> (480). Returns the shift r in
        /// [−13, 16], or <see cref="int.MinValue"/> for an all-zero frame (output all zero).
        /// </summary>
        public static int Apply(short[] frame, int offset, int[] products, int[] output)
        {
            short[] w = AudioTables.HannQ15;
            int max = 0;
            for (int n = 0; n < Length; n++)
            {
                int p = frame[offset + n] * w[n];       // |p| ≤ 32768 · 32767 < 2^30
                products[n] = p;
                int a = p < 0 ? -p : p;
                if (a > max) max = a;
            }
            if (max == 0)
            {
                for (int n = 0; n < Length; n++) output[n] = 0;
                return int.MinValue;
            }
            int bits = 0;
            while ((max >> bits) != 0) bits++;          // 1 ≤ bits ≤ 30
            int r = bits - OutputBits;                  // max < 2^bits, so max / 2^r < 2^14
            if (r > 0)
            {
                int half = 1 << (r - 1);
                for (int n = 0; n < Length; n++) output[n] = (products[n] + half) >> r;
            }
            else
            {
                int l = -r;
                for (int n = 0; n < Length; n++) output[n] = products[n] << l;
            }
            return r;
        }
    }
}
