using System;

namespace SkipRnn.Edge.Streaming
{
    /// <summary>
    /// A fixed-capacity list of events (sample index, class, Q0.15 confidence) collected from a
    /// <see cref="StreamDetector"/> after each Push/SkipSamples: every class in its LastFiredMask, oldest sample first,
    /// lowest class first on a tie. A caller that hands over a lot of input at once reads the list afterwards and
    /// clears it; events past the capacity are counted in <see cref="Lost"/>. No allocation after construction.
    /// </summary>
    public sealed class EventList
    {
        private readonly long[] _step;
        private readonly int[] _class;
        private readonly int[] _confidence;
        private int _count;
        private long _lost;

        /// <summary>Room for <paramref name="capacity"/> events.</summary>
        public EventList(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity");
            _step = new long[capacity];
            _class = new int[capacity];
            _confidence = new int[capacity];
        }

        /// <summary>Events held.</summary>
        public int Count { get { return _count; } }
        /// <summary>Events that did not fit since the last <see cref="Clear"/>.</summary>
        public long Lost { get { return _lost; } }
        /// <summary>Sample index of event <paramref name="i"/>.</summary>
        public long StepAt(int i) { return _step[i]; }
        /// <summary>Class of event <paramref name="i"/>.</summary>
        public int ClassAt(int i) { return _class[i]; }
        /// <summary>Confidence (Q0.15) of event <paramref name="i"/>.</summary>
        public int ConfidenceAt(int i) { return _confidence[i]; }

        /// <summary>Empties the list.</summary>
        public void Clear()
        {
            _count = 0;
            _lost = 0;
        }

        /// <summary>Appends the events of the detector's last Push/SkipSamples; returns how many fired.</summary>
        public int Collect(StreamDetector detector)
        {
            if (detector == null) throw new ArgumentNullException("detector");
            return Collect(detector.Smoother);
        }

        /// <summary>Appends the events of the smoother's last Observe (its FiredMask); returns how many fired.</summary>
        public int Collect(EventSmoother s)
        {
            if (s == null) throw new ArgumentNullException("s");
            int pending = s.FiredMask;
            int n = 0;
            while (pending != 0)
            {
                int pick = -1;
                for (int c = 0; c < EventRule.MaxClasses; c++)
                {
                    if (((pending >> c) & 1) == 0) continue;
                    if (pick < 0 || s.LastEventStepOf(c) < s.LastEventStepOf(pick)) pick = c;
                }
                pending &= ~(1 << pick);
                n++;
                if (_count == _step.Length)
                {
                    _lost++;
                    continue;
                }
                _step[_count] = s.LastEventStepOf(pick);
                _class[_count] = pick;
                _confidence[_count] = s.LastEventConfidenceOf(pick);
                _count++;
            }
            return n;
        }
    }
}
