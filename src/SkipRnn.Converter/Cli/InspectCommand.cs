using System.CommandLine;
using SkipRnn.Converter.Export;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>`skiprnn inspect model.skrn`: header, per-tensor quantization, flash and RAM bytes, MACs per step kind.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A SkipRnn Edge model file (.skrn)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var report = new Option<FileInfo?>("--report") { Description = "The conversion report holding the raw LSBs (default: <model>.report.json when present)." };
        var cmd = new Command("inspect", "Show a model file's header, raw input encoding, quantization, memory and compute costs.") { model, report, json };
        cmd.SetAction(p => CliOutput.Guard(() => Run(p.GetValue(model)!, p.GetValue(json), p.GetValue(report))));
        return cmd;
    }

    public static int Run(FileInfo file, bool json, FileInfo? report = null)
    {
        (SkipGruModel model, int length) = CliOutput.ReadModel(file, b => (ModelReader.Read(b), b.Length));
        if (report != null && !report.Exists) throw new FileNotFoundException($"Report '{report.FullName}' does not exist.");
        string reportPath = report?.FullName ?? file.FullName + ".report.json";
        double[]? lsb = RawInputGuide.LsbFromReport(reportPath);
        ModelSummary s = ModelSummary.Of(model, length) with { RawInputs = RawInputGuide.Channels(model, lsb) };
        if (json)
        {
            CliOutput.WriteJson(s);
            return ExitCodes.Success;
        }
        IAnsiConsole console = CliOutput.Human(json: false);
        console.MarkupLine($"[bold]{Markup.Escape(file.Name)}[/]: Skip-GRU, {s.Variant}, {s.Layers} layer(s), " +
                           $"{s.Inputs} inputs → {s.Hidden} units → {s.Outputs} outputs");
        var facts = new Table().AddColumn("property").AddColumn(new TableColumn("value").RightAligned());
        CliOutput.Row(facts, "sample period", s.SamplePeriodMicros == 0 ? "unknown" : $"{s.SamplePeriodMicros} µs");
        CliOutput.Row(facts, "input format", $"int16, {s.InputFracBits} fractional bits");
        CliOutput.Row(facts, "class names", s.ClassNames == null ? "none" : string.Join(", ", s.ClassNames));
        CliOutput.Row(facts, "self-test steps", s.SelfTestSteps.ToString());
        CliOutput.Row(facts, "audio front end", model.FrontEnd == null ? "none" :
            $"log-mel: {model.FrontEnd.SampleRate} Hz, frame {model.FrontEnd.FrameLength} / hop {model.FrontEnd.HopLength}, {model.FrontEnd.FftSize}-point FFT, " +
            $"{model.FrontEnd.Bands} bands {model.FrontEnd.LowHz}–{model.FrontEnd.HighHz} Hz, ln(E + 1e{model.FrontEnd.LogFloorExponent}) in Q{model.FrontEnd.FeatureFracBits}");
        CliOutput.Row(facts, "event rule", RuleText(model));
        CliOutput.Row(facts, "flash bytes (file)", s.FlashBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: parsed model", s.ModelRamBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: runner state and scratch", s.RunnerRamBytes.ToString("N0"));
        CliOutput.Row(facts, "RAM bytes: native kernel (model + runner)", s.NativeArenaBytes.ToString("N0"));
        CliOutput.Row(facts, "MACs per update", s.MacsPerUpdate.ToString("N0"));
        CliOutput.Row(facts, "table lookups per update", s.LookupsPerUpdate.ToString("N0"));
        CliOutput.Row(facts, "MACs / lookups per skipped step", $"{s.MacsPerSkip} / {s.LookupsPerSkip}");
        console.Write(facts);

        var inputs = new Table { Title = new TableTitle(lsb == null ? "raw inputs (LSB: no conversion report found)" : Markup.Escape("raw inputs (LSB from " + Path.GetFileName(reportPath) + ")")) }
            .AddColumns("input", "LSB (one count)", "one count in σ", "zero (mean) at count", "counts before int16 saturates", "multiplier", "addend", "shift");
        foreach (RawInputChannel c in s.RawInputs)
            CliOutput.Row(inputs, c.Channel.ToString(), c.Lsb is double l ? l.ToString("G6") : "unknown", c.SigmaPerCount.ToString("G4"),
                c.ZeroCount.ToString("G6"), $"{Math.Ceiling(c.MinCount):G6} .. {Math.Floor(c.MaxCount):G6}", c.Multiplier.ToString(), c.Addend.ToString(), c.Shift.ToString());
        console.Write(inputs);
        console.WriteLine("C# for the device app: one reading → raw");
        console.Write(new Text(RawInputGuide.CSharpLines(s.RawInputs)));

        var tensors = new Table().AddColumns("tensor", "bits", "shape", "multiplier", "shift", "bytes");
        foreach (TensorSummary t in s.Tensors)
            CliOutput.Row(tensors, t.Name, t.Bits.ToString(), $"{t.Rows}×{t.Cols}", $"{t.MultiplierMin}..{t.MultiplierMax}",
                $"{t.ShiftMin}..{t.ShiftMax}", t.StoredBytes.ToString("N0"));
        console.Write(tensors);
        return ExitCodes.Success;
    }

    /// <summary>The model file's event rule in one line: its event classes (by name) and constants.</summary>
    public static string RuleText(SkipGruModel model)
    {
        SkipRnn.Edge.Streaming.EventRule? r = model.EventRule;
        if (r == null) return "none";
        var names = new List<string>();
        for (int c = 0; c < model.OutputSize; c++)
            if (r.IsEventClass(c)) names.Add(model.ClassNames?[c] ?? c.ToString());
        if (r.SectionVersion != SkipRnn.Edge.Streaming.EventRule.VersionPerClass)
            return $"events: {string.Join(" ", names)} (section version {r.SectionVersion}); shift {r.Shift}, on {r.On}, off {r.Off}, " +
                   $"refractory {r.RefractorySteps} steps";
        var per = new List<string>();
        for (int c = 0; c < model.OutputSize; c++)
            if (r.IsEventClass(c)) per.Add($"{model.ClassNames?[c] ?? c.ToString()} {r.OnOf(c)}/{r.OffOf(c)}");
        return $"events: {string.Join(" ", names)} (section version {r.SectionVersion}); shift {r.Shift}, on/off per class: " +
               $"{string.Join(", ", per)}; at least {r.MinSteps} steps at or above on, refractory {r.RefractorySteps} steps";
    }
}
