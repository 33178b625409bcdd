using System;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.NanoClrTier
{
    /// <summary>
    /// The application loop (src/SkipRnn.Edge.Loops) on nanoCLR and on .NET: boot (with a refusal), then the
    /// loop over a scripted FIFO sensor in virtual time, both skip policies; every wait, read, discard and event is
    /// a line. The board here is a minimal device-code double (src/SkipRnn.Edge.Emulator is host-only): samples from the tier's
    /// integer stream, a FIFO of 85 that drops its oldest sample when full, light sleep = timer + 350 µs.
    /// </summary>
    internal static class TierLoopCase
    {
        public static void Run(byte[] motionModel)
        {
            if (motionModel == null) throw new InvalidOperationException("no models/motion among the tier models");
            byte[] bad = (byte[])motionModel.Clone();
            bad[bad.Length / 2] ^= 0x40;
            var refusalSink = new LineSink(null);
            int blinks;
            Out.Line("corrupted model: detector " + (AppBoot.Start(bad, refusalSink, out blinks) == null ? "refused" : "ACCEPTED") +
                ", blinks " + blinks.ToString());
            Once(motionModel, SkipPolicy.DrainFifo, 7000, 1500);
            Once(motionModel, SkipPolicy.PowerDownSensor, 7000, 1500);
            Once(motionModel, SkipPolicy.DrainFifo, 400000, 600);      // too slow: the FIFO overflows, the loop says so
            Watchdog();
        }

        // The software watchdog on the interpreter: the "loop" stops its heartbeat and spins in managed code; a second
        // managed thread, checking every 20 ms, must see the 200 ms deadline pass (nanoCLR switches threads at the end of
        // each time slice). On a board the checker then restarts the chip (firmware/esp32/LoopWatchdogThread.cs).
        private static void Watchdog()
        {
            var clock = new WallClock();
            var watchdog = new LoopWatchdog(clock, 200000);
            long start = clock.NowMicros;
            watchdog.Alive(0);
            var checker = new Checker(watchdog);
            new System.Threading.Thread(checker.Run).Start();
            while (!checker.Fired && clock.NowMicros - start < 10000000) { }
            long silent = clock.NowMicros - start;
            // Seen, and not before the deadline (how long after it depends on the host's load: not compared).
            Out.Line("watchdog: a loop spinning in managed code " + (checker.Fired ? "was seen by the checker thread" : "was NOT seen in 10 s") +
                (silent >= 200000 ? ", not before its deadline" : ", " + (silent / 1000).ToString() + " ms after its last heartbeat: before its deadline"));
        }

        private sealed class WallClock : IClock
        {
            public long NowMicros { get { return DateTime.UtcNow.Ticks / 10; } }
        }

        private sealed class Checker
        {
            private readonly LoopWatchdog _watchdog;
            private readonly object _sync = new object();
            private bool _fired;
            public Checker(LoopWatchdog watchdog) { _watchdog = watchdog; }
            public bool Fired { get { lock (_sync) { return _fired; } } }
            public void Run()
            {
                while (!_watchdog.Expired()) System.Threading.Thread.Sleep(20);
                lock (_sync) { _fired = true; }
            }
        }

        private static void Once(byte[] model, SkipPolicy policy, int updateMicros, int samples)
        {
            Out.Line("run policy=" + ((int)policy).ToString() + " update=" + updateMicros.ToString() + "us samples=" + samples.ToString());
            var clock = new Clock();
            var sink = new LineSink(clock);
            int blinks;
            StreamDetector d = AppBoot.Start(model, sink, out blinks);
            if (d == null) { Out.Line("REFUSED, blinks " + blinks.ToString()); return; }
            SkipGruModel m = d.Rnn.Model;
            var sensor = new ScriptedSensor(m, clock, 85);
            var sleep = new Sleep(clock, 350);
            var settings = new LoopSettings(m.SamplePeriodMicros);
            settings.Policy = policy;
            var loop = new StreamingLoop(d, sensor, clock, sleep, sink, settings, new Cost(clock, updateMicros, sensor));
            loop.RunUntil(samples);
            LoopCounters c = loop.Counters;
            Out.Line("counters reads=" + c.Reads.ToString() + " skipped=" + c.SkippedSamples.ToString() + " discarded=" +
                c.DiscardedSamples.ToString() + " sleeps=" + c.LightSleeps.ToString() + " sleep_us=" + c.LightSleepMicros.ToString() +
                " idle_us=" + c.IdleMicros.ToString() + " powerdowns=" + c.SensorPowerDowns.ToString() + " polls=" + c.Polls.ToString() +
                " overflows=" + c.FifoOverflows.ToString() + " highwater=" + c.FifoHighWater.ToString() + " events=" + c.Events.ToString() +
                " lost=" + sensor.Lost.ToString() + " clock=" + clock.NowMicros.ToString() + " h=" + d.Rnn.GetState(0, 0).ToString());
        }

        private sealed class Clock : IClock
        {
            public long Now;
            public long NowMicros { get { return Now; } }
        }

        private sealed class Sleep : ISleepTimer
        {
            private readonly Clock _clock;
            private readonly int _latency;
            public Sleep(Clock clock, int latency) { _clock = clock; _latency = latency; }
            public void LightSleep(long micros) { _clock.Now += micros + _latency; }
            public void Idle(long micros) { _clock.Now += micros; }
        }

        private sealed class Cost : ILoopObserver
        {
            private readonly Clock _clock;
            private readonly int _update;
            private readonly ScriptedSensor _sensor;
            public Cost(Clock clock, int update, ScriptedSensor sensor) { _clock = clock; _update = update; _sensor = sensor; }
            public void Updated(long sampleIndex)
            {
                if (_sensor.LastRead != sampleIndex) Out.Line("update on sample " + sampleIndex.ToString() + " read " + _sensor.LastRead.ToString());
                _clock.Now += _update;
            }
            public void Skipped(int samples) { _clock.Now += 100; }
        }

        private sealed class LineSink : IEventSink
        {
            private readonly Clock _clock;
            public LineSink(Clock clock) { _clock = clock; }
            public void Event(long sampleIndex, int eventClass, int confidence, long micros)
            {
                Out.Line("event sample=" + sampleIndex.ToString() + " class=" + eventClass.ToString() + " conf=" + confidence.ToString() + " t=" + micros.ToString());
            }
            public void FifoOverflow(long sampleIndex, long micros)
            {
                Out.Line("overflow before sample " + sampleIndex.ToString() + " t=" + micros.ToString());
            }
            public void Message(string line) { Out.Line(line); }
        }

        /// <summary>Sample i falls due at origin + i·period; a full FIFO drops its oldest; powered down, nothing is sampled.</summary>
        private sealed class ScriptedSensor : IFifoSensor
        {
            private readonly Stream _stream;
            private readonly Clock _clock;
            private readonly int _period, _inputs;
            private readonly int[] _frames;       // ring of frames
            private readonly long[] _index;       // their sample indices
            private readonly int[] _scratch;
            private int _head, _count;
            private long _next, _origin = -1;
            private bool _on, _overflow;
            public long Lost, LastRead = -1;

            public ScriptedSensor(SkipGruModel m, Clock clock, int capacity)
            {
                _stream = new Stream(m, 77);
                _clock = clock;
                _period = m.SamplePeriodMicros;
                _inputs = m.InputSize;
                _frames = new int[capacity * _inputs];
                _index = new long[capacity];
                _scratch = new int[_inputs];
            }

            public int FrameSize { get { return _inputs; } }
            public int Capacity { get { return _index.Length; } }
            public int SamplesAvailable { get { Arrive(); return _count; } }

            public void Read(int[] frame)
            {
                Arrive();
                Array.Copy(_frames, _head * _inputs, frame, 0, _inputs);
                LastRead = _index[_head];
                _head = (_head + 1) % _index.Length;
                _count--;
                _clock.Now += 430;
            }

            public int Discard(int count)
            {
                Arrive();
                _head = (_head + count) % _index.Length;
                _count -= count;
                _clock.Now += 300 * count;
                return count;
            }

            public bool TakeOverflow() { Arrive(); bool f = _overflow; _overflow = false; return f; }
            public void PowerDown() { Arrive(); _on = false; _count = 0; }

            public void PowerUp()
            {
                long now = _clock.Now;
                if (_origin < 0) _origin = now + 30000;
                long first = (now + 30000 - _origin + _period - 1) / _period;
                while (_next < first) { _stream.Next(_scratch); _next++; }   // the stream moves on while the part sleeps
                _on = true;
                _count = 0;
            }

            private void Arrive()
            {
                if (!_on) return;
                while (_origin + _next * _period <= _clock.Now)
                {
                    if (_count == _index.Length) { _head = (_head + 1) % _index.Length; _count--; Lost++; _overflow = true; }
                    int slot = (_head + _count) % _index.Length;
                    _stream.Next(_scratch);
                    Array.Copy(_scratch, 0, _frames, slot * _inputs, _inputs);
                    _index[slot] = _next;
                    _count++;
                    _next++;
                }
            }
        }
    }
}
