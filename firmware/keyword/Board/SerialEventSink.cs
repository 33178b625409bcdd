using System.Device.Gpio;
using System.IO.Ports;
using SkipRnn.Edge.Application;

namespace SkipRnn.Keyword.Board
{
    /// <summary>
    /// Words and status lines on UART2 (115200 8N1) and a high pulse on the event pin per word. A line is built per
    /// event (seconds apart at most), never per frame. One step of the keyword model is one 20 ms frame.
    /// </summary>
    public sealed class SerialEventSink : IEventSink
    {
        private readonly SerialPort _serial;
        private readonly GpioPin _eventPin;
        private string[] _classNames;

        public SerialEventSink(SerialPort serial, GpioController gpio, int eventPin)
        {
            _serial = serial;
            _eventPin = gpio.OpenPin(eventPin, PinMode.Output);
            _eventPin.Write(PinValue.Low);
        }

        /// <summary>Class names for the event lines (the model's, once read).</summary>
        public void UseClassNames(string[] names) { _classNames = names; }

        public void Event(long frame, int eventClass, int confidence, long micros)
        {
            _eventPin.Write(PinValue.High);
            string name = _classNames != null && eventClass < _classNames.Length ? _classNames[eventClass] : eventClass.ToString();
            _serial.WriteLine("word " + name + " at frame " + frame.ToString() + " (" + Seconds(micros) +
                " s), confidence " + (confidence * 100 / 32768).ToString() + " %");
            _eventPin.Write(PinValue.Low);                     // the line took about a millisecond: the pulse width
        }

        public void FifoOverflow(long frame, long micros)
        {
            _serial.WriteLine("warning: audio buffer overflow before frame " + frame.ToString() + " (" + Seconds(micros) +
                " s): frames are too slow for 16 kHz, samples were lost");
        }

        public void Message(string line) { _serial.WriteLine(line); }

        private static string Seconds(long micros)
        {
            long tenths = micros / 100000;
            return (tenths / 10).ToString() + "." + (tenths % 10).ToString();
        }
    }
}
