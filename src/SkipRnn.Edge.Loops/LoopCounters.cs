namespace SkipRnn.Edge.Application
{
    /// <summary>What the application loop did so far, counted by the loop itself (the same on a board and on the host).</summary>
    public sealed class LoopCounters
    {
        /// <summary>Samples read from the sensor and given to the model (one update each).</summary>
        public long Reads { get; internal set; }
        /// <summary>Samples skipped: accounted in O(1), never given to the model.</summary>
        public long SkippedSamples { get; internal set; }
        /// <summary>Skipped samples that reached the FIFO and were dropped unread (DrainFifo, or spans too short to power down).</summary>
        public long DiscardedSamples { get; internal set; }
        /// <summary>Light sleeps entered.</summary>
        public long LightSleeps { get; internal set; }
        /// <summary>Time asked of the light-sleep timer plus its wake-up latency (µs).</summary>
        public long LightSleepMicros { get; internal set; }
        /// <summary>Waits too short for light sleep, spent idle (µs).</summary>
        public long IdleMicros { get; internal set; }
        /// <summary>Times the sensor was powered down for a skipped span.</summary>
        public long SensorPowerDowns { get; internal set; }
        /// <summary>Times a needed sample was due but not yet in the FIFO (clock or start-up estimate off).</summary>
        public long Polls { get; internal set; }
        /// <summary>FIFO overflows the sensor reported (each loses samples).</summary>
        public long FifoOverflows { get; internal set; }
        /// <summary>Samples the model needed that an overflow took (missed: the model held its state through them).</summary>
        public long MissedSamples { get; internal set; }
        /// <summary>Most samples seen waiting in the FIFO at once by the loop.</summary>
        public int FifoHighWater { get; internal set; }
        /// <summary>Sensor faults: a failed bus transfer or an inconsistent FIFO (<see cref="SensorFaultException"/>), or a sensor gone silent.</summary>
        public long SensorFaults { get; internal set; }
        /// <summary>Of those, transient: a bus error that left the part intact, retried without re-initialising (nothing lost).</summary>
        public long TransientFaults { get; internal set; }
        /// <summary>Retries of a transient fault that failed again (each followed by a longer wait).</summary>
        public long RetryFailures { get; internal set; }
        /// <summary>Times the board layer realigned the FIFO after a transfer cut a sample (that one sample lost).</summary>
        public long Realignments { get; internal set; }
        /// <summary>Of those, the sensor gone silent (reset part: FIFO disabled).</summary>
        public long SensorSilences { get; internal set; }
        /// <summary>Re-initialisations that succeeded (one per fault).</summary>
        public long SensorReinits { get; internal set; }
        /// <summary>Re-initialisation attempts that failed (each followed by a longer wait).</summary>
        public long ReinitFailures { get; internal set; }
        /// <summary>Samples the model needed that a fault took (missed: the model held its state through them; a realignment's one included).</summary>
        public long SamplesLostToFaults { get; internal set; }
        /// <summary>Updates made on the last sample read over a span of lost samples (LossPolicy.RepeatLastSample).</summary>
        public long RepeatedUpdates { get; internal set; }
        /// <summary>Events reported.</summary>
        public long Events { get; internal set; }
    }
}
