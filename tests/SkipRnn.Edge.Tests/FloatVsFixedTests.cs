using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using Xunit.Abstractions;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// The integer runtime against the float64 reference on random models and 10^4-step streams, measured two ways:
/// <list type="bullet">
/// <item>one step: before every update both cells start from the fixed-point cell's state; the decisions
/// (skip counts announced) and states after that step are compared. This is the cell's own precision.</item>
/// <item>free running: both run the whole stream on their own. A decision that differs once near the
/// threshold shifts every later update by a step, so this also measures how sensitive the model is.</item>
/// </list>
/// </summary>
public class FloatVsFixedTests(ITestOutputHelper output)
{
    internal sealed record FreeRunning(double DecisionAgreement, double MeanStateError, double FloatUpdateRate,
        double FixedUpdateRate, int DistinctSkipRuns);

    internal sealed record OneStep(double DecisionAgreement, double MeanStateError, double MaxStateError, int Updates);

    internal static FreeRunning CompareFreeRunning(FloatSkipGruModel f, SkipGruModel q, int[][] raw)
    {
        var reference = new FloatSkipGru(f);
        var runner = new SkipGru(q);
        int layers = f.Layers.Length, h = f.HiddenSize;
        long agree = 0, floatUpdates = 0, fixedUpdates = 0;
        double stateErr = 0;
        var runLengths = new HashSet<int>();
        int run = 0;
        foreach (int[] step in raw)
        {
            bool uf = reference.Step(TestModels.Normalized(f, step));
            bool uq = runner.Step(step);
            if (uf == uq) agree++;
            if (uf) { floatUpdates++; runLengths.Add(run); run = 0; } else run++;
            if (uq) fixedUpdates++;
            for (int l = 0; l < layers; l++)
                for (int j = 0; j < h; j++)
                    stateErr += Math.Abs(runner.GetState(l, j) / 32768.0 - reference.State(l)[j]);
        }
        int n = raw.Length;
        return new FreeRunning((double)agree / n, stateErr / (n * layers * h), (double)floatUpdates / n,
            (double)fixedUpdates / n, runLengths.Count);
    }

    internal static OneStep CompareOneStep(FloatSkipGruModel f, SkipGruModel q, int[][] raw)
    {
        var reference = new FloatSkipGru(f);
        var runner = new SkipGru(q);
        int layers = f.Layers.Length, h = f.HiddenSize;
        var dequantized = new double[h];
        int updates = 0, agree = 0;
        double stateErr = 0, maxErr = 0;
        foreach (int[] step in raw)
        {
            if (!runner.NextStepNeedsInput) { runner.Step(null); continue; }
            for (int l = 0; l < layers; l++)
            {
                for (int j = 0; j < h; j++) dequantized[j] = runner.GetState(l, j) / 32768.0;
                reference.SetState(l, dequantized);
            }
            reference.ForceUpdateNext();
            reference.Step(TestModels.Normalized(f, step));
            runner.Step(step);
            updates++;
            if (reference.AnnouncedSkips() == runner.StepsToSkip) agree++;
            for (int l = 0; l < layers; l++)
                for (int j = 0; j < h; j++)
                {
                    double e = Math.Abs(runner.GetState(l, j) / 32768.0 - reference.State(l)[j]);
                    stateErr += e;
                    maxErr = Math.Max(maxErr, e);
                }
        }
        return new OneStep((double)agree / updates, stateErr / ((double)updates * layers * h), maxErr, updates);
    }

