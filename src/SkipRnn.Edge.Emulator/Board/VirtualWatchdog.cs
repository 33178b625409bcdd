#nullable enable
using System;
using SkipRnn.Edge.Application;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// The firmware's watchdog thread (firmware/esp32/LoopWatchdogThread.cs) in virtual time: every
/// <paramref name="checkMicros"/> of board time it asks the loop's <see cref="LoopWatchdog"/> whether the loop has
/// passed its deadline, and if so restarts the board (<see cref="BoardRestartException"/> unwinds whatever ran, as a
/// reset stops it). Wire <see cref="Run"/> to <see cref="VirtualClock.Advanced"/>. On a board the thread cannot run
/// while a native call holds the interpreter (light sleep, an I2C transfer); the deadline includes every wait the
/// loop announces, so checking then too changes nothing but a hang inside such a call, which the emulator does not model.
/// </summary>
public sealed class VirtualWatchdogThread(VirtualClock clock, LoopWatchdog watchdog, long checkMicros = 1_000_000)
{
    private long _nextCheck = clock.NowMicros + checkMicros;

    /// <summary>Restarts the board, if a check falls due by now and finds the loop silent past its deadline.</summary>
    public void Run()
    {
        while (clock.NowMicros >= _nextCheck)
        {
            _nextCheck += checkMicros;
            if (watchdog.Expired()) throw new BoardRestartException(clock.NowMicros, watchdog.DeadlineMicros);
        }
    }
}

/// <summary>The watchdog restarted the board at <see cref="Micros"/> (the loop's deadline was <see cref="DeadlineMicros"/>).</summary>
public sealed class BoardRestartException(long micros, long deadlineMicros)
    : Exception($"the watchdog restarted the board at {micros} µs (the loop's deadline was {deadlineMicros} µs)")
{
    public long Micros { get; } = micros;
    public long DeadlineMicros { get; } = deadlineMicros;
}
