using System.Text.Json;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Data;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using Xunit.Abstractions;

namespace SkipRnn.Converter.Tests.Evaluation;

public class EvaluatorTests(ITestOutputHelper output)
{
    private sealed record Setup(FloatSkipGruModel Float, SkipGruModel Fixed, RawEncoding Encoding, SequenceDataset Data);

    /// <summary>ra1 quantized for raw inputs whose 16-bit range covers the dataset, as `convert` would do it.</summary>
    private static Setup Ra1(SequenceDataset? data = null)
    {
        FloatSkipGruModel model = SyntheticData.Ra1().Model;
        data ??= SyntheticData.SelfLabelled(model);
        var encoding = RawEncoding.FromCalibration(data);
        var quantized = Quantizer.Quantize(model, new QuantizerOptions { InputRawScale = encoding.Lsb, InputFracBits = 11 });
        return new Setup(model, quantized, encoding, data);
    }

    private static EvaluationResult Evaluate(Setup s, ModelTask task = ModelTask.Classification, IProgress<int>? progress = null) =>
        Evaluator.Evaluate(s.Float, s.Fixed, s.Encoding, s.Data, task, progress);

    private void Print(string title, EvaluationResult r) =>
        output.WriteLine($"{title}: {JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true })}");

    [Fact]
    public void OnTheFloatModelsOwnLabelsFloatIsPerfectAndFixedAccuracyIsArgmaxAgreement()
    {
        var s = Ra1();
        var r = Evaluate(s);
        Print("ra1, 64 self-labelled sequences", r);

        Assert.Equal((ModelTask.Classification, 64, 40), (r.Task, r.Sequences, r.StepsPerSequence));
        Assert.Equal(1.0, r.FloatAccuracy);
        Assert.Equal(r.ArgmaxAgreement, r.FixedAccuracy);
        Assert.InRange(r.DecisionAgreement, 0.0, 1.0);
        Assert.True(r.DecisionAgreement >= 0.95, $"decision agreement {r.DecisionAgreement}");
        Assert.True(r.ArgmaxAgreement >= 0.9, $"argmax agreement {r.ArgmaxAgreement}");
        Assert.InRange(r.MeanStateError, 0.0, 0.01);
        Assert.InRange(r.MeanAbsOutputDifference, 0.0, 0.05);
        Assert.Null(r.FloatMse);
        Assert.Null(r.TargetVariance);

        // Per class: supports add up, the float model finds every label it wrote, the names come from the sidecar.
        Assert.Equal(["a", "b", "c", "d"], r.PerClass!.Select(c => c.Name));
        Assert.Equal([0, 1, 2, 3], r.PerClass!.Select(c => c.Class));
        Assert.Equal(64, r.PerClass!.Sum(c => c.Support));
        Assert.All(r.PerClass!, c => Assert.Equal(c.Support == 0 ? null : 1.0, c.FloatRecall));
        Assert.Equal(r.FixedAccuracy!.Value * 64, r.PerClass!.Sum(c => (c.FixedRecall ?? 0) * c.Support), 9);
    }

    [Fact]
    public void UpdateCountsAndMacsMatchIndependentRunsOfEachModel()
    {
        var s = Ra1();
        var r = Evaluate(s);

        // Float: the public API run in SyntheticData, with FloatSkipGru.Normalize itself.
        double[] x = Enumerable.Range(0, s.Data.Count).SelectMany(s.Data.Sequence).ToArray();
        var (_, floatUpdates) = SyntheticData.FloatRun(s.Float, x, s.Data.Count);
        Assert.Equal(floatUpdates.Average(), r.FloatUpdatesMean, 12);
        Assert.Equal(Std(floatUpdates), r.FloatUpdatesStd, 12);

        // Fixed: the device loop of the README, StepsToSkip and Skip(n), on raw integers.
        var rnn = new SkipGru(s.Fixed);
        var fixedUpdates = new int[s.Data.Count];
        int fixedCorrect = 0;
        for (int n = 0; n < s.Data.Count; n++)
        {
            rnn.Reset();
            double[] seq = s.Data.Sequence(n);
            for (int t = 0; t < s.Data.Steps; t++)
            {
                if (rnn.StepsToSkip > 0) { rnn.Skip(1); continue; }
                rnn.Step(s.Encoding.Encode(seq.AsSpan(t * 3, 3).ToArray()));
                fixedUpdates[n]++;
            }
            if (rnn.ArgMax() == s.Data.Label(n)) fixedCorrect++;
        }
        Assert.Equal(fixedUpdates.Average(), r.FixedUpdatesMean, 12);
        Assert.Equal(Std(fixedUpdates), r.FixedUpdatesStd, 12);
        Assert.Equal(fixedCorrect / 64.0, r.FixedAccuracy);

        // MACs: every update costs the same; a plain GRU does 3H(I + H) per step and the head once.
        Assert.Equal(r.FixedUpdatesMean * s.Fixed.MacsPerUpdate, r.FixedMacsPerSequence, 9);
        Assert.Equal(40 * (24 * (3 + 8)) + 4 * 8, r.PlainGruMacsPerSequence);
        Assert.Equal(1 - r.FixedMacsPerSequence / r.PlainGruMacsPerSequence, r.MacsSaved, 12);
        Assert.True(r.FixedUpdatesMean < 40 && r.MacsSaved > 0, $"the model skips, so it saves MACs: {r.MacsSaved}");
    }

