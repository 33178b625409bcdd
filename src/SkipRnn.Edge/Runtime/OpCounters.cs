namespace SkipRnn.Edge.Runtime
{
    /// <summary>
    /// Cheap operation counters for energy accounting: each update adds the model's constant MAC and
    /// lookup counts, each skip adds one skip. Multiply by per-op energy figures to estimate joules.
    /// </summary>
    public sealed class OpCounters
    {
        /// <summary>Steps that updated the state.</summary>
        public long Updates { get; internal set; }
        /// <summary>Steps that copied the state.</summary>
        public long Skips { get; internal set; }
        /// <summary>Multiply-accumulates executed.</summary>
        public long Macs { get; internal set; }
        /// <summary>Activation-table lookups executed.</summary>
        public long Lookups { get; internal set; }

        /// <summary>All steps seen.</summary>
        public long Steps { get { return Updates + Skips; } }

        /// <summary>Sets every counter to zero.</summary>
        public void Clear()
        {
            Updates = 0;
            Skips = 0;
            Macs = 0;
            Lookups = 0;
        }
    }
}
