using System.CommandLine;
using SkipRnn.Converter.Conversion;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn convert weights -c calib.npz [-v val.npz] -o model.skrn`: import, quantize, verify, write the model
/// file and a JSON report. Exit 1 (and no model file) when a verification floor fails.
/// </summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var weights = new Argument<FileInfo>("weights") { Description = "Trained weights: .safetensors, .pt (torch.save) or .npz." };
        var calibration = new Option<FileInfo>("--calibration", "-c") { Description = "Calibration sequences (.npz: x [N,T,I], y).", Required = true };
        var validation = new Option<FileInfo?>("--validation", "-v") { Description = "Validation sequences for the verification (default: the calibration set)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The model file to write (.skrn).", Required = true };
        var report = new Option<FileInfo?>("--report") { Description = "The JSON report (default: <output>.report.json)." };
        var bits = new Option<int>("--weight-bits") { Description = "Weight width of the GRU matrices and head: 8 or 16.", DefaultValueFactory = _ => 8 };
        var int16 = new Option<string[]>("--int16") { Description = "Hold these tensors in int16, e.g. layer[0].w_hh,head (repeatable)." };
        var rawLsb = new Option<string?>("--raw-lsb") { Description = "Physical value of one raw sensor count, per input (comma-separated) or one for all; default: from the calibration range." };
        var rawBits = new Option<int>("--raw-bits") { Description = "Sensor resolution in bits: sets the LSB from the calibration range, or with --raw-lsb the counts beyond which convert warns of saturation.", DefaultValueFactory = _ => 16 };
        var minDecision = new Option<double>("--min-decision-agreement") { Description = "Floor on float/fixed update-decision agreement.", DefaultValueFactory = _ => 0.99 };
        var minArgmax = new Option<double>("--min-argmax-agreement") { Description = "Floor on float/fixed predicted-class agreement.", DefaultValueFactory = _ => 0.99 };
        var selfTest = new Option<int>("--self-test-steps") { Description = "Steps of validation sequence 0 embedded as self-test vectors (0: none).", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout." };
        var import = new ImportArguments();

        var cmd = new Command("convert", "Import trained weights, quantize, verify against the float model, write the device model file.")
        {
            weights, calibration, validation, output, report, bits, int16, rawLsb, rawBits, minDecision, minArgmax, selfTest, json,
        };
        import.AddTo(cmd);
        cmd.SetAction(p => CliOutput.Guard(() =>
        {
            var options = new ConvertOptions
            {
                WeightsPath = p.GetValue(weights)!.FullName,
                CalibrationPath = p.GetValue(calibration)!.FullName,
                ValidationPath = p.GetValue(validation)?.FullName,
                OutputPath = p.GetValue(output)!.FullName,
                ReportPath = p.GetValue(report)?.FullName,
                Import = import.Read(p),
                WeightBits = p.GetValue(bits),
                Int16Tensors = (p.GetValue(int16) ?? Array.Empty<string>()).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                RawLsb = ParseLsb(p.GetValue(rawLsb)),
                RawBits = p.GetValue(rawBits),
                MinDecisionAgreement = p.GetValue(minDecision),
                MinArgmaxAgreement = p.GetValue(minArgmax),
                SelfTestSteps = p.GetValue(selfTest),
            };
            return Run(options, p.GetValue(json));
        }));
        return cmd;
    }

    public static int Run(ConvertOptions options, bool json)
    {
        IAnsiConsole console = CliOutput.Human(json);
        ConversionReport r = ReportTables.WithProgress(console, "verifying", progress => ConversionPipeline.Run(options, progress));
        if (json) CliOutput.WriteJson(r);
        else Print(console, r);
        return r.Passed ? ExitCodes.Success : ExitCodes.VerificationFailed;
    }

    public static void Print(IAnsiConsole console, ConversionReport r)
    {
        console.MarkupLine($"[bold]Imported[/] {Markup.Escape(r.Weights)}: {r.Variant} ({r.VariantSource}), task {r.Task}");
        foreach (string line in r.Mapping) console.MarkupLine("  " + Markup.Escape(line));
        ReportTables.Calibration(console, r.Calibration);
        ReportTables.Tensors(console, r.Tensors);
        ReportTables.Evaluation(console, r.Verification, "Verification: float vs fixed point");
        ReportTables.Floors(console, r.Floors);
        console.MarkupLine($"self-test vectors: {Markup.Escape(r.SelfTest)}");
        console.MarkupLine($"verified on {Markup.Escape(r.ValidationSet)}" + (r.ValidationIsCalibration ? " (the calibration set: no --validation given)" : ""));
        foreach (string w in r.Warnings) console.MarkupLine("[yellow]warning[/]: " + Markup.Escape(w));
        console.MarkupLine(r.ModelWritten
            ? $"[green]wrote[/] {Markup.Escape(r.Output)} ({r.Model.FlashBytes:N0} bytes)"
            : $"[red]verification failed[/]: no model file written");
        if (r.Advice.Count > 0)
        {
            console.MarkupLine("what to try:");
            foreach (string a in r.Advice) console.MarkupLine("  - " + Markup.Escape(a));
        }
    }

    /// <summary>"0.001" (all inputs) or "0.001,0.002,..." (per input).</summary>
    public static double[]? ParseLsb(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var values = text.Split(',', StringSplitOptions.TrimEntries).Select(s =>
            double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v)
                ? v : throw new ArgumentException($"--raw-lsb: '{s}' is not a positive number.")).ToArray();
        return values;
    }
}
