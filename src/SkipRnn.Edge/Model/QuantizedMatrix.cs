using SkipRnn.Edge.Kernels;

namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// A weight matrix with one requantization (multiplier, shift) per output row: int8 or int16 weights,
    /// row-major. Row r maps the int accumulator Σ_j w[r,j]·x[j] to Q.12 by
    /// <see cref="Requantization.Requantize"/>(acc, Multiplier[r], Shift[r]).
    /// </summary>
    public sealed class QuantizedMatrix
    {
        /// <summary>Largest magnitude of any kernel input: int16 inputs and Q0.15 states.</summary>
        public const long MaxInputMagnitude = 32768;

        /// <summary>Field name used in error messages, e.g. "layer[1].w_hh".</summary>
        public string Name { get; private set; }
        /// <summary>Output rows.</summary>
        public int Rows { get; private set; }
        /// <summary>Input columns.</summary>
        public int Cols { get; private set; }
        /// <summary>8 or 16.</summary>
        public int WeightBits { get; private set; }
        /// <summary>
        /// Weights when <see cref="WeightBits"/> is 8, else null. A matrix the model reader packed keeps no copy
        /// of its stored weights (the runner computes with <see cref="Packed"/>): this decodes one from the
        /// model file's bytes (<see cref="SkipGruModel.SourceFile"/>) on first use.
        /// </summary>
        public sbyte[] Weights8
        {
            get
            {
                if (_w8 == null && _bits == 8 && _source != null) DecodeFromSource();
                return _w8;
            }
        }

        /// <summary>Weights when <see cref="WeightBits"/> is 16, else null (decoded on first use as <see cref="Weights8"/>).</summary>
        public short[] Weights16
        {
            get
            {
                if (_w16 == null && _bits == 16 && _source != null) DecodeFromSource();
                return _w16;
            }
        }

        private sbyte[] _w8;
        private short[] _w16;
        private int _bits;
        private byte[] _source;      // the file, where the weights were packed from it and not copied out
        private int _sourceOffset;

        private void DecodeFromSource()
        {
            int count = _rows * _cols;
            sbyte[] w8 = _bits == 8 ? new sbyte[count] : null;
            short[] w16 = _bits == 16 ? new short[count] : null;
            Decode(_source, _sourceOffset, w8, w16, _rows, _cols);
            _w8 = w8;
            _w16 = w16;
        }
        /// <summary>Per-row requantization multipliers, 0 ≤ m &lt; 2^31.</summary>
        public int[] Multiplier { get; private set; }
        /// <summary>Per-row requantization shifts, 1..62.</summary>
        public byte[] Shift { get; private set; }
        /// <summary>
        /// Validates and wraps the arrays (not copied). Give exactly one of weights8 / weights16.
        /// Throws <see cref="ModelFormatException"/> naming <paramref name="name"/> on any inconsistency,
        /// including a row whose requantization could overflow int64 (the accumulator itself, int64, cannot).
        /// </summary>
        public QuantizedMatrix(string name, int rows, int cols, sbyte[] weights8, short[] weights16,
            int[] multiplier, byte[] shift)
            : this(name, rows, cols, weights8, weights16, multiplier, shift, true)
        {
        }

        /// <summary>
        /// As the other constructor; with <paramref name="pack"/> false no <see cref="Packed"/> layout is built
        /// (RAM: the weights as given only) and the runner uses the reference kernels, with the same results.
        /// </summary>
        public QuantizedMatrix(string name, int rows, int cols, sbyte[] weights8, short[] weights16,
            int[] multiplier, byte[] shift, bool pack)
        {
            Init(name, rows, cols, weights8 != null ? 8 : 16, weights8, weights16, multiplier, shift, pack, null, 0);
        }

        /// <summary>
        /// The model reader's constructor: rows · cols weights of <paramref name="bits"/> bits (8 or 16, checked by
        /// the reader) at data[offset ..] in the file's little-endian order (bounds checked by the reader). With
        /// <paramref name="pack"/> they are packed straight from the bytes (<see cref="PackedWeights.FromBytes"/>)
        /// and no copy is kept (<see cref="Weights8"/> decodes one if asked); else they are decoded into arrays.
        /// </summary>
        internal QuantizedMatrix(string name, int rows, int cols, int bits, int[] multiplier, byte[] shift, bool pack,
            byte[] data, int offset)
        {
            Init(name, rows, cols, bits, null, null, multiplier, shift, pack, data, offset);
        }

        private void Init(string name, int rows, int cols, int bits, sbyte[] weights8, short[] weights16,
            int[] multiplier, byte[] shift, bool pack, byte[] data, int offset)
        {
            Name = name;
            if (rows < 1) throw new ModelFormatException(name, "has " + rows.ToString() + " rows");
            if (cols < 1) throw new ModelFormatException(name, "has " + cols.ToString() + " columns");
            if (data == null)
            {
                if ((weights8 == null) == (weights16 == null))
                    throw new ModelFormatException(name, "needs exactly one of int8 or int16 weights");
                int count = weights8 != null ? weights8.Length : weights16.Length;
                if (count != rows * cols)
                    throw new ModelFormatException(name, "has " + count.ToString() + " weights, expected " + (rows * cols).ToString());
            }
            if (multiplier == null || multiplier.Length != rows)
                throw new ModelFormatException(name + ".multiplier", "needs one value per row");
            if (shift == null || shift.Length != rows)
                throw new ModelFormatException(name + ".shift", "needs one value per row");

            // Packing also sums each row's |w| for the overflow proof below: one pass over the weights. A matrix of
            // at most MaxPremultipliedCols columns is not packed: it gets the premultiplied layout, built below.
            bool premultiply = pack && cols <= MaxPremultipliedCols;
            if (premultiply) pack = false;
            PackedWeights packed = null;
            long[] absSum;
            if (pack)
            {
                packed = data != null ? PackedWeights.FromBytes(data, offset, bits, rows, cols)
                    : new PackedWeights(weights8, weights16, rows, cols);
                absSum = packed.RowAbsSum;
            }
            else if (data != null)
            {
                // No packed layout (the lean load, a premultiplied matrix): the stored weights are decoded.
                if (bits == 8) weights8 = new sbyte[rows * cols];
                else weights16 = new short[rows * cols];
                absSum = Decode(data, offset, weights8, weights16, rows, cols);
            }
            else absSum = RowAbsSums(weights8, weights16, rows, cols);
            long[] round = new long[rows];
            bool neverClamps = true;
            // Written for the interpreter (this loop runs once per row at every load): each value read once into
            // a local, the clamp bound checked only while it still holds.
            for (int r = 0; r < rows; r++)
            {
                int m = multiplier[r];
                if (m < 0)
                    throw new ModelFormatException(name + ".multiplier[" + r.ToString() + "]", "is negative");
                int s = shift[r];
                if ((uint)(s - 1) > 61u)   // s outside 1..62
                    throw new ModelFormatException(name + ".shift[" + r.ToString() + "]", "is " + s.ToString() + ", must be 1..62");

                long half = 1L << (s - 1);
                round[r] = half;
                long worstAcc = absSum[r] * MaxInputMagnitude;   // ≤ 2^15 · 2^15 · 65535 < 2^46
                // |acc| · m + 2^(s−1) must fit int64 so Requantize never wraps: sure when |acc| < 2^31 (then
                // |acc| · m + 2^(s−1) < 2^62 + 2^61), else checked by a division (costly on the interpreter).
                if (worstAcc > int.MaxValue && m > 0 && worstAcc > (long.MaxValue - half) / m)
                    throw new ModelFormatException(name + ".multiplier[" + r.ToString() + "]",
                        "worst-case accumulator times multiplier overflows int64; lower the multiplier's precision");
                // Requantization is monotone in acc: the two worst cases bound every value the row can produce.
                if (neverClamps)
                {
                    long worstProduct = worstAcc * m;   // fits: checked just above
                    if (((worstProduct + half) >> s) > QFormat.PreactLimit || ((half - worstProduct) >> s) < -QFormat.PreactLimit)
                        neverClamps = false;
                }
            }

            // Proven above for every row: |Σ_j w·x| · m + 2^(s−1) fits int64, so each term w·m·x and every partial
            // sum of them does too, and Σ_j (w·m)·x = (Σ_j w·x)·m exactly.
            long[][] premultiplied = null;
            if (premultiply)
            {
                premultiplied = new long[cols][];
                for (int j = 0; j < cols; j++)
                {
                    long[] column = new long[rows];
                    if (weights8 != null)
                        for (int r = 0, k = j; r < rows; r++, k += cols) column[r] = (long)weights8[k] * multiplier[r];
                    else
                        for (int r = 0, k = j; r < rows; r++, k += cols) column[r] = (long)weights16[k] * multiplier[r];
                    premultiplied[j] = column;
                }
            }

            Rows = rows;
            Cols = cols;
            WeightBits = bits;
            _bits = bits;
            _w8 = weights8;
            _w16 = weights16;
            if (packed != null && data != null)
            {
                _source = data;
                _sourceOffset = offset;
            }
            _cols = cols;
            Multiplier = multiplier;
            Shift = shift;
            Packed = packed;
            Premultiplied = premultiplied;
            _premultiplied = premultiplied;
            NeverClamps = neverClamps;
            _round = round;
            _packed = packed;
            _clamp = !neverClamps;
            RawRows = packed != null && packed.AllSingle && neverClamps;
            _rows = rows;
            _multiplier = multiplier;
            _shift = shift;
        }

        /// <summary>
        /// Matrices of at most this many columns (a layer's input side for a few sensor channels) take the
        /// premultiplied layout instead of the packed one: with so few columns a packed pass is mostly overhead.
        /// </summary>
        public const int MaxPremultipliedCols = 4;

        /// <summary>
        /// For a matrix of at most <see cref="MaxPremultipliedCols"/> columns read for the runner: column arrays,
        /// Premultiplied[j][r] = w[r, j] · Multiplier[r] (int64), so a row's requantized value is
        /// (Σ_j Premultiplied[j][r] · x[j] + 2^(s−1)) >> s with no multiply by the multiplier; else null.
        /// </summary>
        public long[][] Premultiplied { get; private set; }

        /// <summary>
        /// True when the runner may requantize the rows itself from <see cref="Accumulate"/>'s exact per-row
        /// accumulators (packed, every group a single row, clamp proved a no-op): each row's value is then
        /// (int)((acc[r] · Multiplier[r] + RoundTerms[r]) >> Shift[r]), as <see cref="Multiply(int, int, short[], int[], long[])"/> gives it.
        /// </summary>
        internal bool RawRows;

        /// <summary>2^(Shift[r] − 1) per row.</summary>
        internal long[] RoundTerms { get { return _round; } }

        /// <summary>sums[r] = Σ_j w[r,j] · x[j] for every row; only where <see cref="RawRows"/>.</summary>
        internal void Accumulate(short[] x, long[] sums)
        {
            MatVec.Accumulate(_packed, 0, _packed.GroupCount, x, sums);
        }

        // Field copies of the properties for Multiply: on the interpreter every property read is a call.
        private long[][] _premultiplied;
        private PackedWeights _packed;
        private int _cols;
        private bool _clamp;
        private int _rows;
        private int[] _multiplier;
        private byte[] _shift;

        private long[] _round;   // 2^(shift − 1) per row, for MatVec.Packed

        /// <summary>
        /// True when the loader proved that no input can drive any row's requantized value to ±PreactLimit
        /// (Σ|w|·32768 · multiplier, requantized, stays inside), so the runner's kernel may skip the clamp.
        /// </summary>
        public bool NeverClamps { get; private set; }

        /// <summary>The same weights in the interpreter's layout (built here, once), or null when not packed.</summary>
        public PackedWeights Packed { get; private set; }

        /// <summary>
        /// output[r] = requantized row r · x, for r in [rowStart, rowEnd). x has <see cref="Cols"/> values.
        /// The reference kernels; the runner uses the overload with a scratch array, which gives the same results.
        /// </summary>
        public void Multiply(int rowStart, int rowEnd, short[] x, int[] output)
        {
            if (Weights8 != null) MatVec.Int8(Weights8, Cols, rowStart, rowEnd, x, Multiplier, Shift, output);
            else MatVec.Int16(Weights16, Cols, rowStart, rowEnd, x, Multiplier, Shift, output);
        }

        /// <summary>
        /// As <see cref="Multiply(int, int, short[], int[])"/>, through the runner's layout (packed, or premultiplied
        /// for 1–4 columns; a range that splits a packed pair, which the runner's never do, is computed over the
        /// whole pairs), or the reference kernels after a lean load.
        /// <paramref name="sums"/> is scratch of at least <see cref="Rows"/> longs.
        /// </summary>
        public void Multiply(int rowStart, int rowEnd, short[] x, int[] output, long[] sums)
        {
            if (_premultiplied != null)
            {
                MatVec.Premultiplied(_premultiplied, rowStart, rowEnd, x, _round, _shift, _clamp, output);
                return;
            }
            if (_packed == null)
            {
                // The lean load: the stored weights were decoded at load (fields, not the decoding properties).
                if (_w8 != null) MatVec.Int8(_w8, _cols, rowStart, rowEnd, x, _multiplier, _shift, output);
                else MatVec.Int16(_w16, _cols, rowStart, rowEnd, x, _multiplier, _shift, output);
                return;
            }
            // The whole matrix is always covered; checked first to save the interpreter a call.
            if ((rowStart != 0 || rowEnd != _rows) && !_packed.Covers(rowStart, rowEnd))
            {
                if (rowStart >= rowEnd) return;
                // A range that splits a packed pair: computed over the pairs it touches, the one or two rows
                // outside it restored afterwards.
                int[] groupOfRow = _packed.GroupOfRow;
                int a = groupOfRow[rowStart] < 0 ? rowStart - 1 : rowStart;
                int b = rowEnd < _rows && groupOfRow[rowEnd] < 0 ? rowEnd + 1 : rowEnd;
                int before = a < rowStart ? output[a] : 0;
                int after = b > rowEnd ? output[rowEnd] : 0;
                MatVec.Packed(_packed, a, b, x, _multiplier, _round, _shift, _clamp, sums, output);
                if (a < rowStart) output[a] = before;
                if (b > rowEnd) output[rowEnd] = after;
                return;
            }
            MatVec.Packed(_packed, rowStart, rowEnd, x, _multiplier, _round, _shift, _clamp, sums, output);
        }

        // The stored weights decoded from the file (little-endian) where no packed layout is built (the lean load, a
        // premultiplied matrix), with each row's Σ|w| for the proofs: one pass.
        private static long[] Decode(byte[] data, int offset, sbyte[] w8, short[] w16, int rows, int cols)
        {
            long[] sums = new long[rows];
            int k = 0;
            int p = offset;
            if (w8 != null)
            {
                int[] abs = PackedWeights.AbsOfByte;
                for (int r = 0; r < rows; r++)
                {
                    int sum = 0;   // ≤ 4096 · 128
                    for (int j = 0; j < cols; j++, k++, p++)
                    {
                        int b = data[p];
                        w8[k] = (sbyte)b;
                        sum += abs[b];
                    }
                    sums[r] = sum;
                }
                return sums;
            }
            for (int r = 0; r < rows; r++)
            {
                long sum = 0;
                for (int j = 0; j < cols; j++, k++, p += 2)
                {
                    int w = (short)(data[p] | (data[p + 1] << 8));
                    w16[k] = (short)w;
                    sum += w < 0 ? -w : w;
                }
                sums[r] = sum;
            }
            return sums;
        }

        private static long[] RowAbsSums(sbyte[] w8, short[] w16, int rows, int cols)
        {
            long[] sums = new long[rows];
            for (int r = 0, k = 0; r < rows; r++)
            {
                long sum = 0;
                for (int j = 0; j < cols; j++, k++)
                {
                    int w = w8 != null ? w8[k] : w16[k];
                    sum += w < 0 ? -w : w;
                }
                sums[r] = sum;
            }
            return sums;
        }

        /// <summary>Bytes this matrix takes in the model file and in flash.</summary>
        public int StoredBytes
        {
            get { return 5 + Rows * 5 + Rows * Cols * (WeightBits / 8); }
        }
    }
}
