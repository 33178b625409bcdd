using SkipRnn.Converter.Cli;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>The main job on shipped defaults (README's first command) runs and verifies every shipped model.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_converts_and_verifies_every_shipped_model()
    {
        string root = CliHarness.RepoRoot();
        string previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(root);   // demo finds models/ from the working directory, as README runs it
        try
        {
            var (code, stdout, stderr) = CliHarness.Run("demo", "--json");
            Assert.True(code == ExitCodes.Success, stderr);
            using var rows = System.Text.Json.JsonDocument.Parse(stdout);
            var names = rows.RootElement.EnumerateArray().Select(r => r.GetProperty("Model").GetString()).ToList();
            Assert.Contains("adding", names);
            foreach (var r in rows.RootElement.EnumerateArray())
            {
                Assert.True(r.GetProperty("Verified").GetBoolean());
                Assert.True(r.GetProperty("MacsSaved").GetDouble() > 0.3, "a shipped Skip-GRU model should save compute");
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    [Theory]
    [InlineData("{ \"weight_bits\": \"eight\" }")]
    [InlineData("{ \"int16\": [null] }")]
    [InlineData("{ not json")]
    public void A_malformed_convert_json_is_an_input_error_naming_the_file(string text)
    {
        string dir = Directory.CreateTempSubdirectory("skiprnn-demo-bad-").FullName;
        try
        {
            string shipped = Path.Combine(CliHarness.RepoRoot(), "models", "adding");
            foreach (string f in new[] { "model.safetensors", "model.json", "calibration.npz", "test.npz" })
                File.Copy(Path.Combine(shipped, f), Path.Combine(dir, f));
            File.WriteAllText(Path.Combine(dir, "convert.json"), text);
            var (code, _, stderr) = CliHarness.Run("demo", "--model-dir", dir, "--json");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("convert.json", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
