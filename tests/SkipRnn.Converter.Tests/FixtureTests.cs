using SkipRnn.Converter.Import;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests;

/// <summary>
/// The real files written from PyTorch by tests/fixtures/make_fixtures.py (see its README):
/// every format of every model must give the same weights, and those weights must reproduce the
/// framework's own run (updates, ũ, states and outputs in <c>&lt;name&gt;.expected.npz</c>).
/// </summary>
public class FixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    private static ImportResult Import(string file, ImportOptions? options = null) => ModelImporter.Import(Fixture(file), options);

    public static TheoryData<string> Models => new(["ra1", "ra2", "rb1", "rb2"]);

    [Theory]
    [MemberData(nameof(Models))]
    public void SafetensorsTorchAndNpzGiveIdenticalWeights(string model)
    {
        var st = Import(model + ".safetensors");
        var pt = Import(model + ".pt");
        var npz = Import(model + ".npz");

        Assert.Equal(TensorFileFormat.Safetensors, st.Tensors.Format);
        Assert.Equal(TensorFileFormat.TorchZip, pt.Tensors.Format);
        Assert.Equal(TensorFileFormat.Npz, npz.Tensors.Format);
        ModelAssert.SameWeights(st.Model, pt.Model);
        ModelAssert.SameWeights(st.Model, npz.Model);
        Assert.Equal(model.StartsWith("ra") ? GruVariant.ResetAfter : GruVariant.ResetBefore, st.Model.Variant);
        Assert.Equal(model.EndsWith('2') ? 2 : 1, st.Model.Layers.Length);
        Assert.Equal((3, 8, 4), (st.Model.InputSize, st.Model.HiddenSize, st.Model.OutputSize));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheLayoutAloneImpliesTheSidecarsVariant(string model)
    {
        var withSidecar = Import(model + ".pt");
        var without = Import(model + ".pt", new ImportOptions { NoSidecar = true });
        Assert.Equal(VariantSource.Sidecar, withSidecar.VariantSource);
        Assert.Equal(VariantSource.Layout, without.VariantSource);
        Assert.Null(without.Sidecar);
        ModelAssert.SameWeights(withSidecar.Model, without.Model);
        Assert.Null(without.Model.InputMean);
    }

    [Fact]
    public void SidecarMetadataReachesTheModel()
    {
        var r = Import("ra1.safetensors");
        Assert.Equal(Fixture("ra1.json"), r.SidecarPath);
        Assert.Equal(ModelTask.Classification, r.Task);
        Assert.Equal(["a", "b", "c", "d"], r.Model.ClassNames);
        Assert.Equal(1000, r.Model.SamplePeriodMicros);
        Assert.Equal([1.774, -0.562, 1.139], r.Model.InputMean);
        Assert.Equal([1.978, 1.236, 2.807], r.Model.InputStd);
    }

    [Fact]
    public void MapsTheReadmesStateDictNames()
    {
        var ra = Import("ra2.pt").Mapping;
        Assert.Equal(new PyTorchGruLayer("cells.1.weight_ih", "cells.1.weight_hh", "cells.1.bias_ih", "cells.1.bias_hh"), ra.Layers[1]);
        Assert.Equal(new LinearSource("skip_gate.weight", "skip_gate.bias", false), ra.SkipGate);
        Assert.Equal(new LinearSource("head.weight", "head.bias", false), ra.Head);
        Assert.Empty(ra.UnusedTensors);

        var rb = Import("rb2.safetensors").Mapping;
        Assert.Equal(new TfResetBeforeGruLayer("cells.0.gates.kernel", "cells.0.gates.bias", "cells.0.candidate.kernel", "cells.0.candidate.bias"),
            rb.Layers[0]);
        Assert.Equal(GruVariant.ResetBefore, rb.LayoutVariant);

        var nn = Import("gru_nn.pt").Mapping;
        Assert.Equal(new PyTorchGruLayer("rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1"), nn.Layers[1]);

        var keras = Import("keras_ra1.npz").Mapping;
        Assert.Equal(new KerasGruLayer("kernel", "recurrent_kernel", "bias"), keras.Layers[0]);
        Assert.Equal(new LinearSource("skip_gate/kernel", "skip_gate/bias", true), keras.SkipGate);
        Assert.Equal(new LinearSource("dense/kernel", "dense/bias", true), keras.Head);
    }

    [Fact]
    public void KerasLayoutGivesRa1sWeightsExactly()
    {
        var keras = Import("keras_ra1.npz");
        Assert.Equal(GruVariant.ResetAfter, keras.Mapping.LayoutVariant);
        ModelAssert.SameWeights(Import("ra1.safetensors").Model, keras.Model);
    }

    [Fact]
    public void Float64NpzIsAnExactWideningOfRa1()
    {
        var f64 = Import("ra1_f64.npz");
        Assert.All(f64.Tensors, t => Assert.Equal(TensorDType.F64, t.SourceDType));
        ModelAssert.SameWeights(Import("ra1.safetensors").Model, f64.Model);
    }

    [Fact]
    public void HalfPrecisionSafetensorsAndTorchAgree()
    {
        var st = Import("ra1_f16.safetensors");
        var pt = Import("ra1_f16.pt");
        Assert.All(st.Tensors, t => Assert.Equal(TensorDType.F16, t.SourceDType));
        Assert.All(pt.Tensors, t => Assert.Equal(TensorDType.F16, t.SourceDType));
        ModelAssert.SameWeights(st.Model, pt.Model);
        // Rounded to half, so close to ra1 but not equal.
        var f32 = Import("ra1.safetensors").Model;
        Assert.NotEqual(f32.Layers[0].Whh, st.Model.Layers[0].Whh);
        Assert.Equal(f32.Layers[0].Whh, st.Model.Layers[0].Whh, (a, b) => Math.Abs(a - b) <= 1e-3 * Math.Max(1, Math.Abs(a)));
    }

    public static TheoryData<string, string> Runs => new()
    {
        { "ra1.safetensors", "ra1" }, { "ra1.pt", "ra1" }, { "ra1.npz", "ra1" },
        { "ra2.safetensors", "ra2" }, { "ra2.pt", "ra2" }, { "ra2.npz", "ra2" },
        { "rb1.safetensors", "rb1" }, { "rb1.pt", "rb1" }, { "rb1.npz", "rb1" },
        { "rb2.safetensors", "rb2" }, { "rb2.pt", "rb2" }, { "rb2.npz", "rb2" },
        { "gru_nn.pt", "gru_nn" },
        { "keras_ra1.npz", "ra1" },
        { "ra1_f64.npz", "ra1" },
        { "ra1_f16.safetensors", "ra1_f16" }, { "ra1_f16.pt", "ra1_f16" },
        { "ra1_bf16.safetensors", "ra1_bf16" },
    };

    /// <summary>
    /// The imported weights, run by the float64 reference, must make the framework's skip decisions
    /// and reach its states: this is what proves the layout conversions (TF, Keras, nn.GRU) right.
    /// </summary>
    [Theory]
    [MemberData(nameof(Runs))]
    public void ImportedModelReproducesTheFrameworksRun(string file, string expected)
    {
        var model = Import(file).Model;
        var want = NpzReader.Read(Fixture(expected + ".expected.npz"));
        var inputs = want.Get("inputs");
        var rawInputs = want.Get("raw_inputs");
        var states = want.Get("states");
        int steps = inputs.Shape[0], layers = states.Shape[1], h = states.Shape[2];
        Assert.Equal((model.InputSize, model.Layers.Length, model.HiddenSize), (inputs.Shape[1], layers, h));

        var run = new FloatSkipGru(model);
        for (int t = 0; t < steps; t++)
        {
            var x = inputs.Data.AsSpan(t * model.InputSize, model.InputSize).ToArray();
            var raw = rawInputs.Data.AsSpan(t * model.InputSize, model.InputSize).ToArray();
            // The sidecar's mean and std turn raw inputs into the ones the module saw.
            ModelAssert.Close(x, FloatSkipGru.Normalize(model, raw), 1e-9, $"normalized input {t}");

            Assert.Equal(want.Get("utilde").Data[t], run.UpdateProbability, 1e-9);
            bool updated = run.Step(x);
            Assert.True(updated == (want.Get("updates").Data[t] == 1.0), $"step {t}: update decision differs");
            for (int l = 0; l < layers; l++)
                ModelAssert.Close(states.Data.AsSpan((t * layers + l) * h, h).ToArray(), run.State(l), 1e-9, $"state of layer {l} after step {t}");
        }
        ModelAssert.Close(want.Get("outputs").Data, run.Outputs, 1e-9, "outputs");
    }

    public static TheoryData<string, string[]> BadFiles => new()
    {
        { "bad_truncated.safetensors", ["bad_truncated.safetensors", "truncated"] },
        { "bad_header.safetensors", ["bad_header.safetensors", "header", "JSON object"] },
        { "bad_no_skip_gate.safetensors", ["skip gate is missing", "cells.0.weight_ih", "[24, 3]", "head.weight"] },
        { "bad_nan.npz", ["tensor 'cells.0.weight_hh'", "[2, 3]", "NaN"] },
        { "bad_truncated.pt", ["bad_truncated.pt", "corrupt or truncated"] },
        { "bad_legacy.pt", ["legacy", "torch.save", "zip"] },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesFailWithAClearError(string file, string[] expected)
    {
        var e = Assert.Throws<ImportException>(() => Import(file));
        Assert.Equal(Fixture(file), e.File);
        foreach (var part in expected) Assert.Contains(part, e.Message);
    }

    /// <summary>Fixtures added later are covered too: every weights file imports, or fails clearly if it is a bad_ one.</summary>
    public static TheoryData<string> AllWeightFiles
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "fixtures")).Order())
            {
                string name = Path.GetFileName(path);
                if (name.EndsWith(".expected.npz") || !(name.EndsWith(".safetensors") || name.EndsWith(".pt") || name.EndsWith(".npz")))
                    continue;
                data.Add(name);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AllWeightFiles))]
    public void EveryFixtureImportsOrIsRefusedClearly(string file)
    {
        if (file.StartsWith("bad_"))
        {
            var e = Assert.Throws<ImportException>(() => Import(file));
            Assert.StartsWith(Fixture(file) + ": ", e.Message);
        }
        else
        {
            var r = Import(file);
            Assert.NotNull(r.Sidecar);
            Assert.Equal(r.Sidecar!.HiddenSize, r.Model.HiddenSize);
        }
    }

    [Fact]
    public void TheFixturesAreThere()
    {
        // A missing fixtures folder must not turn the theories above into zero silent cases.
        int count = AllWeightFiles.Count;
        Assert.True(count >= 20, $"only {count} fixture weight files were copied to the test output");
    }
}
