namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// The fixed-point formats of the runtime (see docs/fixed-point.md).
    /// States and gate outputs are Q0.15 in int16; pre-activations, biases and outputs are Q.12 in int32.
    /// </summary>
    public static class QFormat
    {
        /// <summary>Fractional bits of states and gate outputs (Q0.15).</summary>
        public const int StateFracBits = 15;

        /// <summary>1.0 in Q0.15. Held in an int: it does not fit an int16, states saturate at ±32767.</summary>
        public const int One15 = 32768;

        /// <summary>0.5 in Q0.15: a step updates exactly when ũ &gt; Half15.</summary>
        public const int Half15 = 16384;

        /// <summary>Fractional bits of pre-activations, biases and head outputs (Q.12).</summary>
        public const int PreactFracBits = 12;

        /// <summary>1.0 in Q.12.</summary>
        public const int One12 = 4096;

        /// <summary>
        /// Every requantized value and every bias is clamped to ±PreactLimit (±128.0 in Q.12), so sums of
        /// a few of them stay far inside int32. The tables saturate at ±8.0 anyway.
        /// </summary>
        public const int PreactLimit = 1 << 19;
    }
}
