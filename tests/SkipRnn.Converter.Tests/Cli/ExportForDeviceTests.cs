using SkipRnn.Converter.Cli;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>
/// export-cs output must compile for the device: the DeviceGate project (compiled against nanoFramework's mscorlib
/// by `dotnet build SkipRnn.sln`) includes one generated file, and this test proves that file is exactly what
/// export-cs writes today for a fixture conversion. Set SKIPRNN_REGENERATE=1 to rewrite it after a deliberate change.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ExportForDeviceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_device_gate_compiles_the_export_of_a_fixture_conversion()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string model = Path.Combine(_dir, "ra1.skrn");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-o", model, "--weight-bits", "16").Code);
        string cs = Path.Combine(_dir, "Ra1Model.cs");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("export-cs", model, "-o", cs, "--namespace", "SkipRnn.Edge.Generated", "--class", "Ra1Model").Code);

        string committed = Path.Combine(CliHarness.RepoRoot(), "src", "SkipRnn.Edge.DeviceGate", "Generated", "Ra1Model.cs");
        if (Environment.GetEnvironmentVariable("SKIPRNN_REGENERATE") == "1") File.Copy(cs, committed, overwrite: true);
        Assert.True(File.Exists(committed), "missing " + committed + " (run this test with SKIPRNN_REGENERATE=1)");
        Assert.Equal(File.ReadAllText(committed), File.ReadAllText(cs));
    }
}
