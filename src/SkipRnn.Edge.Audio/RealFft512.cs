namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 2: the 512-point real DFT of a 480-sample frame zero-padded to 512, in fixed point: the even and odd
    /// samples packed as one 256-point complex sequence z[j] = y[2j] + i·y[2j+1], a radix-2 decimation-in-time FFT
    /// that halves every stage (8 stages: Z' = Z / 256), then the split that separates the two real transforms:
    /// X'[k] = (A + W^k · (−i) · B) / 4, A = Z'[k] + conj Z'[256−k], B = Z'[k] − conj Z'[256−k], W = e^(−2πi/512).
    /// Output: X'[k] ≈ X[k] / 512 for k = 0..256. Data are 30-bit integers, twiddles Q30, products int64: on the
    /// interpreter an int64 multiply costs the same IL instructions as an int32 one, and the rounding of
    /// 8 stages stays ~2^−28 of the peak instead of ~2^−13 with int16 data.
    ///
    /// No overflow, by construction (docs/audio-front-end.md): |y| ≤ 2^29 gives |z| ≤ 2^29·√2; a halving butterfly
    /// (a·2^30 ± w·b + 2^30) / 2^31 with |w| ≤ 2^30 + 1 does not raise the magnitude bound by more than a factor
    /// 1 + 2^−30 plus 0.71 of rounding, so after 8 stages every component stays below 2^29.5 + 12 &lt; 2^31 (int arrays) and each
    /// int64 intermediate below 2 · 2^29.6 · 2^30 &lt; 2^61. The split: |A|, |B| ≤ 2^30.6, |A·2^30| + |w·B| &lt; 2^62.
    /// The outputs are bounded by Σ|y| / 512 ≤ 480 · 2^29 / 512 &lt; 2^29 (plus rounding), so |X'|² &lt; 2^59.
    /// </summary>
    public static class RealFft512
    {
        /// <summary>Transform size.</summary>
        public const int Size = 512;
        /// <summary>Output bins 0..256.</summary>
        public const int Bins = 257;
        private const int Half = 256;

        /// <summary>
        /// Transforms <paramref name="samples"/>[0 .. count) (count ≤ 512, |y| ≤ 2^29; later positions count as
        /// zero) into <paramref name="re"/>/<paramref name="im"/> (257 each; the first 256 entries double as the
        /// complex FFT's work area).
        /// </summary>
        public static void Transform(int[] samples, int count, int[] re, int[] im)
        {
            byte[] rev = AudioTables.BitReverse8;
            for (int j = 0; j < Half; j++)
            {
                int t = rev[j];
                int n = 2 * j;
                re[t] = n < count ? samples[n] : 0;
                im[t] = n + 1 < count ? samples[n + 1] : 0;
            }
            ComplexFft256(re, im);
            Split(re, im);
        }

        /// <summary>In-place 256-point complex FFT of bit-reversed input, every stage halved: out = DFT / 256.</summary>
        public static void ComplexFft256(int[] re, int[] im)
        {
            FirstTwoStages(re, im);
            int[] cosT = AudioTables.FftCosQ30;
            int[] sinT = AudioTables.FftSinQ30;
            const long round = 1L << 30;
            for (int size = 8; size <= Half; size <<= 1)
            {
                int half = size >> 1;
                int step = Half / size;
                for (int j = 0; j < half; j++)
                {
                    long c = cosT[j * step];
                    long s = sinT[j * step];
                    for (int a = j; a < Half; a += size)
                    {
                        int b = a + half;
                        long br = re[b], bi = im[b];
                        long tr = c * br + s * bi;               // w·b, w = c − i·s (Q30)
                        long ti = c * bi - s * br;
                        long ar = ((long)re[a] << 30) + round;   // + rounding of the / 2^31 below
                        long ai = ((long)im[a] << 30) + round;
                        re[a] = (int)((ar + tr) >> 31);
                        im[a] = (int)((ai + ti) >> 31);
                        re[b] = (int)((ar - tr) >> 31);
                        im[b] = (int)((ai - ti) >> 31);
                    }
                }
            }
        }

        /// <summary>
        /// Stages 1 and 2 (sizes 2 and 4), whose twiddles are exactly 1 and −i in the Q30 table (2^30 and 0): the
        /// general butterfly (a·2^30 ± w·b + 2^30) / 2^31 then equals (a ± b + 1) / 2 (floor), or with ±i·b, exactly,
        /// without multiplications (a test compares with the general form). |a| + |b| + 1 &lt; 2^31.
        /// </summary>
        private static void FirstTwoStages(int[] re, int[] im)
        {
            for (int a = 0; a < Half; a += 4)
            {
                // size 2: (x0, x1) and (x2, x3), twiddle 1
                int r0 = re[a], i0 = im[a], r1 = re[a + 1], i1 = im[a + 1];
                int r2 = re[a + 2], i2 = im[a + 2], r3 = re[a + 3], i3 = im[a + 3];
                int p0 = (r0 + r1 + 1) >> 1, q0 = (i0 + i1 + 1) >> 1, p1 = (r0 - r1 + 1) >> 1, q1 = (i0 - i1 + 1) >> 1;
                int p2 = (r2 + r3 + 1) >> 1, q2 = (i2 + i3 + 1) >> 1, p3 = (r2 - r3 + 1) >> 1, q3 = (i2 - i3 + 1) >> 1;
                // size 4: (0, 2) with twiddle 1; (1, 3) with −i: w·b = (im b, −re b)
                re[a] = (p0 + p2 + 1) >> 1;
                im[a] = (q0 + q2 + 1) >> 1;
                re[a + 2] = (p0 - p2 + 1) >> 1;
                im[a + 2] = (q0 - q2 + 1) >> 1;
                re[a + 1] = (p1 + q3 + 1) >> 1;
                im[a + 1] = (q1 - p3 + 1) >> 1;
                re[a + 3] = (p1 - q3 + 1) >> 1;
                im[a + 3] = (q1 + p3 + 1) >> 1;
            }
        }

        /// <summary>The general butterfly loop for every stage (tests: equal to <see cref="ComplexFft256"/> bit for bit).</summary>
        public static void ComplexFft256Reference(int[] re, int[] im)
        {
            int[] cosT = AudioTables.FftCosQ30;
            int[] sinT = AudioTables.FftSinQ30;
            const long round = 1L << 30;
            for (int size = 2; size <= Half; size <<= 1)
            {
                int half = size >> 1;
                int step = Half / size;
                for (int j = 0; j < half; j++)
                {
                    long c = cosT[j * step];
                    long s = sinT[j * step];
                    for (int a = j; a < Half; a += size)
                    {
                        int b = a + half;
                        long br = re[b], bi = im[b];
                        long tr = c * br + s * bi;
                        long ti = c * bi - s * br;
                        long ar = ((long)re[a] << 30) + round;
                        long ai = ((long)im[a] << 30) + round;
                        re[a] = (int)((ar + tr) >> 31);
                        im[a] = (int)((ai + ti) >> 31);
                        re[b] = (int)((ar - tr) >> 31);
                        im[b] = (int)((ai - ti) >> 31);
                    }
                }
            }
        }

        /// <summary>Separates the packed even/odd transforms into X'[k] = X[k] / 512, k = 0..256, in place.</summary>
        public static void Split(int[] re, int[] im)
        {
            int[] cosT = AudioTables.SplitCosQ30;
            int[] sinT = AudioTables.SplitSinQ30;
            const long round = 1L << 31;
            int r0 = re[0], i0 = im[0];
            // Bins k and 256 − k read each other: both are computed before either is written.
            for (int k = 1; k <= Half / 2; k++)
            {
                int m = Half - k;
                long zr = re[k], zi = im[k], yr = re[m], yi = im[m];
                // bin k: A = Z[k] + conj Z[m], B = Z[k] − conj Z[m]; X' = (A·2^30 + W·(−i)·B + 2^31) / 2^32
                long ar = zr + yr, ai = zi - yi, br = zr - yr, bi = zi + yi;
                long c = cosT[k], s = sinT[k];
                int xr = (int)(((ar << 30) + c * bi - s * br + round) >> 32);
                int xi = (int)(((ai << 30) - c * br - s * bi + round) >> 32);
                if (m != k)
                {
                    // bin m: the same with the roles of Z[k] and Z[m] exchanged
                    long c2 = cosT[m], s2 = sinT[m];
                    re[m] = (int)(((ar << 30) + c2 * bi + s2 * br + round) >> 32);
                    im[m] = (int)(((-ai << 30) + c2 * br - s2 * bi + round) >> 32);
                }
                re[k] = xr;
                im[k] = xi;
            }
            re[0] = (int)(((long)r0 + i0 + 1) >> 1);
            im[0] = 0;
            re[Half] = (int)(((long)r0 - i0 + 1) >> 1);
            im[Half] = 0;
        }
    }
}
