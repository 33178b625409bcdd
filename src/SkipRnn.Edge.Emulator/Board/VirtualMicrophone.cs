#nullable disable
#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// The virtual audio board's physical parameters (µs). The defaults describe an ESP32 DevKit with an INMP441 on I2S;
/// each says where it comes from. <see cref="UpdateMicros"/> has no default: it is what a frame costs on the target.
/// </summary>
public sealed class AudioBoardParameters
{
    /// <summary>PCM samples per second (the keyword front end's 16 kHz).</summary>
    public int SampleRate { get; init; } = 16000;
    /// <summary>CPU time of one updated frame: window + FFT + mel + log and the model update. May be changed between frames.</summary>
    public required long UpdateMicros { get; set; }
    /// <summary>CPU time of accounting one skipped span (O(1): SkipFrames + SkipSamples + the event rule once settled).</summary>
    public long SkipMicros { get; set; } = 100;
    /// <summary>
    /// Samples the I2S driver's ready queue holds: (DMA buffers − 1) × 256 (<see cref="I2sMicrophone.QueuedSamples"/>).
    /// firmware/keyword's Program: 9 DMA buffers of 256 stereo frames (18 KiB), 2,048 samples = 128 ms at 16 kHz.
    /// </summary>
    public int BufferSamples { get; init; } = 2048;
    /// <summary>INMP441 datasheet: operational 2^18 SCK cycles after the clock starts; 256 ms at 64 × 16 kHz (samples read as 0 until then).</summary>
    public long MicStartupMicros { get; init; } = 256000;
    /// <summary>Moving one sample out of the DMA buffer into the loop's ring of raw I2S frames (driver copy + the managed call; estimate).</summary>
    public double ReadMicrosPerSample { get; init; } = 10;
    /// <summary>The fixed part of one read call into the loop's ring (the managed call into the driver; estimate: none by default).</summary>
    public double ReadMicrosPerCall { get; init; }
    /// <summary>Dropping one sample (driver copy only; estimate).</summary>
    public double DiscardMicrosPerSample { get; init; } = 1;
    /// <summary>The fixed part of one driver call of a discard (I2sMicrophone.Discard reads up to 256 samples a call; estimate: none by default).</summary>
    public double DiscardMicrosPerCall { get; init; }
    /// <summary>Light-sleep wake-up overhead on top of the timer (ESP-IDF sleep code: about 250–350 µs).</summary>
    public long WakeLatencyMicros { get; init; } = 350;
}

