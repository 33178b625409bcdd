using System.CommandLine;
using SkipRnn.Converter.Export;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>`skiprnn inspect model.skrn`: header, per-tensor quantization, flash and RAM bytes, MACs per step kind.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A SkipRnn Edge model file (.skrn)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var cmd = new Command("inspect", "Show a model file's header, quantization, memory and compute costs.") { model, json };
        cmd.SetAction(p => CliOutput.Guard(() => Run(p.GetValue(model)!, p.GetValue(json))));
        return cmd;
    }

    public static int Run(FileInfo file, bool json)
    {
        ModelSummary s = ModelSummary.Read(CliOutput.ReadFile(file, "Model file"));
        if (json)
        {
            CliOutput.WriteJson(s);
            return ExitCodes.Success;
        }
        IAnsiConsole console = AnsiConsole.Console;
        console.MarkupLine($"[bold]{Markup.Escape(file.Name)}[/]: Skip-GRU, {s.Variant}, {s.Layers} layer(s), " +
                           $"{s.Inputs} inputs → {s.Hidden} units → {s.Outputs} outputs");
        var facts = new Table().AddColumn("property").AddColumn(new TableColumn("value").RightAligned());
        CliOutput.Row(facts, "sample period", s.SamplePeriodMicros == 0 ? "unknown" : $"{s.SamplePeriodMicros} µs");
        CliOutput.Row(facts, "input format", $"int16, {s.InputFracBits} fractional bits");
        CliOutput.Row(facts, "class names", s.ClassNames == null ? "none" : string.Join(", ", s.ClassNames));
        CliOutput.Row(facts, "self-test steps", s.SelfTestSteps.ToString());
        CliOutput.Row(facts, "flash bytes (file)", s.FlashBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: parsed model", s.ModelRamBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: runner state and scratch", s.RunnerRamBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: native kernel (model + runner)", s.NativeArenaBytes.ToString("N0"));
        CliOutput.Row(facts, "MACs per update", s.MacsPerUpdate.ToString("N0"));
        CliOutput.Row(facts, "table lookups per update", s.LookupsPerUpdate.ToString("N0"));
        CliOutput.Row(facts, "MACs / lookups per skipped step", $"{s.MacsPerSkip} / {s.LookupsPerSkip}");
        console.Write(facts);

        var tensors = new Table().AddColumns("tensor", "bits", "shape", "multiplier", "shift", "bytes");
        foreach (TensorSummary t in s.Tensors)
            CliOutput.Row(tensors, t.Name, t.Bits.ToString(), $"{t.Rows}×{t.Cols}", $"{t.MultiplierMin}..{t.MultiplierMax}",
                $"{t.ShiftMin}..{t.ShiftMax}", t.StoredBytes.ToString("N0"));
        console.Write(tensors);
        return ExitCodes.Success;
    }
}
