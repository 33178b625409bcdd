using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Converter.Tests.Data;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Evaluation;

/// <summary>
/// The ra1 fixture (a real PyTorch Skip-GRU, 3 inputs, 8 units, 4 classes) and datasets made for it: inputs
/// ~ N(mean, std) per its sidecar, labelled by the float model itself, so the expected scores are known exactly.
/// </summary>
internal static class SyntheticData
{
    public const int Sequences = 64, Steps = 40;

    public static ImportResult Ra1() => ModelImporter.Import(Path.Combine(AppContext.BaseDirectory, "fixtures", "ra1.safetensors"));

    /// <summary>Physical inputs [N, T, I] ~ N(mean, std) per channel, rounded to float32 (the recipe's dtype).</summary>
    public static double[] Inputs(FloatSkipGruModel model, int sequences, int seed)
    {
        var random = new Random(seed);
        int inputs = model.InputSize;
        var x = new double[sequences * Steps * inputs];
        for (int k = 0; k < x.Length; k++)
        {
            int j = k % inputs;
            x[k] = (float)(model.InputMean![j] + model.InputStd![j] * Gaussian(random));
        }
        return x;
    }

    /// <summary>
    /// Runs the float model over each sequence with the public API (FloatSkipGru.Normalize, Step with null on skips):
    /// its head outputs after the last step and its update count, per sequence.
    /// </summary>
    public static (double[][] Outputs, int[] Updates) FloatRun(FloatSkipGruModel model, double[] x, int sequences)
    {
        var rnn = new FloatSkipGru(model);
        int inputs = model.InputSize;
        var outputs = new double[sequences][];
        var updates = new int[sequences];
        for (int n = 0; n < sequences; n++)
        {
            rnn.Reset();
            for (int t = 0; t < Steps; t++)
            {
                double[] physical = x.AsSpan((n * Steps + t) * inputs, inputs).ToArray();
                if (rnn.Step(rnn.NextStepUpdates ? FloatSkipGru.Normalize(model, physical) : null)) updates[n]++;
            }
            outputs[n] = (double[])rnn.Outputs.Clone();
        }
        return (outputs, updates);
    }

    public static int ArgMax(double[] v)
    {
        int best = 0;
        for (int o = 1; o < v.Length; o++) if (v[o] > v[best]) best = o;
        return best;
    }

    /// <summary>A classification .npz (float32 x, int64 y) labelled with the float model's own argmax, read back.</summary>
    public static SequenceDataset SelfLabelled(FloatSkipGruModel model, int sequences = Sequences, int seed = 1)
    {
        double[] x = Inputs(model, sequences, seed);
        var (outputs, _) = FloatRun(model, x, sequences);
        long[] labels = outputs.Select(o => (long)ArgMax(o)).ToArray();
        return SequenceDataset.Parse(DatasetNpz.Classification(x, sequences, Steps, model.InputSize, labels), "self-labelled.npz");
    }

    public static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// <paramref name="model"/> with one byte of one weight inverted: the high byte of the skip gate's largest int16
    /// weight, which flips its sign and so the gate's response to the state.
    /// </summary>
    public static SkipGruModel WithSkipGateByteFlipped(SkipGruModel model)
    {
        QuantizedMatrix gate = model.SkipGate;
        short[] w = (short[])gate.Weights16.Clone();
        int k = Enumerable.Range(0, w.Length).MaxBy(i => Math.Abs((int)w[i]));
        w[k] = (short)(w[k] ^ 0xFF00);   // all eight bits of the high byte inverted
        var broken = new QuantizedMatrix(gate.Name, gate.Rows, gate.Cols, null, w, gate.Multiplier, gate.Shift);
        return new SkipGruModel(model.Variant, model.Layers, model.Input, broken, model.SkipBias, model.Head, model.HeadBias,
            model.InputFracBits, model.SamplePeriodMicros, model.ClassNames, null);
    }
}