/// <summary>
/// A recorded PCM16 stream played into an INMP441 on the ESP32's I2S bus in virtual time, behind the receive side of
/// nanoFramework's I2S driver (<see cref="II2sReceiver"/>) as the real one behaves. Stream sample i is the sound at
/// T0 + i·10^6/rate µs (T0: the first <see cref="Open"/> plus the start-up time; the start-up's samples have negative
/// indices and read as 0 in every start-up, <see cref="ZerosDelivered"/>).
/// <para>
/// What is modelled, from the sources (firmware/README.md cites them): nanoFramework (nf-interpreter a3e8139a1,
/// targets/ESP32/_nanoCLR/System.Device.I2s) forces 32-bit DMA frames for a master receiver, one slot a frame
/// (4 bytes) for <c>OnlyLeft</c> and two (8 bytes, the right slot first) for <c>RightLeft</c>; it splits the buffer
/// size into DMA buffers of 256 frames (<c>get_dma_buf_count</c>), and its <c>Read</c> asks the DMA for
/// count × 8 / (bytes per app sample) bytes and maps each 8 DMA bytes to the app's bytes with its frame map
/// (mono 32-bit keeps bytes 4..7, stereo 32-bit returns bytes 4..7 then 0..3). ESP-IDF v5.5.4's legacy driver
/// (components/driver/deprecated/i2s_legacy.c) queues completed DMA buffers in a queue of (buffers − 1) entries, drops
/// the oldest queued buffer when one completes with the queue full (no event: nanoFramework installs no event queue),
/// <c>i2s_read</c> takes a whole buffer from the queue and copies out of it, and the DMA goes round the ring of buffers,
/// so a buffer the reader still holds is written over when the DMA comes round to it again.
/// </para>
/// A blocking Read waits idle (virtual time) until its buffers have completed; the copy's CPU time is charged by
/// <see cref="MeteredAudioSource"/> around the application's reads.
/// A light sleep with the clock running would stop the DMA: <see cref="MicAwareSleep"/> refuses it.
/// </summary>
public sealed class VirtualMicrophone : II2sReceiver
{
    /// <summary>Frames per DMA buffer: nanoFramework's DMA_BUF_LEN_IN_I2S_FRAMES.</summary>
    public const int FramesPerDmaBuffer = 256;
    private const int NfFrameBytes = 8;     // nanoFramework's I2S_RX_FRAME_SIZE_IN_BYTES: Read works in 8-byte DMA frames
    private readonly IPcmSamples _pcm;
    private readonly VirtualClock _clock;
    private readonly VirtualSleep _sleep;
    private readonly AudioBoardParameters _p;
    private bool _running, _everStarted, _stereo;
    private long _t0, _onSince;
    private int _buffers;      // DMA buffers in the ring
    private long _d0;          // stream index of DMA frame 0 since the last Open
    private long _qHead;       // the oldest queued DMA buffer (older ones were taken or dropped)
    private long _cur = -1;    // the DMA buffer the reader holds (−1: none)
    private int _curFrame;     // frames of it already copied out
    private long _lapCounted = -1;   // the held buffer whose overwrite was counted
    private long _stoppedAt;   // stream index where the DMA stopped at the last Close
    private long _validFrom;
    private readonly byte[] _dma = new byte[NfFrameBytes];

    private readonly List<long> _failAt = [];

    public VirtualMicrophone(short[] pcm, VirtualClock clock, VirtualSleep sleep, AudioBoardParameters parameters)
        : this(new PcmArray(pcm), clock, sleep, parameters)
    {
    }

    /// <summary>The microphone over a stream read as it plays (e.g. a long wav file): only the samples it reaches are asked for, in order.</summary>
    public VirtualMicrophone(IPcmSamples pcm, VirtualClock clock, VirtualSleep sleep, AudioBoardParameters parameters)
    {
        _pcm = pcm ?? throw new ArgumentNullException(nameof(pcm));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _sleep = sleep ?? throw new ArgumentNullException(nameof(sleep));
        _p = parameters ?? throw new ArgumentNullException(nameof(parameters));
    }

    public int SampleRate => _p.SampleRate;
    public bool Running => _running;
    /// <summary>True if the last Open asked for both slots.</summary>
    public bool Stereo => _stereo;
    /// <summary>DMA buffers of the last Open (nanoFramework: BufferSize / (256 × DMA frame bytes)).</summary>
    public int DmaBuffers => _buffers;
    /// <summary>Samples in the stream.</summary>
    public long Samples => _pcm.Length;
    /// <summary>Reads that failed as scheduled (<see cref="FailReadAt"/>).</summary>
    public long FailedReads { get; private set; }

    /// <summary>The first read at or after board time <paramref name="micros"/> fails as i2s_read's error does in nanoFramework (ArgumentException).</summary>
    public void FailReadAt(long micros)
    {
        _failAt.Add(micros);
        _failAt.Sort();
    }
    /// <summary>Microphone samples the reads returned (left-slot values handed to the application).</summary>
    public long SamplesDelivered { get; private set; }
    /// <summary>Samples dropped with the buffers by Close.</summary>
    public long DroppedAtStop { get; private set; }
    /// <summary>Stream samples that went by with the clock stopped (never captured).</summary>
    public long NotCaptured { get; private set; }
    /// <summary>Samples lost: whole queued buffers dropped with the queue full, and the unread rest of a held buffer the DMA wrote over.</summary>
    public long LostToOverflow { get; private set; }
    /// <summary>Times buffers were dropped or a held buffer overwritten.</summary>
    public long Overflows { get; private set; }
    /// <summary>Samples returned (read or discarded) during the start-up time (zeros).</summary>
    public long ZerosDelivered { get; private set; }
    /// <summary>Stream index of the newest start-up zero returned (long.MinValue: none).</summary>
    public long LastZeroIndex { get; private set; } = long.MinValue;
    /// <summary>Most samples waiting in the driver's ready queue at once (whole buffers; the reader's held buffer not counted).</summary>
    public int HighWater { get; private set; }
    /// <summary>True if the last read returned consecutive stream samples (no stall, overwrite or drop inside it).</summary>
    public bool LastReadWhole { get; private set; } = true;
    /// <summary>Stream index of the last left-slot sample a read returned (−1 before any).</summary>
    public long LastReadIndex { get; private set; } = -1;
    /// <summary>Clock starts.</summary>
    public long Starts { get; private set; }
    /// <summary>Time the microphone was clocked, µs.</summary>
    public long OnMicros => _onMicros + (_running ? _clock.NowMicros - _onSince : 0);
    private long _onMicros;

