using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>Where one GRU layer's weights are, in one of the supported source layouts.</summary>
public abstract record GruLayerSource
{
    /// <summary>The tensors this layer reads.</summary>
    public abstract IEnumerable<string> TensorNames { get; }

    /// <summary>Which GRU the source layout computes when nothing says otherwise.</summary>
    public abstract string LayoutName { get; }
}

/// <summary>
/// PyTorch nn.GRU (<c>weight_ih_l{k}</c>, ...) or nn.GRUCell (<c>weight_ih</c>, ...): rows r, z, n,
/// <c>weight_ih</c> [3H, I], <c>weight_hh</c> [3H, H], biases [3H] (absent when bias=False).
/// </summary>
public sealed record PyTorchGruLayer(string WeightIh, string WeightHh, string? BiasIh, string? BiasHh) : GruLayerSource
{
    public override IEnumerable<string> TensorNames => new[] { WeightIh, WeightHh, BiasIh, BiasHh }.OfType<string>();
    public override string LayoutName => "PyTorch GRU";
}

/// <summary>
/// The paper's TensorFlow SkipGRUCell ("reset before"): <c>gates.kernel</c> [I+H, 2H] (input rows first;
/// columns r then u), <c>gates.bias</c> [2H], <c>candidate.kernel</c> [I+H, H] acting on [x, r⊙h],
/// <c>candidate.bias</c> [H].
/// </summary>
public sealed record TfResetBeforeGruLayer(string GatesKernel, string? GatesBias, string CandidateKernel, string? CandidateBias)
    : GruLayerSource
{
    public override IEnumerable<string> TensorNames =>
        new[] { GatesKernel, GatesBias, CandidateKernel, CandidateBias }.OfType<string>();
    public override string LayoutName => "TensorFlow reset-before GRU (gates/candidate)";
}

/// <summary>
/// Keras GRU: <c>kernel</c> [I, 3H], <c>recurrent_kernel</c> [H, 3H], gate columns z, r, h;
/// <c>bias</c> [2, 3H] (row 0 input, row 1 recurrent; reset_after=True) or [3H] (reset_after=False).
/// </summary>
public sealed record KerasGruLayer(string Kernel, string RecurrentKernel, string? Bias) : GruLayerSource
{
    public override IEnumerable<string> TensorNames => new[] { Kernel, RecurrentKernel, Bias }.OfType<string>();
    public override string LayoutName => "Keras GRU";
}

/// <summary>
/// A dense layer y = W x + b. <paramref name="InputMajor"/> says the weight is stored [in, out]
/// (TensorFlow/Keras "kernel") rather than PyTorch's [out, in].
/// </summary>
public sealed record LinearSource(string Weight, string? Bias, bool InputMajor)
{
    /// <summary>A linear whose layout follows its name: "...kernel" or "...weights" is [in, out], anything else [out, in].</summary>
    public static LinearSource Named(string weight, string? bias) => new(weight, bias, NameRules.IsKernelName(weight));

    public IEnumerable<string> TensorNames => new[] { Weight, Bias }.OfType<string>();
}

/// <summary>Which tensor is which part of the Skip-GRU: what the detector found or the options named.</summary>
public sealed record SkipGruMapping(
    IReadOnlyList<GruLayerSource> Layers,
    LinearSource SkipGate,
    LinearSource? Head,
    GruVariant LayoutVariant,
    IReadOnlyList<string> UnusedTensors)
{
    /// <summary>Human-readable lines "part: tensors", for the CLI to show what was used.</summary>
    public IEnumerable<string> Describe()
    {
        for (int l = 0; l < Layers.Count; l++)
            yield return $"layer {l} ({Layers[l].LayoutName}): {string.Join(", ", Layers[l].TensorNames)}";
        yield return $"skip gate: {string.Join(", ", SkipGate.TensorNames)}";
        yield return Head == null ? "head: none" : $"head: {string.Join(", ", Head.TensorNames)}";
        if (UnusedTensors.Count > 0) yield return $"unused: {string.Join(", ", UnusedTensors)}";
    }
}
