using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;

namespace SkipRnn.Firmware.Esp32
{
    /// <summary>The ESP32's µs timer (esp_timer, keeps counting through light sleep).</summary>
    public sealed class EspClock : IClock
    {
        public long NowMicros { get { return (long)HighResTimer.GetCurrent(); } }
    }
}
