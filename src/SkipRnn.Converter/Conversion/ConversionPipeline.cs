using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Export;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Quantization;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Converter.Conversion;

/// <summary>
/// import → calibrate → quantize → verify → embed self-test → write. The model file is written (atomically)
/// only when every verification floor holds; the report is written either way.
/// </summary>
public static class ConversionPipeline
{
    /// <summary>The quantized model and what it was measured against, before anything is written.</summary>
    public sealed record Quantized(ImportResult Import, ModelTask Task, RawEncoding Encoding, Calibration Calibration,
        SkipGruModel Model, IReadOnlyList<TensorQuality> Tensors);

    /// <summary>Runs the whole conversion. <paramref name="progress"/> gets (validation sequences done, total).</summary>
    public static ConversionReport Run(ConvertOptions o, IProgress<(int Done, int Total)>? progress = null)
    {
        Quantized q = Quantize(o);
        SequenceDataset validation = o.ValidationPath == null ? LoadData(o.CalibrationPath, q) : LoadData(o.ValidationPath, q);
        EvaluationResult eval = Evaluate(q, validation, progress);

        var floors = new List<FloorCheck>
        {
            new("decision agreement", eval.DecisionAgreement, o.MinDecisionAgreement, eval.DecisionAgreement >= o.MinDecisionAgreement),
        };
        if (q.Task == ModelTask.Classification)
        {
            double argmax = eval.ArgmaxAgreement ?? 0;
            floors.Add(new("argmax agreement", argmax, o.MinArgmaxAgreement, argmax >= o.MinArgmaxAgreement));
        }
        bool passed = floors.All(f => f.Passed);

        SkipGruModel model = q.Model;
        string selfTest = "none";
        if (o.SelfTestSteps > 0)
        {
            model = WithSelfTest(q, validation, o.SelfTestSteps);
            selfTest = $"{model.SelfTest!.Steps} steps of validation sequence 0";
        }
        byte[] file = ModelWriter.ToBytes(model);
        if (passed) AtomicFile.WriteAllBytes(o.OutputPath, file);

        var report = new ConversionReport(o.WeightsPath, o.OutputPath, passed, q.Task.ToString(), model.Variant.ToString(),
            q.Import.VariantSource.ToString(), q.Import.Mapping.Describe().ToList(), q.Calibration, q.Tensors, eval, floors, selfTest,
            ModelSummary.Of(model, file.Length));
        AtomicFile.WriteAllText(o.ReportPath ?? o.OutputPath + ".report.json",
            System.Text.Json.JsonSerializer.Serialize(report, Cli.CliOutput.Json));
        return report;
    }

    /// <summary>Import, calibrate and quantize (no verification, nothing written).</summary>
    public static Quantized Quantize(ConvertOptions o)
    {
        if (o.WeightBits is not (8 or 16)) throw new ArgumentException($"--weight-bits must be 8 or 16, not {o.WeightBits}.");
        ImportResult import = ModelImporter.Import(o.WeightsPath, o.Import);
        FloatSkipGruModel model = import.Model;
        SequenceDataset calib = SequenceDataset.Read(o.CalibrationPath);
        ModelTask task = import.Task != ModelTask.Unspecified ? import.Task : calib.Task;
        calib.Validate(model, task);

        double[]? lsb = o.RawLsb is { Length: 1 } one && model.InputSize > 1 ? Enumerable.Repeat(one[0], model.InputSize).ToArray() : o.RawLsb;
        RawEncoding encoding = lsb != null ? RawEncoding.FromLsb(lsb) : RawEncoding.FromCalibration(calib, o.RawBits);
        if (encoding.Lsb.Length != model.InputSize)
            throw new ArgumentException($"--raw-lsb gives {encoding.Lsb.Length} values for a model with {model.InputSize} inputs.");
        var sequences = Enumerable.Range(0, calib.Count).Select(calib.Sequence).ToList();
        Calibration calibration = Calibration.Run(model, sequences, encoding.Lsb);

        var options = new QuantizerOptions
        {
            InputFracBits = calibration.InputFracBits,
            InputRawScale = encoding.Lsb,
            WeightBits = o.WeightBits,
        };
        foreach (string tensor in o.Int16Tensors) options.WeightBitsByTensor[tensor] = 16;
        SkipGruModel q = Streaming.EventRuleSidecar.Apply(Quantizer.Quantize(model, options), import.SidecarPath);   // optional event rule
        return new Quantized(import, task, encoding, calibration, q, TensorQualityMeter.Measure(model, q));
    }

    /// <summary>
    /// The raw LSB a model file was converted with, recovered from its input normalization:
    /// multiplier · 2^−shift = lsb · 2^F / std, so lsb = multiplier · 2^−shift · std / 2^F.
    /// </summary>
    public static RawEncoding EncodingOf(SkipGruModel fixedModel, FloatSkipGruModel floatModel)
    {
        var lsb = new double[fixedModel.InputSize];
        for (int j = 0; j < lsb.Length; j++)
        {
            double std = floatModel.InputStd?[j] ?? 1.0;
            lsb[j] = fixedModel.Input.Multiplier[j] * Math.Pow(2, -fixedModel.Input.Shift[j]) * std / Math.Pow(2, fixedModel.InputFracBits);
        }
        return RawEncoding.FromLsb(lsb);
    }

    /// <summary>Float against fixed point over <paramref name="data"/>.</summary>
    public static EvaluationResult Evaluate(Quantized q, SequenceDataset data, IProgress<(int Done, int Total)>? progress = null) =>
        Evaluator.Evaluate(q.Import.Model, q.Model, q.Encoding, data, q.Task,
            progress == null ? null : new ActionProgress<int>(done => progress.Report((done, data.Count))));

    /// <summary>Reads a labelled set and checks it fits the model and task.</summary>
    public static SequenceDataset LoadData(string path, Quantized q)
    {
        SequenceDataset data = SequenceDataset.Read(path);
        data.Validate(q.Import.Model, q.Task);
        return data;
    }

    /// <summary>Records the first steps of validation sequence 0 and proves the device replay passes.</summary>
    private static SkipGruModel WithSelfTest(Quantized q, SequenceDataset validation, int steps)
    {
        int k = Math.Min(steps, validation.Steps);
        double[] seq = validation.Sequence(0);
        int inputs = validation.Inputs;
        var raw = new int[k][];
        for (int t = 0; t < k; t++) raw[t] = q.Encoding.Encode(seq.AsSpan(t * inputs, inputs).ToArray());
        SkipGruModel model = q.Model.WithSelfTest(Quantizer.RecordSelfTest(q.Model, raw));
        SelfTestResult check = SelfTest.Run(model);
        if (!check.Passed) throw new InvalidOperationException("The embedded self-test does not replay: " + check);
        return model;
    }
}
