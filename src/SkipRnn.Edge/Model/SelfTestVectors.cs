namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// The first steps of a validation sequence with the fixed-point results the converter expects,
    /// replayed on the device at boot by <see cref="Runtime.SelfTest"/>.
    /// </summary>
    public sealed class SelfTestVectors
    {
        /// <summary>Number of recorded steps.</summary>
        public int Steps { get; private set; }
        /// <summary>Raw inputs, [Steps × InputSize].</summary>
        public int[] RawInputs { get; private set; }
        /// <summary>Whether each step updated, [Steps].</summary>
        public bool[] Updated { get; private set; }
        /// <summary>Every layer's state after each step, [Steps × Layers × Hidden], Q0.15.</summary>
        public short[] States { get; private set; }
        /// <summary>Head outputs after each step, [Steps × Outputs], Q.12 (empty without a head).</summary>
        public int[] Outputs { get; private set; }

        /// <summary>Wraps the arrays; the model checks their lengths against its dimensions.</summary>
        public SelfTestVectors(int steps, int[] rawInputs, bool[] updated, short[] states, int[] outputs)
        {
            if (steps < 1 || steps > 65535) throw new ModelFormatException("self_test.steps", "must be 1..65535");
            if (rawInputs == null || updated == null || states == null || outputs == null)
                throw new ModelFormatException("self_test", "is missing an array");
            if (updated.Length != steps) throw new ModelFormatException("self_test.updated", "needs one flag per step");
            Steps = steps;
            RawInputs = rawInputs;
            Updated = updated;
            States = states;
            Outputs = outputs;
        }
    }
}
