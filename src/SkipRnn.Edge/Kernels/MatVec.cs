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
        /// output[r] = <see cref="Requantization.Requantize"/>(Σ_j w[r,j] · x[j], multiplier[r], shift[r]) for r in
        /// [rowStart, rowEnd), which must start and end on group boundaries of <paramref name="p"/>
        /// (<see cref="PackedWeights.Covers"/>); round[r] = 2^(shift[r]−1). <paramref name="acc"/> is scratch of at
        /// least as many longs as rows: each group's accumulator, kept at its first row. <paramref name="clamp"/> may be
        /// false only when no row's requantized value can leave ±PreactLimit (then the results are the same).
        /// <para>
        /// Up to sixteen lane arrays per pass (then eight, four, one for what is left): each x[j] is loaded once
        /// into a local and serves up to 32 products, and one multiply forms two rows' products in a paired lane.
        /// On nanoCLR an IL instruction costs about the same whatever its width, so a 16-lane pass does about
        /// 4.4 IL instructions per MAC (int8) where the reference kernel does 14.5. Measured (callgrind,
        /// tests/nanoclr/bench): 16 lanes per pass beat 8, which beat 4.
        /// </para>
        /// </summary>
        public static void Packed(PackedWeights p, int rowStart, int rowEnd, short[] x,
            int[] multiplier, long[] round, byte[] shift, bool clamp, long[] acc, int[] output)
        {
            long[][] lanes = p.Lanes;
            int[] firstRow = p.FirstRow;
            int[] groupOfRow = p.GroupOfRow;
            int cols = p.Cols;
            int gFirst = groupOfRow[rowStart];
            int gEnd = rowEnd == groupOfRow.Length ? p.GroupCount : groupOfRow[rowEnd];
            int g = gFirst;
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
                for (int j = 0; j < cols; j++)
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
                acc[firstRow[g]] = a0;
                acc[firstRow[g + 1]] = a1;
                acc[firstRow[g + 2]] = a2;
                acc[firstRow[g + 3]] = a3;
                acc[firstRow[g + 4]] = a4;
                acc[firstRow[g + 5]] = a5;
                acc[firstRow[g + 6]] = a6;
                acc[firstRow[g + 7]] = a7;
                acc[firstRow[g + 8]] = a8;
                acc[firstRow[g + 9]] = a9;
                acc[firstRow[g + 10]] = a10;
                acc[firstRow[g + 11]] = a11;
                acc[firstRow[g + 12]] = a12;
                acc[firstRow[g + 13]] = a13;
                acc[firstRow[g + 14]] = a14;
                acc[firstRow[g + 15]] = a15;
                g += 16;
            }
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
                for (int j = 0; j < cols; j++)
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
                acc[firstRow[g]] = a0;
                acc[firstRow[g + 1]] = a1;
                acc[firstRow[g + 2]] = a2;
                acc[firstRow[g + 3]] = a3;
                acc[firstRow[g + 4]] = a4;
                acc[firstRow[g + 5]] = a5;
                acc[firstRow[g + 6]] = a6;
                acc[firstRow[g + 7]] = a7;
                g += 8;
            }
            while (g + 4 <= gEnd)
            {
                long[] l0 = lanes[g];
                long[] l1 = lanes[g + 1];
                long[] l2 = lanes[g + 2];
                long[] l3 = lanes[g + 3];
                long a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (int j = 0; j < cols; j++)
                {
                    long xj = x[j];
                    a0 += l0[j] * xj;
                    a1 += l1[j] * xj;
                    a2 += l2[j] * xj;
                    a3 += l3[j] * xj;
                }
                acc[firstRow[g]] = a0;
                acc[firstRow[g + 1]] = a1;
                acc[firstRow[g + 2]] = a2;
                acc[firstRow[g + 3]] = a3;
                g += 4;
            }
            for (; g < gEnd; g++)
            {
                long[] l0 = lanes[g];
                long a0 = 0;
                for (int j = 0; j < cols; j++) a0 += l0[j] * x[j];
                acc[firstRow[g]] = a0;
            }
            // Split and requantize, one group at a time. A paired group's accumulator is A·2^32 + B
            // (|A|, |B| < 2^31): B is its low half, A the rest. The requantization is Requantization.Requantize
            // written out (the second row of a pair, then the first), because a call per row costs the
            // interpreter more than the requantization itself. When the loader has proved that no row of the
            // matrix can reach ±PreactLimit (QuantizedMatrix.NeverClamps), the clamp is a no-op and is left out:
            // its compares are a fifth of the requantization's cost.
            bool[] paired = p.Paired;
            if (!clamp)
            {
                for (g = gFirst; g < gEnd; g++)
                {
                    int r = firstRow[g];
                    long a = acc[r];
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
                long a = acc[r];
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