namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// A weight matrix laid out for the nanoFramework interpreter, built once at load time from the row-major
    /// int8/int16 weights: one <c>long[Cols]</c> "lane array" per group of rows, a group being either
    /// <list type="bullet">
    /// <item>two adjacent int8 rows r, r+1 packed as w[r,j]·2^32 + w[r+1,j] (a paired group), or</item>
    /// <item>one row, widened to long (int16 weights, a last odd row, or a pair the proof below refuses).</item>
    /// </list>
    /// <para>
    /// Why: the interpreter's cost is per IL instruction, not per bit. One int64 multiply of a paired lane by
    /// x[j] forms both rows' products at once: Σ_j lane[j]·x[j] = A·2^32 + B with A, B the two rows' sums,
    /// as long as neither sum leaves int32. The loader proves that per row: Σ|w|·32768 ≤ 2^31 − 1, i.e.
    /// Σ|w| ≤ 65535 (any int8 row up to 511 columns, 516 without −128), since |x| ≤ 32768. Then B is the low 32 bits of the
    /// accumulator read as signed, and A = (acc − B) / 2^32, exactly; int64 wrap-around, were it to happen, would
    /// not change either (two's complement arithmetic is modulo 2^64).
    /// </para>
    /// Costs RAM: 4 bytes per int8 weight and 8 per int16 weight, beside the model's own arrays.
    /// </summary>
    public sealed class PackedWeights
    {
        /// <summary>Largest Σ|w| of a row that may be packed: Σ|w| · 32768 must stay below 2^31.</summary>
        public const long MaxPackedRowAbsSum = 65535;

        /// <summary>Lane arrays, one per group, each <see cref="Cols"/> long.</summary>
        public long[][] Lanes { get; private set; }
        /// <summary>First row of each group.</summary>
        public int[] FirstRow { get; private set; }
        /// <summary>True when the group holds two rows (FirstRow and FirstRow + 1).</summary>
        public bool[] Paired { get; private set; }
        /// <summary>For each row, the group it starts, or −1 when it is a paired group's second row.</summary>
        public int[] GroupOfRow { get; private set; }
        /// <summary>Groups in use (the arrays above may be longer).</summary>
        public int GroupCount { get; private set; }
        /// <summary>True when every group is a single row (then group g is row g): int16 weights, or no pair passed.</summary>
        public bool AllSingle { get; private set; }
        /// <summary>Columns of the matrix.</summary>
        public int Cols { get; private set; }
        /// <summary>Σ_j |w[r,j]| per row, computed while packing (the loader's overflow proof reuses it).</summary>
        public long[] RowAbsSum { get; private set; }

        // |(sbyte)b| for every byte value b: the loader's row sums look it up instead of branching.
        internal static readonly int[] AbsOfByte = BuildAbsOfByte();

        private static int[] BuildAbsOfByte()
        {
            int[] t = new int[256];
            for (int b = 0; b < 256; b++) t[b] = b < 128 ? b : 256 - b;
            return t;
        }

        private PackedWeights(int rows, int cols)
        {
            Cols = cols;
        }

        /// <summary>
        /// Packs a rows × cols row-major matrix of <paramref name="bits"/>-bit weights (8 or 16) straight from the
        /// model file's little-endian bytes at data[offset ..] (bounds already checked). The model reader's way in
        /// (the array constructor lays its arrays out the same way and comes here too); on the interpreter one pass
        /// over the bytes costs less than half of copying them out and then packing the copy (the copy is not made:
        /// QuantizedMatrix decodes one only when asked).
        /// </summary>
        public static PackedWeights FromBytes(byte[] data, int offset, int bits, int rows, int cols)
        {
            PackedWeights p = new PackedWeights(rows, cols);
            long[] absSum = new long[rows];
            long[][] lanes = new long[rows][];
            int[] firstRow = new int[rows];
            bool[] paired = new bool[rows];
            int[] groupOfRow = new int[rows];
            int g = 0;
            if (bits == 8)
            {
                int[] abs = AbsOfByte;
                // Eight columns per native read where the machine is little-endian like the file and the row is
                // short enough for PackPairWords' 16-bit sums.
                bool words = System.BitConverter.IsLittleEndian && cols <= MaxWordPackCols;
                int r = 0;
                while (r < rows)
                {
                    long[] lane = new long[cols];
                    int k = r * cols;          // index of w[r, 0] in row-major order
                    int q = offset + k;        // and in the file
                    if (r + 1 < rows)
                    {
                        int sumHi, sumLo;
                        if (words)
                        {
                            long sums = PackPairWords(data, q, cols, lane);
                            sumHi = (int)(sums >> 32);
                            sumLo = (int)sums;
                        }
                        else
                        {
                            // One pass: the pair's lane and both rows' |w| sums (int: ≤ 4096 · 128).
                            sumHi = 0; sumLo = 0;
                            for (int j = 0; j < cols; j++, q++)
                            {
                                int hi = data[q];
                                int lo = data[q + cols];
                                lane[j] = ((long)(sbyte)hi << 32) + (sbyte)lo;
                                sumHi += abs[hi];
                                sumLo += abs[lo];
                            }
                        }
                        absSum[r] = sumHi;
                        absSum[r + 1] = sumLo;
                        if (sumHi <= MaxPackedRowAbsSum && sumLo <= MaxPackedRowAbsSum)
                        {
                            lanes[g] = lane;
                            firstRow[g] = r;
                            paired[g] = true;
                            groupOfRow[r] = g;
                            groupOfRow[r + 1] = -1;
                            g++;
                            r += 2;
                            continue;
                        }
                        // The proof fails (rare: long rows of large weights): two single-row groups instead.
                        long[] second = new long[cols];
                        for (int j = 0, qq = offset + k; j < cols; j++, qq++)
                        {
                            lane[j] = (sbyte)data[qq];
                            second[j] = (sbyte)data[qq + cols];
                        }
                        lanes[g] = lane; firstRow[g] = r; groupOfRow[r] = g; g++;
                        lanes[g] = second; firstRow[g] = r + 1; groupOfRow[r + 1] = g; g++;
                        r += 2;
                        continue;
                    }
                    int sum = 0;
                    for (int j = 0; j < cols; j++, q++)
                    {
                        int b = data[q];
                        lane[j] = (sbyte)b;
                        sum += abs[b];
                    }
                    absSum[r] = sum;
                    lanes[g] = lane; firstRow[g] = r; groupOfRow[r] = g; g++;
                    r++;
                }
            }
            else
            {
                // int16: one row per group. Four weights per native BitConverter.ToInt64 call where the machine is
                // little-endian (as the file is), else two bytes at a time.
                bool native = System.BitConverter.IsLittleEndian;
                int cols4 = cols & ~3;
                int q = offset;
                for (int r = 0; r < rows; r++)
                {
                    long[] lane = new long[cols];
                    long sum = 0;
                    int j = 0;
                    if (native)
                    {
                        // |w| of the four weights summed two per 32-bit half of a word (see AbsSum16).
                        ulong pairSums = 0;
                        for (; j < cols4; j += 4, q += 8)
                        {
                            long v = System.BitConverter.ToInt64(data, q);
                            lane[j] = (short)v;
                            lane[j + 1] = (short)(v >> 16);
                            lane[j + 2] = (short)(v >> 32);
                            lane[j + 3] = (short)(v >> 48);
                            ulong u = (ulong)v;
                            ulong neg = (u >> 15) & 0x0001000100010001UL;
                            u = (u ^ (neg * 0xFFFF)) + neg;
                            pairSums += (u & 0x0000FFFF0000FFFFUL) + ((u >> 16) & 0x0000FFFF0000FFFFUL);
                        }
                        sum = (long)(pairSums & 0xFFFFFFFFUL) + (long)(pairSums >> 32);
                    }
                    for (; j < cols; j++, q += 2)
                    {
                        int w = (short)(data[q] | (data[q + 1] << 8));
                        lane[j] = w;
                        sum += w < 0 ? -w : w;
                    }
                    absSum[r] = sum;
                    lanes[g] = lane; firstRow[g] = r; groupOfRow[r] = g; g++;
                }
            }
            p.GroupCount = g;
            p.AllSingle = g == rows;
            p.Lanes = lanes;
            p.FirstRow = firstRow;
            p.Paired = paired;
            p.GroupOfRow = groupOfRow;
            p.RowAbsSum = absSum;
            return p;
        }

        /// <summary>Longest int8 row <see cref="PackPairWords"/> takes: its 16-bit sums hold 255 words of 8 bytes.</summary>
        public const int MaxWordPackCols = 2040;

        /// <summary>
        /// Packs rows r (high half) and r + 1 (low half) of an int8 matrix from the file's bytes at data[q ..] and
        /// data[q + cols ..] into <paramref name="lane"/>, eight columns per native <c>BitConverter.ToInt64</c> per
        /// row, and returns both rows' Σ|w| as (Σ_hi &lt;&lt; 32) | Σ_lo.
        /// <para>
        /// Why so: on the interpreter the byte-at-a-time loop costs about 1,000 x86 instructions per weight. Here
        /// |w| is taken for eight bytes at once (SWAR): a negative byte b (top bit set) becomes (b ^ 0xFF) + 1 = −b,
        /// at most 128, so no byte carries into the next; then the eight magnitudes are added pairwise into four
        /// 16-bit sums, each growing by at most 256 per word, so 255 words (<see cref="MaxWordPackCols"/>) fit.
        /// </para>
        /// </summary>
        private static long PackPairWords(byte[] data, int q, int cols, long[] lane)
        {
            const ulong Ones = 0x0101010101010101UL;
            const ulong EvenBytes = 0x00FF00FF00FF00FFUL;
            ulong sumsHi = 0, sumsLo = 0;   // four 16-bit sums each
            int cols8 = cols & ~7;
            int j = 0;
            for (; j < cols8; j += 8, q += 8)
            {
                long hi = System.BitConverter.ToInt64(data, q);
                long lo = System.BitConverter.ToInt64(data, q + cols);
                lane[j] = ((long)(sbyte)hi << 32) + (sbyte)lo;
                lane[j + 1] = ((long)(sbyte)(hi >> 8) << 32) + (sbyte)(lo >> 8);
                lane[j + 2] = ((long)(sbyte)(hi >> 16) << 32) + (sbyte)(lo >> 16);
                lane[j + 3] = ((long)(sbyte)(hi >> 24) << 32) + (sbyte)(lo >> 24);
                lane[j + 4] = ((long)(sbyte)(hi >> 32) << 32) + (sbyte)(lo >> 32);
                lane[j + 5] = ((long)(sbyte)(hi >> 40) << 32) + (sbyte)(lo >> 40);
                lane[j + 6] = ((long)(sbyte)(hi >> 48) << 32) + (sbyte)(lo >> 48);
                lane[j + 7] = ((long)(sbyte)(hi >> 56) << 32) + (sbyte)(lo >> 56);
                ulong u = (ulong)hi;
                ulong neg = (u >> 7) & Ones;
                u = (u ^ (neg * 0xFF)) + neg;
                sumsHi += (u & EvenBytes) + ((u >> 8) & EvenBytes);
                u = (ulong)lo;
                neg = (u >> 7) & Ones;
                u = (u ^ (neg * 0xFF)) + neg;
                sumsLo += (u & EvenBytes) + ((u >> 8) & EvenBytes);
            }
            long sumHi = (long)((sumsHi & 0xFFFF) + ((sumsHi >> 16) & 0xFFFF) + ((sumsHi >> 32) & 0xFFFF) + (sumsHi >> 48));
            long sumLo = (long)((sumsLo & 0xFFFF) + ((sumsLo >> 16) & 0xFFFF) + ((sumsLo >> 32) & 0xFFFF) + (sumsLo >> 48));
            int[] abs = AbsOfByte;
            for (; j < cols; j++, q++)
            {
                int h = data[q];
                int l = data[q + cols];
                lane[j] = ((long)(sbyte)h << 32) + (sbyte)l;
                sumHi += abs[h];
                sumLo += abs[l];
            }
            return (sumHi << 32) | sumLo;
        }

        /// <summary>
        /// Packs a rows × cols row-major matrix (exactly one of <paramref name="w8"/>, <paramref name="w16"/>
        /// non-null, sizes already checked). Rows 2i and 2i+1 are paired when both are int8 and both pass the proof.
        /// The weights are laid out as the model file stores them and packed by <see cref="FromBytes"/>: one packing
        /// routine for both ways in (this one runs once per matrix, off the device's load path).
        /// </summary>
        public PackedWeights(sbyte[] w8, short[] w16, int rows, int cols)
        {
            int count = rows * cols;
            byte[] bytes = new byte[w8 != null ? count : 2 * count];
            if (w8 != null)
                for (int i = 0; i < count; i++) bytes[i] = (byte)w8[i];
            else
                for (int i = 0, q = 0; i < count; i++, q += 2)
                {
                    bytes[q] = (byte)w16[i];
                    bytes[q + 1] = (byte)(w16[i] >> 8);
                }
            PackedWeights p = FromBytes(bytes, 0, w8 != null ? 8 : 16, rows, cols);
            Cols = cols;
            GroupCount = p.GroupCount;
            AllSingle = p.AllSingle;
            Lanes = p.Lanes;
            FirstRow = p.FirstRow;
            Paired = p.Paired;
            GroupOfRow = p.GroupOfRow;
            RowAbsSum = p.RowAbsSum;
        }

        /// <summary>True when [rowStart, rowEnd) starts and ends on group boundaries (no pair is split).</summary>
        public bool Covers(int rowStart, int rowEnd)
        {
            int rows = GroupOfRow.Length;
            if (rowStart < 0 || rowStart >= rowEnd || rowEnd > rows) return false;
            return GroupOfRow[rowStart] >= 0 && (rowEnd == rows || GroupOfRow[rowEnd] >= 0);
        }
    }
}
