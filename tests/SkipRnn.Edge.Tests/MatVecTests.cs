using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Tests;

/// <summary>The kernels against an int64 shadow computation, on extreme weights and inputs.</summary>
public class MatVecTests
{
    private static int Shadow(QuantizedMatrix q, int r, short[] x)
    {
        long acc = 0;
        for (int j = 0; j < q.Cols; j++)
            acc += (long)(q.WeightBits == 8 ? q.Weights8[r * q.Cols + j] : q.Weights16[r * q.Cols + j]) * x[j];
        // Exact rational rounding of acc · m / 2^s, independent of the kernel's formula.
        Int128 num = (Int128)acc * q.Multiplier[r] + ((Int128)1 << (q.Shift[r] - 1));
        Int128 v = num >> q.Shift[r];   // Int128's >> floors, like the exact ⌊num / 2^s⌋
        return (int)Int128.Clamp(v, -QFormat.PreactLimit, QFormat.PreactLimit);
    }

    private static QuantizedMatrix Extreme(Random rng, int bits, int rows, int cols, bool saturate)
    {
        sbyte[]? w8 = bits == 8 ? new sbyte[rows * cols] : null;
        short[]? w16 = bits == 16 ? new short[rows * cols] : null;
        for (int i = 0; i < rows * cols; i++)
        {
            int sign = rng.Next(2) == 0 ? -1 : 1;
            if (w8 != null) w8[i] = (sbyte)(saturate ? (sign < 0 ? -128 : 127) : rng.Next(-128, 128));
            else w16![i] = (short)(saturate ? (sign < 0 ? -32768 : 32767) : rng.Next(-32768, 32768));
        }
        var m = new int[rows];
        var s = new byte[rows];
        for (int r = 0; r < rows; r++)
        {
            // Largest multiplier the loader accepts for this row, so the int64 product is driven to its edge.
            long worst = 0;
            for (int j = 0; j < cols; j++) worst += Math.Abs((int)(w8 != null ? w8[r * cols + j] : w16![r * cols + j]));
            worst *= 32768;
            s[r] = (byte)rng.Next(20, 63);
            long room = (long.MaxValue - (1L << (s[r] - 1))) / worst;
            m[r] = (int)Math.Min(int.MaxValue, room);
        }
        return new QuantizedMatrix("test", rows, cols, w8, w16, m, s);
    }

    [Theory]
    [InlineData(8, 64, false)]
    [InlineData(8, 600, true)]     // 600 · 128 · 32768 > 2^31: an int32 accumulator would wrap
    [InlineData(16, 2, false)]
    [InlineData(16, 3, true)]      // beyond int32 already at 3 columns of ±32768
    [InlineData(16, 257, false)]
    [InlineData(8, 1, true)]       // 1–4 columns: the premultiplied layout (w · multiplier), not the packed one
    [InlineData(8, 4, false)]
    [InlineData(16, 1, false)]
    [InlineData(16, 4, true)]
    public void Kernels_equal_the_int64_shadow_on_extreme_values(int bits, int cols, bool saturate)
    {
        var rng = new Random(bits * 1000 + cols);
        for (int trial = 0; trial < 20; trial++)
        {
            int rows = 7;
            QuantizedMatrix q = Extreme(rng, bits, rows, cols, saturate);
            var x = new short[cols];
            for (int j = 0; j < cols; j++)
                x[j] = trial % 3 == 0 ? (short)-32768 : trial % 3 == 1 ? (short)32767 : (short)rng.Next(-32768, 32768);
            // Inputs aligned with the weights' signs push the accumulator to its worst case.
            if (trial % 4 == 3)
                for (int j = 0; j < cols; j++)
                    x[j] = (q.WeightBits == 8 ? q.Weights8[j] : q.Weights16[j]) < 0 ? (short)-32768 : (short)32767;
            var output = new int[rows];
            q.Multiply(0, rows, x, output);
            for (int r = 0; r < rows; r++) Assert.Equal(Shadow(q, r, x), output[r]);
            // The runner's path: the packed layout, then whole-range requantization.
            var packed = new int[rows];
            q.Multiply(0, rows, x, packed, new long[rows]);
            Assert.Equal(output, packed);
        }
    }