    private long CaptureMicros(long i) => _t0 + i * 1_000_000 / _p.SampleRate;

    private long IndexAtOrAfter(long micros)
    {
        long i = (micros - _t0) * _p.SampleRate / 1_000_000;
        while (CaptureMicros(i) < micros) i++;
        while (CaptureMicros(i - 1) >= micros) i--;
        return i;
    }

    private int FrameBytes => _stereo ? 8 : 4;

    // DMA buffers completed by now: buffer j holds DMA frames 256 j .. + 255 and completes when its last sample has.
    private long Completed()
    {
        long b = FramesCaptured() / FramesPerDmaBuffer;
        return b < 0 ? 0 : b;
    }

    // DMA frames captured since the last Open: the stream's samples up to now, less those that went by in stalls.
    private long FramesCaptured()
    {
        long complete = IndexAtOrAfter(_clock.NowMicros + 1) - 1;    // samples below this index are complete
        long captured = complete - _d0;
        foreach (var (from, length) in ActiveStalls())
        {
            if (from >= complete) break;
            captured -= Math.Min(length, complete - from);
        }
        return captured;
    }

    // The stream index of DMA frame f since the last Open (frames after a stall hold the sound after it).
    private long StreamOf(long f)
    {
        long i = _d0 + f;
        foreach (var (from, length) in ActiveStalls())
        {
            if (i < from) break;
            i += length;
        }
        return i;
    }

    // Stalls by board time (µs), sorted; in stream indices once the stream's clock is known (the first Open).
    private readonly List<(long At, long For)> _stalls = [];
    private readonly List<(long From, long Length)> _stallIndex = [];

    private List<(long From, long Length)> ActiveStalls()
    {
        if (_stallIndex.Count != _stalls.Count && _everStarted)
        {
            _stallIndex.Clear();
            foreach (var (at, length) in _stalls)
            {
                long from = IndexAtOrAfter(at);
                _stallIndex.Add((from, IndexAtOrAfter(at + length) - from));
            }
        }
        return _everStarted ? _stallIndex : [];
    }

    /// <summary>
    /// From board time <paramref name="micros"/> the I2S DMA captures nothing for <paramref name="forMicros"/> (a stalled
    /// DMA: no buffer completes, a blocking read waits), then runs on with the sound of its time; the samples of the
    /// stall are never captured, so every later DMA frame holds a sample later than its place says. Restarting the bus
    /// (Close, Open) after a stall began clears it. Several stalls may be scheduled; they must not overlap.
    /// </summary>
    public void StallAt(long micros, long forMicros)
    {
        if (micros < 0 || forMicros <= 0) throw new ArgumentOutOfRangeException(nameof(forMicros));
        int k = _stalls.FindIndex(x => x.At > micros);
        if (k < 0) k = _stalls.Count;
        if ((k > 0 && _stalls[k - 1].At + _stalls[k - 1].For >= micros) || (k < _stalls.Count && micros + forMicros >= _stalls[k].At))
            throw new ArgumentException($"a stall at {micros} µs for {forMicros} µs overlaps another");
        _stalls.Insert(k, (micros, forMicros));
        _stallIndex.Clear();
    }