    [Fact]
    public void PerClassRecallMatchesAnIndependentCountOnRandomLabels()
    {
        // Without its sidecar the model has no normalization (identity) and no class names.
        FloatSkipGruModel withSidecar = SyntheticData.Ra1().Model;
        FloatSkipGruModel model = ModelImporter.Import(Path.Combine(AppContext.BaseDirectory, "fixtures", "ra1.safetensors"),
            new ImportOptions { NoSidecar = true }).Model;
        double[] x = SyntheticData.Inputs(withSidecar, 64, seed: 4);
        var random = new Random(5);
        int[] labels = Enumerable.Range(0, 64).Select(_ => random.Next(4)).ToArray();
        var s = Ra1(SequenceDataset.ForClassification("random-labels.npz", x, 64, 40, 3, labels)) with { Float = model };
        s = s with { Fixed = Quantizer.Quantize(model, new QuantizerOptions { InputRawScale = s.Encoding.Lsb }) };

        var r = Evaluate(s, ModelTask.Unspecified);   // the dataset's task
        Print("ra1 without sidecar, random labels", r);

        int[] predicted = SyntheticData.FloatRun(model, x, 64).Outputs.Select(SyntheticData.ArgMax).ToArray();
        Assert.Equal(ModelTask.Classification, r.Task);
        Assert.Equal(Enumerable.Range(0, 64).Count(n => predicted[n] == labels[n]) / 64.0, r.FloatAccuracy);
        for (int c = 0; c < 4; c++)
        {
            int support = labels.Count(l => l == c);
            int hits = Enumerable.Range(0, 64).Count(n => labels[n] == c && predicted[n] == c);
            ClassMetrics m = r.PerClass![c];
            Assert.Equal((c, (string?)null, support), (m.Class, m.Name, m.Support));
            Assert.Equal((double)hits / support, m.FloatRecall);
        }
        Assert.True(r.PerClass!.All(m => m.Support > 0), "every class drawn");
    }

    [Fact]
    public void RegressionMseOfTheFloatModelIsTheNoiseAddedToItsOwnOutputs()
    {
        FloatSkipGruModel model = SyntheticData.Ra1().Model;
        double[] x = SyntheticData.Inputs(model, 64, seed: 2);
        var (outputs, _) = SyntheticData.FloatRun(model, x, 64);
        const double sigma = 0.1;
        var random = new Random(3);
        var noise = Enumerable.Range(0, 64 * 4).Select(_ => sigma * SyntheticData.Gaussian(random)).ToArray();
        double[] y = Enumerable.Range(0, 64 * 4).Select(k => outputs[k / 4][k % 4] + noise[k]).ToArray();
        // Targets in float64: float32 would add its own rounding to the "noise".
        var data = SequenceDataset.Parse(DatasetNpz.Regression(x, 64, 40, 3, y, 4, yType: TensorDType.F64), "regression.npz");
        var s = Ra1(data);

        var r = Evaluate(s, ModelTask.Regression);
        Print("ra1 as a 4-output regression, noise σ = 0.1", r);

        double noiseMse = noise.Select(e => e * e).Average();
        Assert.Equal(ModelTask.Regression, r.Task);
        Assert.Equal(noiseMse, r.FloatMse!.Value, 12);
        Assert.InRange(r.FloatMse!.Value, 0.7 * sigma * sigma, 1.3 * sigma * sigma);
        double variance = Enumerable.Range(0, 4).Average(o =>
        {
            var col = Enumerable.Range(0, 64).Select(n => y[n * 4 + o]).ToArray();
            double m = col.Average();
            return col.Average(v => (v - m) * (v - m));
        });
        Assert.Equal(variance, r.TargetVariance!.Value, 12);
        Assert.Equal(r.FloatMse!.Value / variance, r.FloatMseOverVariance!.Value, 12);
        Assert.Equal(r.FixedMse!.Value / variance, r.FixedMseOverVariance!.Value, 12);
        // Fixed outputs sit within the quantization error of the float ones, far below the noise.
        Assert.InRange(r.FixedMse!.Value, 0.5 * r.FloatMse!.Value, 2 * r.FloatMse!.Value);
        Assert.True(r.MeanAbsOutputDifference < sigma / 2, $"mean |output difference| {r.MeanAbsOutputDifference}");
        Assert.Null(r.FloatAccuracy);
        Assert.Null(r.PerClass);
    }

