namespace SkipRnn.Edge.Kernels
{
    /// <summary>
    /// Sigmoid and tanh from integer tables with linear interpolation.
    /// Input: a Q.12 pre-activation (any int; saturated to [−8, 8)). Output: Q0.15.
    /// Tables sample the exact function on a uniform grid over [−8, 8], rounded to Q0.15:
    /// sigmoid every 1/16 (257 entries), tanh every 1/32 (513 entries, tanh bends harder).
    /// Worst-case absolute error against the exact function, measured by the tests over every
    /// Q.12 input: below 2^−11 for both (saturation at ±8 costs sigmoid 3.4e−4 at most).
    /// </summary>
    public static class Activation
    {
        /// <summary>log2 of the sigmoid table's step in Q.12 units (256 = 1/16).</summary>
        public const int SigmoidStepBits = 8;

        /// <summary>log2 of the tanh table's step in Q.12 units (128 = 1/32).</summary>
        public const int TanhStepBits = 7;

        /// <summary>σ(x) in Q0.15 for x in Q.12. Result in [0, 32767].</summary>
        public static int Sigmoid(int x)
        {
            return Lookup(SigmoidTable, SigmoidStepBits, x);
        }

        /// <summary>tanh(x) in Q0.15 for x in Q.12. Result in [−32767, 32767].</summary>
        public static int Tanh(int x)
        {
            return Lookup(TanhTable, TanhStepBits, x);
        }

        /// <summary>
        /// Interpolates table t whose entry i samples f at (i · 2^stepBits − 32768) / 4096.
        /// Rounds the interpolation half toward +∞.
        /// </summary>
        public static int Lookup(short[] t, int stepBits, int x)
        {
            if (x < -32768) x = -32768;
            else if (x > 32767) x = 32767;
            int u = x + 32768;                 // 0 .. 65535
            int i = u >> stepBits;
            int f = u & ((1 << stepBits) - 1);
            int a = t[i];
            return a + (((t[i + 1] - a) * f + (1 << (stepBits - 1))) >> stepBits);
        }

        /// <summary>
        /// a[i] ← σ(a[i] + b[i] + c[i]) for i in [start, end): three Q.12 parts in, Q0.15 out. Equal to
        /// <see cref="LookupOfSum"/> on the sigmoid table (tests check every input), written for the interpreter:
        /// the step is a constant, each entry and its slope come from one load of <see cref="SigmoidPairs"/>, and
        /// the saturation is one unsigned compare on the in-range path (about 48 IL instructions a value).
        /// </summary>
        public static void SigmoidOfSum(int[] a, int[] b, int[] c, int start, int end)
        {
            int[] e = SigmoidPairs;
            for (int k = start; k < end; k++)
            {
                // The sum cannot wrap (each part is within ±2^20); u = x + 32768 saturated to [0, 65535].
                int u = a[k] + b[k] + c[k] + 32768;
                if ((uint)u > 65535u) u = u < 0 ? 0 : 65535;
                int p = e[u >> SigmoidStepBits];
                a[k] = (p >> 16) + (((p & 0xFFFF) * (u & 0xFF) + 0x80) >> SigmoidStepBits);
            }
        }

        /// <summary>a[i] ← tanh(a[i] + b[i] + c[i]) for i in [start, end): as <see cref="SigmoidOfSum"/>, tanh table.</summary>
        public static void TanhOfSum(int[] a, int[] b, int[] c, int start, int end)
        {
            int[] e = TanhPairs;
            for (int k = start; k < end; k++)
            {
                int u = a[k] + b[k] + c[k] + 32768;
                if ((uint)u > 65535u) u = u < 0 ? 0 : 65535;
                int p = e[u >> TanhStepBits];
                a[k] = (p >> 16) + (((p & 0xFFFF) * (u & 0x7F) + 0x40) >> TanhStepBits);
            }
        }

        /// <summary>
        /// (t[i] · 2^16) + (t[i+1] − t[i]) for each interval i of table t: the entry in the high half, the slope
        /// (0 … 1024: both tables rise, never fall) in the low half. Built from the tables at start.
        /// </summary>
        private static int[] Pairs(short[] t)
        {
            int[] p = new int[t.Length - 1];
            for (int i = 0; i < p.Length; i++) p[i] = (t[i] << 16) + (t[i + 1] - t[i]);
            return p;
        }

