using System.Text.Json;
using SkipRnn.Converter.Cli;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using Xunit.Abstractions;

namespace SkipRnn.Converter.Tests.Cli;

[Collection(ConsoleCollection.Name)]
public sealed class ConvertCommandTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-cli-").FullName;

    public ConvertCommandTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Calibration and validation sets labelled by the float model of <paramref name="fixtureFile"/>.</summary>
    private (string Calib, string Val) Data(string fixtureFile)
    {
        var m = CliHarness.Import(fixtureFile);
        return (CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1),
                CliHarness.WriteClassificationSet(_dir, "val.npz", m, 128, 40, 2));
    }

    [Theory]
    [InlineData("ra1", "safetensors")]
    [InlineData("ra1", "pt")]
    [InlineData("ra1", "npz")]
    [InlineData("ra2", "pt")]
    [InlineData("rb1", "safetensors")]
    [InlineData("rb2", "npz")]
    [InlineData("rb2", "pt")]
    [InlineData("gru_nn", "pt")]
    public void Convert_passes_verification_and_writes_a_model_the_device_accepts(string stem, string format)
    {
        // The fixtures are random, untrained 8-unit models: int8 rows of 8 weights are coarse, and such models agree
        // on 97.5–98.2% of decisions at int8 (below the 99% floor, correctly refused). int16 weights meet the floors.
        (string calib, string val) = Data($"{stem}.{format}");
        string model = Path.Combine(_dir, "m.skrn");
        var (code, stdout, stderr) = CliHarness.Run("convert", CliHarness.Fixture($"{stem}.{format}"), "-c", calib, "-v", val, "-o", model,
            "--weight-bits", "16", "--json");
        Assert.True(code == ExitCodes.Success, stderr + stdout);

        using JsonDocument report = JsonDocument.Parse(stdout);
        JsonElement v = report.RootElement.GetProperty("Verification");
        _output.WriteLine($"{stem}.{format}: decisions agree {v.GetProperty("DecisionAgreement").GetDouble():P2}, " +
                          $"argmax agree {v.GetProperty("ArgmaxAgreement").GetDouble():P2}, " +
                          $"fixed accuracy {v.GetProperty("FixedAccuracy").GetDouble():P2}, MACs saved {v.GetProperty("MacsSaved").GetDouble():P1}");
        Assert.Equal(1.0, v.GetProperty("FloatAccuracy").GetDouble());   // labels are the float model's own
        Assert.True(report.RootElement.GetProperty("ModelWritten").GetBoolean());

        SkipGruModel read = ModelReader.Read(File.ReadAllBytes(model));
        Assert.Equal(32, read.SelfTest!.Steps);
        Assert.True(SelfTest.Run(read).Passed);
        Assert.Equal(new[] { "a", "b", "c", "d" }, read.ClassNames);
        Assert.True(File.Exists(model + ".report.json"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));   // no temporary left behind
    }

    [Fact]
    public void A_failed_floor_exits_1_and_leaves_no_model_file()
    {
        (string calib, string val) = Data("ra1.safetensors");
        string model = Path.Combine(_dir, "m.skrn");
        var (code, _, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", model,
            "--min-decision-agreement", "1.01");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.False(File.Exists(model), stderr);
        Assert.True(File.Exists(model + ".report.json"));   // the report says why
    }

    [Fact]
    public void A_failed_floor_leaves_an_existing_model_file_untouched()
    {
        (string calib, string val) = Data("ra1.safetensors");
        string model = Path.Combine(_dir, "m.skrn");
        File.WriteAllText(model, "previous");
        var (code, _, _) = CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-v", val, "-o", model,
            "--min-argmax-agreement", "1.5");
        Assert.Equal(ExitCodes.VerificationFailed, code);
        Assert.Equal("previous", File.ReadAllText(model));
    }

    [Theory]
    [InlineData("bad_truncated.safetensors")]
    [InlineData("bad_header.safetensors")]
    [InlineData("bad_nan.npz")]
    [InlineData("bad_legacy.pt")]
    [InlineData("bad_truncated.pt")]
    [InlineData("bad_no_skip_gate.safetensors")]
    public void Bad_weights_exit_2_with_a_message_and_write_nothing(string file)
    {
        (string calib, _) = Data("ra1.safetensors");
        string model = Path.Combine(_dir, "m.skrn");
        var (code, _, stderr) = CliHarness.Run("convert", CliHarness.Fixture(file), "-c", calib, "-o", model);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("skiprnn: error: ", stderr);
        Assert.Contains(file, stderr);
        Assert.False(File.Exists(model));
        Assert.False(File.Exists(model + ".report.json"));
    }

    [Fact]
    public void Bad_usage_exits_2()
    {
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("convert").Code);
        Assert.Equal(ExitCodes.BadInput, CliHarness.Run("no-such-command").Code);
        (string calib, _) = Data("ra1.safetensors");
        var (code, _, stderr) = CliHarness.Run("convert", CliHarness.Fixture("ra1.pt"), "-c", calib, "-o", Path.Combine(_dir, "x.skrn"), "--weight-bits", "4");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("weight-bits", stderr);
    }

    [Fact]
    public void Inspect_eval_and_export_cs_work_on_a_converted_model()
    {
        (string calib, string val) = Data("rb2.pt");
        string model = Path.Combine(_dir, "m.skrn");
        Assert.Equal(0, CliHarness.Run("convert", CliHarness.Fixture("rb2.pt"), "-c", calib, "-v", val, "-o", model, "--weight-bits", "16").Code);

        var (code, stdout, _) = CliHarness.Run("inspect", model, "--json");
        Assert.Equal(0, code);
        using (JsonDocument j = JsonDocument.Parse(stdout))
        {
            Assert.Equal("ResetBefore", j.RootElement.GetProperty("Variant").GetString());
            Assert.Equal(2, j.RootElement.GetProperty("Layers").GetInt32());
            Assert.Equal((int)new FileInfo(model).Length, j.RootElement.GetProperty("FlashBytes").GetInt32());
            Assert.Equal(0, j.RootElement.GetProperty("MacsPerSkip").GetInt32());
            var head = j.RootElement.GetProperty("Tensors").EnumerateArray().Single(t => t.GetProperty("Name").GetString() == "head");
            Assert.Equal(16, head.GetProperty("Bits").GetInt32());
            Assert.Equal(6, j.RootElement.GetProperty("Tensors").GetArrayLength());   // 2 × (w_ih, w_hh), skip gate, head
        }
        Assert.Equal(0, CliHarness.Run("inspect", model).Code);   // the human tables too

        (code, stdout, _) = CliHarness.Run("eval", CliHarness.Fixture("rb2.pt"), model, val, "--json");
        Assert.Equal(0, code);
        using (JsonDocument e = JsonDocument.Parse(stdout))
        using (JsonDocument r = JsonDocument.Parse(File.ReadAllText(model + ".report.json")))
        {
            // eval recovers the raw encoding from the file: same data, same numbers as convert's verification.
            foreach (string metric in new[] { "FixedAccuracy", "DecisionAgreement", "FixedUpdatesMean", "MeanStateError" })
                Assert.Equal(r.RootElement.GetProperty("Verification").GetProperty(metric).GetDouble(), e.RootElement.GetProperty(metric).GetDouble(), 12);
        }

        string cs = Path.Combine(_dir, "Model.cs");
        Assert.Equal(0, CliHarness.Run("export-cs", model, "-o", cs, "--namespace", "Demo.Models", "--class", "Rb2").Code);
        string source = File.ReadAllText(cs);
        Assert.Contains("namespace Demo.Models", source);
        Assert.Contains($"public const int Length = {new FileInfo(model).Length};", source);
    }

    [Fact]
    public void An_explicit_mapping_gives_the_same_model_as_detection_and_a_wrong_name_is_a_clear_error()
    {
        (string calib, _) = Data("ra1.safetensors");
        string detected = Path.Combine(_dir, "detected.skrn"), mapped = Path.Combine(_dir, "mapped.skrn");
        string weights = CliHarness.Fixture("ra1.safetensors");
        Assert.Equal(0, CliHarness.Run("convert", weights, "-c", calib, "-o", detected, "--weight-bits", "16").Code);
        Assert.Equal(0, CliHarness.Run("convert", weights, "-c", calib, "-o", mapped, "--weight-bits", "16",
            "--layer", "pytorch:cells.0.weight_ih,cells.0.weight_hh,cells.0.bias_ih,cells.0.bias_hh",
            "--skip-gate", "skip_gate.weight,skip_gate.bias", "--head", "head.weight,head.bias", "--variant", "reset-after").Code);
        Assert.Equal(File.ReadAllBytes(detected), File.ReadAllBytes(mapped));

        var (code, _, stderr) = CliHarness.Run("convert", weights, "-c", calib, "-o", mapped, "--skip-gate", "no.such.tensor");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no.such.tensor", stderr);
        Assert.Contains("skip_gate.weight", stderr);   // the error lists what the file holds

        (code, _, stderr) = CliHarness.Run("convert", weights, "-c", calib, "-o", mapped, "--layer", "caffe:a,b");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--layer", stderr);
    }

    [Fact]
    public void Inspect_rejects_a_corrupt_model_file_with_the_field()
    {
        string path = Path.Combine(_dir, "bad.skrn");
        File.WriteAllBytes(path, new byte[] { 0x53, 0x4B, 0x52, 0x4E, 9, 0 });
        var (code, _, stderr) = CliHarness.Run("inspect", path);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("header", stderr);
    }
}
