using System;
using System.Threading;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;

namespace SkipRnn.Firmware.Esp32
{
    /// <summary>
    /// The software watchdog both apps run (nanoFramework exposes no hardware one on the ESP32: firmware/README.md): a managed thread
    /// that checks the loop's <see cref="LoopWatchdog"/> every second and, once it has expired, says so on the serial
    /// port and restarts the ESP32. The restart is nanoFramework.Hardware.Esp32 v1.6.42's deep sleep with a 10 ms timer
    /// wake-up (<c>Sleep.EnableWakeupByTimer</c>, <c>Sleep.StartDeepSleep</c>): in nf-interpreter a3e8139a1 the
    /// native call sets the reboot flag with power level Off, the execution engine stops every managed thread at the
    /// end of the current time slice (src/CLR/Core/Execution.cpp, Execute), and CPU_SetPowerMode calls
    /// esp_deep_sleep_start (targets/ESP32/_nanoCLR/targetHAL_Power.c); the timer wakes the chip through its boot ROM,
    /// a full start of the firmware and the application. At boot <see cref="RestartedByWatchdog"/> tells.
    /// </summary>
    public sealed class LoopWatchdogThread
    {
        private const int CheckMillis = 1000;
        private readonly LoopWatchdog _watchdog;
        private readonly IEventSink _sink;

        private LoopWatchdogThread(LoopWatchdog watchdog, IEventSink sink)
        {
            _watchdog = watchdog;
            _sink = sink;
        }

        /// <summary>Starts the checker thread for <paramref name="watchdog"/>; <paramref name="sink"/> gets its last line.</summary>
        public static void Start(LoopWatchdog watchdog, IEventSink sink)
        {
            if (watchdog == null) throw new ArgumentNullException("watchdog");
            if (sink == null) throw new ArgumentNullException("sink");
            var checker = new LoopWatchdogThread(watchdog, sink);
            new Thread(checker.Run).Start();
        }

        /// <summary>True when this start is the watchdog's restart (woken from deep sleep by the timer; the app uses no other deep sleep).</summary>
        public static bool RestartedByWatchdog { get { return Sleep.GetWakeupCause() == Sleep.WakeupCause.Timer; } }

        private void Run()
        {
            while (!_watchdog.Expired()) Thread.Sleep(CheckMillis);
            try
            {
                _sink.Message("skiprnn: WATCHDOG: the loop has been silent past its deadline; restarting");
            }
            catch (Exception)
            {
                // the serial port may be what hangs: restart all the same
            }
            Sleep.EnableWakeupByTimer(new TimeSpan(10 * TimeSpan.TicksPerMillisecond));
            Sleep.StartDeepSleep();
        }
    }
}
