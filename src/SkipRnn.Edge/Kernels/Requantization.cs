namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// Requantization by an integer multiplier and a right shift (CMSIS-NN style, explicit parameters).
    /// </summary>
    public static class Requantization
    {
        /// <summary>
        /// Returns clamp(⌊(acc · multiplier + 2^(shift−1)) / 2^shift⌋, ±PreactLimit): the real value
        /// acc · multiplier · 2^−shift rounded half toward +∞. The model loader proves for every row
        /// that |acc| · multiplier + 2^(shift−1) fits in int64, so the product never wraps.
        /// </summary>
        /// <param name="acc">Accumulator (int32 or int64 kernel).</param>
        /// <param name="multiplier">0 ≤ multiplier &lt; 2^31.</param>
        /// <param name="shift">1 ≤ shift ≤ 62.</param>
        public static int Requantize(long acc, int multiplier, int shift)
        {
            long v = (acc * multiplier + (1L << (shift - 1))) >> shift;
            if (v > QFormat.PreactLimit) return QFormat.PreactLimit;
            if (v < -QFormat.PreactLimit) return -QFormat.PreactLimit;
            return (int)v;
        }

        /// <summary>Saturates to the int16 range.</summary>
        public static short SaturateInt16(long v)
        {
            if (v > 32767) return 32767;
            if (v < -32768) return -32768;
            return (short)v;
        }
    }
}
