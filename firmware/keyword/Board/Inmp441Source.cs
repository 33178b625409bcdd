using System;
using System.Device.I2s;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;

namespace SkipRnn.Keyword.Board
{
    /// <summary>
    /// An INMP441 MEMS microphone on I2S1 as an <see cref="IAudioSource"/>: the ESP32 is bus master (SCK, WS), the
    /// microphone's L/R pin is tied low so it answers in the left slot with 24-bit two's complement data,
    /// MSB first, in a 32-bit slot (INMP441 datasheet). Samples are returned as the top 16 bits (int16 range).
    /// The microphone samples only while the bus clocks it: <see cref="Stop"/> stops the clock (the part then sleeps),
    /// <see cref="Start"/> starts it again; the driver's DMA buffer (BufferSize bytes) is the FIFO that fills while the
    /// CPU works. No allocation after construction.
    /// </summary>
    public sealed class Inmp441Source : IAudioSource
    {
        private const int BytesPerSample = 4;      // one 32-bit left slot per sample (OnlyLeft)
        private const int ChunkSamples = 256;
        private readonly int _sampleRate;
        private readonly int _bufferBytes;
        private readonly byte[] _chunk = new byte[ChunkSamples * BytesPerSample];
        private I2sDevice _i2s;

        /// <summary>The microphone at <paramref name="sampleRate"/> Hz (16,000 for the keyword models) with a DMA buffer of <paramref name="bufferSamples"/>.</summary>
        public Inmp441Source(int sampleRate, int bufferSamples)
        {
            if (sampleRate < 8000 || sampleRate > 48000) throw new ArgumentException("sample rate " + sampleRate.ToString() + " Hz: the INMP441 runs at 8..48 kHz (datasheet: SCK 2.048..4.096 MHz at 64 clocks per sample)");
            if (bufferSamples < ChunkSamples) throw new ArgumentException("buffer of " + bufferSamples.ToString() + " samples: at least " + ChunkSamples.ToString());
            _sampleRate = sampleRate;
            _bufferBytes = bufferSamples * BytesPerSample;
            Configuration.SetPinFunction(Pins.BitClock, DeviceFunction.I2S1_BCK);
            Configuration.SetPinFunction(Pins.WordSelect, DeviceFunction.I2S1_WS);
            Configuration.SetPinFunction(Pins.DataIn, DeviceFunction.I2S1_MDATA_IN);
        }

        public int SampleRate { get { return _sampleRate; } }
        public bool Running { get { return _i2s != null; } }

        public void Start()
        {
            if (_i2s != null) return;
            var settings = new I2sConnectionSettings(1);
            settings.Mode = I2sMode.Master | I2sMode.Rx;
            settings.SampleRate = _sampleRate;
            settings.BitsPerSample = I2sBitsPerSample.Bit32;
            settings.ChannelFormat = I2sChannelFormat.OnlyLeft;
            settings.CommunicationFormat = I2sCommunicationFormat.I2S;
            settings.BufferSize = _bufferBytes;
            _i2s = new I2sDevice(settings);
        }

        public void Stop()
        {
            if (_i2s == null) return;
            _i2s.Dispose();
            _i2s = null;
        }

        public void Read(short[] pcm, int offset, int count)
        {
            if (_i2s == null) throw new InvalidOperationException("the microphone is stopped: call Start first");
            while (count > 0)
            {
                int n = count < ChunkSamples ? count : ChunkSamples;
                _i2s.Read(new SpanByte(_chunk, 0, n * BytesPerSample));    // blocks until n samples arrived
                for (int i = 0; i < n; i++)
                {
                    int b = i * BytesPerSample;                             // little-endian 32-bit slot, data in the top 24 bits
                    pcm[offset + i] = (short)(_chunk[b + 2] | (_chunk[b + 3] << 8));
                }
                offset += n;
                count -= n;
            }
        }

        public void Discard(int count)
        {
            if (_i2s == null) throw new InvalidOperationException("the microphone is stopped: call Start first");
            while (count > 0)
            {
                int n = count < ChunkSamples ? count : ChunkSamples;
                _i2s.Read(new SpanByte(_chunk, 0, n * BytesPerSample));
                count -= n;
            }
        }
    }
}
