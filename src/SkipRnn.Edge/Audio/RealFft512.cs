namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 2: the 512-point real DFT of a 480-sample frame zero-padded to 512, in fixed point: the even and odd
    /// samples packed as one 256-point complex sequence z[j] = y[2j] + i·y[2j+1], a radix-2 decimation-in-time FFT
    /// that halves every stage (8 stages: Z' = Z / 256), then the split that separates the two real transforms:
    /// X'[k] = (A + W^k · (−i) · B) / 4, A = Z'[k] + conj Z'[256−k], B = Z'[k] − conj Z'[256−k], W = e^(−2πi/512).
    /// Output: X'[k] ≈ X[k] / 512 for k = 0..256 (real and imaginary parts in two int arrays).
    ///
    /// No overflow, by construction (docs/audio-front-end.md): |y| ≤ 2^14 gives |z| ≤ 2^14·√2 = 23171; a halving
    /// butterfly (a·2^15 ± w·b + 2^15) / 2^16 with |w| ≤ 32768.7 does not raise the magnitude bound by more than a
    /// factor 1 + 2^−15 plus 0.71 of rounding, so after 8 stages every component stays below 23 180 and
    /// each int32 intermediate below 23180 · 2 · 32769 &lt; 1.52·10^9 &lt; 2^31. The split uses Q14 twiddles for the
    /// same reason: |A|, |B| ≤ 46 360, |A·2^14| + |w·B| &lt; 1.52·10^9. The outputs are bounded by
    /// Σ|y| / 512 ≤ 480 · 2^14 / 512 = 15 360 (plus rounding), so |X'|² &lt; 2^28.
    /// </summary>
    public static class RealFft512
    {
        /// <summary>Transform size.</summary>
        public const int Size = 512;
        /// <summary>Output bins 0..256.</summary>
        public const int Bins = 257;
        private const int Half = 256;

        /// <summary>
        /// Transforms <paramref name="samples"/> (≤ 512 scaled samples, |y| ≤ 2^14; positions past
        /// <paramref name="count"/> are zero) into <paramref name="re"/>/<paramref name="im"/> (257 each;
        /// the first 256 entries double as the complex FFT's work area).
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
            short[] cosT = AudioTables.FftCosQ15;
            short[] sinT = AudioTables.FftSinQ15;
            for (int size = 2; size <= Half; size <<= 1)
            {
                int half = size >> 1;
                int step = Half / size;
                for (int j = 0; j < half; j++)
                {
                    int c = cosT[j * step];
                    int s = sinT[j * step];
                    for (int a = j; a < Half; a += size)
                    {
                        int b = a + half;
                        int br = re[b], bi = im[b];
                        int tr = c * br + s * bi;           // w·b, w = c − i·s (Q15)
                        int ti = c * bi - s * br;
                        int ar = (re[a] << 15) + 32768;     // + rounding of the /2^16 below
                        int ai = (im[a] << 15) + 32768;
                        re[a] = (ar + tr) >> 16;
                        im[a] = (ai + ti) >> 16;
                        re[b] = (ar - tr) >> 16;
                        im[b] = (ai - ti) >> 16;
                    }
                }
            }
        }

        /// <summary>Separates the packed even/odd transforms into X'[k] = X[k] / 512, k = 0..256, in place.</summary>
        public static void Split(int[] re, int[] im)
        {
            short[] cosT = AudioTables.SplitCosQ14;
            short[] sinT = AudioTables.SplitSinQ14;
            int r0 = re[0], i0 = im[0];
            // Bins k and 256−k read each other: compute both before writing either.
            for (int k = 1; k < Half / 2 + 1; k++)
            {
                int m = Half - k;
                int zr = re[k], zi = im[k], yr = re[m], yi = im[m];
                // bin k: A = Z[k] + conj Z[m], B = Z[k] − conj Z[m]
                int ar = zr + yr, ai = zi - yi, br = zr - yr, bi = zi + yi;
                int c = cosT[k], s = sinT[k];
                int xr = ((ar << 14) + c * bi - s * br + 32768) >> 16;
                int xi = ((ai << 14) - c * br - s * bi + 32768) >> 16;
                if (m != k)
                {
                    // bin m: A' = Z[m] + conj Z[k] = conj A... computed directly for clarity
                    int ar2 = yr + zr, ai2 = yi - zi, br2 = yr - zr, bi2 = yi + zi;
                    int c2 = cosT[m], s2 = sinT[m];
                    re[m] = ((ar2 << 14) + c2 * bi2 - s2 * br2 + 32768) >> 16;
                    im[m] = ((ai2 << 14) - c2 * br2 - s2 * bi2 + 32768) >> 16;
                }
                re[k] = xr;
                im[k] = xi;
            }
            re[0] = (r0 + i0 + 1) >> 1;
            im[0] = 0;
            re[Half] = (r0 - i0 + 1) >> 1;
            im[Half] = 0;
        }
    }
}
