using System;
using SkipRnn.Edge.Audio;

namespace SkipRnn.Edge.Application
{
    /// <summary>
    /// The receive side of an I2S bus as nanoFramework's <c>System.Device.I2s.I2sDevice</c> offers it on an ESP32:
    /// master receiver, 32-bit slots, a DMA buffer of a given size, a blocking byte read. firmware/keyword implements it
    /// over <c>I2sDevice</c>; the host emulator implements it as the real driver behaves (frame layout, DMA queue).
    /// </summary>
    public interface II2sReceiver
    {
        /// <summary>
        /// Opens the bus (master, receive, 32 bits per sample, I2S format): <paramref name="stereo"/> both slots
        /// (<c>I2sChannelFormat.RightLeft</c>) or the left slot alone (<c>OnlyLeft</c>), with a DMA buffer of
        /// <paramref name="bufferBytes"/> (<c>I2sConnectionSettings.BufferSize</c>). The clock runs from here on.
        /// </summary>
        void Open(int sampleRate, bool stereo, int bufferBytes);
        /// <summary>Stops the clock and frees the driver (everything buffered is dropped).</summary>
        void Close();
        /// <summary>Blocks until <paramref name="count"/> bytes are in buffer[offset..] (<c>I2sDevice.Read(SpanByte)</c>).</summary>
        void Read(byte[] buffer, int offset, int count);
    }

    /// <summary>
    /// An I2S MEMS microphone that answers in the left slot with 24-bit data in a 32-bit slot (INMP441 with L/R to GND)
    /// as an <see cref="IAudioSource"/> of int16 samples (the top 16 bits).
    /// <para>
    /// How the ESP32 driver delivers the samples (nf-interpreter a3e8139a1,
    /// targets/ESP32/_nanoCLR/System.Device.I2s/sys_dev_i2s_native_System_Device_I2s_I2sDevice.cpp, and ESP-IDF v5.5.4
    /// components/driver/deprecated/i2s_legacy.c): the bus is opened in stereo (<c>RightLeft</c>). In mono
    /// (<c>OnlyLeft</c>) the DMA stores 4 bytes a frame, but nanoFramework's <c>Read</c> consumes the DMA in 8-byte
    /// frames and keeps bytes 4..7 of each (its frame map assumes stereo): every other sample, half the rate. In stereo
    /// each 8-byte frame arrives as left slot (bytes 0..3) then right slot (bytes 4..7), little-endian.
    /// </para>
    /// <para>
    /// The DMA buffer: nanoFramework splits <c>BufferSize</c> into DMA buffers of 256 frames (<c>DMA_BUF_LEN_IN_I2S_FRAMES</c>;
    /// 2,048 bytes in stereo); ESP-IDF queues at most (buffers − 1) complete ones (<c>xQueueCreate(buf_cnt - 1, …)</c>) and
    /// when a buffer completes with the queue full it drops the oldest queued buffer without telling <c>Read</c>
    /// (nanoFramework installs the driver without an event queue). So the microphone holds
    /// <see cref="QueuedSamples"/> = (buffers − 1) × 256 samples safely, a read returns only whole completed buffers,
    /// and a loss is always whole buffers from the oldest. <see cref="KeywordLoop"/> mirrors that to keep its sample
    /// index right through a loss.
    /// </para>
    /// <see cref="ReadSlots"/> hands the frames over as they are (the keyword loop unpacks only the windows it computes);
    /// <see cref="Read"/> unpacks them (<see cref="I2sSlots.Unpack"/>). No allocation after construction.
    /// </summary>
    public sealed class I2sMicrophone : IAudioSource
    {
        /// <summary>Frames (samples) per DMA buffer: nanoFramework's DMA_BUF_LEN_IN_I2S_FRAMES.</summary>
        public const int FramesPerDmaBuffer = 256;
        /// <summary>Bytes per frame as <c>Read</c> returns them in stereo: two 32-bit slots.</summary>
        public const int BytesPerFrame = I2sSlots.BytesPerSample;
        // Read and Discard go through this chunk: a DMA buffer's worth (2 KiB), so a discard up to the next buffer boundary,
        // the keyword loop's way, is one driver call (each costs about 4,500 x86 instructions of the interpreter on nanoCLR).
        private const int ChunkFrames = FramesPerDmaBuffer;
        private readonly II2sReceiver _bus;
        private readonly int _sampleRate;
        private readonly int _dmaBuffers;
        private readonly byte[] _chunk = new byte[ChunkFrames * BytesPerFrame];
        private bool _running;