    /// <summary>Stalls scheduled and not cleared by a restart of the bus.</summary>
    public int StallsPending => _stalls.Count;
    /// <summary>Stalls that began while the bus was open.</summary>
    public long StallsStruck => _stallsStruckCleared + (_running ? _stalls.FindAll(x => x.At <= _clock.NowMicros).Count : 0);
    /// <summary>Stalls that shifted a buffer a read took (the others began too late for any read before the bus was closed).</summary>
    public long StallsFelt { get; private set; }
    private long _stallsStruckCleared, _openedAt, _closedAt = long.MinValue;
    private int _stallsFelt;   // of ActiveStalls(), how many shifted a buffer taken since the last Open

    /// <summary>The DMA runs on by itself: the ISR's queue drops are applied up to now. The board calls it after CPU work.</summary>
    public void Poll() => CatchUp();

    private void CatchUp()
    {
        if (!_running) return;
        long done = Completed();
        long depth = _buffers - 1;
        if (done - _qHead > depth)
        {
            LostToOverflow += (done - depth - _qHead) * FramesPerDmaBuffer;
            Overflows++;
            _qHead = done - depth;
        }
        // The DMA writes buffer j into ring slot j mod N: once buffer cur + N is being written (cur + N − 1 done), the held buffer's unread rest is gone.
        if (_cur >= 0 && _curFrame < FramesPerDmaBuffer && _lapCounted != _cur && done >= _cur + _buffers)
        {
            LostToOverflow += FramesPerDmaBuffer - _curFrame;
            Overflows++;
            _lapCounted = _cur;
        }
        long held = (done - _qHead) * FramesPerDmaBuffer;
        if (held > HighWater) HighWater = (int)held;
    }

    public void Open(int sampleRate, bool stereo, int bufferBytes)
    {
        if (_running) throw new InvalidOperationException("the I2S bus is already open");
        if (sampleRate != _p.SampleRate) throw new ArgumentException($"the virtual microphone's stream is at {_p.SampleRate} Hz, not {sampleRate}");
        _stereo = stereo;
        int buffers = bufferBytes / (FramesPerDmaBuffer * FrameBytes);     // nanoFramework's get_dma_buf_count
        if (buffers < 2 || buffers > 128)
            throw new ArgumentException($"a buffer of {bufferBytes} bytes gives {buffers} DMA buffers: ESP-IDF refuses other than 2..128 (nanoFramework throws on the driver install)");
        _buffers = buffers;
        long now = _clock.NowMicros;
        if (!_everStarted)
        {
            _t0 = now + _p.MicStartupMicros;     // stream sample 0 is the first valid one
            _everStarted = true;
            _stoppedAt = IndexAtOrAfter(now);
        }
        _d0 = IndexAtOrAfter(now);
        _stallsStruckCleared += _stalls.FindAll(x => x.At <= now && x.At >= _openedAt && x.At < _closedAt).Count;
        if (_stalls.RemoveAll(x => x.At <= now) > 0) _stallIndex.Clear();   // the restart reinstalls the driver: a stall that began is over
        _stallsFelt = 0;
        _openedAt = now;
        if (_d0 > _stoppedAt) NotCaptured += Math.Min(_d0, _pcm.Length) - Math.Min(_stoppedAt, _pcm.Length);
        _qHead = 0;
        _cur = -1;
        _curFrame = 0;
        _lapCounted = -1;
        _validFrom = IndexAtOrAfter(now + _p.MicStartupMicros);
        _running = true;
        _onSince = now;
        Starts++;
    }

    public void Close()
    {
        if (!_running) return;
        CatchUp();
        long done = Completed();
        DroppedAtStop += (done - _qHead) * FramesPerDmaBuffer + (_cur >= 0 ? FramesPerDmaBuffer - _curFrame : 0);
        _stoppedAt = IndexAtOrAfter(_clock.NowMicros + 1) - 1;
        _closedAt = _clock.NowMicros;
        _onMicros += _clock.NowMicros - _onSince;
        _running = false;
    }

