using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.NativeTraces;

/// <summary>A model shape to generate: sizes, variant, per-matrix weight widths, and how extreme the values are.</summary>
internal sealed record ModelShape(GruVariant Variant, int Layers, int Inputs, int Hidden, int Outputs, int Steps, bool Extreme)
{
    /// <summary>
    /// Every axis of the format: both variants, 1–4 layers, sizes 1 and odd sizes (kernel tails), an int8 row
    /// longer than 256 (the kernel's block split), with and without a head, and "extreme" models whose values
    /// sit at the format's limits (full-range weights, saturating requantization, ±2^61 addends, shift 0 and 62).
    /// Weight widths are drawn per matrix, so int8 and int16 mix.
    /// </summary>
    public static IEnumerable<ModelShape> Catalogue()
    {
        int[][] sizes =
        {
            new[] { 1, 1, 0 }, new[] { 1, 1, 1 }, new[] { 2, 3, 1 }, new[] { 3, 5, 2 }, new[] { 6, 32, 8 },
            new[] { 7, 9, 3 }, new[] { 13, 17, 0 }, new[] { 40, 64, 8 }, new[] { 300, 12, 4 }, new[] { 5, 260, 2 },
        };
        foreach (GruVariant v in new[] { GruVariant.ResetAfter, GruVariant.ResetBefore })
            for (int layers = 1; layers <= 4; layers++)
                foreach (int[] s in sizes)
                {
                    if (layers > 2 && s[1] > 64) continue;   // keep the suite fast: deep models stay small
                    foreach (bool extreme in new[] { false, true })
                        yield return new ModelShape(v, layers, s[0], s[1], s[2], s[1] > 64 || s[0] > 64 ? 60 : 250, extreme);
                }
    }
}

/// <summary>Random quantized models built directly from integers (not through the quantizer), within the format.</summary>
internal static class RandomModels
{
    public static SkipGruModel Create(Random rng, ModelShape s)
    {
        var layers = new GruLayerWeights[s.Layers];
        for (int l = 0; l < s.Layers; l++)
        {
            string name = $"layer[{l}]";
            int cols = l == 0 ? s.Inputs : s.Hidden;
            layers[l] = new GruLayerWeights(name, Matrix(rng, name + ".w_ih", 3 * s.Hidden, cols, s.Extreme),
                Matrix(rng, name + ".w_hh", 3 * s.Hidden, s.Hidden, s.Extreme),
                Biases(rng, 3 * s.Hidden, s.Extreme), Biases(rng, 3 * s.Hidden, s.Extreme));
        }
        QuantizedMatrix skip = Matrix(rng, "skip_gate", 1, s.Hidden, s.Extreme);
        int skipBias = rng.Next(-4 * 4096, 2 * 4096);
        QuantizedMatrix? head = s.Outputs > 0 ? Matrix(rng, "head", s.Outputs, s.Hidden, s.Extreme) : null;
        int[]? headBias = s.Outputs > 0 ? Biases(rng, s.Outputs, s.Extreme) : null;
        return new SkipGruModel(s.Variant, layers, Normalization(rng, s.Inputs, s.Extreme), skip, skipBias, head, headBias,
            rng.Next(0, 16), rng.Next(0, 100000), null, null);
    }

    private static QuantizedMatrix Matrix(Random rng, string name, int rows, int cols, bool extreme)
    {
        bool int16 = rng.Next(2) == 0;
        int count = rows * cols;
        sbyte[]? w8 = int16 ? null : new sbyte[count];
        short[]? w16 = int16 ? new short[count] : null;
        int top = int16 ? 32767 : 127;
        int spread = extreme ? top : Math.Max(1, top / (1 + rng.Next(4)));
        for (int i = 0; i < count; i++)
        {
            int v = rng.Next(-spread, spread + 1);
            if (extreme && rng.Next(8) == 0) v = rng.Next(2) == 0 ? top : -top - 1;   // the most negative weight too
            if (int16) w16![i] = (short)v; else w8![i] = (sbyte)v;
        }
        var multiplier = new int[rows];
        var shift = new byte[rows];
        for (int r = 0; r < rows; r++)
        {
            long sumAbs = 0;
            for (int j = 0; j < cols; j++) sumAbs += Math.Abs(int16 ? (int)w16![r * cols + j] : (int)w8![r * cols + j]);
            // Scale the typical accumulator (about sqrt(cols)·|w|·2^13) to about ±2^13..2^15 in Q.12, so gates
            // move through the tables' whole range; extreme rows sometimes saturate at ±2^19 or use m = 0.
            int s = rng.Next(20, 48);
            double typical = Math.Max(1.0, Math.Sqrt(cols) * (sumAbs / (double)cols) * 8192);
            double target = (extreme ? Math.Pow(2, rng.Next(10, 21)) : 4096 * (1 + rng.NextDouble() * 3)) * Math.Pow(2, s) / typical;
            long limit = long.MaxValue - (1L << (s - 1));
            long worst = sumAbs * QuantizedMatrix.MaxInputMagnitude;
            double cap = worst == 0 ? int.MaxValue : Math.Min(int.MaxValue, limit / worst);
            long m = (long)Math.Min(target, cap);
            if (extreme && rng.Next(10) == 0) m = (long)cap;
            if (extreme && rng.Next(20) == 0) m = 0;
            if (m < 0) m = 0;
            if (m > int.MaxValue) m = int.MaxValue;
            multiplier[r] = (int)m;
            shift[r] = (byte)s;
        }
        return new QuantizedMatrix(name, rows, cols, w8, w16, multiplier, shift);
    }

