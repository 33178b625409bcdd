using System;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Application
{
    /// <summary>What the keyword loop does with the microphone through a skipped span.</summary>
    public enum MicPolicy
    {
        /// <summary>
        /// The microphone stays clocked; the loop reads and discards the span's samples as they arrive (the CPU waits
        /// awake in the driver's blocking read). The I2S DMA runs only while the CPU's peripheral clocks run, so there
        /// is no light sleep; never loses a sample.
        /// </summary>
        KeepClocked = 0,
        /// <summary>
        /// A span long enough (the samples the next needed window does not use last longer than the microphone's
        /// start-up, the restart margin and the break-even time) stops the microphone's clock and light-sleeps; the
        /// clock starts again start-up + margin before the next needed window begins. Shorter spans as
        /// <see cref="KeepClocked"/>.
        /// </summary>
        SleepThroughSpans = 1
    }

    /// <summary>The keyword loop's parameters (times in µs). Validated by <see cref="Check"/>.</summary>
    public sealed class KeywordLoopSettings
    {
        /// <summary>What happens to the microphone through a skipped span.</summary>
        public MicPolicy Policy = MicPolicy.KeepClocked;
        /// <summary>
        /// Clock start to valid samples. INMP441 datasheet (Power management, normal operation): operational 2^18 SCK
        /// cycles after power-up; with 64 SCK per sample at 16 kHz (1.024 MHz) that is 256 ms. Check your part.
        /// </summary>
        public int MicStartupMicros = 256000;
        /// <summary>The clock is started this much earlier than needed (wake-up and driver start jitter); the surplus is discarded.</summary>
        public int RestartMarginMicros = 5000;
        /// <summary>Sleeps shorter than this are not worth a wake-up (ESP32: a few hundred µs).</summary>
        public int BreakEvenMicros = 1000;
        /// <summary>Timer to code running again after a light sleep; the loop asks to be woken this much earlier.</summary>
        public int WakeLatencyMicros = 350;
        /// <summary>
        /// Samples the microphone driver's ready queue holds: (DMA buffers − 1) × <see cref="DmaBufferSamples"/>
        /// (<see cref="I2sMicrophone.QueuedSamples"/>; firmware/keyword: 2,048). When a DMA buffer completes with the
        /// queue full, the driver drops the oldest queued buffer unannounced; the loop mirrors that by the clock,
        /// counts an overflow, tells the sink and resumes at the oldest sample the driver still holds.
        /// </summary>
        public int BufferSamples = 2048;
        /// <summary>Samples per DMA buffer (nanoFramework's ESP32 I2S driver: 256): the driver takes and drops whole buffers.</summary>
        public int DmaBufferSamples = I2sMicrophone.FramesPerDmaBuffer;
        /// <summary>
        /// A read of the first sample of a DMA buffer (made alone) that returns more than this after the buffer was due
        /// (or after the call, if it was due before) means the buffer completed late: the DMA stalled, and every
        /// buffer from it on holds samples later than their place says. The loop realigns its sample index from the clock
        /// (the buffer's last sample is the one completed when the read returned), counts a stall
        /// (<see cref="KeywordLoopCounters.MicStalls"/>) and misses the frames whose windows lost samples; the microphone
        /// keeps running. Such a read normally returns one sample period (62.5 µs) after the buffer was due, plus the
        /// interrupt-to-task latency and the one-sample copy (tens of µs on an ESP32): 500 µs (8 samples) is well above
        /// that; a stall shorter than it goes unseen and shifts later windows by under 8 samples. A late probe is
        /// confirmed as a stall by the next one (<see cref="ConfirmStalls"/>).
        /// </summary>
        public int LateMicros = 500;
        /// <summary>
        /// A late probe (see <see cref="LateMicros"/>) is only a suspect: its buffer's rest is dropped, the index is
        /// not moved. A real stall delays every later buffer as well, a late wake-up of the loop (another managed thread
        /// ran between the driver's return and the loop's clock read) delays none, so the next probe decides: late too,
        /// the stall is confirmed and the index realigned there; on time, a late wake-up is counted
        /// (<see cref="KeywordLoopCounters.LateWakeups"/>) and nothing moves. A probe later than the driver's queue
        /// can hold (the clock would have the driver drop buffers either way) is realigned at once. False: every late
        /// probe realigns at once (the rule before; a late wake-up then moves the index on though no sample was lost).
        /// </summary>
        public bool ConfirmStalls = true;

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
        public void Check()
        {
            if (Policy != MicPolicy.KeepClocked && Policy != MicPolicy.SleepThroughSpans) throw Bad("Policy", (int)Policy, "is not a MicPolicy");
            if (MicStartupMicros < 0) throw Bad("MicStartupMicros", MicStartupMicros, "must not be negative");
            if (RestartMarginMicros < 0) throw Bad("RestartMarginMicros", RestartMarginMicros, "must not be negative");
            if (BreakEvenMicros < 0) throw Bad("BreakEvenMicros", BreakEvenMicros, "must not be negative");
            if (WakeLatencyMicros < 0 || WakeLatencyMicros > BreakEvenMicros)
                throw Bad("WakeLatencyMicros", WakeLatencyMicros, "must be 0..BreakEvenMicros (a sleep shorter than its wake-up never pays)");
            if (DmaBufferSamples < 1) throw Bad("DmaBufferSamples", DmaBufferSamples, "must be at least 1");
            if (LateMicros < 1) throw Bad("LateMicros", LateMicros, "must be at least 1");
            if (BufferSamples < AudioFrontEnd.FrameLength || BufferSamples % DmaBufferSamples != 0)
                throw Bad("BufferSamples", BufferSamples, "must be a whole number of DMA buffers (" + DmaBufferSamples.ToString() +
                    " samples) and at least a frame (" + AudioFrontEnd.FrameLength.ToString() + ")");
        }

        private static Exception Bad(string name, int value, string rule)
        {
            return new ArgumentException(name + " is " + value.ToString() + ": " + rule);
        }
    }

    /// <summary>What the keyword loop did so far (the same on a board and on the host).</summary>
    public sealed class KeywordLoopCounters
    {
        /// <summary>Frames the model updated on (features computed: window, FFT, mel, log).</summary>
        public long Updates { get; internal set; }
        /// <summary>Frames skipped: no features, no update.</summary>
        public long SkippedFrames { get; internal set; }
        /// <summary>PCM samples read into the front end.</summary>
        public long SamplesRead { get; internal set; }
        /// <summary>
        /// PCM samples unpacked from the raw I2S ring into a computed frame's window (the managed front end's path;
        /// 0 on the native path, which unpacks in C): each read sample of a computed window once, none of a skipped one.
        /// </summary>
        public long SamplesUnpacked { get; internal set; }
        /// <summary>PCM samples read from the microphone and dropped unused (clocked through a span, or the restart surplus).</summary>
        public long SamplesDiscarded { get; internal set; }
        /// <summary>Times the microphone's clock was stopped for a span.</summary>
        public long MicStops { get; internal set; }
        /// <summary>Light sleeps entered.</summary>
        public long LightSleeps { get; internal set; }
        /// <summary>Time asked of the light-sleep timer plus its wake-up latency (µs).</summary>
        public long LightSleepMicros { get; internal set; }
        /// <summary>
        /// Samples of a needed window the microphone no longer had (restarted too late, or overwritten in an
        /// overflow); that window's frame is missed, never computed from zeros. Must stay 0 on a board that keeps up.
        /// </summary>
        public long LateSamples { get; internal set; }
        /// <summary>Frames missed because their windows were incomplete (see <see cref="LateSamples"/>): the model held its state.</summary>
        public long MissedFrames { get; internal set; }
        /// <summary>Samples of a needed window that fell in the microphone's start-up (zeros; must stay 0).</summary>
        public long StartupSamplesUsed { get; internal set; }
        /// <summary>Times the microphone's buffer overflowed (the driver dropped buffers the loop had not read, by the clock).</summary>
        public long Overflows { get; internal set; }
        /// <summary>Samples lost to those overflows (whole DMA buffers, and the unread rest of a buffer the DMA came round to).</summary>
        public long SamplesLost { get; internal set; }
        /// <summary>Microphone faults (a failed I2S read): each restarts the microphone.</summary>
        public long MicFaults { get; internal set; }
        /// <summary>
        /// DMA stalls: a buffer the loop waited for completed more than <see cref="KeywordLoopSettings.LateMicros"/> late
        /// and so did the next (<see cref="KeywordLoopSettings.ConfirmStalls"/>); the sample index was realigned from
        /// the clock (the microphone kept running).
        /// </summary>
        public long MicStalls { get; internal set; }
        /// <summary>Samples the stalls took (never captured): the realignments' sum.</summary>
        public long SamplesLostToStalls { get; internal set; }
        /// <summary>
        /// Late wake-ups: a probe came back late but the next one was on time (the loop, not the DMA, was held up); the
        /// rest of the late buffer was dropped, the index not moved (<see cref="KeywordLoopSettings.ConfirmStalls"/>).
        /// </summary>
        public long LateWakeups { get; internal set; }
        /// <summary>Events reported.</summary>
        public long Events { get; internal set; }
    }

    /// <summary>
    /// The always-on keyword loop: microphone (<see cref="IAudioSource"/>) → the integer audio front end → the
    /// <see cref="StreamDetector"/> (Skip-GRU + the model's event rule, one step per 20 ms frame). When the model needs
    /// a frame, the loop reads the samples the frame's window still lacks (480 after a skipped span, else 320),
    /// computes the 40 features and updates; when it says the next k frames are not needed, it accounts them in O(1)
    /// and the samples before the next needed window are never used: discarded as they arrive with the microphone
    /// clocked, or — <see cref="MicPolicy.SleepThroughSpans"/>, for spans longer than the microphone's start-up — not
    /// even captured: clock stopped, light sleep, clock restarted start-up + margin before the window. Events (every
    /// word that fires) go to the <see cref="IEventSink"/>. Same event sequence as <see cref="KeywordSpotter"/> on the
    /// same PCM.
    /// <para>
    /// Time model: stream sample i is captured at Origin + i·10^6/rate µs, the origin being the first start of the
    /// microphone plus its start-up time (the samples before it are zeros and are discarded). The I2S clock is derived from the ESP32's own crystal, so unlike an IMU's sample grid it does not drift
    /// against the board's timer; after a restart the loop takes the index of the first sample from its clock.
    /// </para>
    /// No allocation after construction.
    /// </summary>
    public sealed class KeywordLoop
    {
        private readonly StreamDetector _detector;
        private readonly IAudioSource _mic;
        private readonly IClock _clock;
        private readonly ISleepTimer _sleep;
        private readonly IEventSink _sink;
        private readonly ILoopObserver _observer;
        private readonly KeywordLoopSettings _settings;
        private readonly KeywordLoopCounters _counters = new KeywordLoopCounters();
        private readonly AudioFrontEnd _frontEnd = new AudioFrontEnd();
        private readonly int[] _features = new int[AudioFrontEnd.Bands];
        // The samples as the I2S driver hands them over (8-byte stereo frames, I2sSlots), stream sample i in slot
        // i mod RingSamples: a computed frame's window is unpacked from here (in C on the native path), a skipped
        // frame's samples never are. The ring holds a window (480 samples) and a little more.
        private const int RingSamples = 512;
        private readonly byte[] _slots = new byte[RingSamples * I2sSlots.BytesPerSample];
        private readonly short[] _window = new short[AudioFrontEnd.FrameLength];   // the managed path's unpacked window
        private long _windowEnd = long.MinValue;   // _window holds stream samples [_windowEnd − 480, _windowEnd)
        private readonly EventList _events = new EventList(EventRule.MaxClasses);
        private readonly int _rate;
        private long _origin;        // µs at which stream sample 0 is captured
        private long _micNext;       // stream index of the next sample a Read/Discard returns
        private long _validFrom;     // first stream index past the microphone's start-up
        private long _dmaStart;      // stream index of the first sample of DMA buffer 0 since the microphone's last start
        private bool _started;
        private bool _recovering;    // an overflow is being caught up with (more losses are part of it)
        private bool _suspect;       // the last probe came back late: the next one says whether the DMA stalled
        private LoopWatchdog _watchdog;

        /// <summary>
        /// The loop over <paramref name="detector"/> (freshly reset; its model must carry the 40-band front end) on this
        /// board. <paramref name="observer"/> may be null (a real board). Throws <see cref="ArgumentException"/> on a
        /// model or settings that cannot work.
        /// </summary>
        public KeywordLoop(StreamDetector detector, IAudioSource mic, IClock clock, ISleepTimer sleep, IEventSink sink,
            KeywordLoopSettings settings, ILoopObserver observer)
        {
            if (detector == null) throw new ArgumentNullException("detector");
            if (mic == null) throw new ArgumentNullException("mic");
            if (clock == null) throw new ArgumentNullException("clock");
            if (sleep == null) throw new ArgumentNullException("sleep");
            if (sink == null) throw new ArgumentNullException("sink");
            if (settings == null) throw new ArgumentNullException("settings");
            SkipGruModel model = detector.Rnn.Model;
            if (model.FrontEnd == null)
                throw new ModelFormatException("front_end", "is absent from this model file: it was not trained on audio features");
            if (model.InputSize != AudioFrontEnd.Bands)
                throw new ArgumentException("the model reads " + model.InputSize.ToString() + " inputs, the front end gives " + AudioFrontEnd.Bands.ToString());
            if (mic.SampleRate != AudioFrontEnd.SampleRate)
                throw new ArgumentException("the microphone runs at " + mic.SampleRate.ToString() + " Hz, the front end needs " + AudioFrontEnd.SampleRate.ToString());
            settings.Check();
            _detector = detector;
            _mic = mic;
            _clock = clock;
            _sleep = sleep;
            _sink = sink;
            _settings = settings;
            _observer = observer;
            _rate = mic.SampleRate;
        }

        /// <summary>The detector (model state, event rule).</summary>
        public StreamDetector Detector { get { return _detector; } }
        /// <summary>The front end (frames computed and skipped).</summary>
        public AudioFrontEnd FrontEnd { get { return _frontEnd; } }
        /// <summary>What the loop has done so far.</summary>
        public KeywordLoopCounters Counters { get { return _counters; } }
        /// <summary>The parameters.</summary>
        public KeywordLoopSettings Settings { get { return _settings; } }
        /// <summary>
        /// The heartbeat a board's watchdog checks (may be null): the loop says it is alive at every step and before
        /// every wait (a blocking read or discard, with the time until the DMA buffer it waits for is due; a light
        /// sleep, with its length).
        /// </summary>
        public LoopWatchdog Watchdog { get { return _watchdog; } set { _watchdog = value; } }
        /// <summary>When stream sample <paramref name="index"/> is captured (µs on the board clock), once started.</summary>
        public long CaptureMicros(long index) { return _origin + index * 1000000 / _rate; }
        /// <summary>The first stream sample captured at or after <paramref name="micros"/> (negative before the origin), once started.</summary>
        public long IndexAtOrAfter(long micros)
        {
            long i = (micros - _origin) * _rate / 1000000;
            while (CaptureMicros(i) < micros) i++;
            while (CaptureMicros(i - 1) >= micros) i--;
            return i;
        }

        /// <summary>Starts the microphone and the sample clock. Called by the first <see cref="RunOnce"/> if not before.</summary>
        public void Start()
        {
            if (_started) return;
            long now = _clock.NowMicros;
            _origin = now + _settings.MicStartupMicros;        // stream sample 0: the first valid one
            _mic.Start();
            _micNext = IndexAtOrAfter(now);                    // negative: the start-up's samples, discarded
            _dmaStart = _micNext;
            _validFrom = 0;
            _started = true;
        }

        /// <summary>One step: one updated frame (reading its samples) or one skipped span. A board calls it forever.</summary>
        public void RunOnce()
        {
            RunOnce(long.MaxValue);
        }

        /// <summary>Runs until <paramref name="frames"/> frames (updated or skipped) have gone by; a skipped span is cut there.</summary>
        public void RunUntil(long frames)
        {
            while (_detector.Step < frames) RunOnce(frames);
        }

        private void RunOnce(long limit)
        {
            if (_watchdog != null) _watchdog.Alive(0);
            try
            {
                Step(limit);
            }
            catch (SensorFaultException e)
            {
                Recover(e.Message, limit);
            }
        }

        // A failed read (SensorFaultException from the microphone): counted and told to the sink; the microphone is
        // stopped and started again and the loop takes the index of its first sample from the clock, as after a
        // restart for a skipped span. The frames whose windows begin before the microphone's start-up is over are missed
        // (never computed from its zeros).
        private void Recover(string why, long limit)
        {
            _counters.MicFaults++;
            _sink.Message("microphone fault " + _counters.MicFaults.ToString() + " at frame " + _detector.Step.ToString() + ": " + why + "; restarting it");
            _mic.Stop();
            long restart = _clock.NowMicros;
            _mic.Start();
            _micNext = IndexAtOrAfter(restart);
            _dmaStart = _micNext;
            _validFrom = IndexAtOrAfter(restart + _settings.MicStartupMicros);
            _suspect = false;
            long hop = AudioFrontEnd.HopLength;
            long k = (_validFrom - _detector.Step * hop + hop - 1) / hop;
            if (k > limit - _detector.Step) k = limit - _detector.Step;
            if (k > MaxMissedFramesAtOnce) k = MaxMissedFramesAtOnce;
            if (k <= 0) return;
            _frontEnd.MissFrames((int)k);
            bool fired = _detector.MissSamples((int)k);
            _counters.MissedFrames += k;
            if (_observer != null) _observer.Skipped((int)k);
            if (fired) Report();
        }

        private void Step(long limit)
        {
            Start();
            int k = _detector.SamplesToSkip;
            if (k > 0)
            {
                if (k > limit - _detector.Step) k = (int)(limit - _detector.Step);
                SkipSpan(k);
                return;
            }
            if (!Align(limit)) return;
            long frame = _detector.Step;
            long first = _frontEnd.SamplesWritten - AudioFrontEnd.FrameLength;   // the window's first stream sample
            bool fired;
            if (_detector.Rnn.UsesFrameKernel)
            {
                fired = _frontEnd.PushSlots(_detector, _slots, (int)(first % RingSamples), _features);
            }
            else
            {
                UnpackWindow(first);
                fired = _frontEnd.PushWindow(_detector, _window, _features);
            }
            _counters.Updates++;
            if (_observer != null) _observer.Updated(frame);
            if (fired) Report();
        }

        // Brings the microphone to the front end's position and reads the samples that complete the next frame. The
        // driver hands out whole DMA buffers: the loop reads and discards in pieces that end on a buffer boundary and,
        // before taking the next buffer, works out by the clock what the driver did meanwhile (CheckOverflow). When the
        // microphone no longer holds the start of the frame's window (buffers dropped, or restarted too late), the
        // frames whose windows are incomplete are missed (MissFrames, MissSamples: the model holds its state as through
        // a skipped span) and the loop resumes on the first whole window it still has: it catches up instead of
        // computing frames from zeros. False when missed frames took the loop to the limit (no frame to compute).
        private const int MaxMissedFramesAtOnce = 1 << 20;   // AudioFrontEnd.MissFrames' limit

        private bool Align(long limit)
        {
            long hop = AudioFrontEnd.HopLength;
            bool late = false;
            while (true)
            {
                CheckOverflow();
                long wanted = _frontEnd.SamplesWritten;
                int n = _frontEnd.SamplesToNextFrame;
                if (_micNext > wanted)
                {
                    // The window's samples from `wanted` on are gone. Miss frames up to the first window starting at or
                    // after the oldest sample still to come (window f starts at sample HopLength · f).
                    if (!late)
                    {
                        long gap = _micNext - wanted;
                        _counters.LateSamples += gap < n ? gap : n;
                        late = true;
                    }
                    long k = (_micNext - _detector.Step * hop + hop - 1) / hop;
                    if (k > MaxMissedFramesAtOnce) k = MaxMissedFramesAtOnce;
                    if (k > limit - _detector.Step) k = limit - _detector.Step;   // ≥ 1: RunOnce runs below the limit
                    _frontEnd.MissFrames((int)k);
                    bool fired = _detector.MissSamples((int)k);
                    _counters.MissedFrames += k;
                    if (_observer != null) _observer.Skipped((int)k);
                    if (fired) Report();
                    if (_detector.Step >= limit) return false;
                    continue;
                }
                long d = _settings.DmaBufferSamples;
                long boundary = _dmaStart + ((_micNext - _dmaStart) / d + 1) * d;
                bool probe = StartsBuffer(d);
                if (_micNext < wanted)
                {
                    long c = wanted - _micNext;
                    if (c > boundary - _micNext) c = boundary - _micNext;
                    if (probe) c = 1;
                    DiscardFromMic(c, probe);
                    _counters.SamplesDiscarded += c;
                    continue;
                }
                long r = n;
                if (r > boundary - _micNext) r = boundary - _micNext;
                // One driver call a piece, so that the overflow check above runs before each: a piece that would pass
                // the ring's end stops there (its second call could read a buffer the DMA came round to meanwhile).
                long ringLeft = RingSamples - _micNext % RingSamples;
                if (r > ringLeft) r = ringLeft;
                if (probe) r = 1;
                long first = _micNext;
                bool realigned = ReadSlots((int)r, probe);
                _counters.SamplesRead += r;
                if (realigned) continue;      // a late probe: the rest of its buffer dropped (the index realigned if confirmed): Align starts again
                if (first < _validFrom)
                {
                    long z = _validFrom - first;
                    _counters.StartupSamplesUsed += z < r ? z : r;
                }
                if (_frontEnd.Pass((int)r))
                {
                    _recovering = false;
                    return true;
                }
            }
        }

        // A read or discard that starts a DMA buffer is made for that one sample alone (a probe): the driver's read takes
        // the buffer from its queue, waiting for it if it is not complete, so the time the probe returns is the buffer's
        // completion (or the call's, if it was complete), not that plus the copy of a longer piece; CheckLate compares it
        // with the time the buffer was due by the loop's index. Every buffer is probed, also one the clock says is
        // complete: after a stall the loop's clock runs ahead of the DMA, and only the probe that waits shows it (left
        // unseen, the clock would make the loop believe the driver dropped buffers it still holds). One more driver
        // call per DMA buffer: 62.5 a second with the microphone clocked.
        private bool StartsBuffer(long d)
        {
            return (_micNext - _dmaStart) % d == 0;
        }

        // The next `count` samples from the microphone into the ring, as raw I2S frames (nothing per sample), in one driver
        // call: Align never asks past the ring's end. True if a probe came back late (CheckLate: the rest of its buffer dropped).
        private bool ReadSlots(int count, bool probe)
        {
            long calledAt = _clock.NowMicros;
            long due = DueMicros(_micNext + count, calledAt);
            if (_watchdog != null) _watchdog.Alive(due - calledAt);
            _mic.ReadSlots(_slots, (int)(_micNext % RingSamples) * I2sSlots.BytesPerSample, count);
            _micNext += count;
            return probe && CheckLate(due);
        }

        // The next `count` samples from the microphone dropped unread; a probe is checked for lateness like a read.
        private void DiscardFromMic(long count, bool probe)
        {
            long calledAt = _clock.NowMicros;
            long due = DueMicros(_micNext + count, calledAt);
            if (_watchdog != null) _watchdog.Alive(due - calledAt);
            _mic.Discard((int)count);
            _micNext += count;
            if (probe) CheckLate(due);
        }

        // A read or discard of the samples up to stream index `end` (exclusive), called at `calledAt`, blocks until the DMA
        // buffer holding sample end − 1 has completed: it is due back then (or at once, if that buffer is complete).
        private long DueMicros(long end, long calledAt)
        {
            long d = _settings.DmaBufferSamples;
            long bufferEnd = _dmaStart + ((end - 1 - _dmaStart) / d + 1) * d;
            long due = CaptureMicros(bufferEnd - 1);
            return due < calledAt ? calledAt : due;
        }

        // A probe (the first sample of a buffer it waited for) that comes back more than LateMicros after the buffer was
        // due: either no buffer came for a while (the DMA stalled, and this buffer and every later one hold samples later
        // than their place says) or the loop itself was held up between the driver's return and its clock read (a late
        // wake-up: another managed thread ran; nothing was lost). The first makes the next buffer late as well, the second
        // does not, so a late probe is a suspect and the next probe decides (ConfirmStalls). Either way the rest of the late
        // buffer is dropped (a stall may have begun inside it: its samples before that point are at their old places, the
        // rest at the new ones). A probe later than the driver's queue holds is realigned at once (by the clock the driver
        // would drop buffers under either reading, and the overflow check must not take a stall for that).
        // Confirmed: the buffer completed as the read returned, so its last sample is the newest complete one by the
        // clock: the loop's index and its picture of the DMA (_dmaStart) move on by the difference, the samples of the
        // stall are never had (the frames whose windows need them are missed in Align, as after an overflow) and the
        // microphone keeps running. Counted and told to the sink. A suspect followed by a probe on time is counted as a late
        // wake-up. True if the index moved (the rest of the buffer dropped, with or without a realignment).
        private bool CheckLate(long due)
        {
            long now = _clock.NowMicros;
            long late = now - due;
            bool suspect = _suspect;
            _suspect = false;
            if (late <= _settings.LateMicros)
            {
                if (suspect) _counters.LateWakeups++;
                return false;
            }
            long d = _settings.DmaBufferSamples;
            long bufferEnd = _dmaStart + ((_micNext - 1 - _dmaStart) / d + 1) * d;   // the probe's buffer, as the loop placed it
            long complete = IndexAtOrAfter(now + 1) - 1;                           // samples below this index are complete
            long shift = complete - bufferEnd;
            if (shift <= 0)
            {
                if (suspect) _counters.LateWakeups++;
                return false;
            }
            bool confirmed = suspect || !_settings.ConfirmStalls || shift > _settings.BufferSamples - d;
            if (confirmed)
            {
                _dmaStart += shift;
                _micNext += shift;
            }
            else
            {
                _suspect = true;
                shift = 0;
            }
            long rest = bufferEnd + shift - _micNext;
            if (rest > 0)
            {
                DiscardFromMic(rest, false);
                _counters.SamplesDiscarded += rest;
            }
            if (!confirmed) return true;
            _counters.MicStalls++;
            _counters.SamplesLostToStalls += shift;
            _sink.Message("microphone stall " + _counters.MicStalls.ToString() + " at frame " + _detector.Step.ToString() + ": an I2S buffer came " +
                (late / 1000).ToString() + " ms late (the DMA stalled); sample index realigned by " + shift.ToString() + " samples");
            return true;
        }

        // The managed path's window [first, first + 480) as PCM16: the part the last computed frame's window shares
        // with it (the previous frame's last 160 samples when the two are consecutive) is moved, only the rest is
        // unpacked from the ring. Every sample of the window was read into the ring since the front end's last gap.
        private void UnpackWindow(long first)
        {
            int length = AudioFrontEnd.FrameLength;
            long keep = _windowEnd - first;
            if (keep > 0 && keep < length) Array.Copy(_window, length - (int)keep, _window, 0, (int)keep);
            else keep = 0;
            int n = length - (int)keep;
            I2sSlots.Unpack(_slots, (int)((first + keep) % RingSamples), _window, (int)keep, n);
            _counters.SamplesUnpacked += n;
            _windowEnd = first + length;
        }

        // What the driver did since the loop last took a buffer, by the clock. DMA buffer j holds samples
        // dmaStart + D·j .. + D − 1 and is complete once its last sample is; at most Q = BufferSamples / D complete
        // buffers wait in the queue, a completing buffer drops the oldest queued one, and the DMA goes round a ring
        // of Q + 1 buffers, so the buffer being read is written over once Q + 1 later ones have started. Only a
        // position on a buffer boundary takes a new buffer; in the middle of one, only that overwrite matters: the
        // rest of the buffer is discarded and counted lost. A new overflow is counted and told to the sink; losses while
        // the loop is still catching up with one are added to it.
        private void CheckOverflow()
        {
            long d = _settings.DmaBufferSamples;
            long q = _settings.BufferSamples / d;
            long pos = _micNext - _dmaStart;
            long complete = IndexAtOrAfter(_clock.NowMicros + 1) - 1;   // samples below this index are complete
            long done = (complete - _dmaStart) / d;
            if (done < 0) done = 0;
            long lost;
            if (pos % d != 0)
            {
                if (done < pos / d + q + 1) return;
                long rest = d - pos % d;
                DiscardFromMic(rest, false);
                lost = rest;
                CheckOverflowAtBoundary(d, q, ref lost);
            }
            else
            {
                lost = 0;
                CheckOverflowAtBoundary(d, q, ref lost);
                if (lost == 0) return;
            }
            _counters.SamplesLost += lost;
            if (_recovering) return;
            _recovering = true;
            _counters.Overflows++;
            _sink.FifoOverflow(_detector.Step, _clock.NowMicros);
        }

        private void CheckOverflowAtBoundary(long d, long q, ref long lost)
        {
            long complete = IndexAtOrAfter(_clock.NowMicros + 1) - 1;
            long done = (complete - _dmaStart) / d;
            long next = (_micNext - _dmaStart) / d;
            long oldest = done - q;
            if (oldest <= next) return;
            lost += (oldest - next) * d;
            _micNext = _dmaStart + oldest * d;
        }

        private void SkipSpan(int k)
        {
            _frontEnd.SkipFrames(k);
            bool fired = _detector.SkipSamples(k);
            _counters.SkippedFrames += k;
            if (_observer != null) _observer.Skipped(k);
            if (fired) Report();
            if (_settings.Policy != MicPolicy.SleepThroughSpans || !_mic.Running) return;
            long wanted = _frontEnd.SamplesWritten;             // first sample of the next needed window
            long startAt = CaptureMicros(wanted) - _settings.MicStartupMicros - _settings.RestartMarginMicros;
            long now = _clock.NowMicros;
            long wait = startAt - now;
            if (wait <= _settings.BreakEvenMicros) return;      // keep clocked: the span's samples are discarded in Align
            _mic.Stop();
            _counters.MicStops++;
            if (_watchdog != null) _watchdog.Alive(wait);
            _sleep.LightSleep(wait - _settings.WakeLatencyMicros);
            _counters.LightSleeps++;
            _counters.LightSleepMicros += wait;
            long restart = _clock.NowMicros;
            _mic.Start();
            _micNext = IndexAtOrAfter(restart);
            _dmaStart = _micNext;
            _validFrom = IndexAtOrAfter(restart + _settings.MicStartupMicros);
            _suspect = false;
        }

        // Every word that fired in the last call, oldest frame first, lowest class first on a tie.
        private void Report()
        {
            _events.Clear();
            _events.Collect(_detector);
            long now = _clock.NowMicros;
            for (int i = 0; i < _events.Count; i++)
            {
                _counters.Events++;
                _sink.Event(_events.StepAt(i), _events.ClassAt(i), _events.ConfidenceAt(i), now);
            }
        }
    }
}
