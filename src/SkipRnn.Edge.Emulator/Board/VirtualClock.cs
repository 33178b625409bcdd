#nullable disable
#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>The emulator's time: moves only when something on the virtual board takes time.</summary>
public sealed class VirtualClock : IClock
{
    public long NowMicros { get; private set; }

    /// <summary>Told after every advance (e.g. a <see cref="VirtualWatchdogThread"/>: another thread's chance to run).</summary>
    public Action? Advanced { get; set; }

    public void Advance(long micros)
    {
        if (micros < 0) throw new ArgumentOutOfRangeException(nameof(micros), micros, "time cannot go back");
        NowMicros += micros;
        Advanced?.Invoke();
    }
}
