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
    public static class MatVec
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
            // Each width is its own method: nanoCLR initializes every local of a method at each call (about 37
            // x86 instructions a local), and the widest pass alone has 90; a one-row matrix need not pay for them.
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
        /// int8 MAC and 6.5 per int16 MAC where the reference kernels do 14.5 and 15.25. Measured (callgrind,
        /// tests/nanoclr/bench): 16 lanes per pass beat 8, which beat 4; eight columns per step beat one
        /// (frequency 617 → 558 x86 instructions per MAC, 40 × 64 258 → 227) and four (564, 231); 32 lanes beat
        /// 16 (551, 221).
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
    
        // 32 lane arrays per pass, eight columns per step (see Packed); returns the first group not done.
        private static int Pass32(long[][] lanes, int g, int gEnd, int cols, short[] x, long[] acc)
        {
            int colsU = cols & ~7;
            while (g + 32 <= gEnd)
            {
                long[] l0 = lanes[g];
                long[] l1 = lanes[g + 1];
                long[] l2 = lanes[g + 2];
                long[] l3 = lanes[g + 3];
                long[] l4 = lanes[g + 4];
                long[] l5 = lanes[g + 5];
                long[] l6 = lanes[g + 6];
                long[] l7 = lanes[g + 7];
                long[] l8 = lanes[g + 8];
                long[] l9 = lanes[g + 9];
                long[] l10 = lanes[g + 10];
                long[] l11 = lanes[g + 11];
                long[] l12 = lanes[g + 12];
                long[] l13 = lanes[g + 13];
                long[] l14 = lanes[g + 14];
                long[] l15 = lanes[g + 15];
                long[] l16 = lanes[g + 16];
                long[] l17 = lanes[g + 17];
                long[] l18 = lanes[g + 18];
                long[] l19 = lanes[g + 19];
                long[] l20 = lanes[g + 20];
                long[] l21 = lanes[g + 21];
                long[] l22 = lanes[g + 22];
                long[] l23 = lanes[g + 23];
                long[] l24 = lanes[g + 24];
                long[] l25 = lanes[g + 25];
                long[] l26 = lanes[g + 26];
                long[] l27 = lanes[g + 27];
                long[] l28 = lanes[g + 28];
                long[] l29 = lanes[g + 29];
                long[] l30 = lanes[g + 30];
                long[] l31 = lanes[g + 31];
                long a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0, a16 = 0, a17 = 0, a18 = 0, a19 = 0, a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0, a25 = 0, a26 = 0, a27 = 0, a28 = 0, a29 = 0, a30 = 0, a31 = 0;
                int j = 0, j1 = 1, j2 = 2, j3 = 3, j4 = 4, j5 = 5, j6 = 6, j7 = 7;
                while (j < colsU)
                {
                    long x0 = x[j], x1 = x[j1], x2 = x[j2], x3 = x[j3], x4 = x[j4], x5 = x[j5], x6 = x[j6], x7 = x[j7];
                    a0 += l0[j] * x0 + l0[j1] * x1 + l0[j2] * x2 + l0[j3] * x3 + l0[j4] * x4 + l0[j5] * x5 + l0[j6] * x6 + l0[j7] * x7;
                    a1 += l1[j] * x0 + l1[j1] * x1 + l1[j2] * x2 + l1[j3] * x3 + l1[j4] * x4 + l1[j5] * x5 + l1[j6] * x6 + l1[j7] * x7;
                    a2 += l2[j] * x0 + l2[j1] * x1 + l2[j2] * x2 + l2[j3] * x3 + l2[j4] * x4 + l2[j5] * x5 + l2[j6] * x6 + l2[j7] * x7;
                    a3 += l3[j] * x0 + l3[j1] * x1 + l3[j2] * x2 + l3[j3] * x3 + l3[j4] * x4 + l3[j5] * x5 + l3[j6] * x6 + l3[j7] * x7;
                    a4 += l4[j] * x0 + l4[j1] * x1 + l4[j2] * x2 + l4[j3] * x3 + l4[j4] * x4 + l4[j5] * x5 + l4[j6] * x6 + l4[j7] * x7;
                    a5 += l5[j] * x0 + l5[j1] * x1 + l5[j2] * x2 + l5[j3] * x3 + l5[j4] * x4 + l5[j5] * x5 + l5[j6] * x6 + l5[j7] * x7;
                    a6 += l6[j] * x0 + l6[j1] * x1 + l6[j2] * x2 + l6[j3] * x3 + l6[j4] * x4 + l6[j5] * x5 + l6[j6] * x6 + l6[j7] * x7;
                    a7 += l7[j] * x0 + l7[j1] * x1 + l7[j2] * x2 + l7[j3] * x3 + l7[j4] * x4 + l7[j5] * x5 + l7[j6] * x6 + l7[j7] * x7;
                    a8 += l8[j] * x0 + l8[j1] * x1 + l8[j2] * x2 + l8[j3] * x3 + l8[j4] * x4 + l8[j5] * x5 + l8[j6] * x6 + l8[j7] * x7;
                    a9 += l9[j] * x0 + l9[j1] * x1 + l9[j2] * x2 + l9[j3] * x3 + l9[j4] * x4 + l9[j5] * x5 + l9[j6] * x6 + l9[j7] * x7;
                    a10 += l10[j] * x0 + l10[j1] * x1 + l10[j2] * x2 + l10[j3] * x3 + l10[j4] * x4 + l10[j5] * x5 + l10[j6] * x6 + l10[j7] * x7;
                    a11 += l11[j] * x0 + l11[j1] * x1 + l11[j2] * x2 + l11[j3] * x3 + l11[j4] * x4 + l11[j5] * x5 + l11[j6] * x6 + l11[j7] * x7;
                    a12 += l12[j] * x0 + l12[j1] * x1 + l12[j2] * x2 + l12[j3] * x3 + l12[j4] * x4 + l12[j5] * x5 + l12[j6] * x6 + l12[j7] * x7;
                    a13 += l13[j] * x0 + l13[j1] * x1 + l13[j2] * x2 + l13[j3] * x3 + l13[j4] * x4 + l13[j5] * x5 + l13[j6] * x6 + l13[j7] * x7;
                    a14 += l14[j] * x0 + l14[j1] * x1 + l14[j2] * x2 + l14[j3] * x3 + l14[j4] * x4 + l14[j5] * x5 + l14[j6] * x6 + l14[j7] * x7;
                    a15 += l15[j] * x0 + l15[j1] * x1 + l15[j2] * x2 + l15[j3] * x3 + l15[j4] * x4 + l15[j5] * x5 + l15[j6] * x6 + l15[j7] * x7;
                    a16 += l16[j] * x0 + l16[j1] * x1 + l16[j2] * x2 + l16[j3] * x3 + l16[j4] * x4 + l16[j5] * x5 + l16[j6] * x6 + l16[j7] * x7;
                    a17 += l17[j] * x0 + l17[j1] * x1 + l17[j2] * x2 + l17[j3] * x3 + l17[j4] * x4 + l17[j5] * x5 + l17[j6] * x6 + l17[j7] * x7;
                    a18 += l18[j] * x0 + l18[j1] * x1 + l18[j2] * x2 + l18[j3] * x3 + l18[j4] * x4 + l18[j5] * x5 + l18[j6] * x6 + l18[j7] * x7;
                    a19 += l19[j] * x0 + l19[j1] * x1 + l19[j2] * x2 + l19[j3] * x3 + l19[j4] * x4 + l19[j5] * x5 + l19[j6] * x6 + l19[j7] * x7;
                    a20 += l20[j] * x0 + l20[j1] * x1 + l20[j2] * x2 + l20[j3] * x3 + l20[j4] * x4 + l20[j5] * x5 + l20[j6] * x6 + l20[j7] * x7;
                    a21 += l21[j] * x0 + l21[j1] * x1 + l21[j2] * x2 + l21[j3] * x3 + l21[j4] * x4 + l21[j5] * x5 + l21[j6] * x6 + l21[j7] * x7;
                    a22 += l22[j] * x0 + l22[j1] * x1 + l22[j2] * x2 + l22[j3] * x3 + l22[j4] * x4 + l22[j5] * x5 + l22[j6] * x6 + l22[j7] * x7;
                    a23 += l23[j] * x0 + l23[j1] * x1 + l23[j2] * x2 + l23[j3] * x3 + l23[j4] * x4 + l23[j5] * x5 + l23[j6] * x6 + l23[j7] * x7;
                    a24 += l24[j] * x0 + l24[j1] * x1 + l24[j2] * x2 + l24[j3] * x3 + l24[j4] * x4 + l24[j5] * x5 + l24[j6] * x6 + l24[j7] * x7;
                    a25 += l25[j] * x0 + l25[j1] * x1 + l25[j2] * x2 + l25[j3] * x3 + l25[j4] * x4 + l25[j5] * x5 + l25[j6] * x6 + l25[j7] * x7;
                    a26 += l26[j] * x0 + l26[j1] * x1 + l26[j2] * x2 + l26[j3] * x3 + l26[j4] * x4 + l26[j5] * x5 + l26[j6] * x6 + l26[j7] * x7;
                    a27 += l27[j] * x0 + l27[j1] * x1 + l27[j2] * x2 + l27[j3] * x3 + l27[j4] * x4 + l27[j5] * x5 + l27[j6] * x6 + l27[j7] * x7;
                    a28 += l28[j] * x0 + l28[j1] * x1 + l28[j2] * x2 + l28[j3] * x3 + l28[j4] * x4 + l28[j5] * x5 + l28[j6] * x6 + l28[j7] * x7;
                    a29 += l29[j] * x0 + l29[j1] * x1 + l29[j2] * x2 + l29[j3] * x3 + l29[j4] * x4 + l29[j5] * x5 + l29[j6] * x6 + l29[j7] * x7;
                    a30 += l30[j] * x0 + l30[j1] * x1 + l30[j2] * x2 + l30[j3] * x3 + l30[j4] * x4 + l30[j5] * x5 + l30[j6] * x6 + l30[j7] * x7;
                    a31 += l31[j] * x0 + l31[j1] * x1 + l31[j2] * x2 + l31[j3] * x3 + l31[j4] * x4 + l31[j5] * x5 + l31[j6] * x6 + l31[j7] * x7;
                    j += 8;
                    j1 += 8;
                    j2 += 8;
                    j3 += 8;
                    j4 += 8;
                    j5 += 8;
                    j6 += 8;
                    j7 += 8;
                }
                for (; j < cols; j++)
                {
                    long xj = x[j];
                    a0 += l0[j] * xj;
                    a1 += l1[j] * xj;
                    a2 += l2[j] * xj;
                    a3 += l3[j] * xj;
                    a4 += l4[j] * xj;
                    a5 += l5[j] * xj;
                    a6 += l6[j] * xj;
                    a7 += l7[j] * xj;
                    a8 += l8[j] * xj;
                    a9 += l9[j] * xj;
                    a10 += l10[j] * xj;
                    a11 += l11[j] * xj;
                    a12 += l12[j] * xj;
                    a13 += l13[j] * xj;
                    a14 += l14[j] * xj;
                    a15 += l15[j] * xj;
                    a16 += l16[j] * xj;
                    a17 += l17[j] * xj;
                    a18 += l18[j] * xj;
                    a19 += l19[j] * xj;
                    a20 += l20[j] * xj;
                    a21 += l21[j] * xj;
                    a22 += l22[j] * xj;
                    a23 += l23[j] * xj;
                    a24 += l24[j] * xj;
                    a25 += l25[j] * xj;
                    a26 += l26[j] * xj;
                    a27 += l27[j] * xj;
                    a28 += l28[j] * xj;
                    a29 += l29[j] * xj;
                    a30 += l30[j] * xj;
                    a31 += l31[j] * xj;
                }
                acc[g] = a0;
                acc[g + 1] = a1;
                acc[g + 2] = a2;
                acc[g + 3] = a3;
                acc[g + 4] = a4;
                acc[g + 5] = a5;
                acc[g + 6] = a6;
                acc[g + 7] = a7;
                acc[g + 8] = a8;
                acc[g + 9] = a9;
                acc[g + 10] = a10;
                acc[g + 11] = a11;
                acc[g + 12] = a12;
                acc[g + 13] = a13;
                acc[g + 14] = a14;
                acc[g + 15] = a15;
                acc[g + 16] = a16;
                acc[g + 17] = a17;
                acc[g + 18] = a18;
                acc[g + 19] = a19;
                acc[g + 20] = a20;
                acc[g + 21] = a21;
                acc[g + 22] = a22;
                acc[g + 23] = a23;
                acc[g + 24] = a24;
                acc[g + 25] = a25;
                acc[g + 26] = a26;
                acc[g + 27] = a27;
                acc[g + 28] = a28;
                acc[g + 29] = a29;
                acc[g + 30] = a30;
                acc[g + 31] = a31;
                g += 32;
            }
            return g;
        }

        // 16 lane arrays per pass, eight columns per step (see Packed); returns the first group not done.
        private static int Pass16(long[][] lanes, int g, int gEnd, int cols, short[] x, long[] acc)
        {
            int colsU = cols & ~7;
            while (g + 16 <= gEnd)
            {
                long[] l0 = lanes[g];
                long[] l1 = lanes[g + 1];
                long[] l2 = lanes[g + 2];
                long[] l3 = lanes[g + 3];
                long[] l4 = lanes[g + 4];
                long[] l5 = lanes[g + 5];
                long[] l6 = lanes[g + 6];
                long[] l7 = lanes[g + 7];
                long[] l8 = lanes[g + 8];
                long[] l9 = lanes[g + 9];
                long[] l10 = lanes[g + 10];
                long[] l11 = lanes[g + 11];
                long[] l12 = lanes[g + 12];
                long[] l13 = lanes[g + 13];
                long[] l14 = lanes[g + 14];
                long[] l15 = lanes[g + 15];
                long a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
                int j = 0, j1 = 1, j2 = 2, j3 = 3, j4 = 4, j5 = 5, j6 = 6, j7 = 7;
                while (j < colsU)
                {
                    long x0 = x[j], x1 = x[j1], x2 = x[j2], x3 = x[j3], x4 = x[j4], x5 = x[j5], x6 = x[j6], x7 = x[j7];
                    a0 += l0[j] * x0 + l0[j1] * x1 + l0[j2] * x2 + l0[j3] * x3 + l0[j4] * x4 + l0[j5] * x5 + l0[j6] * x6 + l0[j7] * x7;
                    a1 += l1[j] * x0 + l1[j1] * x1 + l1[j2] * x2 + l1[j3] * x3 + l1[j4] * x4 + l1[j5] * x5 + l1[j6] * x6 + l1[j7] * x7;
                    a2 += l2[j] * x0 + l2[j1] * x1 + l2[j2] * x2 + l2[j3] * x3 + l2[j4] * x4 + l2[j5] * x5 + l2[j6] * x6 + l2[j7] * x7;
                    a3 += l3[j] * x0 + l3[j1] * x1 + l3[j2] * x2 + l3[j3] * x3 + l3[j4] * x4 + l3[j5] * x5 + l3[j6] * x6 + l3[j7] * x7;
                    a4 += l4[j] * x0 + l4[j1] * x1 + l4[j2] * x2 + l4[j3] * x3 + l4[j4] * x4 + l4[j5] * x5 + l4[j6] * x6 + l4[j7] * x7;
                    a5 += l5[j] * x0 + l5[j1] * x1 + l5[j2] * x2 + l5[j3] * x3 + l5[j4] * x4 + l5[j5] * x5 + l5[j6] * x6 + l5[j7] * x7;
                    a6 += l6[j] * x0 + l6[j1] * x1 + l6[j2] * x2 + l6[j3] * x3 + l6[j4] * x4 + l6[j5] * x5 + l6[j6] * x6 + l6[j7] * x7;
                    a7 += l7[j] * x0 + l7[j1] * x1 + l7[j2] * x2 + l7[j3] * x3 + l7[j4] * x4 + l7[j5] * x5 + l7[j6] * x6 + l7[j7] * x7;
                    a8 += l8[j] * x0 + l8[j1] * x1 + l8[j2] * x2 + l8[j3] * x3 + l8[j4] * x4 + l8[j5] * x5 + l8[j6] * x6 + l8[j7] * x7;
                    a9 += l9[j] * x0 + l9[j1] * x1 + l9[j2] * x2 + l9[j3] * x3 + l9[j4] * x4 + l9[j5] * x5 + l9[j6] * x6 + l9[j7] * x7;
                    a10 += l10[j] * x0 + l10[j1] * x1 + l10[j2] * x2 + l10[j3] * x3 + l10[j4] * x4 + l10[j5] * x5 + l10[j6] * x6 + l10[j7] * x7;
                    a11 += l11[j] * x0 + l11[j1] * x1 + l11[j2] * x2 + l11[j3] * x3 + l11[j4] * x4 + l11[j5] * x5 + l11[j6] * x6 + l11[j7] * x7;
                    a12 += l12[j] * x0 + l12[j1] * x1 + l12[j2] * x2 + l12[j3] * x3 + l12[j4] * x4 + l12[j5] * x5 + l12[j6] * x6 + l12[j7] * x7;
                    a13 += l13[j] * x0 + l13[j1] * x1 + l13[j2] * x2 + l13[j3] * x3 + l13[j4] * x4 + l13[j5] * x5 + l13[j6] * x6 + l13[j7] * x7;
                    a14 += l14[j] * x0 + l14[j1] * x1 + l14[j2] * x2 + l14[j3] * x3 + l14[j4] * x4 + l14[j5] * x5 + l14[j6] * x6 + l14[j7] * x7;
                    a15 += l15[j] * x0 + l15[j1] * x1 + l15[j2] * x2 + l15[j3] * x3 + l15[j4] * x4 + l15[j5] * x5 + l15[j6] * x6 + l15[j7] * x7;
                    j += 8;
                    j1 += 8;
                    j2 += 8;
                    j3 += 8;
                    j4 += 8;
                    j5 += 8;
                    j6 += 8;
                    j7 += 8;
                }
                for (; j < cols; j++)
                {
                    long xj = x[j];
                    a0 += l0[j] * xj;
                    a1 += l1[j] * xj;
                    a2 += l2[j] * xj;
                    a3 += l3[j] * xj;
                    a4 += l4[j] * xj;
                    a5 += l5[j] * xj;
                    a6 += l6[j] * xj;
                    a7 += l7[j] * xj;
                    a8 += l8[j] * xj;
                    a9 += l9[j] * xj;
                    a10 += l10[j] * xj;
                    a11 += l11[j] * xj;
                    a12 += l12[j] * xj;
                    a13 += l13[j] * xj;
                    a14 += l14[j] * xj;
                    a15 += l15[j] * xj;
                }
                acc[g] = a0;
                acc[g + 1] = a1;
                acc[g + 2] = a2;
                acc[g + 3] = a3;
                acc[g + 4] = a4;
                acc[g + 5] = a5;
                acc[g + 6] = a6;
                acc[g + 7] = a7;
                acc[g + 8] = a8;
                acc[g + 9] = a9;
                acc[g + 10] = a10;
                acc[g + 11] = a11;
                acc[g + 12] = a12;
                acc[g + 13] = a13;
                acc[g + 14] = a14;
                acc[g + 15] = a15;
                g += 16;
            }
            return g;
        }

        // 8 lane arrays per pass, eight columns per step (see Packed); returns the first group not done.
        private static int Pass8(long[][] lanes, int g, int gEnd, int cols, short[] x, long[] acc)
        {
            int colsU = cols & ~7;
            while (g + 8 <= gEnd)
            {
                long[] l0 = lanes[g];
                long[] l1 = lanes[g + 1];
                long[] l2 = lanes[g + 2];
                long[] l3 = lanes[g + 3];
                long[] l4 = lanes[g + 4];
                long[] l5 = lanes[g + 5];
                long[] l6 = lanes[g + 6];
                long[] l7 = lanes[g + 7];
                long a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
                int j = 0, j1 = 1, j2 = 2, j3 = 3, j4 = 4, j5 = 5, j6 = 6, j7 = 7;
                while (j < colsU)
                {
                    long x0 = x[j], x1 = x[j1], x2 = x[j2], x3 = x[j3], x4 = x[j4], x5 = x[j5], x6 = x[j6], x7 = x[j7];
                    a0 += l0[j] * x0 + l0[j1] * x1 + l0[j2] * x2 + l0[j3] * x3 + l0[j4] * x4 + l0[j5] * x5 + l0[j6] * x6 + l0[j7] * x7;
                    a1 += l1[j] * x0 + l1[j1] * x1 + l1[j2] * x2 + l1[j3] * x3 + l1[j4] * x4 + l1[j5] * x5 + l1[j6] * x6 + l1[j7] * x7;
                    a2 += l2[j] * x0 + l2[j1] * x1 + l2[j2] * x2 + l2[j3] * x3 + l2[j4] * x4 + l2[j5] * x5 + l2[j6] * x6 + l2[j7] * x7;
                    a3 += l3[j] * x0 + l3[j1] * x1 + l3[j2] * x2 + l3[j3] * x3 + l3[j4] * x4 + l3[j5] * x5 + l3[j6] * x6 + l3[j7] * x7;
                    a4 += l4[j] * x0 + l4[j1] * x1 + l4[j2] * x2 + l4[j3] * x3 + l4[j4] * x4 + l4[j5] * x5 + l4[j6] * x6 + l4[j7] * x7;
                    a5 += l5[j] * x0 + l5[j1] * x1 + l5[j2] * x2 + l5[j3] * x3 + l5[j4] * x4 + l5[j5] * x5 + l5[j6] * x6 + l5[j7] * x7;
                    a6 += l6[j] * x0 + l6[j1] * x1 + l6[j2] * x2 + l6[j3] * x3 + l6[j4] * x4 + l6[j5] * x5 + l6[j6] * x6 + l6[j7] * x7;
                    a7 += l7[j] * x0 + l7[j1] * x1 + l7[j2] * x2 + l7[j3] * x3 + l7[j4] * x4 + l7[j5] * x5 + l7[j6] * x6 + l7[j7] * x7;
                    j += 8;
                    j1 += 8;
                    j2 += 8;
                    j3 += 8;
                    j4 += 8;
                    j5 += 8;
                    j6 += 8;
                    j7 += 8;
                }
                for (; j < cols; j++)
                {
                    long xj = x[j];
                    a0 += l0[j] * xj;
                    a1 += l1[j] * xj;
                    a2 += l2[j] * xj;
                    a3 += l3[j] * xj;
                    a4 += l4[j] * xj;
                    a5 += l5[j] * xj;
                    a6 += l6[j] * xj;
                    a7 += l7[j] * xj;
                }
                acc[g] = a0;
                acc[g + 1] = a1;
                acc[g + 2] = a2;
                acc[g + 3] = a3;
                acc[g + 4] = a4;
                acc[g + 5] = a5;
                acc[g + 6] = a6;
                acc[g + 7] = a7;
                g += 8;
            }
            return g;
        }

        // 4 lane arrays per pass, eight columns per step (see Packed); returns the first group not done.
        private static int Pass4(long[][] lanes, int g, int gEnd, int cols, short[] x, long[] acc)
        {
            int colsU = cols & ~7;
            while (g + 4 <= gEnd)
            {
                long[] l0 = lanes[g];
                long[] l1 = lanes[g + 1];
                long[] l2 = lanes[g + 2];
                long[] l3 = lanes[g + 3];
                long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                int j = 0, j1 = 1, j2 = 2, j3 = 3, j4 = 4, j5 = 5, j6 = 6, j7 = 7;
                while (j < colsU)
                {
                    long x0 = x[j], x1 = x[j1], x2 = x[j2], x3 = x[j3], x4 = x[j4], x5 = x[j5], x6 = x[j6], x7 = x[j7];
                    a0 += l0[j] * x0 + l0[j1] * x1 + l0[j2] * x2 + l0[j3] * x3 + l0[j4] * x4 + l0[j5] * x5 + l0[j6] * x6 + l0[j7] * x7;
                    a1 += l1[j] * x0 + l1[j1] * x1 + l1[j2] * x2 + l1[j3] * x3 + l1[j4] * x4 + l1[j5] * x5 + l1[j6] * x6 + l1[j7] * x7;
                    a2 += l2[j] * x0 + l2[j1] * x1 + l2[j2] * x2 + l2[j3] * x3 + l2[j4] * x4 + l2[j5] * x5 + l2[j6] * x6 + l2[j7] * x7;
                    a3 += l3[j] * x0 + l3[j1] * x1 + l3[j2] * x2 + l3[j3] * x3 + l3[j4] * x4 + l3[j5] * x5 + l3[j6] * x6 + l3[j7] * x7;
                    j += 8;
                    j1 += 8;
                    j2 += 8;
                    j3 += 8;
                    j4 += 8;
                    j5 += 8;
                    j6 += 8;
                    j7 += 8;
                }
                for (; j < cols; j++)
                {
                    long xj = x[j];
                    a0 += l0[j] * xj;
                    a1 += l1[j] * xj;
                    a2 += l2[j] * xj;
                    a3 += l3[j] * xj;
                }
                acc[g] = a0;
                acc[g + 1] = a1;
                acc[g + 2] = a2;
                acc[g + 3] = a3;
                g += 4;
            }
            return g;
        }
    }
}
