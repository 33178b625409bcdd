#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>The faults the board emulator injects (firmware/README.md's fault table).</summary>
public enum BoardFault
{
    /// <summary>
    /// The IMU does not acknowledge: every transfer fails for <see cref="ScheduledFault.Micros"/> from the first one it
    /// meets (re-initialisation included). An address NACK comes before any data byte: nothing leaves the FIFO.
    /// </summary>
    I2cNack,
    /// <summary>
    /// The next FIFO_R_W read (the 12-byte data transfers, the longest the loop makes) is cut short after
    /// <see cref="ScheduledFault.Micros"/> bytes (1–11): the driver reports it failed (0 bytes, buffer untouched), and
    /// the part has sent, so popped, those bytes of the oldest packet: the FIFO count is then out of frame until the
    /// board layer drops the rest of that packet (that sample is lost: a skipped one costs nothing, a needed one is
    /// missed). A cut on a register transfer changes nothing in the part and is what <see cref="I2cNack"/> models.
    /// </summary>
    I2cPartial,
    /// <summary>The MPU-6050 resets: FIFO disabled, registers at defaults; it answers but takes no samples.</summary>
    SensorReset,
    /// <summary>The FIFO count is out of frame with no failed read to explain it (until the FIFO is reset by a re-initialisation).</summary>
    FifoMisaligned,
    /// <summary>The serial sink blocks: the next line waits for the write timeout (<see cref="ScheduledFault.Micros"/>) and is dropped.</summary>
    SinkBlocked,
    /// <summary>
    /// The board layer hangs in managed code in its next transfer (a driver polling a part that never answers): only
    /// the watchdog ends it (<see cref="VirtualWatchdogThread"/>). Not in the day-long fault run.
    /// </summary>
    SensorHang,
    /// <summary>Keyword board: the first I2S read at or after the time fails (<see cref="VirtualMicrophone.FailReadAt"/>).</summary>
    I2sReadFailed,
    /// <summary>Keyword board: the I2S DMA captures nothing for <see cref="ScheduledFault.Micros"/> (<see cref="VirtualMicrophone.StallAt"/>).</summary>
    DmaStall,
    /// <summary>
    /// Keyword board: a read that waited for its DMA buffer hands back control <see cref="ScheduledFault.Micros"/> late,
    /// the DMA running on (another managed thread ran first; <see cref="MeteredAudioSource.LateWakeupAt"/>).
    /// </summary>
    LateWakeup,
}

/// <summary>One fault at a board time (µs); <see cref="Micros"/> is its duration where it has one (a cut's byte count for a partial transfer).</summary>
public sealed record ScheduledFault(long At, BoardFault Kind, long Micros);

