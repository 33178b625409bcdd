using System;

namespace SkipRnn.Edge.Streaming
{
    /// <summary>
    /// The integer event rule over a stream of per-sample head classes (argmax), skipped samples included.
    /// Per sample, for every class c: score_c += ((c == class ? 32768 : 0) − score_c) &gt;&gt; shift (arithmetic
    /// shift, i.e. floor): the Q0.15 share of recent samples whose head voted c. Every event class e of the rule
    /// (<see cref="EventRule.EventMask"/>) has its own state: when armed, e fires once its share reaches On and at
    /// least RefractorySteps samples have passed since e last fired, then stays disarmed until its share falls below
    /// Off, and (rule version 3) only once its share has stayed at or above its On for <see cref="EventRule.MinSteps"/>
    /// consecutive samples; On and Off may differ per class (<see cref="EventRule.OnOf"/>). A head flickering for a few samples never reaches On; hysteresis gives one event per sustained run; the
    /// refractory period stops a dip-and-recover from counting twice. With one event class this is the motion rule,
    /// mirrored bit for bit by models/train/motion/events.py (detect_events); with several it is
    /// models/train/keyword/stream.py's detect_keywords (the same rule per class).
    /// <para>
    /// Several classes on one sample: each fires (an event per class, all in <see cref="FiredMask"/>); the one
    /// reported as <see cref="LastEventClass"/> is the lowest class index. Votes are one-hot, so the shares sum to at
    /// most 32768 and two classes can reach On together only when On ≤ 16384.
    /// </para>
    /// <para>
    /// During skipped samples the class is constant, so the scores reach a fixed point after at most about
    /// 11·2^shift samples; from then on <see cref="Observe"/> costs O(classes) however many samples it is given.
    /// No allocation after construction.
    /// </para>
    /// </summary>
    public sealed class EventSmoother
    {
        private readonly EventRule _rule;
        private readonly int[] _score;     // Q0.15 per class
        private readonly int _events;      // classes 0.._events−1 may be event classes
        private readonly int[] _eventClasses; // the rule's event classes, ascending (per-sample loops visit only these)
        private readonly bool[] _armed;    // per class (event classes only)
        private readonly bool[] _had;      // per class: has fired
        private readonly long[] _lastStep; // per class: sample of its last event
        private readonly int[] _lastConf;  // per class: its share then
        private readonly long[] _runStart; // per class: first sample of the current run at or above its On (−1: below)
        private long _step;                // samples observed so far (index of the next sample)
        private int _class = -1;           // head class of the current run
        private bool _settled;             // scores at their fixed point for _class
        private bool _hadEvent;
        private long _lastEventStep;
        private int _lastEventClass;
        private int _lastEventConfidence;
        private int _firedMask;
        private int _current;

        /// <summary>Allocates the per-class scores and states for a head of <paramref name="classes"/> outputs.</summary>
        public EventSmoother(EventRule rule, int classes)
        {
            if (rule == null) throw new ArgumentNullException("rule");
            if (classes < 1 || !rule.FitsHead(classes)) throw new ArgumentOutOfRangeException("classes");
            _rule = rule;
            _score = new int[classes];
            _events = classes < EventRule.MaxClasses ? classes : EventRule.MaxClasses;
            _armed = new bool[_events];
            _had = new bool[_events];
            _lastStep = new long[_events];
            _lastConf = new int[_events];
            _runStart = new long[_events];
            int n = 0;
            for (int e = 0; e < _events; e++) if (((rule.EventMask >> e) & 1) != 0) n++;
            _eventClasses = new int[n];
            n = 0;
            for (int e = 0; e < _events; e++) if (((rule.EventMask >> e) & 1) != 0) _eventClasses[n++] = e;
            Reset();
        }

        /// <summary>The rule's constants.</summary>
        public EventRule Rule { get { return _rule; } }
        /// <summary>Samples observed since the last <see cref="Reset"/>.</summary>
        public long Step { get { return _step; } }
        /// <summary>The smoothed class: the largest share (first on ties); 0 before any sample.</summary>
        public int CurrentClass { get { return _current; } }
        /// <summary>Q0.15 share of recent samples that voted <paramref name="cls"/>.</summary>
        public int Score(int cls) { return _score[cls]; }
        /// <summary>True once an event has fired.</summary>
        public bool HasEvent { get { return _hadEvent; } }
        /// <summary>Sample index (0-based from Reset) of the last event.</summary>
        public long LastEventStep { get { return _lastEventStep; } }
        /// <summary>Class of the last event (lowest class index among events on the same sample); the rule's lowest event class before any.</summary>
        public int LastEventClass { get { return _lastEventClass; } }
        /// <summary>The last event's class share when it fired (Q0.15, ≥ On).</summary>
        public int LastEventConfidence { get { return _lastEventConfidence; } }
        /// <summary>The rule's lowest event class (its only one for a single-class rule).</summary>
        public int EventClass { get { return _rule.EventClass; } }
        /// <summary>The classes that fired during the last <see cref="Observe"/> call (bit c for class c; 0 if none).</summary>
        public int FiredMask { get { return _firedMask; } }
        /// <summary>True once event class <paramref name="cls"/> has fired.</summary>
        public bool HasEventOf(int cls) { return cls >= 0 && cls < _events && _had[cls]; }
        /// <summary>Sample index of event class <paramref name="cls"/>'s last event.</summary>
        public long LastEventStepOf(int cls) { return _lastStep[cls]; }
        /// <summary>Event class <paramref name="cls"/>'s share when it last fired (Q0.15).</summary>
        public int LastEventConfidenceOf(int cls) { return _lastConf[cls]; }
        /// <summary>True while event class <paramref name="cls"/> may fire again (its share has been below its Off since it last fired).</summary>
        public bool IsArmed(int cls) { return cls >= 0 && cls < _events && _armed[cls]; }
        /// <summary>First sample of event class <paramref name="cls"/>'s current run at or above its On (−1: below).</summary>
        public long RunStartOf(int cls) { return _runStart[cls]; }

