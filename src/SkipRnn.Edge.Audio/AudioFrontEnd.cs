using System;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// The streaming audio front end: 16 kHz PCM16 in, one frame every <see cref="HopLength"/> samples
    /// (frame t covers samples [320t, 320t + 480)), 40 Q10 log-mel features out, computed only for the frames
    /// the GRU updates on. A skipped frame costs the ring buffer's write and nothing else: no window, no FFT,
    /// no mel, no log.
    /// <code>
    /// var fe = new AudioFrontEnd();  var rnn = new SkipGru(model);  var x = new int[AudioFrontEnd.Bands];
    /// while (true)
    /// {
    ///     int n = fe.SamplesToNextFrame;                      // 480 at the start, then 320
    ///     ReadMicrophone(buf, n);  fe.Write(buf, 0, n);        // now a frame ends at the newest sample
    ///     fe.ComputeFrame(x);  rnn.Step(x);
    ///     int skip = rnn.StepsToSkip;
    ///     if (skip > 0) { DropMicrophoneSamples(fe.SkipFrames(skip));  rnn.Skip(skip); }
    /// }
    /// </code>
    /// (or, reading every sample anyway: write each hop and call <see cref="SkipFrame"/> for each skipped frame.)
    /// No allocation after construction.
    /// </summary>
    public sealed class AudioFrontEnd
    {
        /// <summary>Sample rate the features are defined for.</summary>
        public const int SampleRate = 16000;
        /// <summary>Samples per frame (30 ms).</summary>
        public const int FrameLength = LogMelPipeline.FrameLength;
        /// <summary>Samples between frames (20 ms).</summary>
        public const int HopLength = 320;
        /// <summary>Features per frame.</summary>
        public const int Bands = LogMelPipeline.Bands;
        /// <summary>Fractional bits of a feature (Q10: feature / 1024 = ln(E + 10^−6)).</summary>
        public const int FeatureFractionBits = LogEnergy.OutputFractionBits;

        private readonly AudioRingBuffer _ring = new AudioRingBuffer(FrameLength);
        private readonly short[] _frame = new short[FrameLength];
        private readonly LogMelPipeline _pipeline = new LogMelPipeline();
        private long _computed, _skipped;

        /// <summary>The per-frame pipeline (its stage buffers hold the last computed frame).</summary>
        public LogMelPipeline Pipeline { get { return _pipeline; } }
        /// <summary>Samples written so far.</summary>
        public long SamplesWritten { get { return _ring.Written; } }
        /// <summary>Frames whose features were computed.</summary>
        public long FramesComputed { get { return _computed; } }
        /// <summary>Frames passed over with <see cref="SkipFrame"/>.</summary>
        public long FramesSkipped { get { return _skipped; } }

        /// <summary>True when the newest sample ends a frame (a frame's 480 samples are in the ring).</summary>
        public bool FrameReady
        {
            get
            {
                long w = _ring.Written;
                return _ring.Valid == FrameLength && (w - FrameLength) % HopLength == 0;
            }
        }

        /// <summary>Appends samples (any count). Returns <see cref="FrameReady"/>.</summary>
        public bool Write(short[] pcm, int offset, int count)
        {
            _ring.Write(pcm, offset, count);
            return FrameReady;
        }

        /// <summary>
        /// Counts <paramref name="count"/> samples as written without storing them, for a caller that keeps the samples
        /// itself (KeywordLoop's ring of raw I2S frames) and hands each computed frame's window over with
        /// <see cref="PushWindow"/> or <see cref="PushSlots"/>; <see cref="ComputeFrame"/> and
        /// <see cref="ComputeAndPush"/> must not be used after it. Returns <see cref="FrameReady"/>.
        /// </summary>
        public bool Pass(int count)
        {
            _ring.Pass(count);
            return FrameReady;
        }

        /// <summary>Samples to write before the next frame ends: 480 − written at the start, then up to 320.</summary>
        public int SamplesToNextFrame
        {
            get
            {
                long w = _ring.Written;
                if (_ring.Valid < FrameLength) return FrameLength - _ring.Valid;   // start, or after SkipFrames
                return HopLength - (int)((w - FrameLength) % HopLength);
            }
        }

        /// <summary>Counts the ready frame as skipped (the GRU does not update on it; nothing is computed).</summary>
        public void SkipFrame()
        {
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            _skipped++;
        }

        /// <summary>
        /// Skips the next <paramref name="frames"/> frames (≥ 1) right after a ready frame, and returns how many
        /// coming samples are not needed at all: 320·frames − 160, the samples before the window of the next
        /// frame the GRU updates on. The caller drops them unread; <see cref="SamplesToNextFrame"/> is then 480.
        /// </summary>
        public int SkipFrames(int frames)
        {
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            if (frames < 1 || frames > 1 << 20) throw new ArgumentOutOfRangeException("frames");
            int drop = HopLength * frames - (FrameLength - HopLength);
            _ring.Advance(drop);
            _skipped += frames;
            return drop;
        }

        /// <summary>
        /// The next <paramref name="frames"/> frames (≥ 1) are lost: their samples never arrived (a microphone buffer
        /// overrun). They are counted as skipped, nothing is computed, and the front end moves to the window of the
        /// frame after them: <see cref="SamplesWritten"/> becomes that window's first sample (320 × frames so far) and
        /// <see cref="SamplesToNextFrame"/> 480. Any state between frames (a frame partly written) is dropped.
        /// </summary>
        public void MissFrames(int frames)
        {
            if (frames < 1 || frames > 1 << 20) throw new ArgumentOutOfRangeException("frames");
            long next = (_computed + _skipped + frames) * HopLength;   // the first sample of the next frame's window
            long drop = next - _ring.Written;
            if (drop < 0) throw new InvalidOperationException("samples past the next frame's window were written");
            _ring.Advance((int)drop);
            _skipped += frames;
        }

        /// <summary>Computes the ready frame's 40 features into <paramref name="features"/>[0..40).</summary>
        public void ComputeFrame(int[] features)
        {
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            _ring.CopyLatest(_frame, FrameLength);
            _pipeline.Compute(_frame, 0, features, 0);
            _computed++;
        }

        /// <summary>
        /// Computes the ready frame and gives it to <paramref name="detector"/> (<see cref="StreamDetector.Push"/>): through
        /// the runner's frame kernel when it has one (a custom firmware's native front end: window, FFT, mel, log and the
        /// update in one call, the same integers), else <see cref="ComputeFrame"/> and Push. <paramref name="features"/>
        /// receives the 40 features either way. True if an event fired.
        /// </summary>
        public bool ComputeAndPush(StreamDetector detector, int[] features)
        {
            if (!detector.Rnn.UsesFrameKernel)
            {
                ComputeFrame(features);
                return detector.Push(features);
            }
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            _ring.CopyLatest(_frame, FrameLength);
            bool fired = detector.PushFrame(_frame, features);
            _computed++;
            return fired;
        }

        /// <summary>
        /// The ready frame from the caller's copy of its window (<paramref name="window"/>[0..480), oldest first: the
        /// samples <see cref="Pass"/> counted): its features and <see cref="StreamDetector.Push"/>. True if an event fired.
        /// </summary>
        public bool PushWindow(StreamDetector detector, short[] window, int[] features)
        {
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            _pipeline.Compute(window, 0, features, 0);
            _computed++;
            return detector.Push(features);
        }

        /// <summary>
        /// The ready frame from the caller's ring of raw I2S frames (<see cref="I2sSlots"/>; the window starts at slot
        /// <paramref name="first"/>) through the runner's frame kernel (<see cref="StreamDetector.PushSlots"/>: unpacked,
        /// features and update in one native call). Only when <c>detector.Rnn.UsesFrameKernel</c>. True if an event fired.
        /// </summary>
        public bool PushSlots(StreamDetector detector, byte[] slots, int first, int[] features)
        {
            if (!FrameReady) throw new InvalidOperationException("no frame ends at the newest sample");
            bool fired = detector.PushSlots(slots, first, features);
            _computed++;
            return fired;
        }

        /// <summary>Forgets all samples and counts.</summary>
        public void Reset()
        {
            _ring.Clear();
            _computed = 0;
            _skipped = 0;
        }
    }
}
