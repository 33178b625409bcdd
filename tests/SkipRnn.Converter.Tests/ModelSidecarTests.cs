using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests;

public class ModelSidecarTests
{
    private const string Source = "model.json";

    private const string Full = """
        {"variant": "reset_before", "input_size": 3, "hidden_size": 5, "num_layers": 1, "output_size": 2,
         "task": "regression", "class_names": ["lo", "hi"], "sample_period_us": 500,
         "input_mean": [0.5, -1, 2], "input_std": [1, 0.25, 3], "trained_by": {"anything": [1, 2]}}
        """;

    private static ImportException Fails(string json) => Assert.Throws<ImportException>(() => ModelSidecar.Parse(json, Source));

    [Fact]
    public void ReadsEveryFieldAndIgnoresUnknownOnes()
    {
        var s = ModelSidecar.Parse(Full, Source);
        Assert.Equal(GruVariant.ResetBefore, s.Variant);
        Assert.Equal((3, 5, 1, 2), (s.InputSize, s.HiddenSize, s.NumLayers, s.OutputSize));
        Assert.Equal(ModelTask.Regression, s.Task);
        Assert.Equal(["lo", "hi"], s.ClassNames!);
        Assert.Equal(500, s.SamplePeriodMicros);
        Assert.Equal([0.5, -1, 2], s.InputMean!);
        Assert.Equal([1, 0.25, 3], s.InputStd!);
    }

    [Fact]
    public void EverythingIsOptionalAndNullMeansAbsent()
    {
        var s = ModelSidecar.Parse("""{"variant": null, "input_mean": null}""", Source);
        Assert.Null(s.Variant);
        Assert.Null(s.InputMean);
        Assert.Equal(ModelTask.Unspecified, s.Task);
    }

    [Theory]
    [InlineData("""{"input_size": "3"}""", "field 'input_size'", "must be an integer, found string \"3\"")]
    [InlineData("""{"input_size": 2.5}""", "field 'input_size'", "must be an integer")]
    [InlineData("""{"hidden_size": 0}""", "field 'hidden_size'", "at least 1")]
    [InlineData("""{"sample_period_us": -1}""", "field 'sample_period_us'", "at least 0")]
    [InlineData("""{"variant": "reset_sideways"}""", "field 'variant'", "\"reset_after\", \"reset_before\"")]
    [InlineData("""{"task": 1}""", "field 'task'", "\"classification\", \"regression\"")]
    [InlineData("""{"class_names": ["a", 2]}""", "field 'class_names'", "array of strings")]
    [InlineData("""{"input_mean": "0.5"}""", "field 'input_mean'", "array of numbers")]
    [InlineData("""{"input_mean": [1e999]}""", "field 'input_mean'", "not a finite number")]
    [InlineData("""{"input_size": 3, "input_mean": [1, 2]}""", "field 'input_mean'", "has 2 values but input_size is 3")]
    [InlineData("""{"input_mean": [1, 2], "input_std": [1]}""", "field 'input_std'", "has 1 values but input_mean has 2")]
    [InlineData("""{"input_std": [1, 0]}""", "field 'input_std'", "must be positive")]
    [InlineData("""{"output_size": 3, "class_names": ["a", "b"]}""", "field 'class_names'", "has 2 names but output_size is 3")]
    public void WrongTypesAndLengthsNameTheField(string json, string item, string problem)
    {
        var e = Fails(json);
        Assert.Equal(item, e.Item);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith(Source + ": " + item, e.Message);
    }

