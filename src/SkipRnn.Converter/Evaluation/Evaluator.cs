using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// Measures a quantized model against its float64 reference on a labelled dataset, the way the device would
/// run it: every sequence from reset, each model free-running (its own skip decisions), the float model on the
/// normalized physical values, the fixed-point model on the raw integers of <see cref="RawEncoding"/>, and
/// neither reading an input on a step it skips.
/// </summary>
public static class Evaluator
{
    /// <summary>
    /// Runs both models over every sequence of <paramref name="data"/> and scores them (see
    /// <see cref="EvaluationResult"/>). <paramref name="task"/> is the model's task (Unspecified: the dataset's).
    /// Dataset problems are <see cref="DataException"/>s; mismatched models or encoding are ArgumentExceptions.
    /// <paramref name="progress"/> receives the number of sequences done after each one.
    /// </summary>
    public static EvaluationResult Evaluate(FloatSkipGruModel floatModel, SkipGruModel fixedModel, RawEncoding encoding,
        SequenceDataset data, ModelTask task, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        ArgumentNullException.ThrowIfNull(fixedModel);
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(data);
        CheckSameShape(floatModel, fixedModel);
        if (encoding.Channels != floatModel.InputSize)
            throw new ArgumentException($"The raw encoding has {encoding.Channels} channels but the model takes {floatModel.InputSize} inputs.", nameof(encoding));
        data.Validate(floatModel, task);
        encoding.CheckRange(data);

        int outputs = floatModel.OutputSize;
        var runner = new PairedRunner(floatModel, fixedModel, encoding);
        var classification = data.Task == ModelTask.Classification ? new ClassificationTally(outputs) : null;
        var regression = data.Task == ModelTask.Regression ? new RegressionTally() : null;
        var floatUpdates = new int[data.Count];
        var fixedUpdates = new int[data.Count];
        long fixedMacs = 0;
        double absOutputDifference = 0;

        for (int n = 0; n < data.Count; n++)
        {
            (floatUpdates[n], fixedUpdates[n], long macs) = runner.Run(data, n);
            fixedMacs += macs;
            double[] f = runner.FloatOutputs, q = runner.FixedOutputs;
            for (int o = 0; o < outputs; o++) absOutputDifference += Math.Abs(q[o] - f[o]);
            classification?.Add(data.Label(n), ClassificationTally.ArgMax(f), runner.FixedArgMax);
            regression?.Add(data.TargetValues(n), f, q);
            progress?.Report(n + 1);
        }

        long plainMacs = PlainGruMacs(fixedModel, data.Steps);
        double macsPerSequence = (double)fixedMacs / data.Count;
        var result = new EvaluationResult
        {
            Task = data.Task,
            Sequences = data.Count,
            StepsPerSequence = data.Steps,
            MeanAbsOutputDifference = absOutputDifference / ((double)data.Count * outputs),
            DecisionAgreement = (double)runner.AgreeingSteps / runner.Steps,
            MeanStateError = runner.StateErrorSum / runner.StateErrorTerms,
            FloatUpdatesMean = Mean(floatUpdates),
            FloatUpdatesStd = PopulationStd(floatUpdates),
            FixedUpdatesMean = Mean(fixedUpdates),
            FixedUpdatesStd = PopulationStd(fixedUpdates),
            FixedMacsPerSequence = macsPerSequence,
            PlainGruMacsPerSequence = plainMacs,
            MacsSaved = 1.0 - macsPerSequence / plainMacs,
        };
        return classification?.AddTo(result, floatModel.ClassNames) ?? regression!.AddTo(result, data);
    }

    /// <summary>
    /// MACs of a plain GRU of the same size over <paramref name="steps"/> steps: every layer every step,
    /// 3H·(I_l + H), and the head once at the end (no skip gate).
    /// </summary>
    public static long PlainGruMacs(SkipGruModel model, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        long perStep = 0;
        foreach (GruLayerWeights layer in model.Layers)
            perStep += (long)layer.Wih.Rows * layer.Wih.Cols + (long)layer.Whh.Rows * layer.Whh.Cols;
        long head = model.Head == null ? 0 : (long)model.Head.Rows * model.Head.Cols;
        return steps * perStep + head;
    }

    private static void CheckSameShape(FloatSkipGruModel f, SkipGruModel q)
    {
        if (f.InputSize != q.InputSize || f.HiddenSize != q.HiddenSize || f.Layers.Length != q.Layers.Length
            || f.OutputSize != q.OutputSize || f.Variant != q.Variant)
            throw new ArgumentException(
                $"The fixed-point model ({Describe(q.Variant, q.InputSize, q.HiddenSize, q.Layers.Length, q.OutputSize)}) is not "
                + $"the float model ({Describe(f.Variant, f.InputSize, f.HiddenSize, f.Layers.Length, f.OutputSize)}) quantized.");
    }

    private static string Describe(GruVariant variant, int inputs, int hidden, int layers, int outputs) =>
        $"{variant}, {inputs} inputs, {layers} × {hidden} units, {outputs} outputs";

    private static double Mean(int[] values) => values.Average();

    private static double PopulationStd(int[] values)
    {
        double mean = Mean(values), squares = 0;
        foreach (int v in values) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / values.Length);
    }
}
