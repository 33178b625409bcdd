using System.Diagnostics;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Tests.Hostile;

/// <summary>
/// Careless command lines from issue 9: outputs that name an input (directly, through a symlink or a hard link),
/// missing folders, options out of range. Each is exit code 2 with one line naming the file or option, and a refused
/// run changes nothing in the folder.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CarelessCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-careless-").FullName;
    private readonly string _weights, _sidecar, _calib, _val;

    public CarelessCommandTests()
    {
        _weights = Path.Combine(_dir, "ra1.safetensors");
        _sidecar = Path.Combine(_dir, "ra1.json");
        File.Copy(CliHarness.Fixture("ra1.safetensors"), _weights);
        File.Copy(CliHarness.Fixture("ra1.json"), _sidecar);
        var m = CliHarness.Import("ra1.safetensors");
        _calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 8, 12, 1);
        _val = CliHarness.WriteClassificationSet(_dir, "val.npz", m, 8, 12, 2);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every file in the folder with its bytes, to prove a refused run touched nothing.</summary>
    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(_dir).ToDictionary(f => Path.GetFileName(f), f => System.Convert.ToHexString(File.ReadAllBytes(f)));

    private string RefusedWithoutChange(params string[] args)
    {
        var before = Snapshot();
        var (code, stdout, stderr) = CliHarness.Run(args);
        Assert.True(code == ExitCodes.BadInput, $"exit {code}: {stderr}{stdout}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("skiprnn: error: ", line);
        Assert.Equal(before, Snapshot());
        return line;
    }

    private string[] Convert(params string[] extra) => ["convert", _weights, "-c", _calib, "-v", _val, .. extra];

    [Fact]
    public void Output_equal_to_the_weights_is_refused() =>
        Assert.Contains("is the same file as the weights file", RefusedWithoutChange(Convert("-o", _weights)));

    [Fact]
    public void Output_equal_to_the_calibration_set_is_refused() =>
        Assert.Contains("is the same file as the calibration set", RefusedWithoutChange(Convert("-o", _calib)));

    [Fact]
    public void Output_equal_to_the_validation_set_is_refused() =>
        Assert.Contains("is the same file as the validation set", RefusedWithoutChange(Convert("-o", _val)));

    [Fact]
    public void Output_equal_to_the_sidecar_found_beside_the_weights_is_refused() =>
        Assert.Contains("is the same file as the sidecar", RefusedWithoutChange(Convert("-o", _sidecar)));

    [Fact]
    public void Report_equal_to_the_weights_is_refused() =>
        Assert.Contains("report (--report)", RefusedWithoutChange(Convert("-o", Path.Combine(_dir, "m.skrn"), "--report", _weights)));

    [Fact]
    public void Report_and_output_naming_one_file_are_refused()
    {
        string m = Path.Combine(_dir, "m.skrn");
        Assert.Contains("both name", RefusedWithoutChange(Convert("-o", m, "--report", m)));
    }

    [Fact]
    public void A_symlink_to_the_weights_is_the_weights()
    {
        string link = Path.Combine(_dir, "link.skrn");
        File.CreateSymbolicLink(link, _weights);
        Assert.Contains("is the same file as the weights file", RefusedWithoutChange(Convert("-o", link)));
    }

    [Fact]
    public void A_hard_link_to_the_calibration_set_is_the_calibration_set()
    {
        if (!OperatingSystem.IsLinux()) return;   // hard links by `ln`; identity by statx (Linux)
        string link = Path.Combine(_dir, "hard.skrn");
        using (var ln = Process.Start("ln", [_calib, link])) ln.WaitForExit();
        Assert.True(File.Exists(link));
        Assert.Contains("is the same file as the calibration set", RefusedWithoutChange(Convert("-o", link)));
    }

    [Fact]
    public void Export_cs_over_its_own_model_is_refused()
    {
        string model = Path.Combine(_dir, "m.skrn");
        File.WriteAllBytes(model, ModelWriter.ToBytes(TestModel()));
        Assert.Contains("is the same file as the model file", RefusedWithoutChange("export-cs", model, "-o", model));
    }

    [Fact]
    public void A_report_folder_that_does_not_exist_is_refused_before_the_model_is_written()
    {
        string line = RefusedWithoutChange(Convert("-o", Path.Combine(_dir, "m.skrn"), "--report", Path.Combine(_dir, "no", "r.json")));
        Assert.Contains($"the folder '{Path.Combine(_dir, "no")}' does not exist", line);
    }

    [Fact]
    public void A_missing_output_folder_is_named_not_the_temporary_file()
    {
        string line = RefusedWithoutChange(Convert("-o", Path.Combine(_dir, "no", "m.skrn")));
        Assert.Contains($"the folder '{Path.Combine(_dir, "no")}' does not exist", line);
        Assert.DoesNotContain(".tmp", line);
    }

    [Fact]
    public void A_folder_given_as_weights_is_called_a_folder() =>
        Assert.Contains("this is a folder, not a file", RefusedWithoutChange("convert", _dir, "-c", _calib, "-o", Path.Combine(_dir, "m.skrn")));

    [Fact]
    public void Unknown_int16_names_are_refused_listing_the_valid_ones()
    {
        string line = RefusedWithoutChange(Convert("-o", Path.Combine(_dir, "m.skrn"), "--int16", "nosuch"));
        Assert.Contains("'nosuch' is not a tensor of this model; the tensors are layer[0].w_ih, layer[0].w_hh, skip_gate, head", line);
    }

    [Theory]
    [InlineData("--self-test-steps", "-5", "--self-test-steps must be 0 (none) to 4096, not -5.")]
    [InlineData("--self-test-steps", "5000", "--self-test-steps must be 0 (none) to 4096, not 5000.")]
    [InlineData("--raw-lsb", "1e-300", "--raw-lsb: input 0's LSB 1E-300")]
    [InlineData("--raw-lsb", "abc", "--raw-lsb: 'abc' is not a positive number.")]
    [InlineData("--raw-bits", "64", "--raw-bits must be 2 to 32, not 64.")]
    [InlineData("--min-decision-agreement", "NaN", "--min-decision-agreement is a share from 0 to 1, not NaN.")]
    public void Options_out_of_range_are_refused_with_a_clear_message(string option, string value, string expected) =>
        Assert.Contains(expected, RefusedWithoutChange(Convert("-o", Path.Combine(_dir, "m.skrn"), option, value)));

    [Fact]
    public void Export_cs_escapes_a_newline_in_the_model_file_name()
    {
        string model = Path.Combine(_dir, "m\nnamespace Evil { class X {} }\r\u2028.skrn");
        File.WriteAllBytes(model, ModelWriter.ToBytes(TestModel()));
        string cs = Path.Combine(_dir, "Model.cs");
        var (code, _, stderr) = CliHarness.Run("export-cs", model, "-o", cs);
        Assert.True(code == ExitCodes.Success, stderr);
        string[] lines = File.ReadAllText(cs).Split('\n');
        foreach (string l in lines.Where(l => l.Contains("Evil")))
            Assert.StartsWith("//", l.TrimStart());
        Assert.DoesNotContain(lines, l => l.Contains('\r') || l.Contains('\u2028'));
        Assert.Contains(lines, l => l.Contains("m\\x0anamespace Evil { class X {} }\\x0d\\u2028.skrn"));
    }

    [Fact]
    public void A_write_cleans_up_the_temporaries_of_killed_writes_but_not_of_running_ones()
    {
        string model = Path.Combine(_dir, "m.skrn");
        File.WriteAllBytes(model, ModelWriter.ToBytes(TestModel()));
        // A process that has exited stands in for one killed inside the write window.
        int deadPid;
        using (var p = Process.Start("true")!) { p.WaitForExit(); deadPid = p.Id; }
        string cs = Path.Combine(_dir, "Model.cs");
        string stale = Path.Combine(_dir, $".Model.cs.{deadPid}.{Guid.NewGuid():N}.tmp");
        string running = Path.Combine(_dir, $".Model.cs.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string foreign = Path.Combine(_dir, ".Model.cs.notours.tmp");
        foreach (string f in new[] { stale, running, foreign }) File.WriteAllText(f, "partial");
        Assert.Equal([stale], AtomicFile.StaleTemporaries(cs));

        var (code, _, stderr) = CliHarness.Run("export-cs", model, "-o", cs);
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(running));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void An_internal_error_is_one_line_and_exit_code_3()
    {
        var err = new StringWriter();
        TextWriter old = Console.Error;
        Console.SetError(err);
        try
        {
            Assert.Equal(ExitCodes.InternalError, CliOutput.Guard(() => throw new NullReferenceException("boom")));
        }
        finally
        {
            Console.SetError(old);
        }
        string line = Assert.Single(err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("skiprnn: internal error (a bug in skiprnn", line);
        Assert.EndsWith("NullReferenceException: boom", line);
    }

    private static SkipRnn.Edge.Model.SkipGruModel TestModel()
    {
        var m = CliHarness.Import("ra1.safetensors");
        return Quantizer.Quantize(m, new QuantizerOptions { InputFracBits = 10 });
    }
}