/// <summary>
/// A <see cref="ReplaySensor"/> behind a board layer that fails as the firmware's <c>Mpu6050Fifo</c> over nanoFramework's
/// ESP32 I2C driver can (<see cref="BoardFault"/>), from a schedule in board time, and recovers as that board layer
/// does: a failed transfer surfaces as a transient <see cref="SensorFaultException"/> (the loop retries); a FIFO read
/// that a cut left out of frame is realigned at the next FIFO count by dropping the rest of the cut packet
/// (<see cref="SensorFaultException.OldestLost"/>); a count out of frame with no cut to explain it is a fault that
/// needs re-initialisation; a reset part simply delivers nothing. <see cref="PowerUp"/> is the firmware's
/// re-initialisation: it writes every register and resets the FIFO, so it clears every fault but a NACK still going on.
/// </summary>
public sealed class FaultySensor : IFifoSensor
{
    private const int PacketBytes = 12;
    private readonly ReplaySensor _inner;
    private readonly VirtualClock _clock;
    private readonly Queue<ScheduledFault> _schedule;
    private long _nackUntil = -1;
    private int _cutPending;           // bytes the next FIFO read keeps before it is cut (0: none pending)
    private bool _cutNext;             // the next transfer is cut
    private int _headCut;              // bytes already taken out of the oldest packet by a cut read
    private bool _outOfFrame, _reset, _hang;

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
    /// <summary>FIFO reads a cut left out of frame (each loses the packet it cut).</summary>
    public int CutReads { get; private set; }
    /// <summary>Called while the board layer hangs, every virtual millisecond (the checker thread's chance to run).</summary>
    public Action? WhileHung { get; set; }

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
                    _cutNext = true;
                    _cutPending = (int)Math.Clamp(f.Micros, 1, PacketBytes - 1);
                    break;
                case BoardFault.FifoMisaligned: _outOfFrame = true; break;
                case BoardFault.SensorReset:
                    _reset = true;
                    _inner.PowerDown();      // FIFO disabled and emptied, no sampling, until re-initialised
                    break;
                case BoardFault.SensorHang: _hang = true; break;
            }
        }
    }

    // One transfer: a hang, a NACK or a cut fails it (transient: the part is intact, unless a FIFO read was cut).
    private void Bus(string op, bool atCount = true, bool fifoRead = false)
    {
        Due(atCount);
        while (_hang)
        {
            _clock.Advance(1000);
            WhileHung?.Invoke();
        }
        if (_clock.NowMicros < _nackUntil) throw new SensorFaultException("I2C NACK on " + op, true, false);
        if (_cutNext && fifoRead)
        {
            _cutNext = false;
            _headCut = _cutPending;
            CutReads++;
            throw new SensorFaultException("I2C transfer cut short on " + op, true, false);
        }
    }

    public int SamplesAvailable
    {
        get
        {
            Bus("FIFO_COUNT");
            if (_reset) return 0;
            int n = _inner.SamplesAvailable;
            if (_headCut > 0)
            {
                // The count is 12 n − cut: the board layer reads the rest of the cut packet and drops it.
                _inner.Discard(1);
                _headCut = 0;
                throw new SensorFaultException("a cut FIFO read left the FIFO out of frame; realigned, that sample is lost", false, true);
            }
            if (_outOfFrame) throw new SensorFaultException("FIFO count not a whole number of packets");
            return n;
        }
    }

    public void Read(int[] frame)
    {
        Bus("FIFO_R_W", false, true);
        if (_headCut > 0) throw new InvalidOperationException("the loop read the FIFO out of frame (it did not count first)");
        _inner.Read(frame);
    }

    // As the firmware's Mpu6050Fifo: one packet per transfer; a failure after the first packet ends the call with the
    // packets dropped so far.
    public int Discard(int count)
    {
        for (int i = 0; i < count; i++)
        {
            try
            {
                Bus("FIFO_R_W", false, true);
            }
            catch (SensorFaultException)
            {
                if (i == 0) throw;
                return i;
            }
            if (_headCut > 0) throw new InvalidOperationException("the loop read the FIFO out of frame (it did not count first)");
            _inner.Discard(1);
        }
        return count;
    }

    public bool TakeOverflow()
    {
        Bus("INT_STATUS");
        return !_reset && _inner.TakeOverflow();
    }

    public void PowerDown()
    {
        Bus("PWR_MGMT_1");
        _inner.PowerDown();
        _headCut = 0;
    }

    public void PowerUp()
    {
        Bus("PWR_MGMT_1");
        _inner.PowerDown();           // the firmware's re-initialisation restarts the part whatever its state
        _inner.PowerUp();
        _outOfFrame = false;
        _reset = false;
        _headCut = 0;
    }

    /// <summary>The board restarted (watchdog): the board layer is new, a hang is over; the part keeps its state until the app re-initialises it.</summary>
    public void Restart()
    {
        _hang = false;
        _cutNext = false;
        _headCut = 0;
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

/// <summary>
/// A microphone whose board layer hangs in managed code from board time <paramref name="hangAt"/> on: the first read or
/// discard that begins then spins (a bug, or a driver wrapper polling a part that never answers) and only the watchdog
/// ends it (<see cref="VirtualWatchdogThread"/>, wired to the clock's <see cref="VirtualClock.Advanced"/>). A hang inside
/// nanoFramework's native <c>i2s_read</c> (it waits with portMAX_DELAY) would hold the interpreter and no watchdog
/// thread could run: that is not this (firmware/README.md, "The watchdog"). If nothing has ended the hang after
/// <paramref name="giveUpMicros"/> it throws <see cref="TimeoutException"/>, so a test without a working watchdog fails
/// instead of spinning forever.
/// </summary>
public sealed class HangingAudioSource(IAudioSource inner, VirtualClock clock, long hangAt, long giveUpMicros = 120_000_000) : IAudioSource
{
    /// <summary>Board time the hang began (−1: not yet).</summary>
    public long HungAt { get; private set; } = -1;
    public int SampleRate => inner.SampleRate;
    public bool Running => inner.Running;
    public void Start() => inner.Start();
    public void Stop() => inner.Stop();

    private void MaybeHang()
    {
        if (HungAt >= 0 || clock.NowMicros < hangAt) return;
        HungAt = clock.NowMicros;
        while (clock.NowMicros - HungAt < giveUpMicros) clock.Advance(1000);
        throw new TimeoutException($"the board layer hung at {HungAt} µs and nothing restarted the board in {giveUpMicros / 1_000_000} s");
    }

    public void Read(short[] pcm, int offset, int count)
    {
        MaybeHang();
        inner.Read(pcm, offset, count);
    }

    public void ReadSlots(byte[] slots, int offset, int count)
    {
        MaybeHang();
        inner.ReadSlots(slots, offset, count);
    }

    public void Discard(int count)
    {
        MaybeHang();
        inner.Discard(count);
    }
}
