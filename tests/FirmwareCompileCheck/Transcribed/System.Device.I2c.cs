// COMPILE-CHECK ONLY, NEVER SHIPPED. The public surface of nanoFramework.System.Device.I2c that firmware/ uses,
// transcribed (signatures only, bodies throw) from github.com/nanoframework/System.Device.I2c @ v1.1.29 = ac5858c8be7d7b917854328ebc023c8bf66dbfee,
// files System.Device.I2c/I2cDevice.cs, I2cConnectionSettings.cs, I2cBusSpeed.cs, I2cTransferResult.cs,
// I2cTransferStatus.cs (MIT licence, .NET Foundation). On a board the real package is used (firmware/motion/packages.config).
using System;

namespace System.Device.I2c
{
    public enum I2cBusSpeed
    {
        StandardMode,
        FastMode,
        FastModePlus
    }

    public enum I2cTransferStatus
    {
        UnknownError,
        FullTransfer,
        ClockStretchTimeout,
        PartialTransfer,
        SlaveAddressNotAcknowledged
    }

    public struct I2cTransferResult
    {
        public uint BytesTransferred { get { throw new NotSupportedException(); } }
        public I2cTransferStatus Status { get { throw new NotSupportedException(); } }
    }

    public sealed class I2cConnectionSettings
    {
        public I2cConnectionSettings(int busId, int deviceAddress) { throw new NotSupportedException(); }
        public I2cConnectionSettings(int busId, int deviceAddress, I2cBusSpeed busSpeed) { throw new NotSupportedException(); }
        public int BusId { get { throw new NotSupportedException(); } }
        public int DeviceAddress { get { throw new NotSupportedException(); } }
        public I2cBusSpeed BusSpeed { get { throw new NotSupportedException(); } }
    }

    public class I2cDevice : IDisposable
    {
        public I2cDevice(I2cConnectionSettings settings) { throw new NotSupportedException(); }
        public static I2cDevice Create(I2cConnectionSettings settings) { throw new NotSupportedException(); }
        public I2cConnectionSettings ConnectionSettings { get { throw new NotSupportedException(); } }
        public byte ReadByte() { throw new NotSupportedException(); }
        public I2cTransferResult Read(SpanByte buffer) { throw new NotSupportedException(); }
        public I2cTransferResult WriteByte(byte value) { throw new NotSupportedException(); }
        public I2cTransferResult Write(SpanByte buffer) { throw new NotSupportedException(); }
        public I2cTransferResult WriteRead(SpanByte writeBuffer, SpanByte readBuffer) { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }
}
