namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// Matrix-vector products with fused per-row requantization to Q.12, one kernel per weight width and
    /// accumulator width. Weights are row-major; x is int16 (normalized input or a Q0.15 state).
    /// The four kernels differ only in the weight array type, the accumulator type and a (long) cast:
    /// the device has no generics, so they are written out; edit all four alike.
    /// </summary>
    public static class MatVec
    {
        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd),
        /// int8 weights, int32 accumulator. The caller guarantees Σ|w| · 32768 ≤ int.MaxValue for every row (checked at load), so no partial sum wraps.
        /// </summary>
        public static void MatVecInt8Acc32(sbyte[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                int acc = 0;
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
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd),
        /// int8 weights, int64 accumulator. For rows whose worst case leaves int32.
        /// </summary>
        public static void MatVecInt8Acc64(sbyte[] w, int cols, int rowStart, int rowEnd, short[] x,
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
                    acc += (long)w[k] * x[j] + (long)w[k + 1] * x[j + 1] + (long)w[k + 2] * x[j + 2] + (long)w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += (long)w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }

        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd),
        /// int16 weights, int32 accumulator. The caller guarantees Σ|w| · 32768 ≤ int.MaxValue for every row (checked at load), so no partial sum wraps.
        /// </summary>
        public static void MatVecInt16Acc32(short[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                int acc = 0;
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
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd),
        /// int16 weights, int64 accumulator. For rows whose worst case leaves int32.
        /// </summary>
        public static void MatVecInt16Acc64(short[] w, int cols, int rowStart, int rowEnd, short[] x,
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
                    acc += (long)w[k] * x[j] + (long)w[k + 1] * x[j + 1] + (long)w[k + 2] * x[j + 2] + (long)w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += (long)w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }
    }
}
