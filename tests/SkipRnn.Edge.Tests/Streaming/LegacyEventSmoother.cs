using System;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Streaming
{
    /// <summary>
    /// The single-class EventSmoother as it was before event-class sets (commit 6bbdf8e), kept verbatim as the reference
    /// the multi-class smoother must equal bit for bit on every single-class rule (the motion model's included).
    /// </summary>
    public sealed class LegacyEventSmoother
    {
        private readonly EventRule _rule;
        private readonly int[] _score;     // Q0.15 per class
        private long _step;                // samples observed so far (index of the next sample)
        private int _class = -1;           // head class of the current run
        private bool _settled;             // scores at their fixed point for _class
        private bool _armed;
        private bool _hadEvent;
        private long _lastEventStep;
        private int _lastEventConfidence;
        private int _current;

        /// <summary>Allocates the per-class scores for a head of <paramref name="classes"/> outputs.</summary>
        public LegacyEventSmoother(EventRule rule, int classes)
        {
            if (rule == null) throw new ArgumentNullException("rule");
            if (classes <= rule.EventClass) throw new ArgumentOutOfRangeException("classes");
            _rule = rule;
            _score = new int[classes];
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
        /// <summary>The event class's share when the last event fired (Q0.15, ≥ On).</summary>
        public int LastEventConfidence { get { return _lastEventConfidence; } }
        /// <summary>The event class (the rule's).</summary>
        public int EventClass { get { return _rule.EventClass; } }

        /// <summary>Forgets everything: scores 0, armed, no event, step 0.</summary>
        public void Reset()
        {
            for (int c = 0; c < _score.Length; c++) _score[c] = 0;
            _step = 0;
            _class = -1;
            _settled = false;
            _armed = true;
            _hadEvent = false;
            _lastEventStep = 0;
            _lastEventConfidence = 0;
            _current = 0;
        }

        /// <summary>
        /// <paramref name="samples"/> more samples whose head class is <paramref name="cls"/>. Returns true when an
        /// event fired among them (at most one can: the class is constant, so the share moves one way).
        /// </summary>
        public bool Observe(int cls, int samples)
        {
            if (cls < 0 || cls >= _score.Length) throw BadClass(_score.Length);
            if (samples < 0) throw BadCount();
            if (cls != _class)
            {
                _class = cls;
                _settled = false;
            }
            bool fired = false;
            int e = _rule.EventClass;
            while (samples > 0)
            {
                if (_settled)
                {
                    // Nothing moves any more; only a refractory period that ends inside this span can fire.
                    if (_armed && _score[e] >= _rule.On)
                    {
                        long fireAt = _hadEvent ? _lastEventStep + _rule.RefractorySteps : _step;
                        if (fireAt < _step) fireAt = _step;
                        if (fireAt < _step + samples)
                        {
                            samples -= (int)(fireAt - _step) + 1;
                            _step = fireAt;
                            Fire();
                            _step++;
                            fired = true;
                            continue;
                        }
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
                int share = _score[e];
                if (_armed && share >= _rule.On && (!_hadEvent || _step - _lastEventStep >= _rule.RefractorySteps))
                {
                    Fire();
                    fired = true;
                }
                else if (!_armed && share < _rule.Off)
                    _armed = true;
                _step++;
                samples--;
            }
            return fired;
        }

        private void Fire()
        {
            _armed = false;
            _hadEvent = true;
            _lastEventStep = _step;
            _lastEventConfidence = _score[_rule.EventClass];
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
