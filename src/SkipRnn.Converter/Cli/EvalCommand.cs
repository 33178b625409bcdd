using System.CommandLine;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Files;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn eval weights model.skrn data.npz`: the float model (from its weights) and the fixed-point model
/// (from its file) over a labelled set: task metric both ways, updates, decision agreement, per-class table.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var weights = new Argument<FileInfo>("weights") { Description = "The float model's trained weights (as given to convert)." };
        var model = new Argument<FileInfo>("model") { Description = "The converted model file (.skrn)." };
        var data = new Argument<FileInfo>("data") { Description = "Labelled sequences (.npz: x [N,T,I], y)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var trace = new Option<FileInfo?>("--trace") { HelpName = "out.csv", Description = "Write one sequence step by step as CSV: step, ũ, update, outputs, float and fixed." };
        var plot = new Option<FileInfo?>("--plot") { HelpName = "out.png", Description = "Draw one sequence as a PNG: ũ and updates above, the head outputs below." };
        var sequence = new Option<int>("--sequence") { HelpName = "K", Description = "The sequence --trace and --plot show (index in DATA).", DefaultValueFactory = _ => 0 };
        var import = new ImportArguments();
        var cmd = new Command("eval", "Evaluate the float and the fixed-point model over a labelled set.") { weights, model, data, json, trace, plot, sequence };
        import.AddTo(cmd);
        cmd.SetAction(p => CliOutput.Guard(() =>
            Run(p.GetValue(weights)!, p.GetValue(model)!, p.GetValue(data)!, import.Read(p), p.GetValue(json),
                new TraceOptions(p.GetValue(trace), p.GetValue(plot), p.GetValue(sequence)))));
        return cmd;
    }

    /// <summary>What to draw or write of one sequence, besides the scores.</summary>
    public sealed record TraceOptions(FileInfo? Csv, FileInfo? Png, int Sequence);

    public static int Run(FileInfo weights, FileInfo modelFile, FileInfo dataFile, ImportOptions importOptions, bool json,
        TraceOptions? traceOptions = null)
    {
        if (traceOptions is { } outputs && (outputs.Csv != null || outputs.Png != null))
        {
            // Before any work: a typo in a folder should not cost a whole evaluation, and no output may be an input.
            OutputPaths.Check(
                new[]
                {
                    new NamedPath("weights file", weights.FullName),
                    new NamedPath("sidecar", ModelImporter.SidecarPathFor(weights.FullName, importOptions) ?? ""),
                    new NamedPath("model file", modelFile.FullName),
                    new NamedPath("data set", dataFile.FullName),
                },
                new[] { new NamedPath("--trace", outputs.Csv?.FullName ?? ""), new NamedPath("--plot", outputs.Png?.FullName ?? "") }
                    .Where(o => o.Path.Length > 0));
        }
        ImportResult import = ModelImporter.Import(weights.FullName, importOptions);
        SkipGruModel fixedModel = CliOutput.ReadModel(modelFile, ModelReader.Read);
        if (fixedModel.InputSize != import.Model.InputSize || fixedModel.HiddenSize != import.Model.HiddenSize ||
            fixedModel.Layers.Length != import.Model.Layers.Length || fixedModel.OutputSize != import.Model.OutputSize)
            throw new ArgumentException($"{modelFile.Name} ({fixedModel.Layers.Length}×{fixedModel.InputSize}→{fixedModel.HiddenSize}→{fixedModel.OutputSize}) " +
                                        $"was not converted from {weights.Name} ({import.Model.Layers.Length}×{import.Model.InputSize}→{import.Model.HiddenSize}→{import.Model.OutputSize}).");
        SequenceDataset set = SequenceDataset.Read(dataFile.FullName);
        ModelTask task = import.Task != ModelTask.Unspecified ? import.Task : set.Task;
        set.Validate(import.Model, task);
        RawEncoding encoding = ConversionPipeline.EncodingOf(fixedModel, import.Model);

        if (traceOptions is { } to && (to.Csv != null || to.Png != null))
        {
            if (to.Sequence < 0 || to.Sequence >= set.Count)
                throw new ArgumentException($"--sequence {to.Sequence}: {dataFile.Name} holds sequences 0 to {set.Count - 1}.");
        }

        IAnsiConsole console = CliOutput.Human(json);
        EvaluationResult result = ReportTables.WithProgress(console, "evaluating", progress =>
            Evaluator.Evaluate(import.Model, fixedModel, encoding, set, task, new ActionProgress<int>(d => progress.Report((d, set.Count)))));
        if (json) CliOutput.WriteJson(result);
        else
        {
            ReportTables.Evaluation(console, result, $"{dataFile.Name}: {set.Count} sequences of {set.Steps} steps");
            ReportTables.Confusion(console, result);
        }

        if (traceOptions is { } o && (o.Csv != null || o.Png != null))
        {
            SequenceTrace trace = SequenceTrace.Record(import.Model, fixedModel, encoding, set, o.Sequence);
            IAnsiConsole notes = CliOutput.Human(json: true);   // file notes on stderr, whatever stdout holds
            if (o.Csv != null)
            {
                AtomicFile.WriteAllText(o.Csv.FullName, trace.ToCsv());
                notes.MarkupLine($"wrote {Markup.Escape(o.Csv.FullName)} ({trace.Steps} steps of sequence {o.Sequence})");
            }
            if (o.Png != null)
            {
                TracePlot.Save(trace, o.Png.FullName, $"{dataFile.Name}, sequence {o.Sequence}: float vs fixed point");
                notes.MarkupLine($"wrote {Markup.Escape(o.Png.FullName)}");
            }
        }
        return ExitCodes.Success;
    }
}
