using System;
using System.Threading;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;

namespace SkipRnn.Firmware.Esp32
{
    /// <summary>
    /// Light sleep with a timer wake-up (nanoFramework.Hardware.Esp32 Sleep), or an idle wait. Light sleep is refused
    /// while Wi-Fi or Bluetooth run (ESP_ERR_INVALID_STATE): then the wait is idle and <see cref="Refused"/> counts it.
    /// </summary>
    public sealed class EspSleepTimer : ISleepTimer
    {
        private readonly EspClock _clock;

        public EspSleepTimer(EspClock clock)
        {
            if (clock == null) throw new ArgumentNullException("clock");
            _clock = clock;
        }

        /// <summary>Light sleeps the chip refused.</summary>
        public int Refused { get; private set; }

        public void LightSleep(long micros)
        {
            if (micros <= 0) return;
            if (Sleep.EnableWakeupByTimer(TimeSpan.FromTicks(micros * 10)) == EspNativeError.OK &&
                Sleep.StartLightSleep() == EspNativeError.OK)
                return;
            Refused++;
            Idle(micros);
        }

        public void Idle(long micros)
        {
            if (micros <= 0) return;
            long end = _clock.NowMicros + micros;
            if (micros >= 2000) Thread.Sleep((int)(micros / 1000) - 1);   // whole milliseconds, a little short...
            while (_clock.NowMicros < end) { }                              // ...then to the µs
        }
    }
}
