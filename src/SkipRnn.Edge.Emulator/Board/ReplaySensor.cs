#nullable disable
#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// A FIFO sensor that replays a recorded stream in virtual time, on its own clock: it samples every
/// period·(1 + SensorClockPpm/10^6) board µs (a real part's oscillator is off by a percent or so), the first sample
/// a start-up time after power-up. Each sample enters the FIFO; a full FIFO drops its oldest sample and raises the
/// overflow flag, as the MPU-6050 does. The recording is the world: sample i happened at world time i·(sensor
/// period) from the first power-up; powered down, the sensor takes none, and after a power-up its first sample is
/// the world's sample nearest to that moment (so a loop that wakes the part too early or too late gets the wrong
/// one, and the board's check sees it). The FIFO holds recording indices, so the board can check that the loop used
/// the sample it meant to.
/// </summary>
public sealed class ReplaySensor : IFifoSensor
{
    private readonly int[] _x;
    private readonly long _total;
    private readonly VirtualClock _clock;
    private readonly BoardParameters _p;
    private readonly long[] _fifo;      // recording indices, ring buffer
    private int _head, _count;
    private long _next;                 // next recording index to fall due
    private long _origin = -1;          // world time of sample 0 (first power-up + start-up)
    private long _segmentStart;         // arrival time of sample _segmentFirst (the last power-up + start-up)
    private long _segmentFirst;
    private bool _on;
    private long _onSince;
    private bool _overflowFlag;

    public ReplaySensor(int[] samples, int frameSize, VirtualClock clock, BoardParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (frameSize < 1 || samples.Length == 0 || samples.Length % frameSize != 0)
            throw new ArgumentException($"the recording holds {samples.Length} values, not a whole number of {frameSize}-value samples");
        if (parameters.FifoCapacity < 2) throw new ArgumentException($"FIFO capacity {parameters.FifoCapacity}: needs at least 2 samples");
        _x = samples;
        FrameSize = frameSize;
        _total = samples.Length / frameSize;
        _clock = clock;
        _p = parameters;
        _fifo = new long[parameters.FifoCapacity];
    }

    public int FrameSize { get; }
    public int Capacity => _fifo.Length;
    /// <summary>Samples in the recording.</summary>
    public long Samples => _total;
    /// <summary>Recording index of the last sample <see cref="Read"/> returned (−1 before any).</summary>
    public long LastReadIndex { get; private set; } = -1;
    /// <summary>Samples read out.</summary>
    public long Reads { get; private set; }
    /// <summary>Samples dropped by <see cref="Discard"/>.</summary>
    public long Discards { get; private set; }
    /// <summary>Samples lost to a full FIFO.</summary>
    public long LostToOverflow { get; private set; }
    /// <summary>Samples that fell due while the sensor was powered down.</summary>
    public long NotSampled { get; private set; }
    /// <summary>Most samples the FIFO ever held.</summary>
    public int HighWater { get; private set; }
    public long PowerDowns { get; private set; }
    /// <summary>Time the sensor was powered (sampling or starting up), µs.</summary>
    public long OnMicros => _accumulatedOn + (_on ? _clock.NowMicros - _onSince : 0);
    private long _accumulatedOn;

    public int SamplesAvailable { get { Arrive(); return _count; } }

    /// <summary>On, every recording sample has fallen due and the FIFO is empty: nothing will ever arrive again.</summary>
    public bool Exhausted { get { Arrive(); return _on && _next >= _total && _count == 0; } }

    public void Read(int[] frame)
    {
        Arrive();
        if (_count == 0) throw new InvalidOperationException("Read on an empty FIFO");
        long index = _fifo[_head];
        _head = (_head + 1) % _fifo.Length;
        _count--;
        Array.Copy(_x, index * FrameSize, frame, 0, FrameSize);
        LastReadIndex = index;
        Reads++;
        _clock.Advance(_p.ReadMicros);
    }

    public int Discard(int count)
    {
        Arrive();
        if (count < 0 || count > _count) throw new ArgumentOutOfRangeException(nameof(count), count, $"the FIFO holds {_count}");
        _head = (_head + count) % _fifo.Length;
        _count -= count;
        Discards += count;
        DiscardCalls++;
        _clock.Advance(_p.DiscardMicros * count);
        return count;
    }

    /// <summary>Discard calls (each drops one or more samples).</summary>
    public long DiscardCalls { get; private set; }

    public bool TakeOverflow()
    {
        Arrive();
        bool f = _overflowFlag;
        _overflowFlag = false;
        if (f)
        {
            // The firmware's driver restarts the FIFO empty (IFifoSensor.TakeOverflow): what it held is lost too.
            LostToOverflow += _count;
            _count = 0;
        }
        return f;
    }

    public void PowerDown()
    {
        Arrive();
        if (!_on) return;
        _on = false;
        _accumulatedOn += _clock.NowMicros - _onSince;
        _count = 0;
        PowerDowns++;
    }

    public void PowerUp()
    {
        if (_on) return;
        long now = _clock.NowMicros;
        long start = now + _p.SensorStartupMicros;
        if (_origin < 0) _origin = start;
        // The part's clock restarts: its first sample is taken at start, and it is the world's sample of that moment.
        long first = Math.Max(_next, RoundDiv((start - _origin) * 1_000_000, (long)_p.SamplePeriodMicros * (1_000_000 + _p.SensorClockPpm)));
        first = Math.Min(first, _total);
        _segmentStart = start;
        _segmentFirst = first;
        NotSampled += first - _next;
        _next = first;
        _on = true;
        _onSince = now;
        _count = 0;
    }

    private void Arrive()
    {
        if (!_on) return;
        long now = _clock.NowMicros;
        while (_next < _total && Arrival(_next) <= now)
        {
            if (_count == _fifo.Length)
            {
                _head = (_head + 1) % _fifo.Length;   // oldest lost
                _count--;
                LostToOverflow++;
                _overflowFlag = true;
            }
            _fifo[(_head + _count) % _fifo.Length] = _next;
            _count++;
            if (_count > HighWater) HighWater = _count;
            _next++;
        }
    }

    private long Arrival(long index) =>
        _segmentStart + (index - _segmentFirst) * _p.SamplePeriodMicros * (1_000_000 + _p.SensorClockPpm) / 1_000_000;

    private static long RoundDiv(long a, long b) => a <= 0 ? 0 : (a + b / 2) / b;
}