    [Theory]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"input_size\": 3", "not valid JSON")]
    public void RefusesNonObjects(string json, string problem) => Assert.Contains(problem, Fails(json).Message);

    [Theory]
    [InlineData("""{"input_size": 4}""", "field 'input_size'", "is 4 but the weights give 3")]
    [InlineData("""{"hidden_size": 6}""", "field 'hidden_size'", "is 6 but the weights give 5")]
    [InlineData("""{"num_layers": 2}""", "field 'num_layers'", "is 2 but the weights give 1")]
    [InlineData("""{"output_size": 3}""", "field 'output_size'", "is 3 but the weights give 2")]
    [InlineData("""{"input_mean": [0, 0]}""", "field 'input_mean'", "the model has 3 inputs")]
    [InlineData("""{"class_names": ["x"]}""", "field 'class_names'", "the model has 2 outputs")]
    public void ASidecarOfAnotherModelIsCaught(string json, string item, string problem)
    {
        var w = new ReferenceWeights(3, 5, 1, 2, seed: 1);
        var set = ReferenceWeights.Set([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("head.", false)]);
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(set, ModelSidecar.Parse(json, Source), Source));
        Assert.Equal(item, e.Item);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void AHeadlessModelRefusesASidecarWithOutputs()
    {
        var w = new ReferenceWeights(3, 5, 1, 2, seed: 2);
        var set = ReferenceWeights.Set([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true)]);
        var e = Assert.Throws<ImportException>(() => ModelImporter.Import(set, ModelSidecar.Parse("""{"output_size": 2}""", Source), Source));
        Assert.Contains("no output head", e.Message);
    }

    [Fact]
    public void VariantComesFromOptionsThenSidecarThenLayout()
    {
        var w = new ReferenceWeights(3, 5, 1, 2, seed: 3);
        var set = ReferenceWeights.Set([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("head.", false)]);
        var before = ModelSidecar.Parse("""{"variant": "reset_before"}""", Source);

        Assert.Equal((GruVariant.ResetAfter, VariantSource.Layout), Variant(ModelImporter.Import(set)));
        Assert.Equal((GruVariant.ResetBefore, VariantSource.Sidecar), Variant(ModelImporter.Import(set, before, Source)));
        Assert.Equal((GruVariant.ResetAfter, VariantSource.Options),
            Variant(ModelImporter.Import(set, before, Source, new ImportOptions { Variant = GruVariant.ResetAfter })));

        static (GruVariant, VariantSource) Variant(ImportResult r) => (r.Model.Variant, r.VariantSource);
    }

    [Fact]
    public void TheImporterFindsTheSidecarNextToTheWeights()
    {
        string dir = Directory.CreateTempSubdirectory("skiprnn-sidecar").FullName;
        try
        {
            var w = new ReferenceWeights(3, 5, 1, 2, seed: 4);
            var builder = new SafetensorsBuilder();
            foreach (var t in w.TorchCells(_ => "cells.0.").Concat(w.TorchLinear("skip_gate.", true)).Concat(w.TorchLinear("head.", false)))
                builder.Add(t.Name, TensorDType.F64, t.Shape, t.Data);
            string weights = Path.Combine(dir, "m.safetensors");
            File.WriteAllBytes(weights, builder.Build());

            var plain = ModelImporter.Import(weights);
            Assert.Null(plain.SidecarPath);
            ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), plain.Model);

            File.WriteAllText(Path.Combine(dir, "m.json"), """{"sample_period_us": 250, "class_names": ["x", "y"]}""");
            var found = ModelImporter.Import(weights);
            Assert.Equal(Path.Combine(dir, "m.json"), found.SidecarPath);
            Assert.Equal(250, found.Model.SamplePeriodMicros);
            Assert.Equal(["x", "y"], found.Model.ClassNames);

            Assert.Null(ModelImporter.Import(weights, new ImportOptions { NoSidecar = true }).Sidecar);

            string other = Path.Combine(dir, "other.json");
            File.WriteAllText(other, """{"hidden_size": "five"}""");
            var e = Assert.Throws<ImportException>(() => ModelImporter.Import(weights, new ImportOptions { SidecarPath = other }));
            Assert.Equal(other, e.File);
            Assert.Equal("field 'hidden_size'", e.Item);

            var missing = Assert.Throws<ImportException>(() => ModelImporter.Import(weights, new ImportOptions { SidecarPath = Path.Combine(dir, "none.json") }));
            Assert.Contains("does not exist", missing.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
