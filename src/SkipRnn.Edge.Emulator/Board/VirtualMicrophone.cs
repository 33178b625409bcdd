#nullable disable
#nullable enable
using System;
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
    /// The I2S driver's DMA buffer in samples: it fills while the CPU works and holds at most this many; older samples
    /// are overwritten (lost). firmware/keyword's Program: 2,048 samples = 128 ms at 16 kHz, 8 KiB at 4 bytes a slot.
    /// </summary>
    public int BufferSamples { get; init; } = 2048;
    /// <summary>INMP441 datasheet: operational 2^18 SCK cycles after the clock starts; 256 ms at 64 × 16 kHz (samples read as 0 until then).</summary>
    public long MicStartupMicros { get; init; } = 256000;
    /// <summary>Moving one sample out of the DMA buffer into the front end (driver copy + the managed 32→16-bit loop; estimate).</summary>
    public double ReadMicrosPerSample { get; init; } = 10;
    /// <summary>Dropping one sample (driver copy only; estimate).</summary>
    public double DiscardMicrosPerSample { get; init; } = 1;
    /// <summary>Light-sleep wake-up overhead on top of the timer (ESP-IDF sleep code: about 250–350 µs).</summary>
    public long WakeLatencyMicros { get; init; } = 350;
}

/// <summary>
/// A recorded PCM16 stream played into an I2S microphone in virtual time (<see cref="IAudioSource"/>): stream sample i
/// is the sound at T0 + i·10^6/rate µs (T0: the first <see cref="Start"/> plus the start-up time; the start-up's
/// samples have negative indices and read as 0), captured only while the microphone is
/// clocked, into a DMA buffer of <see cref="AudioBoardParameters.BufferSamples"/> (a full buffer loses its oldest
/// samples: counted in <see cref="LostToOverflow"/>). Samples before the start-up time after a Start read as 0
/// (<see cref="ZerosDelivered"/>). A blocking Read/Discard waits idle (virtual time) until its samples have arrived and
/// then costs its copy time. A light sleep with the clock running would stop the DMA: <see cref="MicAwareSleep"/> refuses it.
/// </summary>
public sealed class VirtualMicrophone : IAudioSource
{
    private readonly IPcmSamples _pcm;
    private readonly VirtualClock _clock;
    private readonly VirtualSleep _sleep;
    private readonly AudioBoardParameters _p;
    private bool _running, _everStarted;
    private long _t0, _onSince;
    private long _head;        // next stream index a Read/Discard returns (oldest in the buffer)
    private long _captured;    // stream indices below this have been captured or passed
    private long _validFrom;

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
        if (_p.BufferSamples < 1) throw new ArgumentException($"DMA buffer of {_p.BufferSamples} samples: at least 1");
    }

    public int SampleRate => _p.SampleRate;
    public bool Running => _running;
    /// <summary>Samples in the stream.</summary>
    public long Samples => _pcm.Length;
    /// <summary>Samples returned by Read.</summary>
    public long SamplesRead { get; private set; }
    /// <summary>Samples dropped by Discard.</summary>
    public long SamplesDiscarded { get; private set; }
    /// <summary>Samples dropped with the buffer by Stop.</summary>
    public long DroppedAtStop { get; private set; }
    /// <summary>Stream samples that went by with the clock stopped (never captured).</summary>
    public long NotCaptured { get; private set; }
    /// <summary>Samples lost to a full DMA buffer.</summary>
    public long LostToOverflow { get; private set; }
    /// <summary>Times the DMA buffer overflowed.</summary>
    public long Overflows { get; private set; }
    /// <summary>Samples returned during the start-up time (zeros).</summary>
    public long ZerosDelivered { get; private set; }
    /// <summary>Most samples waiting in the DMA buffer at once.</summary>
    public int HighWater { get; private set; }
    /// <summary>Stream index of the last sample Read returned (−1 before any).</summary>
    public long LastReadIndex { get; private set; } = -1;
    /// <summary>Clock starts.</summary>
    public long Starts { get; private set; }
    /// <summary>Time the microphone was clocked, µs.</summary>
    public long OnMicros => _onMicros + (_running ? _clock.NowMicros - _onSince : 0);
    private long _onMicros;
    /// <summary>True once the stream's last sample has been captured or passed.</summary>
    public bool Exhausted => _captured >= _pcm.Length && _head >= _captured;

    /// <summary>CPU time the reads charged, µs.</summary>
    public long ReadCpuMicros { get; private set; }
    /// <summary>CPU time the discards charged, µs.</summary>
    public long DiscardCpuMicros { get; private set; }
    private double _readCarry, _discardCarry;

    // Whole µs on the clock, the fraction carried to the next call (a per-sample cost below 1 µs still adds up).
    private static long Charge(ref double carry, double micros)
    {
        if (micros < 0) throw new InvalidOperationException("a read or discard cost is negative");
        carry += micros;
        long whole = (long)Math.Floor(carry);
        carry -= whole;
        return whole;
    }

    private long CaptureMicros(long i) => _t0 + i * 1_000_000 / _p.SampleRate;

    private long IndexAtOrAfter(long micros)
    {
        long i = (micros - _t0) * _p.SampleRate / 1_000_000;
        while (CaptureMicros(i) < micros) i++;
        while (CaptureMicros(i - 1) >= micros) i--;
        return i;
    }

    /// <summary>The DMA runs on by itself: takes in what has arrived by now (overwriting the oldest when full). The board calls it after CPU work.</summary>
    public void Poll() => CatchUp();

    // Samples whose slot has completed by now (sample i is in the buffer from CaptureMicros(i + 1)).
    private void CatchUp()
    {
        if (!_running) return;
        long now = _clock.NowMicros;
        long upTo = Math.Min(IndexAtOrAfter(now + 1) - 1, _pcm.Length);     // i + 1 with CaptureMicros(i + 1) <= now
        if (upTo > _captured) _captured = upTo;
        long held = _captured - _head;
        if (held > _p.BufferSamples)
        {
            long lost = held - _p.BufferSamples;
            _head += lost;
            LostToOverflow += lost;
            Overflows++;
            held = _p.BufferSamples;
        }
        if (held > HighWater) HighWater = (int)held;
    }

    public void Start()
    {
        if (_running) return;
        long now = _clock.NowMicros;
        if (!_everStarted)
        {
            _t0 = now + _p.MicStartupMicros;     // stream sample 0 is the first valid one; the start-up's samples have negative indices
            _everStarted = true;
            _captured = IndexAtOrAfter(now);
        }
        long first = Math.Min(IndexAtOrAfter(now), _pcm.Length);
        if (first > _captured) NotCaptured += first - _captured;
        _head = _captured = Math.Max(first, _captured);
        _validFrom = IndexAtOrAfter(now + _p.MicStartupMicros);
        _running = true;
        _onSince = now;
        Starts++;
    }

    public void Stop()
    {
        if (!_running) return;
        CatchUp();
        DroppedAtStop += _captured - _head;
        _head = _captured;
        _onMicros += _clock.NowMicros - _onSince;
        _running = false;
    }

    private void WaitForOne()
    {
        if (!_running) throw new InvalidOperationException("the microphone is stopped: call Start first");
        CatchUp();
        while (_head >= _captured)
        {
            if (_captured >= _pcm.Length) throw new RecordingEndedException(_clock.NowMicros);
            long wait = CaptureMicros(_head + 1) - _clock.NowMicros;
            _sleep.Idle(Math.Max(1, wait));
            CatchUp();
        }
    }

    public void Read(short[] pcm, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(pcm);
        if (offset < 0 || count < 0 || offset > pcm.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
        for (int k = 0; k < count; k++)
        {
            WaitForOne();
            long i = _head++;
            if (i < _validFrom)
            {
                pcm[offset + k] = 0;
                ZerosDelivered++;
            }
            else pcm[offset + k] = _pcm[i];
            LastReadIndex = i;
        }
        SamplesRead += count;
        long us = Charge(ref _readCarry, _p.ReadMicrosPerSample * count);
        ReadCpuMicros += us;
        _clock.Advance(us);
    }

    public void Discard(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        for (int k = 0; k < count; k++)
        {
            WaitForOne();
            _head++;
        }
        SamplesDiscarded += count;
        long us = Charge(ref _discardCarry, _p.DiscardMicrosPerSample * count);
        DiscardCpuMicros += us;
        _clock.Advance(us);
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
