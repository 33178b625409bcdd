using SkipRnn.Edge.Kernels;

namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// Maps raw sensor integers straight to the model's int16 input, per channel j:
    /// x[j] = sat16(⌊(raw[j] · Multiplier[j] + Addend[j] + 2^(Shift[j]−1)) / 2^Shift[j]⌋).
    /// The converter folds (raw · lsb − mean) / std and the input's fixed-point scale into these.
    /// </summary>
    public sealed class InputNormalization
    {
        /// <summary>Largest |Addend| accepted: with |raw · Multiplier| &lt; 2^62 the sum stays in int64.</summary>
        public const long MaxAddend = 1L << 61;

        /// <summary>Per-channel multiplier, 1 ≤ m &lt; 2^31.</summary>
        public int[] Multiplier { get; private set; }
        /// <summary>Per-channel addend (the folded mean), |a| ≤ 2^61.</summary>
        public long[] Addend { get; private set; }
        /// <summary>Per-channel shift, 0..62.</summary>
        public byte[] Shift { get; private set; }

        /// <summary>Number of input channels.</summary>
        public int Channels { get { return Multiplier.Length; } }

        /// <summary>Validates and wraps the arrays (not copied).</summary>
        public InputNormalization(int[] multiplier, long[] addend, byte[] shift)
        {
            if (multiplier == null || multiplier.Length < 1)
                throw new ModelFormatException("input_norm", "needs at least one channel");
            int n = multiplier.Length;
            if (addend == null || addend.Length != n || shift == null || shift.Length != n)
                throw new ModelFormatException("input_norm", "multiplier, addend and shift differ in length");
            // The channel's name is built only on failure (a concatenation per channel costs the interpreter more
            // than the checks).
            for (int j = 0; j < n; j++)
            {
                if (multiplier[j] < 1) throw new ModelFormatException("input_norm.multiplier" + At(j), "must be positive");
                if (addend[j] > MaxAddend || addend[j] < -MaxAddend)
                    throw new ModelFormatException("input_norm.addend" + At(j), "exceeds ±2^61");
                if (shift[j] > 62) throw new ModelFormatException("input_norm.shift" + At(j), "must be 0..62");
            }
            Multiplier = multiplier;
            Addend = addend;
            Shift = shift;
        }

        private static string At(int j)
        {
            return "[" + j.ToString() + "]";
        }

        /// <summary>
        /// Writes the normalized int16 input for raw[0..Channels) into x and returns how many channels were out
        /// of range: a raw value whose normalized value falls outside int16 is clamped to −32768 or 32767 (the
        /// model sees a saturated sensor, never a wrapped one). Values in raw beyond Channels are ignored.
        /// </summary>
        public int Apply(int[] raw, short[] x)
        {
            // Arrays in locals (a property read is a call on the interpreter); the saturation is
            // Requantization.SaturateInt16 written out, so counting a clamp costs nothing on the in-range path.
            int[] multiplier = Multiplier;
            long[] addend = Addend;
            byte[] shift = Shift;
            int n = multiplier.Length;
            int clamped = 0;
            for (int j = 0; j < n; j++)
            {
                int s = shift[j];
                long v = (long)raw[j] * multiplier[j] + addend[j];
                if (s > 0) v = (v + (1L << (s - 1))) >> s;
                if (v > 32767) { v = 32767; clamped++; }
                else if (v < -32768) { v = -32768; clamped++; }
                x[j] = (short)v;
            }
            return clamped;
        }
    }
}