    // The 32-bit slot of stream sample i: 24-bit data, MSB first, in the top bits (the int16 sample in the top 16).
    private int Slot(long i)
    {
        if (i < _validFrom)
        {
            return 0;
        }
        return i < _pcm.Length ? _pcm[i] << 16 : 0;
    }

    // The next DMA frame's bytes into _dma[at..]: takes a buffer from the queue when the held one is used up
    // (i2s_read), waiting until one completes. Returns the stream index of the left slot's sample.
    private long NextFrame(int at)
    {
        if (_cur < 0 || _curFrame == FramesPerDmaBuffer) TakeBuffer();
        // What the ring slot holds now: the held buffer, or a later one the DMA has written over it.
        long done = Completed();
        long buf = _cur;
        long inFlight = done;   // the buffer being written now
        long newest = _cur + (inFlight - _cur) / _buffers * _buffers;
        if (newest > _cur)
        {
            long writtenInFlight = FramesCaptured() - inFlight * FramesPerDmaBuffer;
            buf = newest < inFlight || _curFrame < writtenInFlight ? newest : newest - _buffers;
        }
        long index = StreamOf(buf * FramesPerDmaBuffer + _curFrame);
        _curFrame++;
        int left = Slot(index);
        if (_stereo)
        {
            WriteSlot(at, 0);           // right slot: the INMP441 with L/R low leaves it undriven (modelled as 0)
            WriteSlot(at + 4, left);    // the driver's stereo layout: right slot first (its frame map swaps them back)
        }
        else WriteSlot(at, left);
        return index;
    }

    // i2s_read takes the oldest queued buffer, waiting until one completes.
    private void TakeBuffer()
    {
        CatchUp();
        while (Completed() <= _qHead)
        {
            long first = StreamOf(_qHead * FramesPerDmaBuffer);
            if (first >= _pcm.Length) throw new RecordingEndedException(_clock.NowMicros);
            long wait = CaptureMicros(StreamOf((_qHead + 1) * FramesPerDmaBuffer - 1) + 1) - _clock.NowMicros;
            _sleep.Idle(Math.Max(1, wait));
            CatchUp();
        }
        _cur = _qHead++;
        _curFrame = 0;
        long last = StreamOf((_cur + 1) * FramesPerDmaBuffer - 1);
        List<(long From, long Length)> stalls = ActiveStalls();
        int felt = _stallsFelt;
        while (felt < stalls.Count && stalls[felt].From <= last) felt++;
        StallsFelt += felt - _stallsFelt;
        _stallsFelt = felt;
    }

    // Stereo frames of the held buffer straight into the application's buffer, as NextFrame and the frame map would put
    // them, when nothing can make them differ from consecutive stream samples: the DMA has not come round to the held
    // buffer's ring slot and no stall begins inside the run. False (nothing done) otherwise: the caller goes frame by frame.
    private bool CopyRun(byte[] buffer, int o, int frames)
    {
        long done = Completed();
        if (done - _cur >= _buffers) return false;
        long f0 = _cur * FramesPerDmaBuffer + _curFrame;
        long first = StreamOf(f0);
        if (StreamOf(f0 + frames - 1) != first + frames - 1) return false;
        for (int k = 0; k < frames; k++, o += 8)
        {
            long index = first + k;
            int left = Slot(index);
            buffer[o] = (byte)left;
            buffer[o + 1] = (byte)(left >> 8);
            buffer[o + 2] = (byte)(left >> 16);
            buffer[o + 3] = (byte)(left >> 24);
            buffer[o + 4] = 0;
            buffer[o + 5] = 0;
            buffer[o + 6] = 0;
            buffer[o + 7] = 0;
            if (index < _validFrom)
            {
                ZerosDelivered++;
                if (index > LastZeroIndex) LastZeroIndex = index;
            }
        }
        LastReadIndex = first + frames - 1;
        _curFrame += frames;
        return true;
    }

    private void WriteSlot(int at, int value)
    {
        _dma[at] = (byte)value;
        _dma[at + 1] = (byte)(value >> 8);
        _dma[at + 2] = (byte)(value >> 16);
        _dma[at + 3] = (byte)(value >> 24);
    }

