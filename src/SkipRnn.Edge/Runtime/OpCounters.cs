namespace SkipRnn.Edge.Runtime
{
    /// <summary>
    /// Cheap operation counters for energy accounting: each update adds the model's constant MAC and
    /// lookup counts, each skip adds one skip. Multiply by per-op energy figures to estimate joules.
    /// </summary>
    public sealed class OpCounters
    {
        // Fields, not auto-properties, for the runner: on the interpreter each property access is a call.
        internal long _updates, _skips, _macs, _lookups, _clampedInputs;

        /// <summary>Steps that updated the state.</summary>
        public long Updates { get { return _updates; } }
        /// <summary>Steps that copied the state.</summary>
        public long Skips { get { return _skips; } }
        /// <summary>Multiply-accumulates executed.</summary>
        public long Macs { get { return _macs; } }
        /// <summary>Activation-table lookups executed.</summary>
        public long Lookups { get { return _lookups; } }

        /// <summary>
        /// Raw input values clamped by the input normalization because their normalized value fell outside
        /// int16 (the sensor read beyond the range the model was calibrated for; each is counted once per update).
        /// A rising count means the inputs the device sees differ from the training data.
        /// </summary>
        public long ClampedInputs { get { return _clampedInputs; } }

        /// <summary>All steps seen.</summary>
        public long Steps { get { return Updates + Skips; } }

        /// <summary>Sets every counter to zero.</summary>
        public void Clear()
        {
            _updates = 0;
            _skips = 0;
            _macs = 0;
            _lookups = 0;
            _clampedInputs = 0;
        }
    }
}
