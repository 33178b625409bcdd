using System.CommandLine;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Import;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn demo`: the main job on shipped defaults. For every shipped model (a folder under models/ holding
/// model.safetensors, its sidecar, calibration.npz and test.npz) it converts, verifies, evaluates float and fixed
/// on the shipped test set and prints one summary table.
/// </summary>
public static class DemoCommand
{
    /// <summary>One row of the demo's summary.</summary>
    public sealed record DemoRow(string Model, string Task, string Metric, double FloatValue, double FixedValue,
        double FloatUpdates, double FixedUpdates, int Steps, double MacsSaved, double DecisionAgreement, bool Verified, int ModelBytes);

    public static Command Create()
    {
        var dirs = new Option<DirectoryInfo[]>("--model-dir") { Description = "Model folders to run (default: every shipped model under models/)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout." };
        var cmd = new Command("demo", "Convert and evaluate the shipped trained models: float vs fixed point, updates used, MACs saved.") { dirs, json };
        cmd.SetAction(p => CliOutput.Guard(() => Run(p.GetValue(dirs), p.GetValue(json))));
        return cmd;
    }

    /// <summary>Model folders shipped in the repository (found from the working directory upwards).</summary>
    public static IReadOnlyList<DirectoryInfo> ShippedModels()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
        {
            var models = new DirectoryInfo(Path.Combine(d.FullName, "models"));
            if (File.Exists(Path.Combine(d.FullName, "SkipRnn.sln")) && models.Exists)
                return models.GetDirectories().Where(IsModelDir).OrderBy(m => m.Name).ToList();
        }
        throw new DirectoryNotFoundException("No SkipRnn Edge checkout (SkipRnn.sln with models/) above the working directory; pass --model-dir.");
    }

    /// <summary>
    /// A model folder's optional convert.json: the quantization choices its model card documents,
    /// e.g. {"weight_bits": 8, "int16": ["layer[0].w_hh"]}. A malformed file is an input error naming it.
    /// </summary>
    private static ConvertOptions ReadConvertJson(DirectoryInfo dir)
    {
        var defaults = new ConvertOptions { WeightsPath = "", CalibrationPath = "", OutputPath = "" };
        string path = Path.Combine(dir.FullName, "convert.json");
        if (!File.Exists(path)) return defaults;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            return defaults with
            {
                WeightBits = root.TryGetProperty("weight_bits", out var bits) ? bits.GetInt32() : defaults.WeightBits,
                Int16Tensors = root.TryGetProperty("int16", out var t)
                    ? t.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("null tensor name")).ToList()
                    : defaults.Int16Tensors,
                MinDecisionAgreement = root.TryGetProperty("min_decision_agreement", out var agree) ? agree.GetDouble() : defaults.MinDecisionAgreement,
                RawLsb = root.TryGetProperty("raw_lsb", out var lsb) ? new[] { lsb.GetDouble() } : defaults.RawLsb,   // e.g. 1: inputs are raw counts
            };
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: expected {{\"weight_bits\": 8 or 16, \"int16\": [tensor names], \"min_decision_agreement\": 0..1, \"raw_lsb\": number}} ({e.Message})", e);
        }
    }

    private static bool IsModelDir(DirectoryInfo d) =>
        new[] { "model.safetensors", "calibration.npz", "test.npz" }.All(f => File.Exists(Path.Combine(d.FullName, f)));

    public static int Run(DirectoryInfo[]? given, bool json)
    {
        IReadOnlyList<DirectoryInfo> dirs = given is { Length: > 0 } ? given : ShippedModels();
        if (dirs.Count == 0) throw new DirectoryNotFoundException("No shipped model folders found under models/.");
        IAnsiConsole console = CliOutput.Human(json);
        string work = Directory.CreateTempSubdirectory("skiprnn-demo-").FullName;
        var rows = new List<DemoRow>();
        var streams = new List<StreamDemo.Row>();   // always-on figures of folders with a stream.json
        try
        {
            foreach (DirectoryInfo dir in dirs)
            {
                if (!IsModelDir(dir)) throw new FileNotFoundException($"{dir.FullName} lacks model.safetensors, calibration.npz or test.npz.");
                var options = ReadConvertJson(dir) with
                {
                    WeightsPath = Path.Combine(dir.FullName, "model.safetensors"),
                    CalibrationPath = Path.Combine(dir.FullName, "calibration.npz"),
                    ValidationPath = Path.Combine(dir.FullName, "test.npz"),
                    OutputPath = Path.Combine(work, dir.Name + ".skrn"),
                };
                ConversionReport r = ReportTables.WithProgress(console, dir.Name, progress => ConversionPipeline.Run(options, progress));
                EvaluationResult e = r.Verification;   // the shipped test set is the verification set
                bool classification = e.Task == ModelTask.Classification;
                rows.Add(new DemoRow(dir.Name, e.Task.ToString(), classification ? "accuracy" : "MSE / target variance",
                    (classification ? e.FloatAccuracy : e.FloatMseOverVariance) ?? double.NaN,
                    (classification ? e.FixedAccuracy : e.FixedMseOverVariance) ?? double.NaN,
                    e.FloatUpdatesMean, e.FixedUpdatesMean, e.StepsPerSequence, e.MacsSaved, e.DecisionAgreement, r.Passed, r.Model.FlashBytes));
                if (r.Passed && StreamDemo.For(dir, options.OutputPath) is { } stream) streams.Add(stream);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        if (json) CliOutput.WriteJson(rows);
        else Print(console, rows, given is { Length: > 0 } ? "models from --model-dir" : "shipped models");
        StreamDemo.Print(console, streams);   // with --json on stderr, so stdout keeps its shape
        return rows.All(r => r.Verified) ? ExitCodes.Success : ExitCodes.VerificationFailed;
    }

    // One column per model, one row per figure: narrow enough for an 80-column terminal.
    private static void Print(IAnsiConsole console, IReadOnlyList<DemoRow> rows, string which)
    {
        var t = new Table { Title = new TableTitle(Markup.Escape($"SkipRnn Edge demo: {which}, float vs fixed point (device)")) };
        t.AddColumn("");
        foreach (DemoRow r in rows) t.AddColumn(new TableColumn(r.Model).RightAligned());
        void Line(string label, Func<DemoRow, object> cell) => CliOutput.Row(t, new object[] { label }.Concat(rows.Select(cell)).ToArray());
        static string Metric(DemoRow r, double v) =>
            r.Metric == "accuracy" ? CliOutput.Percent(v) : r.Metric.Contains("variance") ? (100 * v).ToString("G3") + "%" : v.ToString("E3");
        Line("task metric", r => r.Metric);
        Line("  float", r => Metric(r, r.FloatValue));
        Line("  fixed point", r => Metric(r, r.FixedValue));
        Line("updates per sequence, float", r => $"{r.FloatUpdates:F1} / {r.Steps}");
        Line("updates per sequence, fixed", r => $"{r.FixedUpdates:F1} / {r.Steps}");
        Line("MACs saved vs plain GRU", r => CliOutput.Percent(r.MacsSaved));
        Line("update decisions agreeing", r => CliOutput.Percent(r.DecisionAgreement));
        Line("model file bytes", r => r.ModelBytes.ToString("N0"));
        Line("verification", r => r.Verified ? new Markup("[green]passed[/]") : new Markup("[red]FAILED[/]"));
        console.Write(t);
    }
}