    public void Read(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!_running) throw new InvalidOperationException("the I2S bus is closed: Open first");
        int appSample = _stereo ? 8 : 4;       // (bits / 8) × channels, as the driver computes it
        if (offset < 0 || count < 0 || offset > buffer.Length - count || count % appSample != 0)
            throw new ArgumentOutOfRangeException(nameof(count));
        int groups = count * (NfFrameBytes / appSample) / NfFrameBytes;
        if (_failAt.Count > 0 && _failAt[0] <= _clock.NowMicros)
        {
            _failAt.RemoveAt(0);
            FailedReads++;
            throw new ArgumentException("i2s_read failed");   // nanoFramework: CLR_E_INVALID_PARAMETER
        }
        CatchUp();
        int o = offset;
        LastReadWhole = true;
        long before = long.MinValue;       // the stream index of the sample before the next one (MinValue: none yet)
        for (int g = 0; g < groups; g++)
        {
            if (_stereo)
            {
                if (_cur < 0 || _curFrame == FramesPerDmaBuffer) TakeBuffer();
                int run = Math.Min(FramesPerDmaBuffer - _curFrame, groups - g);
                if (run > 1 && CopyRun(buffer, o, run))
                {
                    if (before != long.MinValue && LastReadIndex - run + 1 != before + 1) LastReadWhole = false;
                    before = LastReadIndex;
                    o += 8 * run;
                    g += run - 1;
                    continue;
                }
            }
            long leftIndex;
            if (_stereo)
            {
                leftIndex = NextFrame(0);
                for (int k = 0; k < 4; k++) buffer[o + k] = _dma[4 + k];      // frame map, stereo 32-bit: 4,5,6,7,0,1,2,3
                for (int k = 0; k < 4; k++) buffer[o + 4 + k] = _dma[k];
                o += 8;
            }
            else
            {
                NextFrame(0);                        // two mono frames fill the 8 bytes Read maps as one
                leftIndex = NextFrame(4);
                for (int k = 0; k < 4; k++) buffer[o + k] = _dma[4 + k];      // frame map, mono 32-bit: 4,5,6,7
                o += 4;
            }
            if (leftIndex < _validFrom)
            {
                ZerosDelivered++;
                if (leftIndex > LastZeroIndex) LastZeroIndex = leftIndex;
            }
            LastReadIndex = leftIndex;
            if (before != long.MinValue && leftIndex != before + 1) LastReadWhole = false;
            before = leftIndex;
        }
        SamplesDelivered += groups;
    }
}

/// <summary>
/// The application's microphone (<see cref="I2sMicrophone"/> over the virtual bus) with the CPU time of its reads and
/// discards charged to the clock after each call: driver copy + the managed loop, per sample.
/// </summary>
public sealed class MeteredAudioSource(IAudioSource inner, VirtualClock clock, AudioBoardParameters parameters) : IAudioSource
{
    private double _readCarry, _discardCarry;
    public IAudioSource Inner => inner;
    public int SampleRate => inner.SampleRate;
    public bool Running => inner.Running;
    /// <summary>Samples returned by Read.</summary>
    public long SamplesRead { get; private set; }
    /// <summary>Samples dropped by Discard.</summary>
    public long SamplesDiscarded { get; private set; }
    /// <summary>Driver calls the discards made (one per 256 samples or part).</summary>
    public long DiscardCalls { get; private set; }
    /// <summary>ReadSlots calls (the loop's reads into its ring: one per piece up to a DMA buffer's or the ring's end).</summary>
    public long ReadCalls { get; private set; }
    /// <summary>CPU time the reads charged, µs.</summary>
    public long ReadCpuMicros { get; private set; }
    /// <summary>CPU time the discards charged, µs.</summary>
    public long DiscardCpuMicros { get; private set; }

    // Whole µs on the clock, the fraction carried to the next call (a per-sample cost below 1 µs still adds up).
    private static long Charge(ref double carry, double micros)
    {
        if (micros < 0) throw new InvalidOperationException("a read or discard cost is negative");
        carry += micros;
        long whole = (long)Math.Floor(carry);
        carry -= whole;
        return whole;
    }

