// COMPILE-CHECK ONLY, NEVER SHIPPED. The public surface of nanoFramework.Hardware.Esp32 that firmware/ uses,
// transcribed (signatures only, bodies throw; enum values as in the source) from
// github.com/nanoframework/nanoFramework.Hardware.Esp32 @ v1.6.42 = 579dbaf231d7fa7ab2672d81176a4a59b7d60bfb,
// files nanoFramework.Hardware.Esp32/Sleep.cs, Configuration.cs, DeviceTypePins.cs, Errors.cs, HighResTimer.cs
// (MIT licence, .NET Foundation).
using System;

namespace nanoFramework.Hardware.Esp32
{
    public enum EspNativeError : Int32
    {
        OK = 0,
        FAIL = -1,
        NO_MEM = 0x101,
        INVALID_ARG = 0x102,
        INVALID_STATE = 0x103
    }

    public enum DeviceFunction
    {
        I2C1_DATA = 2 * 0x00010000 + 1 * 0x00000100 + 0,
        I2C1_CLOCK = 2 * 0x00010000 + 1 * 0x00000100 + 1,
        COM2_TX = 3 * 0x00010000 + 2 * 0x00000100 + 0,
        COM2_RX = 3 * 0x00010000 + 2 * 0x00000100 + 1,
        I2S1_BCK = 6 * 0x00010000 + 1 * 0x00000100 + 1,
        I2S1_WS = 6 * 0x00010000 + 1 * 0x00000100 + 2,
        I2S1_MDATA_IN = 6 * 0x00010000 + 1 * 0x00000100 + 4
    }

    public class Configuration
    {
        public static void SetPinFunction(int pin, DeviceFunction value) { throw new NotSupportedException(); }
        public static int GetFunctionPin(DeviceFunction function) { throw new NotSupportedException(); }
    }

    public class Sleep
    {
        public static EspNativeError EnableWakeupByTimer(TimeSpan time) { throw new NotSupportedException(); }
        public static EspNativeError StartLightSleep() { throw new NotSupportedException(); }
        public static void StartDeepSleep() { throw new NotSupportedException(); }
        public static WakeupCause GetWakeupCause() { throw new NotSupportedException(); }

        public enum WakeupCause
        {
            Undefined = 0,
            Ext0 = 2,
            Ext1,
            Timer,
            TouchPad,
            Ulp,
            Gpio,
            Uart,
            Wifi,
        }
    }

    public class HighResTimer : IDisposable
    {
        public static UInt64 GetCurrent() { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }
}
