using System;

namespace SkipRnn.Edge.Application
{
    /// <summary>
    /// A software watchdog's heartbeat for an application loop. The loop calls <see cref="Alive"/> at every step and
    /// before every wait (with the wait's length); another thread (a board's watchdog thread) calls
    /// <see cref="Expired"/> now and then and reboots the board when it is true: the loop has said nothing for
    /// <see cref="TimeoutMicros"/> past the end of the last wait it announced.
    /// <para>
    /// What it can catch: a loop stuck in managed code (an endless loop, a wait that never ends, a driver polling a part
    /// that never answers), because nanoFramework's interpreter switches managed threads at the end of each time
    /// slice. What it cannot: a native call that never returns (it holds the interpreter, so no managed thread runs),
    /// a crash of the interpreter itself. The deadline is one 64-bit field written by the loop and read by the
    /// checker: the interpreter switches threads between IL instructions, so neither sees half of it.
    /// </para>
    /// </summary>
    public sealed class LoopWatchdog
    {
        private readonly IClock _clock;
        private readonly long _timeout;
        private long _deadline;
        private bool _armed;

        /// <summary>A watchdog on <paramref name="clock"/> that expires <paramref name="timeoutMicros"/> after an announced wait ends.</summary>
        public LoopWatchdog(IClock clock, long timeoutMicros)
        {
            if (clock == null) throw new ArgumentNullException("clock");
            if (timeoutMicros < 1) throw new ArgumentException("timeout " + timeoutMicros.ToString() + " us: must be at least 1");
            _clock = clock;
            _timeout = timeoutMicros;
        }

        /// <summary>How long the loop may be silent past an announced wait.</summary>
        public long TimeoutMicros { get { return _timeout; } }

        /// <summary>Board time by which the loop must speak again (µs); meaningful once armed.</summary>
        public long DeadlineMicros { get { return _deadline; } }

        /// <summary>The loop is alive and is about to be busy or asleep for up to <paramref name="busyMicros"/>. Arms the watchdog.</summary>
        public void Alive(long busyMicros)
        {
            _deadline = _clock.NowMicros + busyMicros + _timeout;
            _armed = true;
        }

        /// <summary>True when the loop, once armed, has passed its deadline without a word.</summary>
        public bool Expired()
        {
            return _armed && _clock.NowMicros > _deadline;
        }
    }
}