    public void Start() => inner.Start();
    public void Stop() => inner.Stop();

    public void Read(short[] pcm, int offset, int count)
    {
        inner.Read(pcm, offset, count);
        SamplesRead += count;
        long us = Charge(ref _readCarry, parameters.ReadMicrosPerSample * count);
        ReadCpuMicros += us;
        clock.Advance(us);
    }

    /// <summary>Told after every ReadSlots call with its sample count (the board records which stream samples came).</summary>
    public Action<int>? AfterReadSlots { get; set; }

    // Late wake-ups by board time (µs), sorted: the first call at or after At that waited for its DMA buffer returns For µs late.
    private readonly List<(long At, long For)> _lateWakeups = [];
    private int _lateNext;

    /// <summary>
    /// A late wake-up (firmware/README.md's fault table): the first read or discard call at or after board time
    /// <paramref name="micros"/> that waited for its DMA buffer hands control back to the application
    /// <paramref name="forMicros"/> µs after the driver returned, the DMA running on meanwhile (on nanoFramework: the
    /// interpreter switched to another managed thread, e.g. the watchdog thread whose 1-s timer came due during the
    /// read). No sample is lost; the loop only sees its clock later than the buffer was due.
    /// </summary>
    public void LateWakeupAt(long micros, long forMicros)
    {
        if (forMicros < 1) throw new ArgumentException($"a late wake-up of {forMicros} µs: must be at least 1 µs");
        int k = _lateWakeups.FindIndex(x => x.At > micros);
        if (k < 0) k = _lateWakeups.Count;
        if (k < _lateNext) throw new ArgumentException($"a late wake-up at {micros} µs is before one that struck");
        _lateWakeups.Insert(k, (micros, forMicros));
    }

    /// <summary>Late wake-ups that struck (<see cref="LateWakeupAt"/>), and their board times (when the driver returned).</summary>
    public List<long> LateWakeupsStruck { get; } = [];

    // After a driver call that began at `calledAt`: if it waited (the clock moved during it) and a late wake-up is due, strike it.
    private void AfterCall(long calledAt)
    {
        long now = clock.NowMicros;
        if (_lateNext >= _lateWakeups.Count || now == calledAt || _lateWakeups[_lateNext].At > now) return;
        LateWakeupsStruck.Add(now);
        clock.Advance(_lateWakeups[_lateNext].For);
        _lateNext++;
    }

    public void ReadSlots(byte[] slots, int offset, int count)
    {
        long calledAt = clock.NowMicros;
        inner.ReadSlots(slots, offset, count);
        AfterCall(calledAt);
        AfterReadSlots?.Invoke(count);
        SamplesRead += count;
        ReadCalls++;
        long us = Charge(ref _readCarry, parameters.ReadMicrosPerCall + parameters.ReadMicrosPerSample * count);
        ReadCpuMicros += us;
        clock.Advance(us);
    }

    public void Discard(int count)
    {
        long calledAt = clock.NowMicros;
        inner.Discard(count);
        AfterCall(calledAt);
        SamplesDiscarded += count;
        long calls = (count + I2sMicrophone.FramesPerDmaBuffer - 1) / I2sMicrophone.FramesPerDmaBuffer;   // I2sMicrophone's chunks
        DiscardCalls += calls;
        long us = Charge(ref _discardCarry, parameters.DiscardMicrosPerCall * calls + parameters.DiscardMicrosPerSample * count);
        DiscardCpuMicros += us;
        clock.Advance(us);
    }
}

/// <summary>
/// Light sleep on the audio board: refused while the microphone is clocked (the ESP32's I2S DMA stops in light sleep, so a
/// real board would silently lose the samples of the sleep and read a shifted stream afterwards).
/// </summary>
public sealed class MicAwareSleep(VirtualSleep inner, VirtualMicrophone mic) : ISleepTimer
{
    public void LightSleep(long micros)
    {
        if (mic.Running)
            throw new InvalidOperationException("light sleep with the microphone clocked: the I2S DMA stops in light sleep and the stream would lose samples");
        inner.LightSleep(micros);
    }

    public void Idle(long micros) => inner.Idle(micros);
}
