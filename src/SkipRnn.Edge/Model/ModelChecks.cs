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
            // The field name is built only for a value out of range: built per value (a string concatenation and
            // an int formatting each), it cost the interpreter 6,000 x86 instructions per bias at every load.
            // One unsigned compare per value: v + PreactLimit outside [0, 2·PreactLimit] ⇔ |v| > PreactLimit.
            for (int i = 0; i < b.Length; i++)
            {
                int v = b[i];
                if ((uint)(v + QFormat.PreactLimit) > 2 * QFormat.PreactLimit)
                    Bias(field + "[" + i.ToString() + "]", v);
            }
        }

        public static void Bias(string field, int b)
        {
            if (b > QFormat.PreactLimit || b < -QFormat.PreactLimit)
                throw new ModelFormatException(field, "exceeds ±" + QFormat.PreactLimit.ToString() + " (±128.0 in Q.12)");
        }
    }
}
