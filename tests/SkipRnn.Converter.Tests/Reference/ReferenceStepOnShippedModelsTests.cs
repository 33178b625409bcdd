using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Tests;

namespace SkipRnn.Converter.Tests.Reference;

/// <summary>
/// Every shipped model on its test set: the plain reference step (ReferenceSkipGru) and the tuned runner (SkipGru)
/// equal at every step (decisions, ũ, Δũ, states, outputs). The random models of every shape: SkipRnn.Edge.Tests'
/// ReferenceStepTests.
/// </summary>
public class ReferenceStepOnShippedModelsTests
{
    [Theory]
    [InlineData("adding", "")]
    [InlineData("frequency", "")]
    [InlineData("keyword", "")]
    [InlineData("keyword", "gru")]
    [InlineData("motion", "")]
    [InlineData("motion", "gru")]
    public void The_reference_step_equals_the_tuned_runner_on_the_test_set_as_one_stream(string task, string variant)
    {
        string folder = Path.Combine(CliHarness.RepoRoot(), "models", task, variant);
        SkipGruModel model = ModelReader.Read(File.ReadAllBytes(Path.Combine(folder, "model.skrn")));
        // The raw integers the model was converted for (the LSB recovered from its input normalization).
        RawEncoding encoding = ConversionPipeline.EncodingOf(model, ModelImporter.Import(Path.Combine(folder, "model.safetensors")).Model);
        // A task's plain-GRU baseline (gru/) shares its test set.
        SequenceDataset data = SequenceDataset.Read(Path.Combine(CliHarness.RepoRoot(), "models", task, "test.npz"));
        var raw = new List<int[]>(data.Count * data.Steps);
        var resets = new HashSet<int>();
        for (int n = 0; n < data.Count; n++)
        {
            if (n % 2 == 0) resets.Add(raw.Count);   // every other sequence from reset, the rest run on from the last
            for (int t = 0; t < data.Steps; t++) raw.Add(encoding.Encode(data.StepValues(n, t), new int[data.Inputs]));
        }
        int updates = StepComparison.AssertSameSteps(model, raw, resets, $"{task}/{variant}");
        Assert.InRange(updates, data.Count, raw.Count);
    }
}
