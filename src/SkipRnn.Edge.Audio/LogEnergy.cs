namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Stage 5: feature = ln(E + 10^−6) in Q10 (int16 range), where E = energy · 2^−exponent is a band energy in
    /// float units (<see cref="MelFilterbank"/>: exponent = 87 − 2r − s ∈ [33, 143]). Computed in Q20:
    /// ln(energy) = b·ln 2 + ln(1 + f) with b the top bit of energy and f the next 16 bits (table of ln(1 + i/256),
    /// interpolated), minus exponent·ln 2; the floor is added in the log domain,
    /// ln(E + F) = max(ln E, ln F) + ln(1 + e^−|ln E − ln F|) (table every 1/32, interpolated).
    /// Table and interpolation errors stay below 10^−4 nat, a tenth of the output's step (1/1024).
    /// The result lies in [ln 10^−6, ln(2^59 · 2^−33 + 10^−6)] = [−13.9, 18.1] nats, inside int16 at Q10 (±32).
    /// </summary>
    public static class LogEnergy
    {
        /// <summary>Fractional bits of the output features.</summary>
        public const int OutputFractionBits = 10;
        /// <summary>round(ln 2 · 2^20).</summary>
        public const int Ln2Q20 = 726817;
        /// <summary>round(ln 10^−6 · 2^20): the floor's logarithm.</summary>
        public const int LnFloorQ20 = -14486613;
        /// <summary>The output for a band with no energy: round(ln 10^−6 · 1024).</summary>
        public const int FloorFeature = (LnFloorQ20 + 512) >> 10;

        /// <summary>ln(energy · 2^−exponent + 10^−6) in Q10. energy ≥ 0; exponent in [−64, 160].</summary>
        public static int Compute(long energy, int exponent)
        {
            if (energy <= 0) return FloorFeature;
            // b = index of the top bit (0..62), by halving the search range.
            int b = 0;
            long e = energy;
            if ((e >> 32) != 0) { e >>= 32; b += 32; }
            if ((e >> 16) != 0) { e >>= 16; b += 16; }
            if ((e >> 8) != 0) { e >>= 8; b += 8; }
            if ((e >> 4) != 0) { e >>= 4; b += 4; }
            if ((e >> 2) != 0) { e >>= 2; b += 2; }
            if ((e >> 1) != 0) { b += 1; }
            // 16 bits below the top bit: frac in [0, 65536).
            int frac = b >= 16 ? (int)(energy >> (b - 16)) - 65536 : ((int)energy << (16 - b)) - 65536;
            short[] lt = AudioTables.LnMantissaQ15;
            int i = frac >> 8;
            int v = lt[i];
            int mant = v + (((lt[i + 1] - v) * (frac & 255) + 128) >> 8);           // ln(1 + frac/2^16), Q15
            int ln = (b - exponent) * Ln2Q20 + (mant << 5);                          // Q20; |b − exponent| ≤ 160: |.| < 2^27
            int hi, d;
            if (ln >= LnFloorQ20) { hi = ln; d = ln - LnFloorQ20; }
            else { hi = LnFloorQ20; d = LnFloorQ20 - ln; }
            int j = d >> 15;                                                          // table step 1/32 = 2^15 in Q20
            if (j < 512)
            {
                short[] st = AudioTables.SoftplusQ15;
                int s = st[j];
                hi += (s + (((st[j + 1] - s) * ((d >> 5) & 1023) + 512) >> 10)) << 5;
            }
            return (hi + 512) >> 10;
        }
    }
}
