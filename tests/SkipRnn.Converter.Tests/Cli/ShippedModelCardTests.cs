using System.Globalization;
using System.Text.Json;
using SkipRnn.Converter.Cli;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>
/// Every shipped model (models/&lt;name&gt;/) passes `skiprnn eval` with the figures its model card states: the
/// committed model file and test set are evaluated now and the card must quote the fixed-point metric, the
/// fixed-point updates per sequence and the decision agreement exactly as eval prints them (two decimals).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ShippedModelCardTests
{
    private static List<string> ShippedModelNames() =>
        Directory.GetDirectories(Path.Combine(CliHarness.RepoRoot(), "models"))
            .Where(dir => File.Exists(Path.Combine(dir, "model.skrn")))
            .Select(dir => Path.GetFileName(dir)).OrderBy(n => n, StringComparer.Ordinal).ToList();

    public static TheoryData<string> ShippedModels() => new(ShippedModelNames());

    [Fact]
    public void Both_paper_tasks_are_shipped()
    {
        var names = ShippedModelNames();
        Assert.Contains("adding", names);
        Assert.Contains("frequency", names);
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void The_model_card_quotes_what_eval_measures(string name)
    {
        string dir = Path.Combine(CliHarness.RepoRoot(), "models", name);
        var (code, stdout, stderr) = CliHarness.Run("eval", Path.Combine(dir, "model.safetensors"), Path.Combine(dir, "model.skrn"),
            Path.Combine(dir, "test.npz"), "--json");
        Assert.True(code == ExitCodes.Success, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var e = doc.RootElement;
        string card = File.ReadAllText(Path.Combine(dir, "README.md"));

        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var expected = new List<string>
        {
            $"{F(e.GetProperty("FixedUpdatesMean").GetDouble(), "F2")} ± {F(e.GetProperty("FixedUpdatesStd").GetDouble(), "F2")}",
            $"{F(100 * e.GetProperty("DecisionAgreement").GetDouble(), "F2")}% of update decisions agree",
        };
        expected.Add(e.GetProperty("Task").GetString() == "Classification"
            ? $"{F(100 * e.GetProperty("FixedAccuracy").GetDouble(), "F2")}%"
            : $"{F(100 * e.GetProperty("FixedMseOverVariance").GetDouble(), "F4")}%");
        foreach (string figure in expected)
            Assert.True(card.Contains(figure, StringComparison.Ordinal), $"models/{name}/README.md does not quote eval's \"{figure}\"");
    }
}