        /// <summary>
        /// The microphone on <paramref name="bus"/> at <paramref name="sampleRate"/> Hz with <paramref name="dmaBuffers"/>
        /// DMA buffers of 256 frames (at least 2, as ESP-IDF requires).
        /// </summary>
        public I2sMicrophone(II2sReceiver bus, int sampleRate, int dmaBuffers)
        {
            if (bus == null) throw new ArgumentNullException("bus");
            if (sampleRate < 1) throw new ArgumentException("sample rate " + sampleRate.ToString() + " Hz");
            if (dmaBuffers < 2 || dmaBuffers > 128)
                throw new ArgumentException(dmaBuffers.ToString() + " DMA buffers: ESP-IDF takes 2..128");
            _bus = bus;
            _sampleRate = sampleRate;
            _dmaBuffers = dmaBuffers;
        }

        public int SampleRate { get { return _sampleRate; } }
        public bool Running { get { return _running; } }
        /// <summary>DMA buffers the driver gets.</summary>
        public int DmaBuffers { get { return _dmaBuffers; } }
        /// <summary><c>I2sConnectionSettings.BufferSize</c>: the DMA buffers' bytes.</summary>
        public int BufferBytes { get { return _dmaBuffers * FramesPerDmaBuffer * BytesPerFrame; } }
        /// <summary>Samples the driver's ready queue holds before it drops the oldest buffer: (buffers − 1) × 256.</summary>
        public int QueuedSamples { get { return (_dmaBuffers - 1) * FramesPerDmaBuffer; } }

        public void Start()
        {
            if (_running) return;
            _bus.Open(_sampleRate, true, BufferBytes);
            _running = true;
        }

        public void Stop()
        {
            if (!_running) return;
            _running = false;
            _bus.Close();
        }

        public void Read(short[] pcm, int offset, int count)
        {
            if (!_running) throw new InvalidOperationException("the microphone is stopped: call Start first");
            while (count > 0)
            {
                int n = count < ChunkFrames ? count : ChunkFrames;
                BusRead(_chunk, 0, n);
                I2sSlots.Unpack(_chunk, 0, pcm, offset, n);
                offset += n;
                count -= n;
            }
        }

        /// <summary>The frames straight from the bus into slots[offset..], count × 8 bytes: one driver call, nothing per sample.</summary>
        public void ReadSlots(byte[] slots, int offset, int count)
        {
            if (!_running) throw new InvalidOperationException("the microphone is stopped: call Start first");
            if (slots == null) throw new ArgumentNullException("slots");
            if (offset < 0 || count < 0 || offset > slots.Length - count * BytesPerFrame) throw new ArgumentOutOfRangeException("count");
            if (count > 0) BusRead(slots, offset, count);
        }

        public void Discard(int count)
        {
            if (!_running) throw new InvalidOperationException("the microphone is stopped: call Start first");
            while (count > 0)
            {
                int n = count < ChunkFrames ? count : ChunkFrames;
                BusRead(_chunk, 0, n);
                count -= n;
            }
        }

        // nanoFramework's Read throws ArgumentException when i2s_read fails (CLR_E_INVALID_PARAMETER): a fault the loop
        // recovers from (SensorFaultException), not the end of the application. It never returns short: it loops until
        // the count is met.
        private void BusRead(byte[] buffer, int offset, int frames)
        {
            try
            {
                _bus.Read(buffer, offset, frames * BytesPerFrame);
            }
            catch (ArgumentException e)
            {
                throw new SensorFaultException("I2S read failed: " + e.Message);
            }
        }
    }
}
