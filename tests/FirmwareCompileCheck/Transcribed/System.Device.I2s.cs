// COMPILE-CHECK ONLY, NEVER SHIPPED. The public surface of nanoFramework.System.Device.I2s that firmware/keyword uses,
// transcribed (signatures only, bodies throw; enum values as in the source) from
// github.com/nanoframework/System.Device.I2s @ v1.0.28 = 9bb5e92e47b4520673862afb19a7c4809b3b395b,
// files System.Device.I2s/I2sDevice.cs, I2sConnectionSettings.cs, I2sMode.cs, I2sBitsPerSample.cs,
// I2sChannelFormat.cs, I2sCommunicationFormat.cs (MIT licence, .NET Foundation).
using System;

namespace System.Device.I2s
{
    [Flags]
    public enum I2sMode
    {
        Master = 1 << 0,
        Slave = 1 << 1,
        Tx = 1 << 2,
        Rx = 1 << 3,
        DacBuiltIn = 1 << 4,
        AdcBuiltIn = 1 << 5,
        Pdm = 1 << 6
    }

    public enum I2sBitsPerSample
    {
        Bit8 = 8,
        Bit16 = 16,
        Bit24 = 24,
        Bit32 = 32
    }

    public enum I2sChannelFormat
    {
        RightLeft = 0x00,
        AllRight,
        AllLeft,
        OnlyRight,
        OnlyLeft
    }

    public enum I2sCommunicationFormat
    {
        I2S = 0x01,
        Msb = 0x03,
        PcmShort = 0x04,
        PcmLong = 0x0C,
        Max
    }

    public sealed class I2sConnectionSettings
    {
        public I2sConnectionSettings(int busId) { throw new NotSupportedException(); }
        public int BusId { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public I2sMode Mode { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public I2sBitsPerSample BitsPerSample { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public I2sChannelFormat ChannelFormat { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public I2sCommunicationFormat CommunicationFormat { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public int SampleRate { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public int BufferSize { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
    }

    public class I2sDevice : IDisposable
    {
        public I2sDevice(I2sConnectionSettings settings) { throw new NotSupportedException(); }
        public static I2sDevice Create(I2sConnectionSettings settings) { throw new NotSupportedException(); }
        public I2sConnectionSettings ConnectionSettings { get { throw new NotSupportedException(); } }
        public void Read(SpanByte buffer) { throw new NotSupportedException(); }
        public void Write(SpanByte buffer) { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }
}
