using SkipRnn.Edge.Kernels;

namespace SkipRnn.Edge.Model
{
    /// <summary>Validation shared by the model types.</summary>
    internal static class ModelChecks
    {
        /// <summary>Biases are Q.12 and bounded by ±PreactLimit so that gate sums cannot wrap.</summary>
        public static void Biases(string field, int[] b, int length)
        {
            if (b == null || b.Length != length)
                throw new ModelFormatException(field, "needs " + length.ToString() + " values");
            for (int i = 0; i < b.Length; i++)
                Bias(field + "[" + i.ToString() + "]", b[i]);
        }

        public static void Bias(string field, int b)
        {
            if (b > QFormat.PreactLimit || b < -QFormat.PreactLimit)
                throw new ModelFormatException(field, "exceeds ±" + QFormat.PreactLimit.ToString() + " (±128.0 in Q.12)");
        }
    }
}
