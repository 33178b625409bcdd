using System;
using System.Device.Gpio;
using System.IO.Ports;
using SkipRnn.Edge.Application;

namespace SkipRnn.Firmware.Esp32
{
    /// <summary>
    /// Events and status lines on COM2 (the ESP32's UART1; 115200 8N1) and a high pulse on the event pin per event. A line is built
    /// per event (seconds to minutes apart), never per step. The app names its events and steps: the motion app
    /// reports "event … at sample n", the keyword app "word … at frame n".
    /// </summary>
    public sealed class SerialEventSink : IEventSink
    {
        private readonly SerialPort _serial;
        private readonly GpioPin _eventPin;
        private readonly string _event;
        private readonly string _step;
        private readonly string _buffer;
        private readonly string _tooSlow;
        private string[] _classNames;
        private long _dropped;

        /// <summary>How long a line may wait for the UART (a stalled receiver with flow control): then it is dropped.</summary>
        public const int WriteTimeoutMillis = 500;

        /// <param name="eventWord">what an event line starts with ("event", "word")</param>
        /// <param name="stepWord">what one model step is ("sample", "frame")</param>
        /// <param name="bufferName">the buffer that overflows ("IMU FIFO", "audio buffer")</param>
        /// <param name="tooSlow">why it overflowed ("updates are too slow for the sample rate")</param>
        public SerialEventSink(SerialPort serial, GpioController gpio, int eventPin, string eventWord, string stepWord,
            string bufferName, string tooSlow)
        {
            _serial = serial;
            _serial.WriteTimeout = WriteTimeoutMillis;         // a blocked port costs the loop at most this per line
            _eventPin = gpio.OpenPin(eventPin, PinMode.Output);
            _eventPin.Write(PinValue.Low);
            _event = eventWord;
            _step = stepWord;
            _buffer = bufferName;
            _tooSlow = tooSlow;
        }

        /// <summary>Class names for the event lines (the model's, once read).</summary>
        public void UseClassNames(string[] names) { _classNames = names; }

        public void Event(long step, int eventClass, int confidence, long micros)
        {
            _eventPin.Write(PinValue.High);
            string name = _classNames != null && eventClass < _classNames.Length ? _classNames[eventClass] : eventClass.ToString();
            Write(_event + " " + name + " at " + _step + " " + step.ToString() + " (" + Seconds(micros) +
                " s), confidence " + (confidence * 100 / 32768).ToString() + " %");
            _eventPin.Write(PinValue.Low);                     // the line took about a millisecond: the pulse width
        }

        public void FifoOverflow(long step, long micros)
        {
            Write("warning: " + _buffer + " overflow before " + _step + " " + step.ToString() + " (" +
                Seconds(micros) + " s): " + _tooSlow + ", samples were lost");
        }

        public void Message(string line) { Write(line); }

        /// <summary>Lines dropped because the port did not take them within the write timeout (shown in the status line).</summary>
        public long DroppedLines { get { return _dropped; } }

        // The loop must not stop for the serial port: a line the port does not take in time is dropped and counted.
        private void Write(string line)
        {
            try
            {
                _serial.WriteLine(line);
            }
            catch (Exception)
            {
                _dropped++;
            }
        }

        private static string Seconds(long micros)
        {
            long tenths = micros / 100000;
            return (tenths / 10).ToString() + "." + (tenths % 10).ToString();
        }
    }
}
