namespace SkipRnn.Edge.Format
{
    /// <summary>
    /// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF),
    /// the same as zlib's and System.IO.Hashing.Crc32. Written out because the device has no hashing library.
    /// <para>
    /// Slicing by 4 (four 256-entry tables, 4 KiB): four bytes per step with one xor of a little-endian word
    /// and four lookups, about 14 IL instructions per byte on the interpreter where the byte-at-a-time loop
    /// takes 21; the CRC is most of a model's load time.
    /// </para>
    /// </summary>
    public static class Crc32
    {
        private static readonly uint[] T0 = BuildTable();
        private static readonly uint[] T1 = NextSlice(T0, T0);
        private static readonly uint[] T2 = NextSlice(T0, T1);
        private static readonly uint[] T3 = NextSlice(T0, T2);

        /// <summary>CRC-32 of data[offset .. offset+count).</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            uint[] t0 = T0, t1 = T1, t2 = T2, t3 = T3;
            uint crc = 0xFFFFFFFF;
            int i = offset;
            int end4 = offset + (count & ~3);
            int end = offset + count;
            while (i < end4)
            {
                // Each byte is xor-ed into its byte of the CRC inside the index (no word assembled first).
                crc = t3[(crc ^ data[i]) & 0xFF] ^ t2[((crc >> 8) ^ data[i + 1]) & 0xFF]
                    ^ t1[((crc >> 16) ^ data[i + 2]) & 0xFF] ^ t0[(crc >> 24) ^ data[i + 3]];
                i += 4;
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