    [Fact]
    public void AFlippedWeightByteShowsUpInTheMetrics()
    {
        var s = Ra1();
        var good = Evaluate(s);
        var broken = Evaluate(s with { Fixed = SyntheticData.WithSkipGateByteFlipped(s.Fixed) });
        output.WriteLine($"decision agreement {good.DecisionAgreement:P2} → {broken.DecisionAgreement:P2}, "
            + $"argmax agreement {good.ArgmaxAgreement:P2} → {broken.ArgmaxAgreement:P2}, "
            + $"mean state error {good.MeanStateError:G3} → {broken.MeanStateError:G3}, "
            + $"fixed updates {good.FixedUpdatesMean:F2} → {broken.FixedUpdatesMean:F2} (float {good.FloatUpdatesMean:F2})");

        Assert.True(broken.DecisionAgreement < good.DecisionAgreement - 0.1,
            $"decision agreement {good.DecisionAgreement} → {broken.DecisionAgreement}");
        Assert.True(broken.MeanStateError > 2 * good.MeanStateError, $"state error {good.MeanStateError} → {broken.MeanStateError}");
        Assert.Equal(good.FloatAccuracy, broken.FloatAccuracy);   // the float side is untouched
    }

    [Fact]
    public void ReportsProgressAfterEverySequence()
    {
        var s = Ra1(SyntheticData.SelfLabelled(SyntheticData.Ra1().Model, sequences: 5));
        var seen = new List<int>();
        Evaluate(s, progress: new SyncProgress(seen.Add));
        Assert.Equal([1, 2, 3, 4, 5], seen);
    }

    [Fact]
    public void TheResultSerializesToJsonWithPlainNames()
    {
        var r = Evaluate(Ra1(SyntheticData.SelfLabelled(SyntheticData.Ra1().Model, sequences: 8)));
        string json = JsonSerializer.Serialize(r);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Classification", root.GetProperty("Task").GetString());
        Assert.Equal(r.DecisionAgreement, root.GetProperty("DecisionAgreement").GetDouble());
        Assert.Equal("a", root.GetProperty("PerClass")[0].GetProperty("Name").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("FloatMse").ValueKind);

        var back = JsonSerializer.Deserialize<EvaluationResult>(json)!;
        Assert.Equal(r with { PerClass = null, FloatConfusion = null, FixedConfusion = null },
            back with { PerClass = null, FloatConfusion = null, FixedConfusion = null });
        Assert.Equal(r.PerClass, back.PerClass);
        Assert.Equal(r.FloatConfusion, back.FloatConfusion);   // arrays: compared element by element
        Assert.Equal(r.FixedConfusion, back.FixedConfusion);
    }

    [Fact]
    public void RefusesMismatchedInputs()
    {
        var s = Ra1(SyntheticData.SelfLabelled(SyntheticData.Ra1().Model, sequences: 4));

        // The task must agree with the dataset's labels.
        Assert.Throws<DataException>(() => Evaluate(s, ModelTask.Regression));

        // A fixed model of another size is not this float model quantized.
        var other = Quantizer.Quantize(new Builders.ReferenceWeights(3, 6, 1, 4, seed: 1).Model(GruVariant.ResetAfter), new QuantizerOptions());
        Assert.Contains("is not the float model", Assert.Throws<ArgumentException>(() => Evaluate(s with { Fixed = other })).Message);

        Assert.Throws<ArgumentException>(() => Evaluate(s with { Encoding = RawEncoding.FromLsb([1, 1]) }));

        // An LSB so small that the dataset leaves int32 is a data error naming where.
        var e = Assert.Throws<DataException>(() => Evaluate(s with { Encoding = RawEncoding.FromLsb([1e-12, 1, 1]) }));
        Assert.Contains("sequence 0, step 0, channel 0", e.Message);
    }

    [Fact]
    public void AllocatesPerSequenceAtMostNotPerStep()
    {
        var small = Ra1(SyntheticData.SelfLabelled(SyntheticData.Ra1().Model, sequences: 16));
        var large = small with { Data = SyntheticData.SelfLabelled(small.Float, sequences: 64) };
        Evaluate(small);   // warm up (JIT, statics)

        long Allocated(Setup s)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Evaluate(s);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long extra = Allocated(large) - Allocated(small);
        double perStep = extra / (48.0 * 40);
        output.WriteLine($"48 more sequences cost {extra} more bytes: {perStep:F2} per step");
        Assert.True(perStep < 1, $"{perStep} bytes per step");
    }

    private static double Std(int[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Average(a => (a - m) * (a - m)));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this reports synchronously, in order.</summary>
    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
