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

        /// <summary>The bytes read from.</summary>
        public byte[] Data { get { return _data; } }

        /// <summary>Index in <see cref="Data"/> of the next byte to read.</summary>
        public int Position { get { return _pos; } }

        /// <summary>Steps over <paramref name="count"/> bytes the caller has checked are there (<see cref="Need"/>).</summary>
        public void Skip(int count)
        {
            _pos += count;
        }

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

        // Bulk reads: one bounds check for the whole run, then a plain loop. The per-value reads above cost the
        // interpreter two calls per value, which made loading cost as much as a dozen updates.

        /// <summary>Reads <paramref name="count"/> uint8 values.</summary>
        public byte[] Bytes(int count, string field)
        {
            Need(count, field);
            byte[] v = new byte[count];
            System.Array.Copy(_data, _pos, v, 0, count);
            _pos += count;
            return v;
        }

        /// <summary>Reads <paramref name="count"/> int16 values into v[start ..].</summary>
        public void Int16s(short[] v, int start, int count, string field)
        {
            Need(2L * count, field);
            byte[] d = _data;
            int p = _pos;
            int i = start, end = start + count;
            if (System.BitConverter.IsLittleEndian)
            {
                // Four values per native call (the file is little-endian, so is the machine).
                for (int end4 = start + (count & ~3); i < end4; i += 4, p += 8)
                {
                    long q = System.BitConverter.ToInt64(d, p);
                    v[i] = (short)q;
                    v[i + 1] = (short)(q >> 16);
                    v[i + 2] = (short)(q >> 32);
                    v[i + 3] = (short)(q >> 48);
                }
            }
            for (; i < end; i++, p += 2) v[i] = (short)(d[p] | (d[p + 1] << 8));
            _pos = p;
        }

        /// <summary>Reads <paramref name="count"/> int32 values into v[start ..].</summary>
        public void Int32s(int[] v, int start, int count, string field)
        {
            Need(4L * count, field);
            byte[] d = _data;
            int p = _pos;
            int i = start, end = start + count;
            if (System.BitConverter.IsLittleEndian)
            {
                // Two values per native call (the file is little-endian, so is the machine).
                for (int end2 = start + (count & ~1); i < end2; i += 2, p += 8)
                {
                    long q = System.BitConverter.ToInt64(d, p);
                    v[i] = (int)q;
                    v[i + 1] = (int)(q >> 32);
                }
            }
            for (; i < end; i++, p += 4)
                v[i] = d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | (d[p + 3] << 24);
            _pos = p;
        }
    }
}