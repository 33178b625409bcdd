using System.Device.Gpio;
using SkipRnn.Edge.Application;

namespace SkipRnn.Firmware.Esp32
{
    /// <summary>An LED on a GPIO, active high.</summary>
    public sealed class GpioStatusLed : IStatusLed
    {
        private readonly GpioPin _pin;

        public GpioStatusLed(GpioController gpio, int pin)
        {
            _pin = gpio.OpenPin(pin, PinMode.Output);
            _pin.Write(PinValue.Low);
        }

        public void Set(bool on) { _pin.Write(on ? PinValue.High : PinValue.Low); }
    }
}
