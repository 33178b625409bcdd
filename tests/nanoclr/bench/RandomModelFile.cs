using SkipRnn.Edge.Format;

namespace SkipRnn.Bench
{
    /// <summary>
    /// Builds, on the device, the file of a random one-layer model (reset-after, int8 W_ih/W_hh/head, int16 skip
    /// gate, 8-class head: the shape the host benchmark uses), so models larger than nanoCLR's 64 KiB
    /// array-initializer limit can be benchmarked without an export. Weights are uniform in [−127, 127] (what
    /// per-row symmetric quantization of PyTorch's uniform initialisation gives); the skip gate's multiplier is 0,
    /// so Δũ = σ(skipBias) and the caller decides whether steps update or skip.
    /// </summary>
    public sealed class RandomModelFile
    {
        private readonly byte[] _b;
        private int _p;
        private uint _seed;

        public static byte[] Build(int inputs, int hidden, int skipBias, uint seed)
        {
            int outputs = 8;
            int payload = 14 + 13 * inputs
                + Matrix(3 * hidden, inputs, 1) + Matrix(3 * hidden, hidden, 1) + 2 * 3 * hidden * 4
                + Matrix(1, hidden, 2) + 4 + Matrix(outputs, hidden, 1) + 4 * outputs;
            RandomModelFile f = new RandomModelFile(new byte[16 + payload], seed);
            f.I32(0x4E524B53); f.U16(1); f.U16(0); f.I32(payload); f.I32(0);
            f.U8(0); f.U8(1); f.U16(inputs); f.U16(hidden); f.U16(outputs); f.I32(0); f.U8(12); f.U8(0);
            for (int j = 0; j < inputs; j++) { f.I32(1); f.I32(0); f.I32(0); f.U8(0); }   // x = raw
            f.WriteMatrix(3 * hidden, inputs, 1, 1 << 20, 31);
            f.WriteMatrix(3 * hidden, hidden, 1, 1 << 20, 31);
            for (int i = 0; i < 6 * hidden; i++) f.I32(f.Next(4096));
            f.WriteMatrix(1, hidden, 2, 0, 31);
            f.I32(skipBias);
            f.WriteMatrix(outputs, hidden, 1, 1 << 20, 31);
            for (int o = 0; o < outputs; o++) f.I32(f.Next(4096));
            uint crc = Crc32.Compute(f._b, 16, payload);
            f._p = 12;
            f.I32((int)crc);
            return f._b;
        }

        private RandomModelFile(byte[] b, uint seed)
        {
            _b = b;
            _seed = seed;
        }

        private static int Matrix(int rows, int cols, int bytesPerWeight)
        {
            return 5 + 5 * rows + rows * cols * bytesPerWeight;
        }

        private void WriteMatrix(int rows, int cols, int bytesPerWeight, int multiplier, int shift)
        {
            U8(8 * bytesPerWeight); U16(rows); U16(cols);
            for (int r = 0; r < rows; r++) I32(multiplier);
            for (int r = 0; r < rows; r++) U8(shift);
            for (int i = 0; i < rows * cols; i++)
            {
                int w = Next(127);
                if (bytesPerWeight == 1) U8(w); else U16(w * 100);
            }
        }

        /// <summary>Uniform in [−limit, limit] (an LCG: only the cost is measured, not the model).</summary>
        public int Next(int limit)
        {
            _seed = _seed * 1664525 + 1013904223;
            return (int)((_seed >> 8) % (uint)(2 * limit + 1)) - limit;
        }

        private void U8(int v) { _b[_p++] = (byte)v; }
        private void U16(int v) { U8(v); U8(v >> 8); }
        private void I32(int v) { U16(v); U16(v >> 16); }
    }
}