    private static int[] Biases(Random rng, int n, bool extreme)
    {
        var b = new int[n];
        for (int i = 0; i < n; i++)
            b[i] = extreme && rng.Next(6) == 0 ? (rng.Next(2) == 0 ? 1 << 19 : -(1 << 19)) : rng.Next(-8192, 8193);
        return b;
    }

    private static InputNormalization Normalization(Random rng, int inputs, bool extreme)
    {
        var m = new int[inputs];
        var a = new long[inputs];
        var s = new byte[inputs];
        for (int j = 0; j < inputs; j++)
        {
            int kind = extreme ? rng.Next(4) : 0;
            switch (kind)
            {
                case 0:   // ordinary: raw counts of ±2^15 map to about ±2^14
                    s[j] = (byte)rng.Next(16, 31);
                    m[j] = (int)Math.Min(int.MaxValue, (1L << (s[j] - 1)) * (0.25 + rng.NextDouble()));
                    a[j] = (long)((rng.NextDouble() * 2 - 1) * (1L << (s[j] + 12)));
                    break;
                case 1:   // the largest values the format accepts
                    m[j] = int.MaxValue;
                    a[j] = rng.Next(2) == 0 ? 1L << 61 : -(1L << 61);
                    s[j] = 62;
                    break;
                case 2:   // shift 0: no rounding term, saturates at once
                    m[j] = rng.Next(1, 4);
                    a[j] = rng.Next(-100000, 100000);
                    s[j] = 0;
                    break;
                default:
                    m[j] = rng.Next(1, int.MaxValue);
                    a[j] = (long)((rng.NextDouble() * 2 - 1) * (1L << 61));
                    s[j] = (byte)rng.Next(0, 63);
                    break;
            }
        }
        return new InputNormalization(m, a, s);
    }

    /// <summary>Steps with raw input (a random walk, sometimes int32's extremes), random Skip(n) within StepsToSkip, rare resets.</summary>
    public static List<TraceEvent> Events(Random rng, SkipGruModel model, int steps)
    {
        var events = new List<TraceEvent>();
        var probe = new SkipGru(model);
        int n = model.InputSize;
        var walk = new double[n];
        for (int t = 0; t < steps; t++)
        {
            int roll = rng.Next(100);
            if (roll < 2) { events.Add(TraceEvent.Reset()); probe.Reset(); continue; }
            if (roll < 20 && probe.StepsToSkip > 0)
            {
                int k = rng.Next(0, probe.StepsToSkip + 1);
                events.Add(TraceEvent.Skip(k));
                probe.Skip(k);
                continue;
            }
            var raw = new int[n];
            for (int j = 0; j < n; j++)
            {
                walk[j] = 0.9 * walk[j] + (rng.NextDouble() * 2 - 1) * 8000;
                raw[j] = rng.Next(50) == 0 ? (rng.Next(2) == 0 ? int.MaxValue : int.MinValue) : (int)walk[j];
            }
            events.Add(TraceEvent.Step(raw));
            probe.Step(raw);
        }
        return events;
    }

    /// <summary>The model with self-test vectors recorded from the managed runtime over a random stream.</summary>
    public static SkipGruModel WithSelfTest(SkipGruModel model, Random rng, int steps)
    {
        int inputs = model.InputSize, states = model.Layers.Length * model.HiddenSize, outputs = model.OutputSize;
        var raw = new int[steps * inputs];
        var updated = new bool[steps];
        var st = new short[steps * states];
        var outs = new int[steps * outputs];
        var rnn = new SkipGru(model);
        var x = new int[inputs];
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < inputs; j++) x[j] = raw[t * inputs + j] = rng.Next(-30000, 30000);
            updated[t] = rnn.Step(x);
            for (int l = 0, k = t * states; l < model.Layers.Length; l++)
                for (int j = 0; j < model.HiddenSize; j++, k++) st[k] = rnn.GetState(l, j);
            for (int o = 0; o < outputs; o++) outs[t * outputs + o] = rnn.GetOutput(o);
        }
        return model.WithSelfTest(new SelfTestVectors(steps, raw, updated, st, outs));
    }
}
