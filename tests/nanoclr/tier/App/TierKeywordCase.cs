using System;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.NanoClrTier
{
    /// <summary>
    /// The keyword loop (src/SkipRnn.Edge.Loops.Keyword/KeywordLoop.cs) with the shipped keyword model and its ten-word
    /// rule (event-rule section version 2) on nanoCLR and on .NET, over a scripted microphone in virtual time: 16 kHz
    /// samples computed from their index (noise, a square wave at three levels, digital silence), a DMA buffer of 2,048
    /// samples that loses its oldest when full, zeros for the start-up after each start. Both microphone policies
    /// (with a 10 ms start-up, so that spans are slept through) and a frame too slow for the buffer; every event,
    /// overflow and the counters are lines.
    /// </summary>
    internal static class TierKeywordCase
    {
        public static void Run(byte[] keywordModel)
        {
            if (keywordModel == null) throw new InvalidOperationException("no models/keyword among the tier models");
            Once(keywordModel, MicPolicy.KeepClocked, 7000, 256000, 150);
            Once(keywordModel, MicPolicy.SleepThroughSpans, 7000, 10000, 150);
            Once(keywordModel, MicPolicy.KeepClocked, 200000, 256000, 30);     // too slow: the buffer overflows, the loop says so
        }

        private static void Once(byte[] model, MicPolicy policy, int updateMicros, int startupMicros, int frames)
        {
            Out.Line("kw run policy=" + ((int)policy).ToString() + " update=" + updateMicros.ToString() + "us startup=" +
                startupMicros.ToString() + "us frames=" + frames.ToString());
            var clock = new Clock();
            var sink = new LineSink();
            int blinks;
            StreamDetector d = AppBoot.Start(model, sink, out blinks);
            if (d == null) { Out.Line("REFUSED, blinks " + blinks.ToString()); return; }
            Out.Line("rule mask=" + d.Smoother.Rule.EventMask.ToString() + " classes=" + d.Smoother.Rule.EventClassCount.ToString());
            var mic = new ScriptedMic(clock, 2048, startupMicros);
            var settings = new KeywordLoopSettings();
            settings.Policy = policy;
            settings.MicStartupMicros = startupMicros;
            var loop = new KeywordLoop(d, mic, clock, new Sleep(clock, mic), sink, settings, new Cost(clock, updateMicros, mic));
            var watchdog = new LoopWatchdog(clock, 1000000);   // the heartbeat: at every step and before every wait
            loop.Watchdog = watchdog;
            loop.RunUntil(frames);
            KeywordLoopCounters c = loop.Counters;
            Out.Line("kw counters updates=" + c.Updates.ToString() + " skipped=" + c.SkippedFrames.ToString() + " read=" +
                c.SamplesRead.ToString() + " discarded=" + c.SamplesDiscarded.ToString() + " stops=" + c.MicStops.ToString() +
                " sleeps=" + c.LightSleeps.ToString() + " sleep_us=" + c.LightSleepMicros.ToString() + " late=" + c.LateSamples.ToString() +
                " startup=" + c.StartupSamplesUsed.ToString() + " overflows=" + c.Overflows.ToString() + " lost=" + c.SamplesLost.ToString() +
                " mic_lost=" + mic.Lost.ToString() + " zeros=" + mic.Zeros.ToString() + " events=" + c.Events.ToString() +
                " clock=" + clock.Now.ToString() + " class=" + d.HeadClass.ToString() + " h=" + d.Rnn.GetState(0, 0).ToString() +
                " score0=" + d.Smoother.Score(0).ToString() + " score10=" + d.Smoother.Score(10).ToString() +
                " watchdog_expired=" + (watchdog.Expired() ? "1" : "0") + " deadline_after=" + (watchdog.DeadlineMicros - clock.Now).ToString());
        }

        private sealed class Clock : IClock
        {
            public long Now;
            public long NowMicros { get { return Now; } }
        }

        private sealed class Sleep : ISleepTimer
        {
            private readonly Clock _clock;
            private readonly ScriptedMic _mic;
            public Sleep(Clock clock, ScriptedMic mic) { _clock = clock; _mic = mic; }
            public void LightSleep(long micros)
            {
                if (_mic.Running) Out.Line("light sleep with the microphone clocked at t=" + _clock.Now.ToString());
                _clock.Now += micros + 350;
            }
            public void Idle(long micros) { _clock.Now += micros; }
        }

        private sealed class Cost : ILoopObserver
        {
            private readonly Clock _clock;
            private readonly int _update;
            private readonly ScriptedMic _mic;
            public Cost(Clock clock, int update, ScriptedMic mic) { _clock = clock; _update = update; _mic = mic; }
            public void Updated(long frame)
            {
                if (_mic.LastRead != frame * 320 + 479 && _mic.Lost == 0) Out.Line("frame " + frame.ToString() + " ends on sample " + _mic.LastRead.ToString());
                _clock.Now += _update;
                _mic.Poll();
            }
            public void Skipped(int frames) { _clock.Now += 100; _mic.Poll(); }
        }

        private sealed class LineSink : IEventSink
        {
            public void Event(long frame, int eventClass, int confidence, long micros)
            {
                Out.Line("kw event frame=" + frame.ToString() + " class=" + eventClass.ToString() + " conf=" + confidence.ToString() + " t=" + micros.ToString());
            }
            public void FifoOverflow(long frame, long micros)
            {
                Out.Line("kw overflow before frame " + frame.ToString() + " t=" + micros.ToString());
            }
            public void Message(string line) { Out.Line(line); }
        }

        /// <summary>Stream sample i is captured at T0 + i·62.5 µs (T0: first start + start-up), into a buffer that drops its oldest when full.</summary>
        private sealed class ScriptedMic : IAudioSource
        {
            private readonly Clock _clock;
            private readonly int _depth, _startup;
            private bool _running, _started;
            private long _t0, _head, _captured, _validFrom;
            public long Lost, Zeros, LastRead = -1;

            public ScriptedMic(Clock clock, int depth, int startup) { _clock = clock; _depth = depth; _startup = startup; }

            public int SampleRate { get { return 16000; } }
            public bool Running { get { return _running; } }

            private long Capture(long i) { return _t0 + i * 1000000 / 16000; }

            private long IndexAtOrAfter(long micros)
            {
                long i = (micros - _t0) * 16000 / 1000000;
                while (Capture(i) < micros) i++;
                while (Capture(i - 1) >= micros) i--;
                return i;
            }

            public void Poll()
            {
                if (!_running) return;
                long upTo = IndexAtOrAfter(_clock.Now + 1) - 1;
                if (upTo > _captured) _captured = upTo;
                if (_captured - _head > _depth)
                {
                    Lost += _captured - _head - _depth;
                    _head = _captured - _depth;
                }
            }

            public void Start()
            {
                if (_running) return;
                long now = _clock.Now;
                if (!_started) { _t0 = now + _startup; _started = true; _captured = IndexAtOrAfter(now); }
                long first = IndexAtOrAfter(now);
                if (first > _captured) _captured = first;
                _head = _captured;
                _validFrom = IndexAtOrAfter(now + _startup);
                _running = true;
            }

            public void Stop()
            {
                Poll();
                _head = _captured;
                _running = false;
            }

            private void One()
            {
                Poll();
                while (_head >= _captured)
                {
                    _clock.Now = Capture(_head + 1);
                    Poll();
                }
            }

            public void Read(short[] pcm, int offset, int count)
            {
                for (int k = 0; k < count; k++)
                {
                    One();
                    long i = _head++;
                    if (i < _validFrom) { pcm[offset + k] = 0; Zeros++; }
                    else pcm[offset + k] = Sample(i);
                    LastRead = i;
                }
                _clock.Now += 10 * count;
            }

            // As the ESP32 driver hands them over: 8 bytes a sample, the left slot's top 16 bits are the sample; the
            // other bytes carry values that change the sample if the wrong ones are picked.
            public void ReadSlots(byte[] slots, int offset, int count)
            {
                for (int k = 0; k < count; k++)
                {
                    One();
                    long i = _head++;
                    short v = 0;
                    if (i < _validFrom) Zeros++;
                    else v = Sample(i);
                    int b = offset + 8 * k;
                    slots[b] = (byte)(0xA5 ^ (int)i);
                    slots[b + 1] = (byte)(0x3C + (int)i);
                    slots[b + 2] = (byte)v;
                    slots[b + 3] = (byte)(v >> 8);
                    for (int j = 4; j < 8; j++) slots[b + j] = (byte)(0x77 + 13 * j + (int)i);
                    LastRead = i;
                }
                _clock.Now += 10 * count;
            }

            public void Discard(int count)
            {
                for (int k = 0; k < count; k++)
                {
                    One();
                    _head++;
                }
                _clock.Now += count;
            }

            // Noise throughout; a 400 Hz square wave at full scale, −18 dB, −54 dB in turn; digital silence every fourth second.
            private static short Sample(long t)
            {
                int x = (int)(t & 0x7fffffff) * 1103515245 + 12345;
                x ^= x >> 13;
                int noise = ((x >> 8) & 4095) - 2048;
                long second = t / 16000;
                if (second % 4 == 3) return 0;
                int square = ((t / 20) & 1) == 0 ? 32767 : -32768;
                int level = second % 3 == 0 ? 1 : second % 3 == 1 ? 8 : 512;
                int v = square / level + noise / (level > 1 ? 16 : 1);
                if (v > 32767) v = 32767;
                if (v < -32768) v = -32768;
                return (short)v;
            }
        }
    }
}
