using System;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Streaming
{
    /// <summary>
    /// Always-on event detection: a <see cref="SkipGru"/> that is reset once and then runs forever on raw
    /// sensor frames, and the integer <see cref="EventSmoother"/> over its head's class. The board asks
    /// <see cref="SamplesToSkip"/> after every frame: that many coming samples need not be read at all
    /// (sensor and CPU may sleep), and are accounted for with <see cref="SkipSamples"/> in O(1) once the
    /// smoother has settled. No allocation after construction.
    /// <code>
    /// var d = new StreamDetector(model);               // model.EventRule from the model file
    /// while (true)
    /// {
    ///     int n = d.SamplesToSkip;
    ///     bool fired = n > 0 ? d.SkipSamples(n) : d.Push(ReadSensor());
    ///     if (fired) Report(d.LastEventClass, d.LastEventStep, d.LastEventConfidence);
    /// }
    /// </code>
    /// </summary>
    public sealed class StreamDetector
    {
        private readonly SkipGru _rnn;
        private readonly EventSmoother _smoother;

        /// <summary>Runs <paramref name="model"/> with the event rule stored in its file.</summary>
        public StreamDetector(SkipGruModel model) : this(model, RuleOf(model)) { }

        /// <summary>Runs <paramref name="model"/> with <paramref name="rule"/>.</summary>
        public StreamDetector(SkipGruModel model, EventRule rule)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (rule == null) throw new ArgumentNullException("rule");
            if (!rule.FitsHead(model.OutputSize))
                throw new ModelFormatException("event_rule.event_class", "is outside the model's head");
            _rnn = new SkipGru(model);
            _smoother = new EventSmoother(rule, model.OutputSize);
        }

        /// <summary>The Skip-GRU underneath (counters, state, outputs).</summary>
        public SkipGru Rnn { get { return _rnn; } }
        /// <summary>The event rule's state (scores, current class).</summary>
        public EventSmoother Smoother { get { return _smoother; } }
        /// <summary>How many coming samples are not needed: skip them with <see cref="SkipSamples"/>.</summary>
        public int SamplesToSkip { get { return _rnn.StepsToSkip; } }
        /// <summary>True when the next sample must be read and given to <see cref="Push"/>.</summary>
        public bool NextSampleNeeded { get { return _rnn.StepsToSkip == 0; } }
        /// <summary>Samples consumed since the start (read or skipped).</summary>
        public long Step { get { return _smoother.Step; } }
        /// <summary>The head's class as of the last update (−1 before the first).</summary>
        public int HeadClass { get { return _rnn.HasOutput ? _rnn.ArgMax() : -1; } }
        /// <summary>The smoothed activity (largest vote share).</summary>
        public int CurrentClass { get { return _smoother.CurrentClass; } }
        /// <summary>Class of the last event (the lowest class index when several fired on the same sample).</summary>
        public int LastEventClass { get { return _smoother.LastEventClass; } }
        /// <summary>Every class that fired during the last Push/SkipSamples (bit c for class c); per class: Smoother.LastEventStepOf(c).</summary>
        public int LastFiredMask { get { return _smoother.FiredMask; } }
        /// <summary>Sample index of the last event.</summary>
        public long LastEventStep { get { return _smoother.LastEventStep; } }
        /// <summary>Confidence of the last event: the event class's vote share then, Q0.15.</summary>
        public int LastEventConfidence { get { return _smoother.LastEventConfidence; } }

        /// <summary>One raw frame (InputSize sensor integers), when <see cref="NextSampleNeeded"/>. True if an event fired.</summary>
        public bool Push(int[] rawFrame)
        {
            if (_rnn.StepsToSkip > 0) throw NotNeeded();
            _rnn.Step(rawFrame);
            return _smoother.Observe(_rnn.ArgMax(), 1);
        }

        /// <summary>
        /// <see cref="Push"/> from a raw frame through the runner's frame kernel (<see cref="SkipGru.StepFromFrame"/>: the
        /// native front end and update in one call); <paramref name="inputs"/> receives the computed inputs.
        /// </summary>
        public bool PushFrame(short[] frame, int[] inputs)
        {
            if (_rnn.StepsToSkip > 0) throw NotNeeded();
            _rnn.StepFromFrame(frame, inputs);
            return _smoother.Observe(_rnn.ArgMax(), 1);
        }

        /// <summary>
        /// <see cref="PushFrame"/> from raw I2S frames (<see cref="SkipGru.StepFromSlots"/>: the frame starts at slot
        /// <paramref name="first"/> of the ring <paramref name="slots"/>, 8 bytes a sample).
        /// </summary>
        public bool PushSlots(byte[] slots, int first, int[] inputs)
        {
            if (_rnn.StepsToSkip > 0) throw NotNeeded();
            _rnn.StepFromSlots(slots, first, inputs);
            return _smoother.Observe(_rnn.ArgMax(), 1);
        }

        /// <summary><paramref name="samples"/> samples not read (0..SamplesToSkip). True if an event fired.</summary>
        public bool SkipSamples(int samples)
        {
            _rnn.Skip(samples);
            return _smoother.Observe(_rnn.ArgMax(), samples);
        }

        /// <summary>
        /// <paramref name="samples"/> samples the model needed but that were lost (a buffer overrun): the Skip-GRU holds
        /// its state (<see cref="SkipGru.Miss"/>) and the event rule goes on with its current class, as through a
        /// skipped span, so the loop can resume on the first sample it still has. Only when
        /// <see cref="NextSampleNeeded"/>. True if an event fired.
        /// </summary>
        public bool MissSamples(int samples)
        {
            _rnn.Miss(samples);
            return _smoother.Observe(_rnn.ArgMax(), samples);
        }

        /// <summary>Starts over: the Skip-GRU's Reset() and a fresh rule state. An always-on stream calls this once.</summary>
        public void Reset()
        {
            _rnn.Reset();
            _smoother.Reset();
        }

        private static EventRule RuleOf(SkipGruModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (model.EventRule == null)
                throw new ModelFormatException("event_rule", "is absent from this model file: give the rule explicitly");
            return model.EventRule;
        }

        private static Exception NotNeeded()
        {
            return new InvalidOperationException("this sample is skipped: call SkipSamples (SamplesToSkip > 0)");
        }
    }
}
