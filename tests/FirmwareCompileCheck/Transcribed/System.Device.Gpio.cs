// COMPILE-CHECK ONLY, NEVER SHIPPED. The public surface of nanoFramework.System.Device.Gpio that firmware/ uses,
// transcribed (signatures only, bodies throw) from github.com/nanoframework/System.Device.Gpio @ v1.1.62 = cd99158280e0f5c24102981c26baf69facda4d17,
// files System.Device.Gpio/GpioController.cs, GpioPin.cs, PinMode.cs, PinValue.cs (MIT licence, .NET Foundation).
using System;

namespace System.Device.Gpio
{
    public enum PinMode
    {
        Input,
        InputPullDown,
        InputPullUp,
        Output,
        OutputOpenDrain,
        OutputOpenDrainPullUp,
        OutputOpenSource,
        OutputOpenSourcePullDown
    }

    public readonly struct PinValue
    {
        public static PinValue High { get { throw new NotSupportedException(); } }
        public static PinValue Low { get { throw new NotSupportedException(); } }
        public static implicit operator PinValue(int value) { throw new NotSupportedException(); }
        public static implicit operator PinValue(bool value) { throw new NotSupportedException(); }
    }

    public class GpioPin : IDisposable
    {
        private GpioPin() { }
        public int PinNumber { get { throw new NotSupportedException(); } }
        public PinValue Read() { throw new NotSupportedException(); }
        public void Write(PinValue value) { throw new NotSupportedException(); }
        public void Toggle() { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }

    public class GpioController : IDisposable
    {
        public GpioController() { throw new NotSupportedException(); }
        public GpioPin OpenPin(int pinNumber) { throw new NotSupportedException(); }
        public GpioPin OpenPin(int pinNumber, PinMode mode) { throw new NotSupportedException(); }
        public void Write(int pinNumber, PinValue value) { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }
}
