#nullable disable
#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>Light sleep and idle in virtual time: a light sleep of t µs takes t plus the wake-up latency.</summary>
public sealed class VirtualSleep(VirtualClock clock, long wakeLatencyMicros, Func<bool>? nothingMoreToCome = null) : ISleepTimer
{
    public long LightSleeps { get; private set; }
    /// <summary>Time in light sleep (timer running), µs.</summary>
    public long AsleepMicros { get; private set; }
    /// <summary>Time spent waking up (active, no useful work), µs.</summary>
    public long WakeMicros { get; private set; }
    /// <summary>Time idle awake, µs.</summary>
    public long IdleMicros { get; private set; }

    public void LightSleep(long micros)
    {
        if (micros < 0) throw new ArgumentOutOfRangeException(nameof(micros), micros, "a sleep cannot be negative");
        CheckNotEnded();
        LightSleeps++;
        AsleepMicros += micros;
        WakeMicros += wakeLatencyMicros;
        clock.Advance(micros + wakeLatencyMicros);
    }

    // A loop waiting for a sample the recording no longer holds (samples were lost) would wait forever.
    private void CheckNotEnded()
    {
        if (nothingMoreToCome != null && nothingMoreToCome())
            throw new RecordingEndedException(clock.NowMicros);
    }

    public void Idle(long micros)
    {
        if (micros < 0) throw new ArgumentOutOfRangeException(nameof(micros), micros, "a wait cannot be negative");
        CheckNotEnded();
        IdleMicros += micros;
        clock.Advance(micros);
    }
}

/// <summary>One reported event, as the board's serial line would print it.</summary>
public sealed record BoardEvent(long SampleIndex, int Class, int Confidence, long Micros);

/// <summary>Collects what the application reports.</summary>
public sealed class RecordingSink : IEventSink
{
    public List<BoardEvent> Events { get; } = [];
    public List<string> Messages { get; } = [];
    /// <summary>(sample index, µs) of every FIFO overflow the loop was told of.</summary>
    public List<(long SampleIndex, long Micros)> Overflows { get; } = [];

    public void Event(long sampleIndex, int eventClass, int confidence, long micros) =>
        Events.Add(new BoardEvent(sampleIndex, eventClass, confidence, micros));
    public void FifoOverflow(long sampleIndex, long micros) => Overflows.Add((sampleIndex, micros));
    public void Message(string line) => Messages.Add(line);
}

/// <summary>Records LED switches with their virtual time.</summary>
public sealed class VirtualLed(VirtualClock clock) : IStatusLed
{
    public List<(long Micros, bool On)> Switches { get; } = [];
    public void Set(bool on) => Switches.Add((clock.NowMicros, on));
}

/// <summary>The loop waits for a sample after the recording's last one has been delivered (it lost samples on the way).</summary>
public sealed class RecordingEndedException(long micros)
    : Exception($"the recording ended at {micros} µs while the loop still waited for a sample (samples were lost)")
{
    public long Micros { get; } = micros;
}
