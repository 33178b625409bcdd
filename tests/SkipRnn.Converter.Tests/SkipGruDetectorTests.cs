using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Model;
using static SkipRnn.Converter.Tests.Builders.ReferenceWeights;

namespace SkipRnn.Converter.Tests;

public class SkipGruDetectorTests
{
    private static ImportResult Import(IEnumerable<Tensor> tensors, ImportOptions? options = null) =>
        ModelImporter.Import(Set(tensors), options: options);

    private static ImportException Fails(IEnumerable<Tensor> tensors, ImportOptions? options = null) =>
        Assert.Throws<ImportException>(() => Import(tensors, options));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void MapsGruCellsUnderAnyPrefix(int layers)
    {
        var w = new ReferenceWeights(3, 5, layers, 4, seed: layers);
        var r = Import([.. w.TorchLinear("model.head.", false), .. w.TorchCells(l => $"model.encoder.cells.{l}."), .. w.TorchLinear("model.skip_gate.", true)]);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);
        Assert.Equal(VariantSource.Layout, r.VariantSource);
        Assert.Empty(r.Mapping.UnusedTensors);
    }

    [Fact]
    public void MapsNnGruByItsLayerSuffix()
    {
        var w = new ReferenceWeights(2, 6, 3, 3, seed: 11);
        var r = Import([.. w.NnGru("net.rnn."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("fc.", false)]);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);
        Assert.Equal(new PyTorchGruLayer("net.rnn.weight_ih_l2", "net.rnn.weight_hh_l2", "net.rnn.bias_ih_l2", "net.rnn.bias_hh_l2"),
            r.Mapping.Layers[2]);
    }

    [Fact]
    public void MapsThePapersTfCellWithTfVariableNames()
    {
        // The reference code's names: rnn_ops.linear makes "Weights"/"Biases", the skip gate is "state_update_prob".
        var w = new ReferenceWeights(3, 4, 2, 2, seed: 5, zeroRecurrentBias: true);
        var tensors = w.TfCells(l => $"rnn/multi_skip_gru_cell/layer_{l + 1}/", "Weights:0", "Biases:0", "/")
            .Concat(w.KerasLinear("rnn/multi_skip_gru_cell/state_update_prob/", true, "Weights:0", "Biases:0"))
            .Concat(w.KerasLinear("dense/", false));
        var r = Import(tensors);
        Assert.Equal(GruVariant.ResetBefore, r.Mapping.LayoutVariant);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetBefore), r.Model);
        Assert.True(r.Mapping.SkipGate.InputMajor);
    }

    [Fact]
    public void MapsTfCellsNamedLikeTheTrainingModule()
    {
        var w = new ReferenceWeights(3, 8, 1, 4, seed: 6, zeroRecurrentBias: true);
        var r = Import([.. w.TfCells(l => $"cells.{l}."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("head.", false)]);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetBefore), r.Model);
    }

    [Fact]
    public void MapsKerasReorderingGatesZrhToRzn()
    {
        // Keras names its layers gru, gru_1, gru_2: the unnumbered one is the first.
        var w = new ReferenceWeights(4, 3, 3, 2, seed: 7);
        var r = Import([.. w.Keras(l => l == 0 ? "gru/" : $"gru_{l}/"), .. w.KerasLinear("skip_gate/", true), .. w.KerasLinear("dense/", false)]);
        Assert.Equal(GruVariant.ResetAfter, r.Mapping.LayoutVariant);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);
    }

    [Fact]
    public void KerasSingleBiasMeansResetBefore()
    {
        var w = new ReferenceWeights(2, 3, 1, 2, seed: 8, zeroRecurrentBias: true);
        var r = Import([.. w.Keras(_ => "model/gru/gru_cell/", singleBias: true), .. w.KerasLinear("skip_gate/", true), .. w.KerasLinear("dense/", false)]);
        Assert.Equal(GruVariant.ResetBefore, r.Model.Variant);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetBefore), r.Model);
    }

    [Fact]
    public void TakesTheOnlyRemainingPairAsSkipGateAndHead()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 9);
        var r = Import([.. w.TorchCells(_ => "gru."), .. w.TorchLinear("p.", true), .. w.TorchLinear("out_proj.", false)]);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);
        Assert.Equal("p.weight", r.Mapping.SkipGate.Weight);
        Assert.Equal("out_proj.weight", r.Mapping.Head!.Weight);
    }

    [Fact]
    public void ImportsWithoutAHeadWhenThereIsNone()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 10);
        var r = Import([.. w.TorchCells(_ => "cell."), .. w.TorchLinear("skip_gate.", true)]);
        Assert.Null(r.Mapping.Head);
        Assert.Equal(0, r.Model.OutputSize);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter, head: false), r.Model);
    }

    [Fact]
    public void TellsARegressionHeadFromTheSkipGateByName()
    {
        // Both are [1, H] + [1]: only the names tell them apart.
        var w = new ReferenceWeights(3, 5, 1, 1, seed: 12);
        var r = Import([.. w.TorchLinear("head.", false), .. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true)]);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);

        var unnamedSkip = Import([.. w.TorchLinear("head.", false), .. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("gate.", true)]);
        Assert.Equal("gate.weight", unnamedSkip.Mapping.SkipGate.Weight);
        Assert.Equal("head.weight", unnamedSkip.Mapping.Head!.Weight);

        var e = Fails([.. w.TorchLinear("a.", false), .. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("b.", true)]);
        Assert.Contains("skip gate is ambiguous", e.Message);
        Assert.Contains("'a.weight' [1, 5]", e.Message);
        Assert.Contains("'b.weight' [1, 5]", e.Message);
    }

    [Fact]
    public void MissingSkipGateListsTheTensorsFound()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 13);
        var e = Fails([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("head.", false)]);
        Assert.Contains("skip gate is missing", e.Message);
        Assert.Contains("[1, 5] weight (or [5, 1] kernel) with a [1] bias", e.Message);
        Assert.Contains("Tensors in the file:", e.Message);
        foreach (var line in new[] { "cells.0.weight_ih  [15, 3] F32", "cells.0.bias_hh    [15] F32", "head.weight        [4, 5] F32" })
            Assert.Contains(line, e.Message);
    }

    [Fact]
    public void NoGruLayerListsTheTensorsFound()
    {
        var e = Fails([T("encoder.lstm.weight", [8, 3], new double[24]), T("encoder.lstm.bias", [8], new double[8])]);
        Assert.Contains("no GRU layer found", e.Message);
        Assert.Contains("encoder.lstm.weight  [8, 3] F32", e.Message);
    }

    [Fact]
    public void AMissingPartOfALayerIsNamed()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 14);
        var tensors = w.TorchCells(_ => "cells.0.").Where(t => t.Name != "cells.0.weight_hh").Concat(w.TorchLinear("skip_gate.", true));
        var e = Fails(tensors);
        Assert.Contains("the GRU layer at 'cells/0' has 'cells.0.weight_ih' but no 'weight_hh'", e.Message);

        var tf = new ReferenceWeights(3, 5, 1, 4, seed: 15, zeroRecurrentBias: true);
        var e2 = Fails(tf.TfCells(_ => "c.").Where(t => !t.Name.StartsWith("c.candidate")).Concat(tf.TorchLinear("skip_gate.", true)));
        Assert.Contains("no 'candidate/kernel'", e2.Message);
    }

    [Fact]
    public void RefusesBidirectionalAndTooDeepAndDuplicatedStacks()
    {
        var w = new ReferenceWeights(3, 4, 1, 2, seed: 16);
        var bi = w.NnGru("rnn.").Concat(w.NnGru("rnn.").Select(t => T(t.Name + "_reverse", t.Shape, t.Data))).Concat(w.TorchLinear("skip_gate.", true));
        Assert.Contains("bidirectional", Fails(bi).Message);

        var deep = new ReferenceWeights(3, 4, 5, 2, seed: 17);
        Assert.Contains("5 GRU layers", Fails([.. deep.TorchCells(l => $"cells.{l}."), .. deep.TorchLinear("skip_gate.", true)]).Message);

        var two = Fails([.. w.NnGru("encoder."), .. w.NnGru("decoder."), .. w.TorchLinear("skip_gate.", true)]);
        Assert.Contains("both have layer number 0", two.Message);
        Assert.Contains("'encoder'", two.Message);
        Assert.Contains("'decoder'", two.Message);

        var tf = new ReferenceWeights(3, 4, 1, 2, seed: 18, zeroRecurrentBias: true);
        var mixed = Fails([.. w.TorchCells(_ => "a.0."), .. tf.TfCells(_ => "b.1."), .. w.TorchLinear("skip_gate.", true)]);
        Assert.Contains("more than one layout", mixed.Message);
    }

    [Fact]
    public void ChecksThatStackedLayersFit()
    {
        var w = new ReferenceWeights(3, 4, 2, 2, seed: 19);
        var bad = w.TorchCells(l => $"cells.{l}.").Select(t => t.Name == "cells.1.weight_ih" ? T(t.Name, [12, 3], new double[36]) : t);
        var e = Fails([.. bad, .. w.TorchLinear("skip_gate.", true)]);
        Assert.Equal("tensor 'cells.1.weight_ih'", e.Item);
        Assert.Contains("layer 1 reads 3 inputs but the layer below has 4 units", e.Message);
    }

    [Fact]
    public void ShapeErrorsNameTheTensor()
    {
        var w = new ReferenceWeights(3, 4, 1, 2, seed: 20);
        var badHh = w.TorchCells(_ => "cells.0.").Select(t => t.Name == "cells.0.weight_hh" ? T(t.Name, [4, 12], t.Data) : t);
        Assert.Contains("weight_hh is [3H, H]", Fails([.. badHh, .. w.TorchLinear("skip_gate.", true)]).Message);

        var badBias = w.TorchCells(_ => "cells.0.").Select(t => t.Name == "cells.0.bias_ih" ? T(t.Name, [11], new double[11]) : t);
        var e = Fails([.. badBias, .. w.TorchLinear("skip_gate.", true)]);
        Assert.Equal("tensor 'cells.0.bias_ih'", e.Item);
        Assert.Contains("expected [12]", e.Message);

        var e2 = Fails([.. w.TorchCells(_ => "cells.0."), T("skip_gate.weight", [2, 4], new double[8]), T("skip_gate.bias", [2], new double[2])]);
        Assert.Contains("the skip gate 'skip_gate.weight' [2, 4] + 'skip_gate.bias' [2]", e2.Message);

        var e3 = Fails([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true), T("head.weight", [2, 3], new double[6]), T("head.bias", [2], new double[2])]);
        Assert.Contains("the head 'head.weight' [2, 3]", e3.Message);
    }

    [Fact]
    public void RefusesLayerNormalizedCells()
    {
        var w = new ReferenceWeights(3, 4, 1, 2, seed: 21, zeroRecurrentBias: true);
        var e = Fails([.. w.TfCells(_ => "cell/", sep: "/"), .. w.KerasLinear("cell/state_update_prob/", true), T("cell/r/gain", [4], [1, 1, 1, 1])]);
        Assert.Contains("layer-normalization", e.Message);
    }

    [Fact]
    public void OptionsNameEveryPartExplicitly()
    {
        var w = new ReferenceWeights(3, 4, 2, 3, seed: 22);
        var tensors = new List<Tensor>();
        for (int l = 0; l < 2; l++)
        {
            var layer = w.Layers[l];
            tensors.Add(T($"A{l}", [12, layer.InputSize], layer.Wih));
            tensors.Add(T($"B{l}", [12, 4], layer.Whh));
            tensors.Add(T($"C{l}", [12], layer.Bih));
            tensors.Add(T($"D{l}", [12], layer.Bhh));
        }
        tensors.AddRange(w.TorchLinear("p_", true));
        tensors.AddRange(w.TorchLinear("q_", false));
        tensors.AddRange(w.TorchLinear("r_", false)); // a decoy head

        Assert.Contains("no GRU layer found", Fails(tensors).Message);

        var options = new ImportOptions
        {
            Layers = [new PyTorchGruLayer("A0", "B0", "C0", "D0"), new PyTorchGruLayer("A1", "B1", "C1", "D1")],
            SkipGate = new LinearSource("p_weight", "p_bias", InputMajor: false),
            Head = LinearSource.Named("q_weight", "q_bias"),
            Variant = GruVariant.ResetBefore,
        };
        var r = Import(tensors, options);
        ModelAssert.SameWeights(w.Model(GruVariant.ResetBefore), r.Model);
        Assert.Equal(VariantSource.Options, r.VariantSource);
        Assert.Equal(["r_weight", "r_bias"], r.Mapping.UnusedTensors);

        var noHead = Import(tensors, options with { Head = null, NoHead = true });
        Assert.Equal(0, noHead.Model.OutputSize);

        var missing = Fails(tensors, options with { SkipGate = LinearSource.Named("nope", null) });
        Assert.Equal("tensor 'nope'", missing.Item);
        Assert.Contains("not in the file", missing.Message);
    }

    [Fact]
    public void OptionsCanNameJustTheAmbiguousPart()
    {
        var w = new ReferenceWeights(3, 5, 1, 1, seed: 23);
        var tensors = w.TorchCells(_ => "cells.0.").Concat(w.TorchLinear("a.", false)).Concat(w.TorchLinear("b.", true)).ToList();
        var r = Import(tensors, new ImportOptions { SkipGate = LinearSource.Named("b.weight", "b.bias") });
        ModelAssert.SameWeights(w.Model(GruVariant.ResetAfter), r.Model);
        Assert.Equal("a.weight", r.Mapping.Head!.Weight);
    }

    [Fact]
    public void TwoPossibleHeadsAreAmbiguous()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 24);
        var e = Fails([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("x.", false), .. w.TorchLinear("y.", false)]);
        Assert.Contains("the head is ambiguous", e.Message);
        Assert.Contains("'x.weight' [4, 5]", e.Message);
    }

    [Fact]
    public void MappingDescribesWhatWasUsed()
    {
        var w = new ReferenceWeights(3, 5, 1, 4, seed: 25);
        var r = Import([.. w.TorchCells(_ => "cells.0."), .. w.TorchLinear("skip_gate.", true), .. w.TorchLinear("head.", false), T("extra", [2], [0, 0])]);
        var lines = r.Mapping.Describe().ToList();
        Assert.Equal("layer 0 (PyTorch GRU): cells.0.weight_ih, cells.0.weight_hh, cells.0.bias_ih, cells.0.bias_hh", lines[0]);
        Assert.Equal("skip gate: skip_gate.weight, skip_gate.bias", lines[1]);
        Assert.Equal("head: head.weight, head.bias", lines[2]);
        Assert.Equal("unused: extra", lines[3]);
    }
}
