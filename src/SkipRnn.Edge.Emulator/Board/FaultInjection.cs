#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>The faults the board emulator injects (firmware/README.md's fault table).</summary>
public enum BoardFault
{
    /// <summary>The IMU does not acknowledge: every transfer fails for <see cref="ScheduledFault.Micros"/> (re-initialisation included).</summary>
    I2cNack,
    /// <summary>A transfer ends early: the FIFO read is out of frame from then on, until the FIFO is reset.</summary>
    I2cPartial,
    /// <summary>The MPU-6050 resets: FIFO disabled, registers at defaults; it answers but takes no samples.</summary>
    SensorReset,
    /// <summary>The FIFO count is not a whole number of packets (the board layer's check fails until the FIFO is reset).</summary>
    FifoMisaligned,
    /// <summary>The serial sink blocks: the next line waits for the write timeout (<see cref="ScheduledFault.Micros"/>) and is dropped.</summary>
    SinkBlocked,
}

/// <summary>One fault at a board time (µs); <see cref="Micros"/> is its duration where it has one.</summary>
public sealed record ScheduledFault(long At, BoardFault Kind, long Micros);

/// <summary>
/// A <see cref="ReplaySensor"/> behind a board layer that fails as a real I2C IMU can (<see cref="BoardFault"/>), from a
/// schedule in board time. A failure surfaces as the firmware's board layer reports it: <see cref="SensorFaultException"/>
/// from the operation that met it; a reset part simply delivers nothing. <see cref="PowerUp"/> is the firmware's
/// re-initialisation: it writes every register and resets the FIFO, so it clears every fault but a NACK still going on.
/// </summary>
public sealed class FaultySensor : IFifoSensor
{
    private readonly ReplaySensor _inner;
    private readonly VirtualClock _clock;
    private readonly Queue<ScheduledFault> _schedule;
    private long _nackUntil = -1;
    private bool _outOfFrame, _reset;

    public FaultySensor(ReplaySensor inner, VirtualClock clock, IEnumerable<ScheduledFault> schedule)
    {
        _inner = inner;
        _clock = clock;
        var list = new List<ScheduledFault>(schedule);
        list.Sort((a, b) => a.At.CompareTo(b.At));
        _schedule = new Queue<ScheduledFault>(list.FindAll(f => f.Kind != BoardFault.SinkBlocked));
    }

    /// <summary>Faults that have struck, by kind.</summary>
    public Dictionary<BoardFault, int> Struck { get; } = [];
    /// <summary>Board time of every fault that struck.</summary>
    public List<(long At, BoardFault Kind)> Log { get; } = [];

    public int FrameSize => _inner.FrameSize;
    public int Capacity => _inner.Capacity;

    // Faults due by now strike. A reset strikes only at a FIFO_COUNT read or a (re-)initialisation: between the loop's
    // count and its read of the samples counted, a reset would hand the driver a zero packet (not modelled).
    private void Due(bool atCount = true)
    {
        long now = _clock.NowMicros;
        while (_schedule.Count > 0 && _schedule.Peek().At <= now && (atCount || _schedule.Peek().Kind != BoardFault.SensorReset))
        {
            ScheduledFault f = _schedule.Dequeue();
            Struck[f.Kind] = Struck.GetValueOrDefault(f.Kind) + 1;
            Log.Add((f.At, f.Kind));
            switch (f.Kind)
            {
                case BoardFault.I2cNack: _nackUntil = now + f.Micros; break;
                case BoardFault.I2cPartial:
                case BoardFault.FifoMisaligned: _outOfFrame = true; break;
                case BoardFault.SensorReset:
                    _reset = true;
                    _inner.PowerDown();      // FIFO disabled and emptied, no sampling, until re-initialised
                    break;
            }
        }
    }

    private void Bus(string op, bool atCount = true)
    {
        Due(atCount);
        if (_clock.NowMicros < _nackUntil) throw new SensorFaultException("I2C NACK on " + op);
        if (_outOfFrame) throw new SensorFaultException("FIFO count not a whole number of packets");
    }

    public int SamplesAvailable
    {
        get
        {
            Bus("FIFO_COUNT");
            return _reset ? 0 : _inner.SamplesAvailable;
        }
    }

    public void Read(int[] frame)
    {
        Bus("FIFO_R_W", false);
        _inner.Read(frame);
    }

    public void Discard(int count)
    {
        Bus("FIFO_R_W", false);
        _inner.Discard(count);
    }

    public bool TakeOverflow()
    {
        Bus("INT_STATUS");
        return !_reset && _inner.TakeOverflow();
    }

    public void PowerDown()
    {
        Due();
        if (_clock.NowMicros < _nackUntil) throw new SensorFaultException("I2C NACK on PWR_MGMT_1");
        _inner.PowerDown();
    }

    public void PowerUp()
    {
        Due();
        if (_clock.NowMicros < _nackUntil) throw new SensorFaultException("I2C NACK on PWR_MGMT_1");
        _inner.PowerDown();           // the firmware's re-initialisation restarts the part whatever its state
        _inner.PowerUp();
        _outOfFrame = false;
        _reset = false;
    }
}

/// <summary>
/// A sink whose serial line blocks at scheduled times: the first line after a <see cref="BoardFault.SinkBlocked"/>
/// waits the write timeout and is dropped (firmware/esp32's SerialEventSink with its WriteTimeout), counted.
/// </summary>
public sealed class BlockingSink(IEventSink inner, VirtualClock clock, IEnumerable<ScheduledFault> schedule) : IEventSink
{
    private readonly Queue<ScheduledFault> _schedule = new(SortedSinkFaults(schedule));
    private ScheduledFault? _pending;

    private static List<ScheduledFault> SortedSinkFaults(IEnumerable<ScheduledFault> s)
    {
        var l = new List<ScheduledFault>(s).FindAll(f => f.Kind == BoardFault.SinkBlocked);
        l.Sort((a, b) => a.At.CompareTo(b.At));
        return l;
    }

    /// <summary>Board time of every blocked write (one per sink fault that struck; its line was dropped).</summary>
    public List<long> StruckAt { get; } = [];
    /// <summary>Events whose line was dropped.</summary>
    public List<BoardEvent> DroppedEvents { get; } = [];
    /// <summary>Messages whose line was dropped.</summary>
    public List<string> DroppedMessages { get; } = [];
    /// <summary>Overflow lines dropped.</summary>
    public long DroppedOverflows { get; private set; }

    private bool Blocked()
    {
        while (_pending == null && _schedule.Count > 0 && _schedule.Peek().At <= clock.NowMicros) _pending = _schedule.Dequeue();
        if (_pending == null) return false;
        StruckAt.Add(clock.NowMicros);
        clock.Advance(_pending.Micros);
        _pending = null;
        return true;
    }

    public void Event(long sampleIndex, int eventClass, int confidence, long micros)
    {
        if (Blocked()) DroppedEvents.Add(new BoardEvent(sampleIndex, eventClass, confidence, micros));
        else inner.Event(sampleIndex, eventClass, confidence, micros);
    }

    public void FifoOverflow(long sampleIndex, long micros)
    {
        if (Blocked()) DroppedOverflows++;
        else inner.FifoOverflow(sampleIndex, micros);
    }

    public void Message(string line)
    {
        if (Blocked()) DroppedMessages.Add(line);
        else inner.Message(line);
    }
}
