using System;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// The last <see cref="Capacity"/> PCM16 samples: all that the next frame needs. Writing is a copy into
    /// a circular array (what a skipped frame costs); <see cref="CopyLatest"/> unrolls the newest samples in
    /// time order for the frame being computed. No allocation after construction.
    /// </summary>
    public sealed class AudioRingBuffer
    {
        private readonly short[] _data;
        private int _next;          // where the next sample goes
        private long _written;
        private int _valid;         // newest samples actually stored (Advance passes samples without storing them)

        /// <summary>Keeps the last <paramref name="capacity"/> samples.</summary>
        public AudioRingBuffer(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity");
            _data = new short[capacity];
        }

        /// <summary>Samples kept.</summary>
        public int Capacity { get { return _data.Length; } }
        /// <summary>Samples written since construction or <see cref="Clear"/>.</summary>
        public long Written { get { return _written; } }
        /// <summary>Newest samples held (up to <see cref="Capacity"/>; 0 right after <see cref="Advance"/>).</summary>
        public int Valid { get { return _valid; } }

        /// <summary>Appends <paramref name="count"/> samples from <paramref name="source"/>[offset ..].</summary>
        public void Write(short[] source, int offset, int count)
        {
            if (source == null) throw new ArgumentNullException("source");
            if (offset < 0 || count < 0 || offset > source.Length - count) throw new ArgumentOutOfRangeException("count");
            int cap = _data.Length;
            _written += count;
            _valid = count >= cap - _valid ? cap : _valid + count;
            if (count > cap) { offset += count - cap; count = cap; }   // older samples would be overwritten anyway
            while (count > 0)
            {
                int n = cap - _next;
                if (n > count) n = count;
                Array.Copy(source, offset, _data, _next, n);
                offset += n;
                count -= n;
                _next += n;
                if (_next == cap) _next = 0;
            }
        }

        /// <summary>
        /// Counts <paramref name="count"/> samples as passed without storing them (samples no frame will need).
        /// The kept samples become stale: write at least <see cref="Capacity"/> samples before reading a frame.
        /// </summary>
        public void Advance(int count)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            _written += count;
            _valid = 0;
            _next = (int)((_next + (long)count) % _data.Length);
        }

        /// <summary>
        /// Counts <paramref name="count"/> samples as arrived without storing them: for a caller that keeps the samples
        /// itself (<see cref="AudioFrontEnd.Pass"/>). <see cref="Valid"/> grows as with <see cref="Write"/>, but the
        /// stored values are stale: <see cref="CopyLatest"/> must not be used on them.
        /// </summary>
        public void Pass(int count)
        {
            if (count < 0) throw new ArgumentOutOfRangeException("count");
            int cap = _data.Length;
            _written += count;
            _valid = count >= cap - _valid ? cap : _valid + count;
            _next = (int)((_next + (long)count) % cap);
        }

        /// <summary>Copies the newest <paramref name="count"/> samples, oldest first, into <paramref name="destination"/>.</summary>
        public void CopyLatest(short[] destination, int count)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            if (count < 0 || count > _data.Length || count > destination.Length || count > _valid)
                throw new ArgumentOutOfRangeException("count");
            int start = _next - count;
            if (start >= 0)
            {
                Array.Copy(_data, start, destination, 0, count);
            }
            else
            {
                int tail = -start;                       // samples at the end of the array
                Array.Copy(_data, _data.Length - tail, destination, 0, tail);
                Array.Copy(_data, 0, destination, tail, _next);
            }
        }

        /// <summary>Forgets every sample.</summary>
        public void Clear()
        {
            _next = 0;
            _written = 0;
            _valid = 0;
        }
    }
}
