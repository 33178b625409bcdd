using System;

namespace SkipRnn.Edge.Application
{
    // The board as the application loop sees it: five small interfaces, so that the loop is device code that the
    // host runs against a virtual board (src/SkipRnn.Edge.Emulator/Board/) and the firmware against real parts (firmware/motion/Board/).
    // No generics, no floating point: implementations compile for nanoFramework.

    /// <summary>
    /// Thrown by a sensor's board layer when a bus transfer fails (I2C NACK, a transfer cut short) or the sensor's state
    /// is not what the loop set (a FIFO count that is not a whole number of samples with no failed read to explain it, a
    /// part that reset). The loop catches it and never ends the application: a <see cref="Transient"/> fault is
    /// retried with backoff (the part and its FIFO are intact, so nothing is lost while the FIFO has room); any other
    /// is recovered by re-initialising the sensor (<see cref="IFifoSensor.PowerUp"/> after
    /// <see cref="IFifoSensor.PowerDown"/>) with backoff and resynchronising on the sample grid.
    /// </summary>
    public sealed class SensorFaultException : Exception
    {
        /// <summary>A fault that needs the sensor re-initialised (what the FIFO held is lost).</summary>
        public SensorFaultException(string message) : base(message) { }

        /// <summary>
        /// A fault with its consequence: <paramref name="transient"/> when the part's state is intact (retry the
        /// operation later); <paramref name="oldestLost"/> when the board layer realigned its FIFO by dropping the rest
        /// of the oldest sample, which an earlier failed transfer had cut (the loop then accounts that sample as gone).
        /// </summary>
        public SensorFaultException(string message, bool transient, bool oldestLost) : base(message)
        {
            Transient = transient;
            OldestLost = oldestLost;
        }

        /// <summary>The part and its FIFO are intact (a bus error that consumed nothing): retry, do not re-initialise.</summary>
        public bool Transient { get; private set; }
        /// <summary>
        /// The FIFO has been realigned and its oldest sample is gone (a failed transfer took part of it): the loop
        /// accounts it (a skipped sample it no longer discards, or a needed one it misses) and goes on; not a new fault.
        /// </summary>
        public bool OldestLost { get; private set; }
    }

    /// <summary>
    /// A sensor that samples on its own clock into a hardware FIFO (an IMU such as the MPU-6050: samples keep
    /// arriving while the CPU computes or sleeps). One sample is one frame of <see cref="FrameSize"/> raw integers.
    /// </summary>
    public interface IFifoSensor
    {
        /// <summary>Raw integers per sample (the model's InputSize).</summary>
        int FrameSize { get; }
        /// <summary>Whole samples waiting in the FIFO.</summary>
        int SamplesAvailable { get; }
        /// <summary>Whole samples the FIFO holds before it overflows (MPU-6050: 1024 bytes / 12 = 85).</summary>
        int Capacity { get; }
        /// <summary>Moves the oldest sample out of the FIFO into <paramref name="frame"/> (FrameSize values).</summary>
        void Read(int[] frame);
        /// <summary>
        /// Drops up to the <paramref name="count"/> oldest samples (1 ≤ count ≤ SamplesAvailable) without using them, in
        /// one call, and returns how many it dropped: <paramref name="count"/>, or fewer when a transfer failed after the
        /// first sample went (the call stops there and the failure shows at the next transfer, e.g. a cut packet at the
        /// next FIFO count), so that the loop knows which samples are gone. A failure before any sample went throws
        /// <see cref="SensorFaultException"/> as any transfer does.
        /// </summary>
        int Discard(int count);
        /// <summary>
        /// True when samples were lost to a full FIFO since the last call (the flag is cleared); the FIFO is then
        /// restarted empty (MPU-6050: its 1,024 bytes are not a whole number of 12-byte samples, so after an overflow
        /// it is out of frame), and the next sample to arrive is the first one taken after this call.
        /// </summary>
        bool TakeOverflow();
        /// <summary>Stops sampling and empties the FIFO (the part draws its sleep current).</summary>
        void PowerDown();
        /// <summary>
        /// Starts sampling again with an empty FIFO, every register written as the application needs it (also after a
        /// reset of the part); the first sample arrives after the part's start-up time.
        /// </summary>
        void PowerUp();
    }

    /// <summary>A monotonic microsecond clock.</summary>
    public interface IClock
    {
        /// <summary>Microseconds since an arbitrary origin; never goes back.</summary>
        long NowMicros { get; }
    }

    /// <summary>Waiting: light sleep with a timer wake-up, or staying awake idle.</summary>
    public interface ISleepTimer
    {
        /// <summary>
        /// Light sleep (CPU halted, RAM kept) woken by a timer after <paramref name="micros"/>; returns once awake,
        /// which takes the board's wake-up latency on top.
        /// </summary>
        void LightSleep(long micros);
        /// <summary>Waits <paramref name="micros"/> awake (no wake-up cost, active current).</summary>
        void Idle(long micros);
    }

    /// <summary>Where the application reports: events (serial line + GPIO pulse on a board) and status lines.</summary>
    public interface IEventSink
    {
        /// <summary>An event fired at sample <paramref name="sampleIndex"/> (from the start), class and Q0.15 confidence.</summary>
        void Event(long sampleIndex, int eventClass, int confidence, long micros);
        /// <summary>The FIFO overflowed while the loop waited for sample <paramref name="sampleIndex"/>; the samples due by then were lost.</summary>
        void FifoOverflow(long sampleIndex, long micros);
        /// <summary>A status line (boot, self-test, refusal). Not on the per-sample path.</summary>
        void Message(string line);
    }

    /// <summary>The status LED.</summary>
    public interface IStatusLed
    {
        /// <summary>Switches the LED on or off.</summary>
        void Set(bool on);
    }

    /// <summary>
    /// Optional hook told about the loop's work as it happens. A board does not need one (real time passes by
    /// itself); the host emulator uses it to advance its virtual clock by the cost of an update and to check that
    /// the sample the loop used is the one it meant to use.
    /// </summary>
    public interface ILoopObserver
    {
        /// <summary>The loop has just updated the model on sample <paramref name="sampleIndex"/>.</summary>
        void Updated(long sampleIndex);
        /// <summary>The loop has just accounted <paramref name="samples"/> skipped samples in one call.</summary>
        void Skipped(int samples);
    }
}
