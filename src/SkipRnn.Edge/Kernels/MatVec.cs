namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// Matrix-vector products with fused per-row requantization to Q.12, one kernel per weight width.
    /// Weights are row-major; x is int16 (a normalized input or a Q0.15 state).
    /// <para>
    /// The accumulator is int64: |Σ w·x| ≤ 65535 · 32768 · 32768 &lt; 2^46 can never wrap, whatever the weights,
    /// and on the nanoFramework interpreter an int64 multiply-add costs about what an int32 one does.
    /// </para>
    /// </summary>
    public static class MatVec
    {
        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd), int8 weights.
        /// </summary>
        public static void Int8(sbyte[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                long acc = 0;
                int k = r * cols;
                int end4 = k + cols4;
                int end = k + cols;
                int j = 0;
                // Unrolled by four: the interpreter's cost is per IL instruction, so fewer loop tests pay.
                while (k < end4)
                {
                    acc += w[k] * x[j] + w[k + 1] * x[j + 1] + w[k + 2] * x[j + 2] + w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }

        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd), int16 weights.
        /// Each int16 product fits int32 (≤ 2^30), but four of them may not: the first is widened, so every
        /// addition is done in int64.
        /// </summary>
        public static void Int16(short[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                long acc = 0;
                int k = r * cols;
                int end4 = k + cols4;
                int end = k + cols;
                int j = 0;
                while (k < end4)
                {
                    acc += (long)(w[k] * x[j]) + w[k + 1] * x[j + 1] + w[k + 2] * x[j + 2] + w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }
    }
}