        /// <summary>Forgets everything: scores 0, every class armed, no event, step 0.</summary>
        public void Reset()
        {
            for (int c = 0; c < _score.Length; c++) _score[c] = 0;
            for (int c = 0; c < _events; c++)
            {
                _armed[c] = true;
                _had[c] = false;
                _lastStep[c] = 0;
                _lastConf[c] = 0;
                _runStart[c] = -1;
            }
            _step = 0;
            _class = -1;
            _settled = false;
            _hadEvent = false;
            _lastEventStep = 0;
            _lastEventClass = _rule.EventClass;
            _lastEventConfidence = 0;
            _firedMask = 0;
            _current = 0;
        }

        /// <summary>
        /// <paramref name="samples"/> more samples whose head class is <paramref name="cls"/>. Returns true when an
        /// event fired among them; <see cref="FiredMask"/> says which classes (each class fires at most once per call:
        /// the class is constant, so every share moves one way).
        /// </summary>
        public bool Observe(int cls, int samples)
        {
            if (cls < 0 || cls >= _score.Length) throw BadClass(_score.Length);
            if (samples < 0) throw BadCount();
            _firedMask = 0;
            if (cls != _class)
            {
                _class = cls;
                _settled = false;
            }
            int minSteps = _rule.MinSteps;
            while (samples > 0)
            {
                if (_settled)
                {
                    // Nothing moves any more; only a refractory period that ends inside this span can fire.
                    long fireAt = long.MaxValue;
                    for (int k = 0; k < _eventClasses.Length; k++)
                    {
                        int e = _eventClasses[k];
                        if (!_armed[e] || _score[e] < _rule.OnOf(e)) continue;
                        long at = _had[e] ? _lastStep[e] + _rule.RefractorySteps : _step;
                        long longEnough = _runStart[e] + minSteps - 1;
                        if (at < longEnough) at = longEnough;
                        if (at < _step) at = _step;
                        if (at < fireAt) fireAt = at;
                    }
                    if (fireAt < _step + samples)
                    {
                        samples -= (int)(fireAt - _step) + 1;
                        _step = fireAt;
                        for (int k = 0; k < _eventClasses.Length; k++)
                        {
                            int e = _eventClasses[k];
                            if (!_armed[e] || _score[e] < _rule.OnOf(e)) continue;
                            if ((!_had[e] || _step - _lastStep[e] >= _rule.RefractorySteps) && _step - _runStart[e] + 1 >= minSteps) Fire(e);
                        }
                        _step++;
                        continue;
                    }
                    _step += samples;
                    break;
                }
                bool changed = false;
                int best = 0;
                for (int c = 0; c < _score.Length; c++)
                {
                    int s = _score[c];
                    int d = ((c == cls ? EventRule.One : 0) - s) >> _rule.Shift;
                    if (d != 0)
                    {
                        _score[c] = s + d;
                        changed = true;
                    }
                    if (_score[c] > _score[best]) best = c;
                }
                _current = best;
                if (!changed) _settled = true;
                for (int k = 0; k < _eventClasses.Length; k++)
                {
                    int e = _eventClasses[k];
                    int share = _score[e];
                    int on = _rule.OnOf(e);
                    if (share < on) _runStart[e] = -1;
                    else if (_runStart[e] < 0) _runStart[e] = _step;
                    if (_armed[e] && share >= on && (!_had[e] || _step - _lastStep[e] >= _rule.RefractorySteps) &&
                        _step - _runStart[e] + 1 >= minSteps)
                        Fire(e);
                    else if (!_armed[e] && share < _rule.OffOf(e))
                        _armed[e] = true;
                }
                _step++;
                samples--;
            }
            return _firedMask != 0;
        }

        private void Fire(int e)
        {
            _armed[e] = false;
            _had[e] = true;
            _lastStep[e] = _step;
            _lastConf[e] = _score[e];
            _firedMask |= 1 << e;
            // Classes are checked in ascending order on each sample, so the first to fire on a new sample is the lowest.
            if (!_hadEvent || _lastEventStep != _step)
            {
                _hadEvent = true;
                _lastEventStep = _step;
                _lastEventClass = e;
                _lastEventConfidence = _score[e];
            }
        }

        private static Exception BadClass(int classes)
        {
            return new ArgumentOutOfRangeException("cls", "must be 0.." + (classes - 1).ToString());
        }

        private static Exception BadCount()
        {
            return new ArgumentOutOfRangeException("samples", "must not be negative");
        }
    }
}
