using System;

namespace SkipRnn.Edge.Application
{
    /// <summary>What the loop does with the sensor through a skipped span.</summary>
    public enum SkipPolicy
    {
        /// <summary>
        /// The sensor keeps sampling into its FIFO; the loop wakes to drain and discard the span's samples (before
        /// the FIFO fills, and at the span's end). Costs the sensor's active current and a FIFO read per discarded
        /// sample; never loses the sample after the span.
        /// </summary>
        DrainFifo = 0,
        /// <summary>
        /// The sensor is powered down for the span when it is long enough (longer than the sensor's start-up time
        /// plus the break-even time) and powered up its start-up time before the next needed sample is due.
        /// Saves the sensor's current and the discards; relies on the start-up time being right.
        /// </summary>
        PowerDownSensor = 1
    }

    /// <summary>What the model does over a span of samples it needed that were lost.</summary>
    public enum LossPolicy
    {
        /// <summary>The state is held through the span (no update, ũ as it was): the next sample updates.</summary>
        HoldState = 0,
        /// <summary>
        /// Each update the span needed is made on the last sample read, the skip schedule running as usual (the
        /// default: the model comes back onto the fault-free run's track soonest, MotionFaultTests).
        /// </summary>
        RepeatLastSample = 1,
        /// <summary>The state starts afresh after the span (zero state, the next sample updates).</summary>
        ResetState = 2
    }

    /// <summary>The loop's parameters (all times in µs). Validated by <see cref="Check"/>.</summary>
    public sealed class LoopSettings
    {
        /// <summary>Sensor sample period (the model's SamplePeriodMicros: 20,000 for the motion model at 50 Hz).</summary>
        public int SamplePeriodMicros;
        /// <summary>Waits longer than this use light sleep, shorter ones idle (ESP32: wake-up costs a few hundred µs).</summary>
        public int BreakEvenMicros = 1000;
        /// <summary>Time from the timer firing to the code running again; the loop asks to be woken this much earlier.</summary>
        public int WakeLatencyMicros = 350;
        /// <summary>What happens to the sensor through a skipped span.</summary>
        public SkipPolicy Policy = SkipPolicy.DrainFifo;
        /// <summary>Power-up to first sample (MPU-6050 datasheet: gyroscope start-up time 30 ms typical).</summary>
        public int SensorStartupMicros = 30000;
        /// <summary>With the sensor on, wake to drain once the FIFO holds Capacity − this many samples.</summary>
        public int FifoHeadroomSamples = 5;
        /// <summary>A needed sample that is due but not yet in the FIFO is polled for again after this long.</summary>
        public int PollMicros = 1000;
        /// <summary>
        /// The FIFO stays empty this long past the due time of the oldest sample still to come: the sensor has stopped
        /// sampling (an MPU-6050 that reset has its FIFO disabled and its registers at defaults). The loop then counts a
        /// sensor fault and re-initialises the part.
        /// </summary>
        public int SensorSilentMicros = 200000;
        /// <summary>First wait before re-initialising a faulted sensor; doubled after every failed attempt.</summary>
        public int ReinitBackoffMicros = 10000;
        /// <summary>Longest wait between re-initialisation attempts.</summary>
        public int ReinitBackoffMaxMicros = 1000000;
        /// <summary>
        /// What the model does over samples it needed that a sensor fault took (measured in MotionFaultTests,
        /// firmware/README.md). Over an overflow's loss it holds its state whatever this says: the CPU fell behind.
        /// </summary>
        public LossPolicy AfterLoss = LossPolicy.RepeatLastSample;

        /// <summary>Settings for a sensor sampling every <paramref name="samplePeriodMicros"/>; the rest at their defaults.</summary>
        public LoopSettings(int samplePeriodMicros)
        {
            SamplePeriodMicros = samplePeriodMicros;
        }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work with a FIFO of <paramref name="capacity"/>.</summary>
        public void Check(int capacity)
        {
            if (SamplePeriodMicros < 1) throw Bad("SamplePeriodMicros", SamplePeriodMicros, "must be at least 1");
            if (BreakEvenMicros < 0) throw Bad("BreakEvenMicros", BreakEvenMicros, "must not be negative");
            if (WakeLatencyMicros < 0 || WakeLatencyMicros > BreakEvenMicros)
                throw Bad("WakeLatencyMicros", WakeLatencyMicros, "must be 0..BreakEvenMicros (a sleep shorter than its wake-up never pays)");
            if (Policy != SkipPolicy.DrainFifo && Policy != SkipPolicy.PowerDownSensor) throw Bad("Policy", (int)Policy, "is not a SkipPolicy");
            if (AfterLoss < LossPolicy.HoldState || AfterLoss > LossPolicy.ResetState) throw Bad("AfterLoss", (int)AfterLoss, "is not a LossPolicy");
            if (SensorStartupMicros < 0) throw Bad("SensorStartupMicros", SensorStartupMicros, "must not be negative");
            if (capacity < 2) throw Bad("sensor Capacity", capacity, "must be at least 2 samples");
            if (FifoHeadroomSamples < 1 || FifoHeadroomSamples >= capacity)
                throw Bad("FifoHeadroomSamples", FifoHeadroomSamples, "must be 1..Capacity-1 (" + (capacity - 1).ToString() + ")");
            if (PollMicros < 1) throw Bad("PollMicros", PollMicros, "must be at least 1");
            if (SensorSilentMicros <= PollMicros) throw Bad("SensorSilentMicros", SensorSilentMicros, "must exceed PollMicros");
            if (ReinitBackoffMicros < 1) throw Bad("ReinitBackoffMicros", ReinitBackoffMicros, "must be at least 1");
            if (ReinitBackoffMaxMicros < ReinitBackoffMicros) throw Bad("ReinitBackoffMaxMicros", ReinitBackoffMaxMicros, "must be at least ReinitBackoffMicros");
        }

        private static Exception Bad(string name, int value, string rule)
        {
            return new ArgumentException(name + " is " + value.ToString() + ": " + rule);
        }
    }
}
