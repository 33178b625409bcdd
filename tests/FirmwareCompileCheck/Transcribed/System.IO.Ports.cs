// COMPILE-CHECK ONLY, NEVER SHIPPED. The public surface of nanoFramework.System.IO.Ports that firmware/ uses,
// transcribed (signatures only, bodies throw) from github.com/nanoframework/System.IO.Ports @ v1.1.139 = 3cc8cdfcc2f8ac6cb0082b6dd42d3856bfefb4ca,
// files System.IO.Ports/SerialPort.cs, Parity.cs, StopBits.cs (MIT licence, .NET Foundation).
using System;

namespace System.IO.Ports
{
    public enum Parity
    {
        None = 0,
        Odd = 1,
        Even = 2
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3
    }

    public class SerialPort : IDisposable
    {
        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One) { throw new NotSupportedException(); }
        public void Open() { throw new NotSupportedException(); }
        public void Close() { throw new NotSupportedException(); }
        public bool IsOpen { get { throw new NotSupportedException(); } }
        public string NewLine { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public int WriteTimeout { get { throw new NotSupportedException(); } set { throw new NotSupportedException(); } }
        public void Write(string text) { throw new NotSupportedException(); }
        public void WriteLine(string text) { throw new NotSupportedException(); }
        public void Dispose() { throw new NotSupportedException(); }
    }
}
