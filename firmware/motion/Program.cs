using System.Device.Gpio;
using System.Device.I2c;
using System.IO.Ports;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Streaming;
using SkipRnn.Firmware.Esp32;
using SkipRnn.Motion.Board;

namespace SkipRnn.Motion
{
    /// <summary>
    /// Always-on motion events on an ESP32 DevKit + MPU-6050 (README.md: wiring, flashing, what the serial port
    /// shows). Boot: serial port, LED, model + self-test (refusal: a serial line and an LED code, forever), IMU
    /// probe; then the device's StreamingLoop (src/SkipRnn.Edge.Loops): the IMU samples at 50 Hz into its
    /// FIFO, the model reads only the samples it updates on, and the ESP32 light-sleeps through everything else.
    /// </summary>
    public static class Program
    {
        /// <summary>LED blinks: no MPU-6050 answers on I2C (wiring).</summary>
        public const int BlinksNoImu = 5;
        /// <summary>A status line every this many samples (one minute at 50 Hz).</summary>
        private const int StatusEverySamples = 3000;
        /// <summary>
        /// The loop may be silent this long past a wait it announced before the watchdog restarts the board: above the
        /// longest step it takes without a word (an I2C transfer times out after 1 s in the driver; a re-initialisation
        /// attempt is at most two of them; a serial line waits at most 500 ms).
        /// </summary>
        private const long WatchdogTimeoutMicros = 10000000;

        public static void Main()
        {
            Configuration.SetPinFunction(Pins.SerialTx, DeviceFunction.COM2_TX);
            Configuration.SetPinFunction(Pins.SerialRx, DeviceFunction.COM2_RX);
            Configuration.SetPinFunction(Pins.I2cData, DeviceFunction.I2C1_DATA);
            Configuration.SetPinFunction(Pins.I2cClock, DeviceFunction.I2C1_CLOCK);
            var serial = new SerialPort("COM2", 115200);
            serial.Open();
            var gpio = new GpioController();
            var led = new GpioStatusLed(gpio, Pins.StatusLed);
            var sink = new SerialEventSink(serial, gpio, Pins.EventOut, "event", "sample", "IMU FIFO",
                "updates are too slow for the sample rate");
            var clock = new EspClock();
            var sleep = new EspSleepTimer(clock);
            sink.Message("skiprnn motion: boot");
            if (LoopWatchdogThread.RestartedByWatchdog)
                sink.Message("skiprnn: restarted by the loop watchdog (the loop had stopped; state and counters start again)");

            StreamDetector detector = AppBoot.Start(MotionModel.ReadBytes(), sink, out int blinks);
            if (detector == null) Refuse(led, sleep, blinks);
            sink.UseClassNames(detector.Rnn.Model.ClassNames);

            var imu = new Mpu6050Fifo(new I2cDevice(new I2cConnectionSettings(1, Pins.ImuAddress, I2cBusSpeed.FastMode)),
                detector.Rnn.Model.SamplePeriodMicros);
            if (!imu.Probe())
            {
                sink.Message("skiprnn: REFUSED: no MPU-6050 answers at I2C address 0x68 (SDA GPIO21, SCL GPIO22): check the wiring");
                Refuse(led, sleep, BlinksNoImu);
            }
            imu.Configure();

            var settings = new LoopSettings(detector.Rnn.Model.SamplePeriodMicros);
            settings.Policy = SkipPolicy.DrainFifo;          // PowerDownSensor saves the IMU's 3.9 mA on long spans; see README.md
            var loop = new StreamingLoop(detector, imu, clock, sleep, sink, settings, null);
            var watchdog = new LoopWatchdog(clock, WatchdogTimeoutMicros);
            loop.Watchdog = watchdog;
            LoopWatchdogThread.Start(watchdog, sink);
            sink.Message("skiprnn: running, " + imu.Capacity.ToString() + "-sample FIFO, light sleep past " +
                settings.BreakEvenMicros.ToString() + " us");

            long nextStatus = StatusEverySamples;
            while (true)
            {
                loop.RunOnce();
                if (detector.Step >= nextStatus)
                {
                    nextStatus += StatusEverySamples;
                    Status(sink, loop, sleep);
                }
            }
        }

        private static void Status(SerialEventSink sink, StreamingLoop loop, EspSleepTimer sleep)
        {
            LoopCounters c = loop.Counters;
            long samples = c.Reads + c.SkippedSamples + c.MissedSamples;
            sink.Message("status: " + samples.ToString() + " samples, " + c.Reads.ToString() + " read (" +
                (c.Reads * 100 / samples).ToString() + " %), " + c.LightSleeps.ToString() + " light sleeps (" +
                (c.LightSleepMicros / 1000000).ToString() + " s), FIFO high-water " + c.FifoHighWater.ToString() +
                ", overflows " + c.FifoOverflows.ToString() + " (" + c.MissedSamples.ToString() + " samples missed), events " + c.Events.ToString() +
                ", sensor faults " + c.SensorFaults.ToString() + " (" + c.TransientFaults.ToString() + " retried, " +
                c.RetryFailures.ToString() + " failed retries, " + c.Realignments.ToString() + " FIFO realignments, " + c.SensorSilences.ToString() + " silent, " + c.SensorReinits.ToString() +
                " re-inits, " + c.ReinitFailures.ToString() + " failed attempts, " + c.SamplesLostToFaults.ToString() + " samples lost), serial lines dropped " +
                sink.DroppedLines.ToString() +
                (sleep.Refused > 0 ? ", light sleep refused " + sleep.Refused.ToString() + " times" : ""));
        }

        private static void Refuse(IStatusLed led, ISleepTimer sleep, int blinks)
        {
            while (true) AppBoot.ShowRefusal(led, sleep, blinks);
        }
    }
}
