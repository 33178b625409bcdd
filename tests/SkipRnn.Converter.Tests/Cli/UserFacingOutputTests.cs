using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>The tool as a user meets it: names, redirected output, advice, traces, plots, raw-input guide.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class UserFacingOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-ux-").FullName;

    public void Dispose()
    {
        CliOutput.TerminalOverride = null;
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>ra1 converted at int16 (passes), with its calibration and validation sets.</summary>
    private (string Model, string Calib, string Val) Converted(int valSequences = 128)
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string val = CliHarness.WriteClassificationSet(_dir, "val.npz", m, valSequences, 40, 2);
        string model = Path.Combine(_dir, "m.skrn");
        var (code, stdout, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", model,
            "--weight-bits", "16", "--json");
        Assert.True(code == 0, stderr + stdout);
        return (model, calib, val);
    }

    [Fact]
    public void Help_names_the_tool_skiprnn()
    {
        var (code, stdout, _) = CliHarness.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("skiprnn [command]", stdout);
        Assert.DoesNotContain("SkipRnn.Converter", stdout);
        Assert.Contains("skiprnn eval <weights> <model> <data>", CliHarness.Run("eval", "--help").Out);
    }

    [Fact]
    public void Redirected_output_has_no_progress_no_colour_and_no_wrapped_table_rows()
    {
        (string model, _, string val) = Converted();
        CliOutput.TerminalOverride = false;
        var (code, stdout, stderr) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val);
        Assert.Equal(0, code);
        Assert.False((stdout + stderr).Contains("evaluating"), stdout + stderr);
        Assert.False((stdout + stderr).Contains('\u001b'), (stdout + stderr).Replace("\u001b", "<ESC>"));
        // One row per line: every table line of a table is as wide as its top border, and lines past 80 columns exist.
        string[] lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains(lines, l => l.Length > 80);
        int width = 0;
        foreach (string l in lines)
        {
            if (l.StartsWith('┌')) width = l.Length;
            else if (l.StartsWith('│') || l.StartsWith('├') || l.StartsWith('└')) Assert.Equal(width, l.Length);
        }
        Assert.Contains(lines, l => l.StartsWith("│ MACs per sequence (plain GRU:", StringComparison.Ordinal));

        // On a terminal the same helper does draw the bar: the switch is what removed it above.
        var screen = new StringWriter();
        ReportTables.WithProgress(CliOutput.ForWriter(screen, terminal: true), "evaluating", p =>
        {
            p.Report((1, 2));
            Thread.Sleep(300);   // past the bar's refresh interval
            p.Report((2, 2));
            return 0;
        });
        Assert.Contains("evaluating", screen.ToString());
        Assert.Contains('\u001b', screen.ToString());
    }

    [Fact]
    public async Task A_real_redirected_process_prints_no_progress()
    {
        (string model, _, string val) = Converted();
        string dll = Path.Combine(AppContext.BaseDirectory, "SkipRnn.Converter.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { dll, "eval", CliHarness.Fixture("ra1.safetensors"), model, val }) start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        Task<string> errTask = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        string err = await errTask;
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, err + stdout);
        Assert.Contains("update decisions agreeing", stdout);
        Assert.False((stdout + err).Contains("evaluating"), stdout + err);
        Assert.False(stdout.Contains('\u001b'), stdout.Replace("\u001b", "<ESC>"));
    }

    [Fact]
    public void Export_cs_takes_json()
    {
        (string model, _, _) = Converted();
        string cs = Path.Combine(_dir, "Model.cs");
        var (code, stdout, stderr) = CliHarness.Run("export-cs", model, "-o", cs, "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument j = JsonDocument.Parse(stdout);
        Assert.Equal((int)new FileInfo(model).Length, j.RootElement.GetProperty("ModelBytes").GetInt32());
        Assert.Equal(cs, j.RootElement.GetProperty("Output").GetString());
        Assert.True(File.Exists(cs));
    }

    [Fact]
    public void Demo_with_model_dir_does_not_call_them_shipped()
    {
        string adding = Path.Combine(CliHarness.RepoRoot(), "models", "adding");
        CliOutput.TerminalOverride = false;
        var (code, stdout, stderr) = CliHarness.Run("demo", "--model-dir", adding);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("models from --model-dir", stdout);
        Assert.DoesNotContain("shipped", stdout);
    }

    [Theory]
    [InlineData(60, 0.99, 1)]      // 59/60 = 98.3%: one flip fails
    [InlineData(100, 0.99, 2)]     // 99/100 = 99% passes
    [InlineData(1000, 0.99, 11)]
    [InlineData(5000, 0.999, 6)]
    [InlineData(10, 1.01, 0)]      // unreachable floor: even no disagreement fails
    [InlineData(10, 0.0, 11)]      // nothing can fail it
    public void Disagreements_that_fail_a_floor(long count, double floor, long expected) =>
        Assert.Equal(expected, VerificationAdvice.DisagreementsThatFail(count, floor));

    [Fact]
    public void Convert_says_when_it_verified_on_the_calibration_set_and_when_the_set_is_too_small()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 60, 40, 1);
        string model = Path.Combine(_dir, "m.skrn");
        CliOutput.TerminalOverride = false;
        var (code, stdout, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-o", model, "--weight-bits", "16");
        Assert.True(code is 0 or 1, stderr);
        Assert.Contains("(the calibration set: no --validation given)", stdout);
        Assert.Contains("argmax agreement floor (99%) is measured over 60 sequences: 1 disagreement(s) fail it", stdout);
        using JsonDocument r = JsonDocument.Parse(File.ReadAllText(model + ".report.json"));
        Assert.True(r.RootElement.GetProperty("ValidationIsCalibration").GetBoolean());
        Assert.Equal(calib, r.RootElement.GetProperty("ValidationSet").GetString());
        Assert.Equal(2, r.RootElement.GetProperty("Warnings").GetArrayLength());
    }

    [Fact]
    public void A_failed_verification_says_what_to_try()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string val = CliHarness.WriteClassificationSet(_dir, "val.npz", m, 128, 40, 2);
        CliOutput.TerminalOverride = false;
        var (code, stdout, _) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", Path.Combine(_dir, "m.skrn"),
            "--min-decision-agreement", "1.01");   // unreachable: the advice is what is tested
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Contains("what to try:", stdout);
        Assert.Contains("--int16 layer[0].w_hh", stdout);
        Assert.Contains("--weight-bits 16", stdout);
        Assert.Contains("--qat", stdout);
        using JsonDocument r = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "m.skrn.report.json")));
        Assert.True(r.RootElement.GetProperty("Advice").GetArrayLength() >= 3);
    }

    [Fact]
    public void A_raw_lsb_beyond_the_sensor_is_warned_and_beyond_int32_refused()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string val = CliHarness.WriteClassificationSet(_dir, "val.npz", m, 128, 40, 2);
        string model = Path.Combine(_dir, "m.skrn");
        double maxAbs = SequenceDataset.Read(calib).MaxAbsPerChannel().Max();

        // An LSB that puts the calibration range at ~2^20 counts: a 16-bit sensor saturates, a 24-bit one does not.
        string lsb = (maxAbs / (1 << 20)).ToString("R", CultureInfo.InvariantCulture);
        var (code, stdout, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", model,
            "--weight-bits", "16", "--raw-lsb", lsb, "--json");
        Assert.True(code == 0, stderr);
        using (JsonDocument r = JsonDocument.Parse(stdout))
        {
            string[] warnings = r.RootElement.GetProperty("Warnings").EnumerateArray().Select(w => w.GetString()!).ToArray();
            Assert.Contains(warnings, w => w.StartsWith("--raw-lsb: input ", StringComparison.Ordinal) && w.Contains("22 bits") && w.Contains("16-bit sensor"));
            Assert.Contains(r.RootElement.GetProperty("RawRanges").EnumerateArray(), c => c.GetProperty("BitsNeeded").GetInt32() == 22);
        }
        (code, stdout, _) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", model,
            "--weight-bits", "16", "--raw-lsb", lsb, "--raw-bits", "24", "--json");
        Assert.Equal(0, code);
        using (JsonDocument r = JsonDocument.Parse(stdout))
            Assert.DoesNotContain(r.RootElement.GetProperty("Warnings").EnumerateArray(), w => w.GetString()!.StartsWith("--raw-lsb", StringComparison.Ordinal));

        // Counts beyond int32 cannot reach the device: refused, naming the sample.
        string tiny = (maxAbs / 1e11).ToString("R", CultureInfo.InvariantCulture);
        File.Delete(model);
        (code, _, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-o", model, "--raw-lsb", tiny);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("outside the int32 range", stderr);
        Assert.Contains("calib.npz", stderr);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Inspect_shows_each_inputs_raw_encoding_and_csharp_that_reproduces_the_converters_counts()
    {
        (string model, string calib, _) = Converted();
        var (code, stdout, _) = CliHarness.Run("inspect", model, "--json");
        Assert.Equal(0, code);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(model + ".report.json"));
        double[] lsb = report.RootElement.GetProperty("Calibration").GetProperty("RawLsb").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        FloatSkipGruModel floatModel = CliHarness.Import("ra1.safetensors");
        using (JsonDocument j = JsonDocument.Parse(stdout))
        {
            var inputs = j.RootElement.GetProperty("RawInputs").EnumerateArray().ToArray();
            Assert.Equal(floatModel.InputSize, inputs.Length);
            for (int c = 0; c < inputs.Length; c++)
            {
                Assert.Equal(lsb[c], inputs[c].GetProperty("Lsb").GetDouble());
                // The zero count is the training mean in counts; one count is LSB / std in σ.
                Assert.Equal(floatModel.InputMean![c] / lsb[c], inputs[c].GetProperty("ZeroCount").GetDouble(), 0.01 * Math.Max(1, Math.Abs(floatModel.InputMean[c] / lsb[c])));
                Assert.Equal(lsb[c] / floatModel.InputStd![c], inputs[c].GetProperty("SigmaPerCount").GetDouble(), 1e-6 * lsb[c] / floatModel.InputStd[c]);
            }
        }

        // The printed C# lines, evaluated here, give the converter's own raw counts on the calibration data.
        CliOutput.TerminalOverride = false;
        (code, stdout, _) = CliHarness.Run("inspect", model);
        Assert.Equal(0, code);
        var lines = Regex.Matches(stdout, @"raw\[(\d+)\] = ToRaw\(reading\[\d+\], ([^,]+), (-?\d+), (-?\d+)\);").ToArray();
        Assert.Equal(floatModel.InputSize, lines.Length);
        RawEncoding encoding = RawEncoding.FromLsb(lsb);
        SequenceDataset set = SequenceDataset.Read(calib);
        double[] seq = set.Sequence(0);
        for (int t = 0; t < set.Steps; t++)
        {
            double[] step = seq.AsSpan(t * set.Inputs, set.Inputs).ToArray();
            int[] expected = encoding.Encode(step);
            foreach (Match line in lines)
            {
                int ch = int.Parse(line.Groups[1].Value);
                double perCount = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
                double r = step[ch] * perCount;
                int raw = (int)(r >= 0 ? r + 0.5 : r - 0.5);
                Assert.True(Math.Abs(raw - expected[ch]) <= 0, $"step {t} input {ch}: C# lines give {raw}, the converter {expected[ch]}");
            }
        }

        File.Delete(model + ".report.json");
        (code, stdout, _) = CliHarness.Run("inspect", model);
        Assert.Equal(0, code);
        Assert.Contains("no conversion report found", stdout);
    }

    [Fact]
    public void Eval_trace_matches_the_run_step_by_step()
    {
        (string model, _, string val) = Converted();
        string csv = Path.Combine(_dir, "trace.csv");
        var (code, stdout, stderr) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val, "--trace", csv, "--sequence", "5", "--json");
        Assert.True(code == 0, stderr);
        Assert.Contains("trace.csv", stderr);
        using (JsonDocument.Parse(stdout)) { }   // stdout stays pure JSON

        string[] rows = File.ReadAllLines(csv);
        Assert.Equal("step,float_u,fixed_u,float_update,fixed_update,float_out0,float_out1,float_out2,float_out3,fixed_out0,fixed_out1,fixed_out2,fixed_out3", rows[0]);
        SequenceDataset set = SequenceDataset.Read(val);
        Assert.Equal(set.Steps + 1, rows.Length);

        // Replay sequence 5 on the device runtime and the float reference independently.
        SkipGruModel fixedModel = ModelReader.Read(File.ReadAllBytes(model));
        FloatSkipGruModel floatModel = CliHarness.Import("ra1.safetensors");
        RawEncoding encoding = ConversionPipeline.EncodingOf(fixedModel, floatModel);
        var device = new SkipGru(fixedModel);
        var reference = new FloatSkipGru(floatModel);
        double[] seq = set.Sequence(5);
        int updates = 0;
        for (int t = 0; t < set.Steps; t++)
        {
            string[] f = rows[t + 1].Split(',');
            double[] step = seq.AsSpan(t * set.Inputs, set.Inputs).ToArray();
            Assert.Equal(t, int.Parse(f[0]));
            Assert.Equal(device.UpdateProbability / 32768.0, double.Parse(f[2], CultureInfo.InvariantCulture));
            Assert.Equal(reference.UpdateProbability, double.Parse(f[1], CultureInfo.InvariantCulture));
            bool fixedUpdated = device.Step(device.NextStepNeedsInput ? encoding.Encode(step) : null);
            bool floatUpdated = reference.Step(reference.NextStepUpdates ? FloatSkipGru.Normalize(floatModel, step) : null);
            Assert.Equal(fixedUpdated ? "1" : "0", f[4]);
            Assert.Equal(floatUpdated ? "1" : "0", f[3]);
            if (fixedUpdated) updates++;
            for (int o = 0; o < 4; o++)
            {
                Assert.Equal(device.GetOutput(o) / 4096.0, double.Parse(f[9 + o], CultureInfo.InvariantCulture));
                Assert.Equal(reference.Outputs[o], double.Parse(f[5 + o], CultureInfo.InvariantCulture));
            }
        }
        Assert.True(updates > 0 && updates < set.Steps, $"{updates} updates: the trace should show skipping");

        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val, "--trace", csv, "--sequence", "128").Code);
        var (badCode, _, badErr) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val, "--plot", Path.Combine(_dir, "no-such-folder", "p.png"));
        Assert.Equal(ExitCodes.BadInput, badCode);
        Assert.Contains("--plot '", badErr);
        Assert.Contains("no-such-folder' does not exist", badErr);

        byte[] modelBytes = File.ReadAllBytes(model);   // an output that is an input is refused before any work
        var (sameCode, _, sameErr) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val, "--trace", model);
        Assert.Equal(ExitCodes.BadInput, sameCode);
        Assert.Contains("--trace", sameErr);
        Assert.Equal(modelBytes, File.ReadAllBytes(model));
    }

    [Fact]
    public void Eval_plot_writes_a_png_and_a_confusion_matrix_that_adds_up()
    {
        (string model, _, string val) = Converted();
        string png = Path.Combine(_dir, "trace.png");
        var (code, stdout, stderr) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val, "--plot", png, "--json");
        Assert.True(code == 0, stderr);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(TracePlot.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));   // IHDR width
        Assert.Equal(TracePlot.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));    // IHDR height
        Assert.True(bytes.Length > 20_000, $"{bytes.Length} bytes: too small to hold the drawing");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        using JsonDocument j = JsonDocument.Parse(stdout);
        var confusion = j.RootElement.GetProperty("FixedConfusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        var perClass = j.RootElement.GetProperty("PerClass").EnumerateArray().ToArray();
        Assert.Equal(perClass.Length, confusion.Length);
        for (int c = 0; c < confusion.Length; c++) Assert.Equal(perClass[c].GetProperty("Support").GetInt32(), confusion[c].Sum());
        int diagonal = Enumerable.Range(0, confusion.Length).Sum(c => confusion[c][c]);
        Assert.Equal(j.RootElement.GetProperty("FixedAccuracy").GetDouble(), (double)diagonal / j.RootElement.GetProperty("Sequences").GetInt32(), 12);

        CliOutput.TerminalOverride = false;
        (code, stdout, _) = CliHarness.Run("eval", CliHarness.Fixture("ra1.safetensors"), model, val);
        Assert.Equal(0, code);
        Assert.Contains("confusion matrix of the fixed point", stdout);
    }

    [Theory]
    [InlineData("<f8", "<i4")]
    [InlineData("<f2", "|u1")]
    [InlineData("<f4", "<i8")]
    public void Datasets_in_numpys_default_dtypes_are_read(string xDescr, string yDescr)
    {
        int n = 3, steps = 2, inputs = 2;
        double[] x = { 0.5, -1, 2, 0.25, 1, 1, -0.5, 0, 3, 2, 1, 0 };
        byte[] xData = xDescr switch
        {
            "<f8" => x.SelectMany(BitConverter.GetBytes).ToArray(),
            "<f4" => x.SelectMany(v => BitConverter.GetBytes((float)v)).ToArray(),
            _ => x.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray(),
        };
        long[] labels = { 0, 2, 1 };
        byte[] yData = yDescr switch
        {
            "<i4" => labels.SelectMany(v => BitConverter.GetBytes((int)v)).ToArray(),
            "<i8" => labels.SelectMany(BitConverter.GetBytes).ToArray(),
            _ => labels.Select(v => (byte)v).ToArray(),
        };
        byte[] npz = Builders.NpzBuilder.Npz(new[]
        {
            ("x", Builders.NpzBuilder.NpyRaw(Builders.NpzBuilder.HeaderDict(xDescr, false, new[] { n, steps, inputs }), xData)),
            ("y", Builders.NpzBuilder.NpyRaw(Builders.NpzBuilder.HeaderDict(yDescr, false, new[] { n }), yData)),
        });
        SequenceDataset set = SequenceDataset.Parse(npz, "mine.npz");
        Assert.Equal(Import.ModelTask.Classification, set.Task);
        Assert.Equal(new[] { 0, 2, 1 }, Enumerable.Range(0, n).Select(set.Label));
        Assert.Equal(x, Enumerable.Range(0, n).SelectMany(set.Sequence));
    }
}