        /// <summary>
        /// a[k] ← <see cref="Lookup"/>(t, stepBits, a[k] + b[k] + c[k]) for k in [start, end): a gate's
        /// pre-activation parts (input product, bias, recurrent product) summed and activated in one loop, the
        /// lookup written out, because a call per value costs the interpreter more than the lookup itself (tests
        /// check it equals <see cref="Lookup"/> on every input). The sum cannot wrap: each part is within ±2^20.
        /// </summary>
        public static void LookupOfSum(short[] t, int stepBits, int[] a, int[] b, int[] c, int start, int end)
        {
            int mask = (1 << stepBits) - 1;
            int half = 1 << (stepBits - 1);
            for (int k = start; k < end; k++)
            {
                int x = a[k] + b[k] + c[k];
                if (x < -32768) x = -32768;
                else if (x > 32767) x = 32767;
                int u = x + 32768;
                int i = u >> stepBits;
                int v = t[i];
                a[k] = v + (((t[i + 1] - v) * (u & mask) + half) >> stepBits);
            }
        }

        /// <summary>round(σ(x) · 32768) at x = (i · 256 − 32768) / 4096, capped at 32767. Generated; tests recompute it.</summary>
        public static readonly short[] SigmoidTable = new short[]
        {
            11, 12, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 26, 28,
            30, 32, 34, 36, 38, 41, 43, 46, 49, 52, 56, 59, 63, 67, 72, 76,
            81, 86, 92, 98, 104, 111, 118, 125, 133, 142, 151, 161, 171, 182, 194, 206,
            219, 233, 248, 264, 281, 299, 318, 338, 360, 383, 407, 433, 461, 490, 521, 554,
            589, 627, 666, 708, 753, 800, 851, 904, 961, 1021, 1084, 1152, 1223, 1299, 1379, 1464,
            1554, 1649, 1750, 1856, 1969, 2088, 2213, 2346, 2486, 2633, 2789, 2952, 3124, 3306, 3496, 3696,
            3906, 4126, 4357, 4599, 4851, 5115, 5391, 5678, 5978, 6289, 6613, 6949, 7297, 7658, 8031, 8416,
            8813, 9221, 9641, 10072, 10513, 10964, 11424, 11894, 12371, 12856, 13348, 13845, 14347, 14852, 15361, 15872,
            16384, 16896, 17407, 17916, 18421, 18923, 19420, 19912, 20397, 20874, 21344, 21804, 22255, 22696, 23127, 23547,
            23955, 24352, 24737, 25110, 25471, 25819, 26155, 26479, 26790, 27090, 27377, 27653, 27917, 28169, 28411, 28642,
            28862, 29072, 29272, 29462, 29644, 29816, 29979, 30135, 30282, 30422, 30555, 30680, 30799, 30912, 31018, 31119,
            31214, 31304, 31389, 31469, 31545, 31616, 31684, 31747, 31807, 31864, 31917, 31968, 32015, 32060, 32102, 32141,
            32179, 32214, 32247, 32278, 32307, 32335, 32361, 32385, 32408, 32430, 32450, 32469, 32487, 32504, 32520, 32535,
            32549, 32562, 32574, 32586, 32597, 32607, 32617, 32626, 32635, 32643, 32650, 32657, 32664, 32670, 32676, 32682,
            32687, 32692, 32696, 32701, 32705, 32709, 32712, 32716, 32719, 32722, 32725, 32727, 32730, 32732, 32734, 32736,
            32738, 32740, 32742, 32743, 32745, 32746, 32747, 32749, 32750, 32751, 32752, 32753, 32754, 32755, 32756, 32756,
            32757,        };

