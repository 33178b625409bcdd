using System.CommandLine;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Format;
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
        var import = new ImportArguments();
        var cmd = new Command("eval", "Evaluate the float and the fixed-point model over a labelled set.") { weights, model, data, json };
        import.AddTo(cmd);
        cmd.SetAction(p => CliOutput.Guard(() =>
            Run(p.GetValue(weights)!, p.GetValue(model)!, p.GetValue(data)!, import.Read(p), p.GetValue(json))));
        return cmd;
    }

    public static int Run(FileInfo weights, FileInfo modelFile, FileInfo dataFile, ImportOptions importOptions, bool json)
    {
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

        IAnsiConsole console = CliOutput.Human(json);
        EvaluationResult result = ReportTables.WithProgress(console, "evaluating", progress =>
            Evaluator.Evaluate(import.Model, fixedModel, encoding, set, task, new ActionProgress<int>(d => progress.Report((d, set.Count)))));
        if (json) CliOutput.WriteJson(result);
        else ReportTables.Evaluation(console, result, $"{dataFile.Name}: {set.Count} sequences of {set.Steps} steps");
        return ExitCodes.Success;
    }
}
