namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// The first steps of a validation sequence with the fixed-point results the converter expects,
    /// replayed on the device at boot by <see cref="Runtime.SelfTest"/>.
    /// <para>
    /// Read from a model file, the vectors stay in the file's bytes until first asked for (the model reader has
    /// checked their size and every update flag): a model that is loaded keeps no second copy of them, and the
    /// interpreter decodes them once, when the self-test runs, not on every load.
    /// </para>
    /// </summary>
    public sealed class SelfTestVectors
    {
        /// <summary>Number of recorded steps.</summary>
        public int Steps { get; private set; }
        /// <summary>Length of <see cref="RawInputs"/> (known without decoding them).</summary>
        public int RawInputCount { get; private set; }
        /// <summary>Length of <see cref="States"/>.</summary>
        public int StateCount { get; private set; }
        /// <summary>Length of <see cref="Outputs"/>.</summary>
        public int OutputCount { get; private set; }

        /// <summary>Raw inputs, [Steps × InputSize].</summary>
        public int[] RawInputs { get { if (_raw == null) Decode(); return _raw; } }
        /// <summary>Whether each step updated, [Steps].</summary>
        public bool[] Updated { get { if (_raw == null) Decode(); return _updated; } }
        /// <summary>Every layer's state after each step, [Steps × Layers × Hidden], Q0.15.</summary>
        public short[] States { get { if (_raw == null) Decode(); return _states; } }
        /// <summary>Head outputs after each step, [Steps × Outputs], Q.12 (empty without a head).</summary>
        public int[] Outputs { get { if (_raw == null) Decode(); return _outputs; } }

        private int[] _raw;
        private bool[] _updated;
        private short[] _states;
        private int[] _outputs;
        private byte[] _source;      // the model file, while the vectors are still only there
        private int _sourceOffset;

        /// <summary>Wraps the arrays; the model checks their lengths against its dimensions.</summary>
        public SelfTestVectors(int steps, int[] rawInputs, bool[] updated, short[] states, int[] outputs)
        {
            CheckSteps(steps);
            if (rawInputs == null || updated == null || states == null || outputs == null)
                throw new ModelFormatException("self_test", "is missing an array");
            if (updated.Length != steps) throw new ModelFormatException("self_test.updated", "needs one flag per step");
            Steps = steps;
            _raw = rawInputs;
            _updated = updated;
            _states = states;
            _outputs = outputs;
            RawInputCount = rawInputs.Length;
            StateCount = states.Length;
            OutputCount = outputs.Length;
        }

        /// <summary>
        /// The model reader's constructor: <paramref name="steps"/> records at data[offset ..] in the file's layout
        /// (per step: inputs × i32, u8 updated, stateCount × i16, outputs × i32). The reader has checked that the
        /// bytes are there and that every updated flag is 0 or 1.
        /// </summary>
        internal SelfTestVectors(byte[] data, int offset, int steps, int inputs, int stateCount, int outputs)
        {
            CheckSteps(steps);
            Steps = steps;
            RawInputCount = steps * inputs;
            StateCount = steps * stateCount;
            OutputCount = steps * outputs;
            _source = data;
            _sourceOffset = offset;
        }

        private static void CheckSteps(int steps)
        {
            if (steps < 1 || steps > 65535) throw new ModelFormatException("self_test.steps", "must be 1..65535");
        }

        // The file's bulk reads (four int16 or two int32 values per native word read); the reader has checked the bytes.
        private void Decode()
        {
            int steps = Steps;
            int inputs = RawInputCount / steps, stateCount = StateCount / steps, outputs = OutputCount / steps;
            int[] raw = new int[RawInputCount];
            bool[] updated = new bool[steps];
            short[] states = new short[StateCount];
            int[] outs = new int[OutputCount];
            Format.ByteCursor c = new Format.ByteCursor(_source, _sourceOffset, _source.Length);
            for (int t = 0; t < steps; t++)
            {
                c.Int32s(raw, t * inputs, inputs, "self_test.inputs");
                updated[t] = c.U8("self_test.updated") == 1;
                c.Int16s(states, t * stateCount, stateCount, "self_test.states");
                c.Int32s(outs, t * outputs, outputs, "self_test.outputs");
            }
            _updated = updated;
            _states = states;
            _outputs = outs;
            _raw = raw;      // last: the properties test this one
            _source = null;
        }
    }
}