    [Theory]
    [InlineData(GruVariant.ResetAfter, 4, 16, 1, 8)]
    [InlineData(GruVariant.ResetAfter, 6, 32, 2, 8)]
    [InlineData(GruVariant.ResetAfter, 3, 24, 3, 8)]
    [InlineData(GruVariant.ResetBefore, 4, 16, 1, 8)]
    [InlineData(GruVariant.ResetBefore, 6, 32, 2, 8)]
    [InlineData(GruVariant.ResetBefore, 8, 20, 4, 8)]
    [InlineData(GruVariant.ResetAfter, 6, 32, 2, 16)]
    [InlineData(GruVariant.ResetBefore, 6, 32, 2, 16)]
    public void Fixed_point_agrees_with_the_float_reference(GruVariant variant, int inputs, int hidden, int layers, int bits)
    {
        // Three seeds with skip-gate biases −2, −1, 0: update rates from about 20% to 95%.
        for (int seed = 1; seed <= 3; seed++)
        {
            FloatSkipGruModel f = TestModels.Random(seed * 31 + hidden, variant, inputs, hidden, layers, outputs: 4,
                skipBias: seed - 3);
            SkipGruModel q = Quantizer.Quantize(f, TestModels.Options(inputs, bits));
            int[][] raw = TestModels.RawStream(f, 10_000, seed);
            OneStep one = CompareOneStep(f, q, raw);
            FreeRunning free = CompareFreeRunning(f, q, raw);
            output.WriteLine($"{variant} I={inputs} H={hidden} L={layers} int{bits} b_p={seed - 3}: " +
                $"one step: decisions agree {one.DecisionAgreement:P2} of {one.Updates} updates, mean |state error| " +
                $"{one.MeanStateError:E2} (2^{Math.Log2(one.MeanStateError):F1}), max {one.MaxStateError:E2}; " +
                $"free running: decisions agree {free.DecisionAgreement:P2}, mean |state error| {free.MeanStateError:E2} " +
                $"(2^{Math.Log2(free.MeanStateError):F1}), updates float {free.FloatUpdateRate:P1} fixed {free.FixedUpdateRate:P1}, " +
                $"{free.DistinctSkipRuns} distinct skip-run lengths");

            Assert.InRange(free.FloatUpdateRate, 0.05, 0.99);   // the model must really skip
            Assert.True(one.DecisionAgreement >= 0.99, $"one-step decision agreement {one.DecisionAgreement:P2} < 99%");
            Assert.True(one.MeanStateError <= Math.Pow(2, -8), $"one-step mean state error {one.MeanStateError} > 2^-8");
            // Free running, the compute saved must be the float model's.
            Assert.True(Math.Abs(free.FloatUpdateRate - free.FixedUpdateRate) <= 0.02,
                $"update rate {free.FixedUpdateRate:P1} vs float {free.FloatUpdateRate:P1}");
        }
    }

    [Fact]
    public void Float_reference_without_skipping_is_a_plain_gru()
    {
        // A huge skip bias makes Δũ = 1, so every step updates: the reference must then be the textbook GRU.
        FloatSkipGruModel f = TestModels.Random(3, GruVariant.ResetAfter, 2, 3, 1, 0, skipBias: 50);
        var reference = new FloatSkipGru(f);
        FloatGruLayer w = f.Layers[0];
        var h = new double[3];
        var rng = new Random(1);
        for (int t = 0; t < 50; t++)
        {
            double[] x = { rng.NextDouble() - 0.5, rng.NextDouble() - 0.5 };
            Assert.True(reference.Step(x));
            double Row(double[] m, int r, double[] v) => Enumerable.Range(0, v.Length).Sum(j => m[r * v.Length + j] * v[j]);
            var next = new double[3];
            for (int j = 0; j < 3; j++)
            {
                double r = FloatSkipGru.Sigmoid(Row(w.Wih, j, x) + w.Bih[j] + Row(w.Whh, j, h) + w.Bhh[j]);
                double z = FloatSkipGru.Sigmoid(Row(w.Wih, 3 + j, x) + w.Bih[3 + j] + Row(w.Whh, 3 + j, h) + w.Bhh[3 + j]);
                double n = Math.Tanh(Row(w.Wih, 6 + j, x) + w.Bih[6 + j] + r * (Row(w.Whh, 6 + j, h) + w.Bhh[6 + j]));
                next[j] = (1 - z) * n + z * h[j];
            }
            h = next;
            for (int j = 0; j < 3; j++) Assert.Equal(h[j], reference.State(0)[j], 12);
        }
    }

    [Fact]
    public void Float_reference_skips_by_the_paper_rule()
    {
        // ũ after an update is Δũ; skipped steps add Δũ until ũ > 0.5. With Δũ = σ(b) fixed by a zero W_p:
        FloatSkipGruModel f = TestModels.Random(4, GruVariant.ResetBefore, 2, 3, 1, 0, skipBias: Math.Log(0.15 / 0.85));
        Array.Clear(f.SkipWeight);
        var reference = new FloatSkipGru(f);
        var flags = new List<bool>();
        for (int t = 0; t < 12; t++)
        {
            flags.Add(reference.Step(new[] { 0.1, 0.2 }));
            if (flags[^1]) Assert.Equal(3, reference.AnnouncedSkips());
        }
        // Δũ = 0.15: ũ = 0.15, 0.30, 0.45 skip; 0.60 updates. Pattern: U S S S U S S S U ...
        Assert.Equal(new[] { true, false, false, false, true, false, false, false, true, false, false, false }, flags);
    }
}