    [Theory]
    [InlineData(8, 64, false, true)]     // Σ|w| ≤ 64 · 128: every pair is packed
    [InlineData(8, 516, true, true)]     // 516 · 127 = 65532 ≤ 65535: still packed, at the proof's edge
    [InlineData(8, 600, true, false)]    // 600 · 128 > 65535: a low lane could carry into the high one
    [InlineData(16, 5, false, false)]    // int16 rows are never packed
    public void Rows_are_packed_in_pairs_only_when_the_proof_holds(int bits, int cols, bool saturate, bool paired)
    {
        var rng = new Random(cols);
        QuantizedMatrix q = Extreme(rng, bits, 7, cols, saturate);
        if (bits == 8 && cols == 516)
            for (int i = 0; i < q.Weights8!.Length; i++) q.Weights8[i] = (sbyte)(q.Weights8[i] < 0 ? -127 : 127);
        q = new QuantizedMatrix("t", 7, cols, q.Weights8, q.Weights16, q.Multiplier, q.Shift);
        PackedWeights p = q.Packed;
        Assert.Equal(paired, p.Paired[0]);
        Assert.Equal(paired ? 4 : 7, p.GroupCount);   // 7 rows: three pairs and a single last row, or seven singles
        Assert.False(p.Paired[p.GroupCount - 1]);
        // Extreme inputs aligned with row 0's signs: the worst case for the lanes.
        var x = new short[cols];
        for (int j = 0; j < cols; j++) x[j] = (q.WeightBits == 8 ? q.Weights8![j] : q.Weights16![j]) < 0 ? (short)-32768 : (short)32767;
        var output = new int[7];
        q.Multiply(0, 7, x, output, new long[7]);
        for (int r = 0; r < 7; r++) Assert.Equal(Shadow(q, r, x), output[r]);
    }

