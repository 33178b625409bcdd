using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Tests;

/// <summary>Seeded random float models and sensor-like raw streams for the tests.</summary>
internal static class TestModels
{
    /// <summary>Raw counts per physical unit used by <see cref="Options"/> (raw = value · 1000).</summary>
    public const double RawPerUnit = 1000.0;

    /// <summary>
    /// A model with PyTorch's GRU initialisation (uniform ±1/√H) and a skip-gate bias that makes it skip
    /// some of the time.
    /// </summary>
    public static FloatSkipGruModel Random(int seed, GruVariant variant, int inputs, int hidden, int layers, int outputs,
        double weightGain = 1.0, double skipBias = -1.0, double skipGain = 3.0)
    {
        var rng = new Random(seed);
        double bound = weightGain / Math.Sqrt(hidden);
        double[] U(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = (rng.NextDouble() * 2 - 1) * bound; return a; }
        var ls = new FloatGruLayer[layers];
        for (int l = 0; l < layers; l++)
        {
            int inSize = l == 0 ? inputs : hidden;
            ls[l] = new FloatGruLayer(inSize, hidden, U(3 * hidden * inSize), U(3 * hidden * hidden), U(3 * hidden), U(3 * hidden));
        }
        // A strong skip gate makes Δũ swing with the state, so decisions are not a fixed rhythm.
        double[] skipWeight = U(hidden);
        for (int j = 0; j < hidden; j++) skipWeight[j] *= skipGain;
        var m = new FloatSkipGruModel(variant, ls, skipWeight, skipBias,
            outputs > 0 ? U(outputs * hidden) : null, outputs > 0 ? U(outputs) : null);
        m.InputMean = new double[inputs];
        m.InputStd = new double[inputs];
        for (int j = 0; j < inputs; j++)
        {
            m.InputMean[j] = rng.NextDouble() * 4 - 2;
            m.InputStd[j] = 0.5 + rng.NextDouble() * 2;
        }
        return m;
    }

    /// <summary>Quantizer options matching <see cref="RawStream"/>'s raw units.</summary>
    public static QuantizerOptions Options(int inputs, int weightBits = 8)
    {
        var o = new QuantizerOptions { WeightBits = weightBits, InputRawScale = new double[inputs] };
        Array.Fill(o.InputRawScale, 1.0 / RawPerUnit);
        return o;
    }

    /// <summary>
    /// A smooth random stream in raw counts: AR(1) around the model's mean with the model's std.
    /// </summary>
    public static int[][] RawStream(FloatSkipGruModel m, int steps, int seed)
    {
        var rng = new Random(seed);
        int n = m.InputSize;
        var g = new double[n];
        var raw = new int[steps][];
        for (int t = 0; t < steps; t++)
        {
            raw[t] = new int[n];
            for (int j = 0; j < n; j++)
            {
                double e = Gaussian(rng);
                g[j] = 0.9 * g[j] + 0.436 * e;   // stationary std 1: normalized inputs are ~N(0, 1)
                double value = m.InputMean![j] + m.InputStd![j] * g[j];
                raw[t][j] = (int)Math.Round(value * RawPerUnit);
            }
        }
        return raw;
    }

    /// <summary>The float model's normalized input for a raw step (raw · lsb − mean) / std.</summary>
    public static double[] Normalized(FloatSkipGruModel m, int[] raw)
    {
        var x = new double[raw.Length];
        for (int j = 0; j < raw.Length; j++) x[j] = raw[j] / RawPerUnit;
        return FloatSkipGru.Normalize(m, x);
    }

    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
