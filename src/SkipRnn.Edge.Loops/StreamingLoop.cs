using System;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Application
{
    /// <summary>
    /// The always-on application loop: a <see cref="StreamDetector"/> fed from a FIFO sensor, sleeping through
    /// everything it does not need. Per step: when the model needs the next sample, wait until it is in the FIFO
    /// (light sleep when the wait is longer than the break-even time, else idle), read it, update; when the model
    /// says the next n samples are not needed, account them in O(1) and either drain-and-discard them from the
    /// FIFO or power the sensor down (<see cref="SkipPolicy"/>). Events go to the <see cref="IEventSink"/>.
    /// <para>
    /// Time model: sample i arrives at Origin + i·SamplePeriod, Origin being the first power-up plus the start-up
    /// time, corrected as samples come (the sensor's clock drifts against the board's): a needed sample found with
    /// newer ones behind it pulls the grid in, one that had to be polled for pushes it out. The loop only sleeps
    /// towards a sample's due time; if the sample is not there yet it polls, never using a wrong sample. With the sensor on, the loop also wakes
    /// before the FIFO can fill (Capacity − FifoHeadroomSamples samples), so a long skipped span cannot overflow it.
    /// </para>
    /// <para>
    /// Faults (<see cref="SensorFaultException"/>) never leave the loop: a transient one is retried with backoff while
    /// the FIFO has room (nothing lost), a FIFO the board layer realigned costs the one sample a cut read took, any
    /// other re-initialises the sensor and resynchronises on the grid. Needed samples that are lost (to a fault or an
    /// overflow) are gone past as <see cref="LoopSettings.AfterLoss"/> says. <see cref="Watchdog"/> gets a heartbeat.
    /// </para>
    /// No allocation after construction (a fault's message aside).
    /// </summary>
    public sealed class StreamingLoop
    {
        private readonly StreamDetector _detector;
        private readonly IFifoSensor _sensor;
        private readonly IClock _clock;
        private readonly ISleepTimer _sleep;
        private readonly IEventSink _sink;
        private readonly ILoopObserver _observer;
        private readonly LoopSettings _settings;
        private readonly LoopCounters _counters = new LoopCounters();
        private readonly int[] _frame;
        private readonly EventList _events = new EventList(EventRule.MaxClasses);
        private long _origin;          // µs at which sample 0 arrives
        private long _toDiscard;       // skipped samples ahead of the next needed one that the FIFO still holds or will receive
        private bool _started;
        private bool _sensorOn;
        private bool _retrying;        // a transient fault is being retried (one fault, however many attempts)
        private long _retrySince;      // µs of its first failure
        private long _retryBackoff;
        private LoopWatchdog _watchdog;

        /// <summary>
        /// The loop over <paramref name="detector"/> (freshly reset) on this board. <paramref name="observer"/> may
        /// be null (a real board). Throws <see cref="ArgumentException"/> on settings that cannot work.
        /// </summary>
        public StreamingLoop(StreamDetector detector, IFifoSensor sensor, IClock clock, ISleepTimer sleep,
            IEventSink sink, LoopSettings settings, ILoopObserver observer)
        {
            if (detector == null) throw new ArgumentNullException("detector");
            if (sensor == null) throw new ArgumentNullException("sensor");
            if (clock == null) throw new ArgumentNullException("clock");
            if (sleep == null) throw new ArgumentNullException("sleep");
            if (sink == null) throw new ArgumentNullException("sink");
            if (settings == null) throw new ArgumentNullException("settings");
            int inputs = detector.Rnn.Model.InputSize;
            if (sensor.FrameSize != inputs)
                throw new ArgumentException("the sensor delivers " + sensor.FrameSize.ToString() + " values per sample, the model needs " + inputs.ToString());
            settings.Check(sensor.Capacity);
            _detector = detector;
            _sensor = sensor;
            _clock = clock;
            _sleep = sleep;
            _sink = sink;
            _settings = settings;
            _observer = observer;
            _frame = new int[inputs];
        }

        /// <summary>The detector (model state, event rule).</summary>
        public StreamDetector Detector { get { return _detector; } }
        /// <summary>What the loop has done so far.</summary>
        public LoopCounters Counters { get { return _counters; } }
        /// <summary>The parameters.</summary>
        public LoopSettings Settings { get { return _settings; } }
        /// <summary>
        /// The heartbeat a board's watchdog checks (may be null): the loop says it is alive at every step and before
        /// every wait, with the wait's length.
        /// </summary>
        public LoopWatchdog Watchdog { get { return _watchdog; } set { _watchdog = value; } }
        /// <summary>When sample <paramref name="index"/> is due (µs on the board clock), once started.</summary>
        public long DueMicros(long index) { return _origin + index * _settings.SamplePeriodMicros; }

        /// <summary>Powers the sensor up and starts the sample clock. Called by the first <see cref="RunOnce"/> if not before.</summary>
        public void Start()
        {
            if (_started) return;
            _sensor.PowerUp();
            _sensorOn = true;
            _origin = _clock.NowMicros + _settings.SensorStartupMicros;
            _started = true;
        }

        /// <summary>One step of the loop: one update (waiting for its sample) or one skipped span. A board calls it forever.</summary>
        public void RunOnce()
        {
            RunOnce(long.MaxValue);
        }

        /// <summary>Runs until <paramref name="samples"/> samples (read or skipped) have gone by; a skipped span is cut there.</summary>
        public void RunUntil(long samples)
        {
            while (_detector.Step < samples) RunOnce(samples);
        }

        private void RunOnce(long limit)
        {
            if (_watchdog != null) _watchdog.Alive(0);
            try
            {
                Step(limit);
                _retrying = false;
            }
            catch (SensorFaultException e)
            {
                if (e.OldestLost) LoseOldest();
                else if (e.Transient) Retry(e.Message, limit);
                else
                {
                    bool counted = _retrying;
                    _retrying = false;
                    Recover(e.Message, limit, !counted);
                }
            }
        }

        // A transient fault (a bus error that left part and FIFO intact): counted once, told once, retried after a
        // doubling wait while the FIFO still has room for what arrives meanwhile; nothing is lost. Past that (the bus
        // stays down), the sensor is re-initialised as after any other fault.
        private void Retry(string why, long limit)
        {
            long now = _clock.NowMicros;
            if (!_retrying)
            {
                _retrying = true;
                _retrySince = now;
                _retryBackoff = _settings.ReinitBackoffMicros;
                _counters.SensorFaults++;
                _counters.TransientFaults++;
                _sink.Message("sensor fault " + _counters.SensorFaults.ToString() + " at sample " + _detector.Step.ToString() + ": " + why + "; retrying");
            }
            else
            {
                _counters.RetryFailures++;
            }
            long budget = (long)(_sensor.Capacity - _settings.FifoHeadroomSamples) * _settings.SamplePeriodMicros;
            if (now - _retrySince + _retryBackoff > budget)
            {
                _retrying = false;
                Recover(why + " for " + ((now - _retrySince) / 1000).ToString() + " ms, longer than the FIFO holds", limit, false);
                return;
            }
            WaitUntil(now + _retryBackoff, now);
            _retryBackoff = _retryBackoff * 2 > _settings.ReinitBackoffMaxMicros ? _settings.ReinitBackoffMaxMicros : _retryBackoff * 2;
        }

        // The board layer realigned its FIFO by dropping the rest of the oldest sample, which a failed transfer had cut:
        // a skipped sample is no longer to be discarded; a needed one is lost (LoseNeeded).
        private void LoseOldest()
        {
            _counters.Realignments++;
            if (_toDiscard > 0)
            {
                _toDiscard--;
                _counters.DiscardedSamples++;
                return;
            }
            _counters.MissedSamples++;
            _counters.SamplesLostToFaults++;
            LoseNeeded(1, true);
        }

        // n samples from the next needed one are gone: the model goes past them as LoopSettings.AfterLoss says; after an
        // overflow (!fault) it holds its state whatever the policy: the CPU fell behind, more updates would deepen that.
        private void LoseNeeded(int n, bool fault)
        {
            if (fault && _settings.AfterLoss == LossPolicy.RepeatLastSample && _counters.Reads > 0)
            {
                // The skip schedule runs as usual; each update it asks for is made on the last sample read.
                while (n > 0)
                {
                    int skip = _detector.SamplesToSkip;
                    if (skip > 0)
                    {
                        if (skip > n) skip = n;
                        bool skipFired = _detector.SkipSamples(skip);
                        n -= skip;
                        if (_observer != null) _observer.Skipped(skip);
                        if (skipFired) Report();
                    }
                    else
                    {
                        long index = _detector.Step;
                        bool fired = _detector.Push(_frame);
                        n--;
                        _counters.RepeatedUpdates++;
                        if (_observer != null) _observer.Updated(index);
                        if (fired) Report();
                    }
                }
                return;
            }
            bool missFired = _detector.MissSamples(n);
            if (_settings.AfterLoss == LossPolicy.ResetState) _detector.Rnn.Reset();
            if (_observer != null) _observer.Skipped(n);
            if (missFired) Report();
        }

        private void Step(long limit)
        {
            Start();
            int n = _detector.SamplesToSkip;
            if (n > 0)
            {
                if (n > limit - _detector.Step) n = (int)(limit - _detector.Step);
                SkipSpan(n);
                return;
            }
            if (!AwaitNeededSample(limit)) return;
            _sensor.Read(_frame);
            _counters.Reads++;
            long index = _detector.Step;
            bool fired = _detector.Push(_frame);
            if (_observer != null) _observer.Updated(index);
            if (fired) Report();
        }

        private void SkipSpan(int n)
        {
            long next = _detector.Step + n;          // the next sample the model will need
            bool fired = _detector.SkipSamples(n);
            _counters.SkippedSamples += n;
            if (_observer != null) _observer.Skipped(n);
            if (fired) Report();
            if (_settings.Policy == SkipPolicy.PowerDownSensor && _sensorOn)
            {
                long powerUpAt = DueMicros(next) - _settings.SensorStartupMicros;
                long now = _clock.NowMicros;
                if (powerUpAt - now > _settings.BreakEvenMicros)
                {
                    // Everything in the FIFO and everything until the power-up belongs to skipped spans.
                    _sensor.PowerDown();
                    _sensorOn = false;
                    _counters.SensorPowerDowns++;
                    _toDiscard = 0;
                    WaitUntil(powerUpAt, now);
                    _sensor.PowerUp();
                    _sensorOn = true;
                    return;
                }
            }
            _toDiscard += n;
        }

        // Waits until the sample the model needs next is first in the FIFO. False when samples lost to an overflow took
        // the loop to the limit (no sample to read).
        private bool AwaitNeededSample(long limit)
        {
            long needed = _detector.Step;
            bool polled = false;
            while (true)
            {
                int available = _sensor.SamplesAvailable;
                if (available > _counters.FifoHighWater) _counters.FifoHighWater = available;
                if (_sensor.TakeOverflow())
                {
                    _counters.FifoOverflows++;
                    _sink.FifoOverflow(needed, _clock.NowMicros);
                    if (!LoseDueSamples(limit)) return false;
                    needed = _detector.Step;
                    available = _sensor.SamplesAvailable;
                }
                // One call; after a failed transfer it says how many went, so the loop knows which samples are gone.
                if (_toDiscard > 0 && available > 0)
                {
                    int want = _toDiscard < available ? (int)_toDiscard : available;
                    int gone = _sensor.Discard(want);
                    if (gone < 1 || gone > want)
                        throw new SensorFaultException("the sensor dropped " + gone.ToString() + " of " + want.ToString() + " samples", true, false);
                    _counters.DiscardedSamples += gone;
                    _toDiscard -= gone;
                    available -= gone;
                    // A transfer failed part-way: the samples before it are gone, the rest is a failed transfer like any other.
                    if (gone < want)
                        throw new SensorFaultException("a FIFO read failed after " + gone.ToString() + " of " + want.ToString() + " skipped samples were dropped", true, false);
                }
                long now = _clock.NowMicros;
                if (_toDiscard == 0 && available > 0)
                {
                    Track(needed, available, polled, now);
                    return true;
                }
                if (available == 0 && now > DueMicros(needed - _toDiscard) + _settings.SensorSilentMicros)
                {
                    _counters.SensorSilences++;
                    throw new SensorFaultException("no sample for " + ((now - DueMicros(needed - _toDiscard)) / 1000).ToString() + " ms: the sensor stopped sampling");
                }
                long target = DueMicros(needed);
                if (_toDiscard > 0)
                {
                    // The FIFO is empty and skipped samples are still coming: be back before it fills.
                    long oldest = needed - _toDiscard;
                    long drainAt = DueMicros(oldest + _sensor.Capacity - _settings.FifoHeadroomSamples - 1);
                    if (drainAt < target) target = drainAt;
                }
                if (target <= now)
                {
                    target = now + _settings.PollMicros;
                    _counters.Polls++;
                    polled = true;
                }
                WaitUntil(target, now);
            }
        }

        // After an overflow the sensor restarted its FIFO empty (IFifoSensor.TakeOverflow): every sample due by now is gone,
        // by the grid. Skipped ones are no longer to be discarded; needed ones are missed (the model holds its state,
        // StreamDetector.MissSamples, and the next sample still updates), so the step index stays the sensor's sample
        // index and the next sample read is the one the loop means. False when the missed samples reach the limit.
        private bool LoseDueSamples(long limit)
        {
            long now = _clock.NowMicros;
            long lastDue = now < _origin ? -1 : (now - _origin) / _settings.SamplePeriodMicros;
            long needed = _detector.Step;
            long oldest = needed - _toDiscard;                  // first sample not yet taken out of the FIFO
            if (lastDue < oldest) return true;
            if (lastDue < needed)
            {
                _toDiscard = needed - 1 - lastDue;              // the skipped samples still to come
                return true;
            }
            _toDiscard = 0;
            long k = lastDue - needed + 1;
            if (k > limit - needed) k = limit - needed;        // ≥ 1: RunOnce runs below the limit
            if (k > int.MaxValue) k = int.MaxValue;
            _counters.MissedSamples += k;
            LoseNeeded((int)k, false);
            return _detector.Step < limit;
        }

        // A sensor fault (SensorFaultException, or silence, or a transient one that lasted too long): counted (unless
        // already counted as a transient fault) and told to the sink; the part is powered down and re-initialised with
        // backoff until it answers, timed so that its first sample is a sample of the loop's grid
        // (as after a power-down for a skipped span). Samples before that one are gone: needed ones are lost
        // (LoseNeeded), skipped ones no longer to be discarded. Never throws a sensor fault out.
        private void Recover(string why, long limit, bool count)
        {
            if (count) _counters.SensorFaults++;
            _sink.Message("sensor fault " + _counters.SensorFaults.ToString() + " at sample " + _detector.Step.ToString() + ": " + why + "; re-initialising");
            long backoff = _settings.ReinitBackoffMicros;
            while (true)
            {
                try
                {
                    _sensor.PowerDown();
                }
                catch (SensorFaultException)
                {
                    // a part that does not answer is powered up (re-initialised) all the same
                }
                _sensorOn = false;
                long now = _clock.NowMicros;
                WaitUntil(now + backoff, now);
                now = _clock.NowMicros;
                // The first grid sample whose power-up time is still ahead.
                long k = (now + _settings.SensorStartupMicros - _origin) / _settings.SamplePeriodMicros + 1;
                if (k < 0) k = 0;
                WaitUntil(DueMicros(k) - _settings.SensorStartupMicros, now);
                try
                {
                    _sensor.PowerUp();
                    _sensor.TakeOverflow();
                }
                catch (SensorFaultException)
                {
                    _counters.ReinitFailures++;
                    backoff = backoff * 2 > _settings.ReinitBackoffMaxMicros ? _settings.ReinitBackoffMaxMicros : backoff * 2;
                    continue;
                }
                _sensorOn = true;
                _counters.SensorReinits++;
                Resume(k, limit);
                return;
            }
        }

        // The sensor restarted with sample k first: the loop's position follows (needed step, skipped samples to drop).
        private void Resume(long k, long limit)
        {
            long needed = _detector.Step;
            if (k <= needed)
            {
                _toDiscard = needed - k;
                return;
            }
            _toDiscard = 0;
            long miss = k - needed;
            if (miss > limit - needed) miss = limit - needed;
            if (miss > int.MaxValue) miss = int.MaxValue;
            if (miss <= 0) return;
            _counters.MissedSamples += miss;
            _counters.SamplesLostToFaults += miss;
            LoseNeeded((int)miss, true);
        }

        // The sensor's clock is not the board's (MPU-6050: ±1 %): follow it, or the error grows without bound. The
        // newest sample in the FIFO arrived by now, so a grid that says it is still to come runs late: pull it in. A
        // needed sample we had to poll for came after its due time: the grid runs early: push it out.
        private void Track(long needed, int available, bool polled, long now)
        {
            long newest = needed + available - 1;
            if (DueMicros(newest) > now) _origin = now - newest * _settings.SamplePeriodMicros;
            else if (polled) _origin = now - needed * _settings.SamplePeriodMicros;
        }

        private void WaitUntil(long target, long now)
        {
            long wait = target - now;
            if (wait <= 0) return;
            if (_watchdog != null) _watchdog.Alive(wait);
            if (wait > _settings.BreakEvenMicros)
            {
                _sleep.LightSleep(wait - _settings.WakeLatencyMicros);
                _counters.LightSleeps++;
                _counters.LightSleepMicros += wait;
            }
            else
            {
                _sleep.Idle(wait);
                _counters.IdleMicros += wait;
            }
        }

        // Every class that fired in the last call, oldest sample first, lowest class first on a tie (one event per call
        // unless the rule has several event classes).
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