        /// <summary>round(tanh(x) · 32768) at x = (i · 128 − 32768) / 4096, capped at ±32767. Generated; tests recompute it.</summary>
        public static readonly short[] TanhTable = new short[]
        {
            -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767,
            -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767,
            -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767,
            -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767,
            -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767, -32767,
            -32767, -32767, -32767, -32767, -32767, -32767, -32766, -32766, -32766, -32766, -32766, -32766, -32766, -32766, -32765, -32765,
            -32765, -32765, -32765, -32764, -32764, -32764, -32764, -32763, -32763, -32763, -32762, -32762, -32762, -32761, -32761, -32760,
            -32760, -32759, -32759, -32758, -32758, -32757, -32756, -32755, -32755, -32754, -32753, -32752, -32751, -32750, -32749, -32747,
            -32746, -32745, -32743, -32741, -32740, -32738, -32736, -32734, -32732, -32729, -32727, -32724, -32721, -32718, -32715, -32712,
            -32708, -32704, -32700, -32696, -32691, -32686, -32681, -32676, -32670, -32663, -32657, -32649, -32642, -32634, -32625, -32616,
            -32606, -32596, -32584, -32573, -32560, -32547, -32532, -32517, -32501, -32484, -32466, -32447, -32426, -32404, -32381, -32356,
            -32329, -32301, -32271, -32240, -32206, -32170, -32132, -32091, -32048, -32002, -31953, -31901, -31846, -31788, -31726, -31659,
            -31589, -31515, -31435, -31351, -31262, -31167, -31067, -30960, -30847, -30727, -30600, -30465, -30322, -30170, -30010, -29840,
            -29660, -29470, -29268, -29055, -28830, -28592, -28341, -28076, -27797, -27502, -27191, -26864, -26519, -26157, -25776, -25376,
            -24956, -24516, -24054, -23571, -23066, -22538, -21986, -21411, -20813, -20189, -19542, -18870, -18173, -17452, -16706, -15936,
            -15143, -14326, -13486, -12625, -11743, -10840, -9919, -8980, -8025, -7056, -6073, -5079, -4075, -3063, -2045, -1024,
            0, 1024, 2045, 3063, 4075, 5079, 6073, 7056, 8025, 8980, 9919, 10840, 11743, 12625, 13486, 14326,
            15143, 15936, 16706, 17452, 18173, 18870, 19542, 20189, 20813, 21411, 21986, 22538, 23066, 23571, 24054, 24516,
            24956, 25376, 25776, 26157, 26519, 26864, 27191, 27502, 27797, 28076, 28341, 28592, 28830, 29055, 29268, 29470,
            29660, 29840, 30010, 30170, 30322, 30465, 30600, 30727, 30847, 30960, 31067, 31167, 31262, 31351, 31435, 31515,
            31589, 31659, 31726, 31788, 31846, 31901, 31953, 32002, 32048, 32091, 32132, 32170, 32206, 32240, 32271, 32301,
            32329, 32356, 32381, 32404, 32426, 32447, 32466, 32484, 32501, 32517, 32532, 32547, 32560, 32573, 32584, 32596,
            32606, 32616, 32625, 32634, 32642, 32649, 32657, 32663, 32670, 32676, 32681, 32686, 32691, 32696, 32700, 32704,
            32708, 32712, 32715, 32718, 32721, 32724, 32727, 32729, 32732, 32734, 32736, 32738, 32740, 32741, 32743, 32745,
            32746, 32747, 32749, 32750, 32751, 32752, 32753, 32754, 32755, 32755, 32756, 32757, 32758, 32758, 32759, 32759,
            32760, 32760, 32761, 32761, 32762, 32762, 32762, 32763, 32763, 32763, 32764, 32764, 32764, 32764, 32765, 32765,
            32765, 32765, 32765, 32766, 32766, 32766, 32766, 32766, 32766, 32766, 32766, 32767, 32767, 32767, 32767, 32767,
            32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
            32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
            32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
            32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
            32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767,
            32767,        };

        /// <summary>The sigmoid table as entry/slope pairs (<see cref="Pairs"/>), 256 intervals (the runner's
        /// fused gate loop reads it too).</summary>
        internal static readonly int[] SigmoidPairs = Pairs(SigmoidTable);

        /// <summary>The tanh table as entry/slope pairs (<see cref="Pairs"/>), 512 intervals (the runner's fused
        /// candidate loop reads it too).</summary>
        internal static readonly int[] TanhPairs = Pairs(TanhTable);
    }
}
