using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Export;
using SkipRnn.Converter.Files;
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
        SkipGruModel Model, IReadOnlyList<TensorQuality> Tensors)
    {
        /// <summary>The calibration data in raw counts per channel, checked against --raw-bits.</summary>
        public IReadOnlyList<RawChannelRange> RawRanges { get; init; } = Array.Empty<RawChannelRange>();
        /// <summary>Warnings about the raw encoding (a given --raw-lsb that a --raw-bits sensor cannot deliver).</summary>
        public IReadOnlyList<string> RawWarnings { get; init; } = Array.Empty<string>();
    }

    /// <summary>Runs the whole conversion. <paramref name="progress"/> gets (validation sequences done, total).</summary>
    public static ConversionReport Run(ConvertOptions o, IProgress<(int Done, int Total)>? progress = null)
    {
        o.Validate();
        CheckPaths(o);
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
        List<string> warnings = q.RawWarnings.Concat(VerificationAdvice.Warnings(o, eval, floors)).ToList();
        List<string> advice = VerificationAdvice.WhenFailed(o, floors, q.Tensors, warnings);

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
            ModelSummary.Of(model, file.Length))
        {
            ValidationSet = o.ValidationPath ?? o.CalibrationPath,
            ValidationIsCalibration = o.ValidationPath == null,
            RawRanges = q.RawRanges,
            Warnings = warnings,
            Advice = advice,
        };
        AtomicFile.WriteAllText(ReportPathOf(o),
            System.Text.Json.JsonSerializer.Serialize(report, Cli.CliOutput.Json));
        return report;
    }

    /// <summary>Where the report goes: --report, else &lt;output&gt;.report.json.</summary>
    public static string ReportPathOf(ConvertOptions o) => o.ReportPath ?? o.OutputPath + ".report.json";

    /// <summary>
    /// Before any work: the model file and the report must go to existing folders, be two different files and
    /// overwrite none of the inputs (weights, sidecar, calibration and validation sets), however they are linked.
    /// </summary>
    public static void CheckPaths(ConvertOptions o) =>
        OutputPaths.Check(
            new[]
            {
                new NamedPath("weights file", o.WeightsPath),
                new NamedPath("sidecar", ModelImporter.SidecarPathFor(o.WeightsPath, o.Import) ?? ""),
                new NamedPath("calibration set", o.CalibrationPath),
                new NamedPath("validation set", o.ValidationPath ?? ""),
            },
            new[] { new NamedPath("output (-o)", o.OutputPath), new NamedPath("report (--report)", ReportPathOf(o)) });

    /// <summary>Import, calibrate and quantize (no verification, nothing written).</summary>
    public static Quantized Quantize(ConvertOptions o)
    {
        o.Validate();
        ImportResult import = ModelImporter.Import(o.WeightsPath, o.Import);
        FloatSkipGruModel model = import.Model;
        CheckInt16Names(o.Int16Tensors, model);
        SequenceDataset calib = SequenceDataset.Read(o.CalibrationPath);
        ModelTask task = import.Task != ModelTask.Unspecified ? import.Task : calib.Task;
        calib.Validate(model, task);

        if (o.RawBits is < 2 or > 32) throw new ArgumentException($"--raw-bits must be 2 to 32, not {o.RawBits}.");
        double[]? lsb = o.RawLsb is { Length: 1 } one && model.InputSize > 1 ? Enumerable.Repeat(one[0], model.InputSize).ToArray() : o.RawLsb;
        RawEncoding encoding = lsb != null ? RawEncoding.FromLsb(lsb) : RawEncoding.FromCalibration(calib, o.RawBits);
        if (encoding.Lsb.Length != model.InputSize)
            throw new ArgumentException($"--raw-lsb gives {encoding.Lsb.Length} values for a model with {model.InputSize} inputs.");
        CheckLsb(encoding, model, lsb != null ? null : calib);
        // Raw counts beyond int32 cannot reach the device at all: refused, naming the sample. Beyond --raw-bits, a
        // sensor of that resolution would saturate where the calibration data goes: said, since the LSB was chosen.
        encoding.CheckRange(calib);
        IReadOnlyList<RawChannelRange> rawRanges = encoding.Ranges(calib, o.RawBits);
        var rawWarnings = rawRanges.Where(r => r.SaturatesSensor).Select(r =>
            $"--raw-lsb: input {r.Channel} reaches |{r.MaxAbsValue:G4}| in the calibration data, {r.MaxAbsCounts:G6} counts of LSB {r.Lsb:G4}, " +
            $"which needs {r.BitsNeeded} bits: a {o.RawBits}-bit sensor saturates at ±{Math.Pow(2, o.RawBits - 1) - 1:G6} counts. " +
            $"Pass the sensor's real LSB, or --raw-bits {r.BitsNeeded} if its counts are that wide.").ToList();
        var sequences = Enumerable.Range(0, calib.Count).Select(calib.Sequence).ToList();
        Calibration calibration = Calibration.Run(model, sequences, encoding.Lsb);

        var options = new QuantizerOptions
        {
            InputFracBits = calibration.InputFracBits,
            InputRawScale = encoding.Lsb,
            WeightBits = o.WeightBits,
        };
        foreach (string tensor in o.Int16Tensors) options.WeightBitsByTensor[tensor] = 16;
        SkipGruModel q;
        try
        {
            q = Quantizer.Quantize(model, options);
        }
        catch (Exception e) when (e is ArgumentException or ModelFormatException)
        {
            // Weights (or a sidecar's normalization) the fixed point cannot hold: say which file they came from.
            throw new ImportException(o.WeightsPath, null, $"cannot be quantized: {e.Message.TrimEnd('.')}.", e);
        }
        q = Streaming.EventRuleSidecar.Apply(q, import.SidecarPath);   // the sidecar's optional event rule
        q = Streaming.FrontEndSidecar.Apply(q, import.SidecarPath);    // and its optional audio front end
        return new Quantized(import, task, encoding, calibration, q, TensorQualityMeter.Measure(model, q))
        {
            RawRanges = rawRanges,
            RawWarnings = rawWarnings,
        };
    }

    /// <summary>The per-tensor names --int16 accepts for <paramref name="model"/>, in the quantizer's spelling.</summary>
    public static IReadOnlyList<string> Int16Names(FloatSkipGruModel model)
    {
        var names = new List<string>();
        for (int l = 0; l < model.Layers.Length; l++) names.AddRange([$"layer[{l}].w_ih", $"layer[{l}].w_hh"]);
        names.Add("skip_gate");
        if (model.OutputSize > 0) names.Add("head");
        return names;
    }

    private static void CheckInt16Names(IReadOnlyList<string> requested, FloatSkipGruModel model)
    {
        var valid = Int16Names(model);
        foreach (string name in requested)
            if (!valid.Contains(name, StringComparer.Ordinal))
                throw new ArgumentException(
                    $"--int16: '{DisplayText.Escape(name)}' is not a tensor of this model; the tensors are {string.Join(", ", valid)}.");
    }

    /// <summary>
    /// The device folds lsb · 2^F / std into a multiplier M · 2^−S with S ≤ 62 and F ≤ 15: an LSB far outside what that
    /// holds with at least 16 significant bits is refused here, naming the input, instead of failing inside the quantizer.
    /// </summary>
    private static void CheckLsb(RawEncoding encoding, FloatSkipGruModel model, SequenceDataset? derivedFrom)
    {
        double[] lsb = encoding.Lsb;
        for (int j = 0; j < lsb.Length; j++)
        {
            double std = model.InputStd?[j] ?? 1.0, perStd = lsb[j] / std;
            if (perStd >= MinLsbPerStd && perStd <= MaxLsbPerStd) continue;
            string range = $"{perStd:G6} standard deviations ({std:G6}) per raw count; the device's input normalization holds {MinLsbPerStd:G3} to {MaxLsbPerStd:G3}";
            if (derivedFrom != null)
                throw new DataException(derivedFrom.Path, SequenceDataset.XItem,
                    $"input {j}'s largest value gives a raw LSB of {lsb[j]:G6} (--raw-bits), which is {range}: check the data or give --raw-lsb.");
            throw new ArgumentException($"--raw-lsb: input {j}'s LSB {lsb[j]:G6} is {range}.");
        }
    }

    private static readonly double MinLsbPerStd = Math.Pow(2, -46), MaxLsbPerStd = Math.Pow(2, 15);

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