    [Theory]
    [InlineData(8, 1)]       // no whole word: the byte loop alone
    [InlineData(8, 7)]
    [InlineData(8, 8)]       // one word per row, no tail
    [InlineData(8, 33)]      // four words and a tail
    [InlineData(8, 600)]     // pairs the proof refuses
    [InlineData(8, 2040)]    // PackPairWords' longest row (its 16-bit sums full)
    [InlineData(8, 2041)]    // one column more: the byte loop
    [InlineData(16, 3)]
    [InlineData(16, 4)]
    [InlineData(16, 37)]
    public void Packing_straight_from_the_file_bytes_gives_the_layout_its_definition_says(int bits, int cols)
    {
        // The model reader packs from the file's bytes (eight int8 or four int16 weights per native word read, |w|
        // summed eight bytes at a time), and the array constructor goes through the same routine. Both against the
        // definition written out here: rows 2i, 2i+1 of int8 weights share a lane w[2i,j]·2^32 + w[2i+1,j] when both
        // rows' Σ|w| ≤ 65535, every other row is a lane of its own; on random weights and on the extremes −128 / 127
        // (−32768 / 32767) that the word arithmetic must not carry.
        foreach (bool saturate in new[] { false, true })
        {
            const int rows = 5;
            QuantizedMatrix q = Extreme(new Random(cols * 2 + (saturate ? 1 : 0)), bits, rows, cols, saturate);
            long W(int r, int j) => bits == 8 ? q.Weights8![r * cols + j] : q.Weights16![r * cols + j];
            long[] sums = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, cols).Sum(j => Math.Abs(W(r, j)))).ToArray();
            var groups = new List<(int First, bool Paired, long[] Lane)>();
            for (int r = 0; r < rows;)
            {
                bool pair = bits == 8 && r + 1 < rows && sums[r] <= PackedWeights.MaxPackedRowAbsSum && sums[r + 1] <= PackedWeights.MaxPackedRowAbsSum;
                int row = r;
                groups.Add((r, pair, Enumerable.Range(0, cols).Select(j => pair ? (W(row, j) << 32) + W(row + 1, j) : W(row, j)).ToArray()));
                r += pair ? 2 : 1;
            }
            byte[] file = new byte[3 + rows * cols * bits / 8];   // three bytes before: an unaligned start
            for (int i = 0; i < rows * cols; i++)
            {
                if (bits == 8) file[3 + i] = (byte)q.Weights8![i];
                else { file[3 + 2 * i] = (byte)q.Weights16![i]; file[4 + 2 * i] = (byte)(q.Weights16[i] >> 8); }
            }
            foreach (PackedWeights p in new[] { PackedWeights.FromBytes(file, 3, bits, rows, cols), new PackedWeights(q.Weights8!, q.Weights16!, rows, cols) })
            {
                Assert.Equal(groups.Count, p.GroupCount);
                Assert.Equal(sums, p.RowAbsSum);
                for (int g = 0; g < groups.Count; g++)
                {
                    Assert.Equal(groups[g].First, p.FirstRow[g]);
                    Assert.Equal(groups[g].Paired, p.Paired[g]);
                    Assert.Equal(groups[g].Lane, p.Lanes[g]);
                    Assert.Equal(g, p.GroupOfRow[groups[g].First]);
                    if (groups[g].Paired) Assert.Equal(-1, p.GroupOfRow[groups[g].First + 1]);
                }
            }
        }
    }

    [Fact]
    public void A_range_that_splits_a_packed_pair_is_computed_over_whole_pairs_and_agrees_with_the_reference()
    {
        var rng = new Random(5);
        QuantizedMatrix q = Extreme(rng, 8, 6, 9, false);
        var x = new short[9];
        for (int j = 0; j < 9; j++) x[j] = (short)rng.Next(-32768, 32768);
        Assert.False(q.Packed.Covers(1, 3));
        Assert.True(q.Packed.Covers(2, 6));
        foreach (var (a, b) in new[] { (1, 3), (2, 6), (0, 1), (5, 6) })
        {
            var reference = new[] { -7, -7, -7, -7, -7, -7 };
            var packed = new[] { -7, -7, -7, -7, -7, -7 };
            q.Multiply(a, b, x, reference);
            q.Multiply(a, b, x, packed, new long[6]);
            Assert.Equal(reference, packed);
            Assert.Equal(-7, packed[a == 0 ? 5 : 0]);   // rows outside the range are untouched
        }
    }

    [Fact]
    public void The_clamp_is_left_out_only_where_the_loader_proved_it_a_no_op()
    {
        // 32 columns of ±127 at 2^−20: worst case 32 · 127 · 32768 · 2^−20 ≈ 127 < 2^19 — never clamps.
        var w = new sbyte[4 * 32];
        for (int i = 0; i < w.Length; i++) w[i] = (sbyte)(i % 3 == 0 ? -127 : 127);
        var small = new QuantizedMatrix("t", 4, 32, w, null, new[] { 1, 1, 1, 1 }, new byte[] { 20, 20, 20, 20 });
        Assert.True(small.NeverClamps);
        // The same weights at multiplier 2^30, shift 20: the worst case is far past ±2^19.
        var big = new QuantizedMatrix("t", 4, 32, w, null, new[] { 1 << 30, 1, 1, 1 }, new byte[] { 20, 20, 20, 20 });
        Assert.False(big.NeverClamps);
        foreach (QuantizedMatrix q in new[] { small, big })
        {
            // Inputs aligned with row 0's signs, then against them: both worst cases.
            foreach (int sign in new[] { 1, -1 })
            {
                var x = new short[32];
                for (int j = 0; j < 32; j++) x[j] = (short)(sign * (w[j] < 0 ? -32768 : 32767));
                var reference = new int[4];
                var packed = new int[4];
                q.Multiply(0, 4, x, reference);
                q.Multiply(0, 4, x, packed, new long[4]);
                Assert.Equal(reference, packed);
                for (int r = 0; r < 4; r++) Assert.Equal(Shadow(q, r, x), packed[r]);
            }
        }
    }

    [Fact]
    public void The_largest_possible_row_accumulates_without_wrapping()
    {
        // 65535 columns of −32768 times inputs of −32768: 2^45.99, far past int32, exact in int64.
        const int cols = 65535;
        var w = new short[cols];
        var x = new short[cols];
        Array.Fill(w, (short)-32768);
        Array.Fill(x, (short)-32768);
        var q = new QuantizedMatrix("big", 1, cols, null, w, new[] { 1 }, new byte[] { 31 });
        var output = new int[1];
        q.Multiply(0, 1, x, output);
        Assert.Equal((int)((65535L * (1L << 30) + (1L << 30)) >> 31), output[0]);   // 2^30 · 65535 / 2^31, rounded
    }

    [Fact]
    public void A_row_whose_requantization_can_overflow_int64_is_rejected()
    {
        var w = new short[600];
        Array.Fill(w, (short)32767);
        var e = Assert.Throws<ModelFormatException>(() =>
            new QuantizedMatrix("layer[0].w_ih", 1, 600, null, w, new[] { int.MaxValue }, new byte[] { 40 }));
        Assert.Equal("layer[0].w_ih.multiplier[0]", e.Field);
    }

    [Fact]
    public void Row_ranges_compute_only_those_rows()
    {
        var q = new QuantizedMatrix("t", 3, 2, new sbyte[] { 1, 2, 3, 4, 5, 6 }, null, new[] { 1 << 30, 1 << 30, 1 << 30 }, new byte[] { 30, 30, 30 });
        var output = new[] { -7, -7, -7 };
        q.Multiply(1, 2, new short[] { 10, 100 }, output);
        Assert.Equal(new[] { -7, 430, -7 }, output);
    }
}
