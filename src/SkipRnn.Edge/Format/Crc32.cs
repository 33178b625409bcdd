namespace SkipRnn.Edge.Format
{
    /// <summary>
    /// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF),
    /// the same as zlib's and System.IO.Hashing.Crc32. Written out because the device has no hashing library.
    /// <para>
    /// Slicing by 8 (eight 256-entry tables, 8 KiB): eight bytes per step, read as one little-endian word by
    /// nanoCLR's native <c>BitConverter.ToUInt64</c>, then eight lookups. On the interpreter this costs about
    /// 390 x86 instructions per byte where slicing by 4 over single byte loads cost 535 (and the byte-at-a-time
    /// loop 750); the CRC is the largest part of a model's load time. A big-endian machine (where ToUInt64 would
    /// read the bytes the other way round) takes the byte-at-a-time loop.
    /// </para>
    /// </summary>
    public static class Crc32
    {
        private static readonly uint[] T0 = BuildTable();
        private static readonly uint[] T1 = NextSlice(T0, T0);
        private static readonly uint[] T2 = NextSlice(T0, T1);
        private static readonly uint[] T3 = NextSlice(T0, T2);
        private static readonly uint[] T4 = NextSlice(T0, T3);
        private static readonly uint[] T5 = NextSlice(T0, T4);
        private static readonly uint[] T6 = NextSlice(T0, T5);
        private static readonly uint[] T7 = NextSlice(T0, T6);

        /// <summary>CRC-32 of data[offset .. offset+count).</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            uint[] t0 = T0;
            uint crc = 0xFFFFFFFF;
            int i = offset;
            int end = offset + count;
            if (System.BitConverter.IsLittleEndian)
            {
                uint[] t1 = T1, t2 = T2, t3 = T3, t4 = T4, t5 = T5, t6 = T6, t7 = T7;
                int end8 = offset + (count & ~7);
                while (i < end8)
                {
                    // Bytes i..i+3 are xor-ed into the CRC (the first four lookups), bytes i+4..i+7 enter as they are.
                    // A byte is taken by a conversion to byte (one IL instruction) rather than a mask (two).
                    ulong v = System.BitConverter.ToUInt64(data, i);
                    uint c = crc ^ (uint)v;
                    crc = t7[(byte)c] ^ t6[(byte)(c >> 8)] ^ t5[(byte)(c >> 16)] ^ t4[c >> 24]
                        ^ t3[(byte)(v >> 32)] ^ t2[(byte)(v >> 40)] ^ t1[(byte)(v >> 48)] ^ t0[(int)(v >> 56)];
                    i += 8;
                }
            }
            for (; i < end; i++)
                crc = t0[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }

        private static uint[] BuildTable()
        {
            uint[] table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }

        // Slice k: the CRC of byte n followed by k zero bytes.
        private static uint[] NextSlice(uint[] t0, uint[] previous)
        {
            uint[] table = new uint[256];
            for (int n = 0; n < 256; n++)
                table[n] = (previous[n] >> 8) ^ t0[previous[n] & 0xFF];
            return table;
        }
    }
}
