using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Format
{
    /// <summary>
    /// Little-endian reads from a byte array that never step outside [position, end): every read first
    /// checks the bytes are there and otherwise throws <see cref="ModelFormatException"/> naming the field.
    /// </summary>
    internal sealed class ByteCursor
    {
        private readonly byte[] _data;
        private readonly int _end;
        private int _pos;

        public ByteCursor(byte[] data, int start, int end)
        {
            _data = data;
            _pos = start;
            _end = end;
        }

        public int Remaining { get { return _end - _pos; } }

        /// <summary>Throws unless <paramref name="count"/> more bytes are left (count may be huge: a long).</summary>
        public void Need(long count, string field)
        {
            if (count < 0 || count > _end - _pos)
                throw new ModelFormatException(field, "the file ends after " + (_end - _pos).ToString() +
                    " more bytes, " + count.ToString() + " needed (truncated or wrong size)");
        }

        public int U8(string field)
        {
            Need(1, field);
            return _data[_pos++];
        }

        public int U16(string field)
        {
            Need(2, field);
            int v = _data[_pos] | (_data[_pos + 1] << 8);
            _pos += 2;
            return v;
        }

        public short I16(string field)
        {
            return (short)U16(field);
        }

        public int I32(string field)
        {
            Need(4, field);
            int v = _data[_pos] | (_data[_pos + 1] << 8) | (_data[_pos + 2] << 16) | (_data[_pos + 3] << 24);
            _pos += 4;
            return v;
        }

        public long I64(string field)
        {
            uint lo = (uint)I32(field);
            uint hi = (uint)I32(field);
            return (long)(((ulong)hi << 32) | lo);
        }

        /// <summary>Reads an int32 that must lie in [min, max].</summary>
        public int I32In(string field, int min, int max)
        {
            int v = I32(field);
            if (v < min || v > max)
                throw new ModelFormatException(field, "is " + v.ToString() + ", must be " + min.ToString() + ".." + max.ToString());
            return v;
        }

        /// <summary>Reads a uint16 that must lie in [min, max].</summary>
        public int U16In(string field, int min, int max)
        {
            int v = U16(field);
            if (v < min || v > max)
                throw new ModelFormatException(field, "is " + v.ToString() + ", must be " + min.ToString() + ".." + max.ToString());
            return v;
        }

        /// <summary>Reads a uint8 that must lie in [min, max].</summary>
        public int U8In(string field, int min, int max)
        {
            int v = U8(field);
            if (v < min || v > max)
                throw new ModelFormatException(field, "is " + v.ToString() + ", must be " + min.ToString() + ".." + max.ToString());
            return v;
        }
    }
}
