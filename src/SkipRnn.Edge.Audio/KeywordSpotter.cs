using System;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Always-on keyword spotting: microphone samples in, events out. The model file's front end
    /// (<see cref="FrontEndSpec"/>) says which features the model reads and its event rule how the head's class becomes
    /// events. The board hands over every buffer it records, of any size; the spotter computes a frame's features
    /// only when the Skip-GRU updates on that frame, and samples that no coming update needs are passed over
    /// without even entering the ring buffer. No allocation after construction.
    /// <code>
    /// var spotter = new KeywordSpotter(model);
    /// while (true)
    /// {
    ///     int n = ReadMicrophone(buf);                       // any count
    ///     if (spotter.Write(buf, 0, n)) Report(spotter.Detector.LastEventClass, spotter.Detector.LastEventStep);
    /// }
    /// </code>
    /// A call reports whether at least one event fired; <see cref="Fired"/> lists the events of the last call (up to 64;
    /// hand over a hop at a time, 320 samples, to be sure to see each one) and <see cref="Events"/> counts them all.
    /// </summary>
    public sealed class KeywordSpotter
    {
        private readonly AudioFrontEnd _frontEnd = new AudioFrontEnd();
        private readonly StreamDetector _detector;
        private readonly int[] _features = new int[AudioFrontEnd.Bands];
        private int _drop;
        private long _events;
        private readonly EventList _fired = new EventList(2 * EventRule.MaxClasses);

        /// <summary>A spotter for <paramref name="model"/>, which must carry a front end and an event rule.</summary>
        public KeywordSpotter(SkipGruModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            if (model.FrontEnd == null)
                throw new ModelFormatException("front_end", "is absent from this model file: it was not trained on audio features");
            _detector = new StreamDetector(model);
        }

        /// <summary>The detector (Skip-GRU, counters, event rule state).</summary>
        public StreamDetector Detector { get { return _detector; } }
        /// <summary>The front end (frames computed and skipped).</summary>
        public AudioFrontEnd FrontEnd { get { return _frontEnd; } }
        /// <summary>The events of the last <see cref="Write"/> call (frame index, class, confidence), oldest first.</summary>
        public EventList Fired { get { return _fired; } }
        /// <summary>Events fired since the start.</summary>
        public long Events { get { return _events; } }
        /// <summary>Samples handed over so far.</summary>
        public long Samples { get { return _frontEnd.SamplesWritten - _drop; } }

        /// <summary>Hands over <paramref name="count"/> samples. True if at least one event fired.</summary>
        public bool Write(short[] pcm, int offset, int count)
        {
            if (pcm == null) throw new ArgumentNullException("pcm");
            if (offset < 0 || count < 0 || offset > pcm.Length - count) throw new ArgumentOutOfRangeException("count");
            bool fired = false;
            _fired.Clear();
            while (count > 0)
            {
                if (_drop > 0)
                {
                    int d = _drop < count ? _drop : count;     // not needed by any coming update: not even stored
                    _drop -= d;
                    offset += d;
                    count -= d;
                    continue;
                }
                int n = _frontEnd.SamplesToNextFrame;
                if (n > count) n = count;
                _frontEnd.Write(pcm, offset, n);
                offset += n;
                count -= n;
                if (!_frontEnd.FrameReady) continue;
                if (_frontEnd.ComputeAndPush(_detector, _features)) { fired = true; _events += _fired.Collect(_detector); }
                int skip = _detector.SamplesToSkip;
                if (skip > 0)
                {
                    _drop = _frontEnd.SkipFrames(skip);
                    if (_detector.SkipSamples(skip)) { fired = true; _events += _fired.Collect(_detector); }
                }
            }
            return fired;
        }

        /// <summary>Starts over (an always-on stream does this once).</summary>
        public void Reset()
        {
            _frontEnd.Reset();
            _detector.Reset();
            _drop = 0;
            _events = 0;
            _fired.Clear();
        }
    }
}
