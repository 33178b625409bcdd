namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// Matrix-vector products. <see cref="Int8"/> and <see cref="Int16"/> are the reference kernels (row-major
    /// weights, fused per-row requantization to Q.12); <see cref="Packed"/> is the one the runner uses on the
    /// interpreter (<see cref="PackedWeights"/>' layout), tested equal to them.
    /// Weights are row-major; x is int16 (a normalized input or a Q0.15 state).
    /// <para>
    /// The accumulator is int64: |Σ w·x| ≤ 65535 · 32768 · 32768 &lt; 2^46 can never wrap, whatever the weights,
    /// and on the nanoFramework interpreter an int64 multiply-add costs about what an int32 one does.
    /// </para>
    /// </summary>
    public static partial class MatVec
    {
        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd), int8 weights.
        /// </summary>
        public static void Int8(sbyte[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                long acc = 0;
                int k = r * cols;
                int end4 = k + cols4;
                int end = k + cols;
                int j = 0;
                // Unrolled by four: the interpreter's cost is per IL instruction, so fewer loop tests pay.
                while (k < end4)
                {
                    acc += w[k] * x[j] + w[k + 1] * x[j + 1] + w[k + 2] * x[j + 2] + w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }

        /// <summary>
        /// output[r] = Requantize(Σ_j w[r·cols + j] · x[j], multiplier[r], shift[r]) for r in [rowStart, rowEnd), int16 weights.
        /// Each int16 product fits int32 (≤ 2^30), but four of them may not: the first is widened, so every
        /// addition is done in int64.
        /// </summary>
        public static void Int16(short[] w, int cols, int rowStart, int rowEnd, short[] x,
            int[] multiplier, byte[] shift, int[] output)
        {
            int cols4 = cols & ~3;
            for (int r = rowStart; r < rowEnd; r++)
            {
                long acc = 0;
                int k = r * cols;
                int end4 = k + cols4;
                int end = k + cols;
                int j = 0;
                while (k < end4)
                {
                    acc += (long)(w[k] * x[j]) + w[k + 1] * x[j + 1] + w[k + 2] * x[j + 2] + w[k + 3] * x[j + 3];
                    k += 4;
                    j += 4;
                }
                while (k < end)
                {
                    acc += w[k] * x[j];
                    k++;
                    j++;
                }
                output[r] = Requantization.Requantize(acc, multiplier[r], shift[r]);
            }
        }

        /// <summary>
        /// The packed passes alone: acc[g] = Σ_j lane_g[j] · x[j] for groups g in [gFirst, gEnd), a paired
        /// group's two sums still packed (A·2^32 + B, see <see cref="Packed"/>). For a matrix whose groups are all
        /// single rows (<see cref="PackedWeights.AllSingle"/>) acc[r] is row r's exact accumulator, which the
        /// runner may requantize inside its own gate loops.
        /// </summary>
        public static void Accumulate(PackedWeights p, int gFirst, int gEnd, short[] x, long[] acc)
        {
            long[][] lanes = p.Lanes;
            int cols = p.Cols;
            int g = gFirst;
            // Each width is its own method (MatVec.Passes.g.cs): nanoCLR initializes every local of a method at
            // each call, and the widest pass alone has 90; a one-row matrix need not pay for them.
            if (g + 32 <= gEnd) g = Pass32(lanes, g, gEnd, cols, x, acc);
            if (g + 16 <= gEnd) g = Pass16(lanes, g, gEnd, cols, x, acc);
            if (g + 8 <= gEnd) g = Pass8(lanes, g, gEnd, cols, x, acc);
            if (g + 4 <= gEnd) g = Pass4(lanes, g, gEnd, cols, x, acc);
            for (; g < gEnd; g++)
            {
                // One lane (a one-row skip gate or head): x is read in place (eight locals would not pay for one
                // lane), still eight columns per step.
                long[] l0 = lanes[g];
                long a0 = 0;
                int j = 0;
                for (int colsU = cols & ~7; j < colsU; j += 8)
                    a0 += l0[j] * x[j] + l0[j + 1] * x[j + 1] + l0[j + 2] * x[j + 2] + l0[j + 3] * x[j + 3]
                        + l0[j + 4] * x[j + 4] + l0[j + 5] * x[j + 5] + l0[j + 6] * x[j + 6] + l0[j + 7] * x[j + 7];
                for (; j < cols; j++) a0 += l0[j] * x[j];
                acc[g] = a0;
            }
        }

        /// <summary>
        /// output[r] = <see cref="Requantization.Requantize"/>(Σ_j w[r,j] · x[j], multiplier[r], shift[r]) for r in
        /// [rowStart, rowEnd), from the premultiplied column arrays of a matrix of 1 to 4 columns
        /// (<see cref="Model.QuantizedMatrix.Premultiplied"/>: wm[j][r] = w[r,j] · multiplier[r]), so
        /// (Σ_j wm[j][r] · x[j] + round[r]) >> shift[r] is the same value. One row per pass, no accumulator array and
        /// no packed pair to split: for a layer's few input channels the packed passes cost more than the MACs.
        /// <paramref name="clamp"/> false only where the loader proved the clamp a no-op.
        /// </summary>
        public static void Premultiplied(long[][] wm, int rowStart, int rowEnd, short[] x, long[] round, byte[] shift,
            bool clamp, int[] output)
        {
            int cols = wm.Length;
            long[] w0 = wm[0];
            long x0 = x[0];
            if (!clamp)
            {
                if (cols == 1)
                {
                    for (int r = rowStart; r < rowEnd; r++)
                        output[r] = (int)((w0[r] * x0 + round[r]) >> shift[r]);
                    return;
                }
                long[] w1 = wm[1];
                long x1 = x[1];
                if (cols == 2)
                {
                    for (int r = rowStart; r < rowEnd; r++)
                        output[r] = (int)((w0[r] * x0 + w1[r] * x1 + round[r]) >> shift[r]);
                    return;
                }
                long[] w2 = wm[2];
                long x2 = x[2];
                if (cols == 3)
                {
                    for (int r = rowStart; r < rowEnd; r++)
                        output[r] = (int)((w0[r] * x0 + w1[r] * x1 + w2[r] * x2 + round[r]) >> shift[r]);
                    return;
                }
                long[] w3 = wm[3];
                long x3 = x[3];
                for (int r = rowStart; r < rowEnd; r++)
                    output[r] = (int)((w0[r] * x0 + w1[r] * x1 + w2[r] * x2 + w3[r] * x3 + round[r]) >> shift[r]);
                return;
            }
            for (int r = rowStart; r < rowEnd; r++)
            {
                long v = w0[r] * x0 + round[r];
                for (int j = 1; j < cols; j++) v += wm[j][r] * x[j];
                v >>= shift[r];
                output[r] = v > QFormat.PreactLimit ? QFormat.PreactLimit : v < -QFormat.PreactLimit ? -QFormat.PreactLimit : (int)v;
            }
        }

        /// <summary>
        /// output[r] = <see cref="Requantization.Requantize"/>(Σ_j w[r,j] · x[j], multiplier[r], shift[r]) for r in
        /// [rowStart, rowEnd), which must start and end on group boundaries of <paramref name="p"/>
        /// (<see cref="PackedWeights.Covers"/>); round[r] = 2^(shift[r]−1). <paramref name="acc"/> is scratch of at
        /// least as many longs as rows: each group g's accumulator, kept at acc[g] (g ≤ its first row). <paramref name="clamp"/> may be
        /// false only when no row's requantized value can leave ±PreactLimit (then the results are the same).
        /// <para>
        /// Up to 32 lane arrays per pass (then 16, 8, 4, one for what is left), eight columns per step: each x[j]
        /// is loaded once into a local and serves up to 64 products, one multiply forms two rows' products in a
        /// paired lane, and each lane's eight products are summed before they meet its accumulator (one load and
        /// one store of it per eight columns; the column indices are locals, not j + k). On nanoCLR an IL
        /// instruction costs about the same whatever its width, so the widest pass does 3.3 IL instructions per
        /// int8 MAC and 6.5 per int16 MAC where the reference kernels do 14.5 and 15.25. The passes (Pass32 …
        /// Pass4) are generated from one template by generate_passes.py into MatVec.Passes.g.cs; the measurements
        /// that chose the widths and the step are in docs/performance.md.
        /// </para>
        /// </summary>
        public static void Packed(PackedWeights p, int rowStart, int rowEnd, short[] x,
            int[] multiplier, long[] round, byte[] shift, bool clamp, long[] acc, int[] output)
        {
            int[] firstRow = p.FirstRow;
            int[] groupOfRow = p.GroupOfRow;
            int gFirst = groupOfRow[rowStart];
            int gEnd = rowEnd == groupOfRow.Length ? p.GroupCount : groupOfRow[rowEnd];
            // Accumulate(p, gFirst, gEnd, x, acc), written out (a call costs the interpreter a few thousand
            // instructions: a one-row skip gate's whole product is not much more).
            long[][] lanes = p.Lanes;
            int cols = p.Cols;
            int g = gFirst;
            if (g + 32 <= gEnd) g = Pass32(lanes, g, gEnd, cols, x, acc);
            if (g + 16 <= gEnd) g = Pass16(lanes, g, gEnd, cols, x, acc);
            if (g + 8 <= gEnd) g = Pass8(lanes, g, gEnd, cols, x, acc);
            if (g + 4 <= gEnd) g = Pass4(lanes, g, gEnd, cols, x, acc);
            for (; g < gEnd; g++)
            {
                // One lane (a one-row skip gate or head): x is read in place (eight locals would not pay for one
                // lane), still eight columns per step.
                long[] l0 = lanes[g];
                long a0 = 0;
                int j = 0;
                for (int colsU = cols & ~7; j < colsU; j += 8)
                    a0 += l0[j] * x[j] + l0[j + 1] * x[j + 1] + l0[j + 2] * x[j + 2] + l0[j + 3] * x[j + 3]
                        + l0[j + 4] * x[j + 4] + l0[j + 5] * x[j + 5] + l0[j + 6] * x[j + 6] + l0[j + 7] * x[j + 7];
                for (; j < cols; j++) a0 += l0[j] * x[j];
                acc[g] = a0;
            }
            // Split and requantize, one group at a time. A paired group's accumulator is A·2^32 + B
            // (|A|, |B| < 2^31): B is its low half, A the rest. The requantization is Requantization.Requantize
            // written out (the second row of a pair, then the first), because a call per row costs the
            // interpreter more than the requantization itself. When the loader has proved that no row of the
            // matrix can reach ±PreactLimit (QuantizedMatrix.NeverClamps), the clamp is a no-op and is left out:
            // its compares are a fifth of the requantization's cost.
            // Every group one row (int16 weights): row r is group r, no pair to split. Tighter loops (no group
            // lookup, no pair test): about a quarter fewer IL instructions per row.
            if (p.AllSingle)
            {
                if (!clamp)
                {
                    for (int r = rowStart; r < rowEnd; r++)
                        output[r] = (int)((acc[r] * multiplier[r] + round[r]) >> shift[r]);
                    return;
                }
                for (int r = rowStart; r < rowEnd; r++)
                {
                    long v = (acc[r] * multiplier[r] + round[r]) >> shift[r];
                    output[r] = v > QFormat.PreactLimit ? QFormat.PreactLimit : v < -QFormat.PreactLimit ? -QFormat.PreactLimit : (int)v;
                }
                return;
            }
            bool[] paired = p.Paired;
            if (!clamp)
            {
                for (g = gFirst; g < gEnd; g++)
                {
                    int r = firstRow[g];
                    long a = acc[g];
                    if (paired[g])
                    {
                        int r1 = r + 1;
                        long low = (int)a;
                        output[r1] = (int)((low * multiplier[r1] + round[r1]) >> shift[r1]);
                        a = (a - low) >> 32;
                    }
                    output[r] = (int)((a * multiplier[r] + round[r]) >> shift[r]);
                }
                return;
            }
            for (g = gFirst; g < gEnd; g++)
            {
                int r = firstRow[g];
                long a = acc[g];
                if (paired[g])
                {
                    int r1 = r + 1;
                    long low = (int)a;
                    long u = (low * multiplier[r1] + round[r1]) >> shift[r1];
                    output[r1] = u > QFormat.PreactLimit ? QFormat.PreactLimit : u < -QFormat.PreactLimit ? -QFormat.PreactLimit : (int)u;
                    a = (a - low) >> 32;
                }
                long v = (a * multiplier[r] + round[r]) >> shift[r];
                output[r] = v > QFormat.PreactLimit ? QFormat.PreactLimit : v < -QFormat.PreactLimit ? -QFormat.PreactLimit : (int)v;
            }
        }
    }
}
