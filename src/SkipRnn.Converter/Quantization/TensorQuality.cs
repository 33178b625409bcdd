using SkipRnn.Edge.Host;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Quantization;

/// <summary>How well one tensor survived quantization.</summary>
/// <param name="SqnrDb">Signal-to-quantization-noise ratio 10·log10(Σw² / Σ(w − ŵ)²); +∞ when exact.</param>
public sealed record TensorQuality(string Tensor, string Kind, int Bits, int Rows, int Cols, double SqnrDb,
    double MaxAbsError);

/// <summary>Measures every tensor's quantization error from what the device will actually compute with.</summary>
public static class TensorQualityMeter
{
    /// <summary>One row per weight matrix and bias vector of <paramref name="q"/>, against <paramref name="f"/>.</summary>
    public static IReadOnlyList<TensorQuality> Measure(FloatSkipGruModel f, SkipGruModel q)
    {
        var rows = new List<TensorQuality>();
        double inputScale = Math.Pow(2, -q.InputFracBits), stateScale = Math.Pow(2, -QFormat.StateFracBits);
        for (int l = 0; l < q.Layers.Length; l++)
        {
            GruLayerWeights ql = q.Layers[l];
            FloatGruLayer fl = f.Layers[l];
            rows.Add(Matrix(ql.Wih, fl.Wih, l == 0 ? inputScale : stateScale));
            rows.Add(Matrix(ql.Whh, fl.Whh, stateScale));
            rows.Add(Bias($"layer[{l}].b_ih", fl.Bih, ql.Bih));
            rows.Add(Bias($"layer[{l}].b_hh", fl.Bhh, ql.Bhh));
        }
        rows.Add(Matrix(q.SkipGate, f.SkipWeight, stateScale));
        rows.Add(Bias("skip_gate.bias", new[] { f.SkipBias }, new[] { q.SkipBias }));
        if (q.Head != null)
        {
            rows.Add(Matrix(q.Head, f.HeadWeight, stateScale));
            rows.Add(Bias("head.bias", f.HeadBias, q.HeadBias));
        }
        return rows;
    }

    /// <summary>Row r's effective weight scale: the requantization M·2^−S divided back by input scale and Q.12.</summary>
    public static double RowScale(QuantizedMatrix m, int row, double inputScale) =>
        m.Multiplier[row] * Math.Pow(2, -m.Shift[row]) / (inputScale * QFormat.One12);

    private static TensorQuality Matrix(QuantizedMatrix m, double[] w, double inputScale)
    {
        var pairs = new List<(double, double)>(w.Length);
        for (int r = 0; r < m.Rows; r++)
        {
            double scale = RowScale(m, r, inputScale);
            for (int c = 0; c < m.Cols; c++)
            {
                int k = r * m.Cols + c;
                int q = m.WeightBits == 8 ? m.Weights8[k] : m.Weights16[k];
                pairs.Add((w[k], q * scale));
            }
        }
        (double sqnr, double maxErr) = Compare(pairs);
        return new TensorQuality(m.Name, "weights", m.WeightBits, m.Rows, m.Cols, sqnr, maxErr);
    }

    private static TensorQuality Bias(string name, double[] b, int[] q12)
    {
        (double sqnr, double maxErr) = Compare(b.Select((v, i) => (v, q12[i] / (double)QFormat.One12)));
        return new TensorQuality(name, "bias", 32, 1, b.Length, sqnr, maxErr);
    }

    private static (double SqnrDb, double MaxAbsError) Compare(IEnumerable<(double Exact, double Quantized)> pairs)
    {
        double signal = 0, noise = 0, maxErr = 0;
        foreach ((double exact, double quantized) in pairs)
        {
            double e = exact - quantized;
            signal += exact * exact;
            noise += e * e;
            maxErr = Math.Max(maxErr, Math.Abs(e));
        }
        double sqnr = noise == 0 ? double.PositiveInfinity : signal == 0 ? double.NegativeInfinity : 10 * Math.Log10(signal / noise);
        return (sqnr, maxErr);
    }
}
