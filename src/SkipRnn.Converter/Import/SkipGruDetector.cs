using System.Text.RegularExpressions;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Finds the parts of a Skip-GRU among named tensors, under any name prefix:
/// <list type="bullet">
/// <item>GRU layers in PyTorch nn.GRU (<c>weight_ih_l{k}</c>...), nn.GRUCell (<c>…{k}.weight_ih</c>...),
/// the paper's TF cell (<c>…gates.kernel</c>, <c>…candidate.kernel</c>...) or Keras
/// (<c>…kernel</c>, <c>…recurrent_kernel</c>, <c>…bias</c>) layout; layers are ordered by the last
/// number in their scope;</item>
/// <item>the skip gate: a linear named <c>skip_gate</c> (or the TF code's <c>state_update_prob</c>),
/// else the only remaining [1, H] / [H, 1] linear with a [1] bias;</item>
/// <item>an optional head: a linear named <c>head</c>/<c>dense</c>/<c>fc</c>/<c>classifier</c>,
/// else the only remaining linear that reads H values.</item>
/// </list>
/// Failures list the tensors found, so the user can name the parts in <see cref="ImportOptions"/>.
/// </summary>
public static partial class SkipGruDetector
{
    public const int MaxLayers = 4;

    public static SkipGruMapping Detect(TensorSet tensors, ImportOptions? options = null)
    {
        options ??= ImportOptions.Default;
        var index = new NameIndex(tensors);
        var layers = options.Layers is { } explicitLayers
            ? CheckExplicitLayers(tensors, explicitLayers)
            : FindLayers(tensors, index);
        var used = new HashSet<string>(layers.SelectMany(l => l.TensorNames), StringComparer.Ordinal);
        int hidden = HiddenSize(tensors, layers[0]);

        foreach (var name in options.SkipGate?.TensorNames ?? []) used.Add(tensors.Get(name).Name);
        foreach (var name in options.Head?.TensorNames ?? []) used.Add(tensors.Get(name).Name);
        var linears = FindLinears(tensors, index, used);

        var skip = options.SkipGate ?? FindSkipGate(tensors, linears, hidden);
        used.UnionWith(skip.TensorNames);
        linears.RemoveAll(l => l.Source.TensorNames.Any(used.Contains));

        var head = options.NoHead ? null : options.Head ?? FindHead(tensors, linears, hidden);
        if (head != null) used.UnionWith(head.TensorNames);

        var unused = tensors.Select(t => t.Name).Where(n => !used.Contains(n)).ToList();
        RefuseLayerNorm(tensors, unused);
        return new SkipGruMapping(layers, skip, head, LayoutVariant(tensors, layers), unused);
    }

    // ---- GRU layers ----------------------------------------------------------------------

    private sealed record LayerCandidate(GruLayerSource Source, int Index, string Scope);

    private static List<GruLayerSource> FindLayers(TensorSet tensors, NameIndex index)
    {
        var found = new List<LayerCandidate>();
        foreach (var t in tensors)
        {
            var seg = NameRules.Segments(t.Name);
            if (seg.Length == 0) continue;
            var prefix = seg[..^1];
            string last = seg[^1];

            var nnGru = NnGruWeight().Match(last);
            if (nnGru.Success)
            {
                if (nnGru.Groups[2].Success)
                    throw Fail(tensors, $"tensor '{t.Name}' belongs to a bidirectional GRU, which cannot run causally on the device.");
                string k = nnGru.Groups[1].Value;
                found.Add(new(new PyTorchGruLayer(t.Name,
                        index.Require(prefix, t.Name, $"weight_hh_l{k}"),
                        index.Find(prefix, $"bias_ih_l{k}"), index.Find(prefix, $"bias_hh_l{k}")),
                    NameRules.LayerNumber(k, tensors.Source, t.Name), NameRules.Key(prefix)));
            }
            else if (last == "weight_ih")
            {
                found.Add(new(new PyTorchGruLayer(t.Name,
                        index.Require(prefix, t.Name, "weight_hh"),
                        index.Find(prefix, "bias_ih"), index.Find(prefix, "bias_hh")),
                    NameRules.LastIndex(prefix, tensors.Source, t.Name), NameRules.Key(prefix)));
            }
            else if (seg.Length >= 2 && seg[^2] == "gates" && last is "kernel" or "weights")
            {
                var scope = seg[..^2];
                found.Add(new(new TfResetBeforeGruLayer(t.Name,
                        index.FindAny(scope, ["gates/bias", "gates/biases"]),
                        index.RequireAny(scope, t.Name, ["candidate/kernel", "candidate/weights"]),
                        index.FindAny(scope, ["candidate/bias", "candidate/biases"])),
                    NameRules.LastIndex(scope, tensors.Source, t.Name), NameRules.Key(scope)));
            }
            else if (last == "recurrent_kernel")
            {
                found.Add(new(new KerasGruLayer(
                        index.Require(prefix, t.Name, "kernel"), t.Name, index.Find(prefix, "bias")),
                    NameRules.LastIndex(prefix, tensors.Source, t.Name), NameRules.Key(prefix)));
            }
        }

        if (found.Count == 0)
            throw Fail(tensors, "no GRU layer found: expected PyTorch weight_ih/weight_hh (nn.GRU or nn.GRUCell), " +
                                "TF gates.kernel/candidate.kernel, or Keras kernel/recurrent_kernel tensors.");
        var layouts = found.Select(c => c.Source.GetType()).Distinct().ToList();
        if (layouts.Count > 1)
            throw Fail(tensors, "GRU layers in more than one layout were found (" +
                                string.Join("; ", found.Select(c => $"{c.Source.LayoutName} at '{c.Scope}'")) +
                                "); name the layers explicitly.");
        var ordered = found.OrderBy(c => c.Index).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].Index == ordered[i - 1].Index)
                throw Fail(tensors, $"GRU layers at '{ordered[i - 1].Scope}' and '{ordered[i].Scope}' both have layer number " +
                                    $"{ordered[i].Index}: cannot tell their order (or the file holds two models); name the layers explicitly.");
        if (ordered.Count > MaxLayers)
            throw Fail(tensors, $"{ordered.Count} GRU layers were found; the device runs at most {MaxLayers}.");
        return ordered.Select(c => c.Source).ToList();
    }

    private static List<GruLayerSource> CheckExplicitLayers(TensorSet tensors, IReadOnlyList<GruLayerSource> layers)
    {
        if (layers.Count is < 1 or > MaxLayers)
            throw new ImportException(tensors.Source, "options", $"name 1 to {MaxLayers} GRU layers, not {layers.Count}.");
        if (layers.Select(l => l.GetType()).Distinct().Count() > 1)
            throw new ImportException(tensors.Source, "options", "all GRU layers must use the same layout.");
        foreach (var name in layers.SelectMany(l => l.TensorNames)) tensors.Get(name);
        return layers.ToList();
    }

    /// <summary>
    /// H, read from the bottom layer's recurrent weight, whose shape is checked here already so that a
    /// wrong one is reported as such rather than as a skip gate that does not fit. The other tensors'
    /// shapes are checked when the model is assembled.
    /// </summary>
    private static int HiddenSize(TensorSet tensors, GruLayerSource layer)
    {
        var (name, expected, h) = layer switch
        {
            PyTorchGruLayer p => (p.WeightHh, "weight_hh is [3H, H]",
                tensors.Get(p.WeightHh).Shape is [int r, int c] && r == 3 * c ? c : 0),
            TfResetBeforeGruLayer t => (t.CandidateKernel, "candidate.kernel is [I+H, H]",
                tensors.Get(t.CandidateKernel).Shape is [int r, int c] && r > c ? c : 0),
            KerasGruLayer k => (k.RecurrentKernel, "recurrent_kernel is [H, 3H]",
                tensors.Get(k.RecurrentKernel).Shape is [int r, int c] && c == 3 * r ? r : 0),
            _ => throw new ArgumentOutOfRangeException(nameof(layer)),
        };
        if (h < 1)
            throw new ImportException(tensors.Source, $"tensor '{name}'", $"has shape {tensors.Get(name).ShapeText}, but {expected}.");
        return h;
    }

    /// <summary>The layout's own variant: TF gates/candidate and Keras' single bias are reset-before.</summary>
    private static GruVariant LayoutVariant(TensorSet tensors, IReadOnlyList<GruLayerSource> layers) => layers[0] switch
    {
        TfResetBeforeGruLayer => GruVariant.ResetBefore,
        KerasGruLayer { Bias: { } b } when tensors.Get(b).Rank == 1 => GruVariant.ResetBefore,
        _ => GruVariant.ResetAfter,
    };

    // ---- skip gate and head ------------------------------------------------------------

    private sealed record LinearCandidate(LinearSource Source, string Scope, Tensor Weight, Tensor? Bias);

    /// <summary>Every unused "…weight"/"…kernel" tensor, with the bias of the same scope if there is one.</summary>
    private static List<LinearCandidate> FindLinears(TensorSet tensors, NameIndex index, HashSet<string> used)
    {
        var result = new List<LinearCandidate>();
        foreach (var t in tensors)
        {
            if (used.Contains(t.Name)) continue;
            var seg = NameRules.Segments(t.Name);
            if (seg.Length == 0 || seg[^1] is not ("weight" or "kernel" or "weights")) continue;
            var prefix = seg[..^1];
            string? bias = index.FindAny(prefix, ["bias", "biases"]);
            if (bias != null && used.Contains(bias)) bias = null;
            result.Add(new(LinearSource.Named(t.Name, bias), prefix.Length == 0 ? "" : prefix[^1], t,
                bias == null ? null : tensors.Get(bias)));
        }
        return result;
    }

    private static bool IsSkipScope(string scope) => scope is "skip_gate" or "state_update_prob" || scope.Contains("skip");

    private static bool IsHeadScope(string scope) => HeadScope().IsMatch(scope);

    /// <summary>W_p holds H values in a [1, H] weight or an [H, 1] kernel; b_p is one value.</summary>
    private static bool FitsSkipGate(LinearCandidate c, int hidden) =>
        (c.Source.InputMajor ? c.Weight.HasShape(hidden, 1) : c.Weight.HasShape(1, hidden))
        && c.Bias != null && c.Bias.ElementCount == 1 && c.Bias.Rank <= 1;

    private static LinearSource FindSkipGate(TensorSet tensors, List<LinearCandidate> linears, int hidden)
    {
        string expected = $"[1, {hidden}] weight (or [{hidden}, 1] kernel) with a [1] bias";
        var named = linears.Where(c => IsSkipScope(c.Scope)).ToList();
        if (named.Count > 1)
            throw Fail(tensors, $"the skip gate is ambiguous: {Names(named)} all look like skip gates.");
        if (named.Count == 1)
        {
            if (!FitsSkipGate(named[0], hidden))
                throw Fail(tensors, $"the skip gate '{named[0].Weight.Name}' {named[0].Weight.ShapeText}" +
                                    $"{(named[0].Bias == null ? " has no bias" : $" + '{named[0].Bias!.Name}' {named[0].Bias!.ShapeText}")}; expected a {expected}.");
            return named[0].Source;
        }
        var fitting = linears.Where(c => !IsHeadScope(c.Scope) && FitsSkipGate(c, hidden)).ToList();
        if (fitting.Count == 1) return fitting[0].Source;
        if (fitting.Count == 0)
            throw Fail(tensors, $"the skip gate is missing: no 'skip_gate' linear and no other {expected}.");
        throw Fail(tensors, $"the skip gate is ambiguous: {Names(fitting)} are all {expected}; name it explicitly.");
    }

    /// <summary>The head reads the H-value state: [O, H] weight or [H, O] kernel, bias [O].</summary>
    private static bool FitsHead(LinearCandidate c, int hidden) =>
        c.Weight.Shape is [int a, int b] && (c.Source.InputMajor ? a : b) == hidden && (c.Source.InputMajor ? b : a) >= 1
        && c.Bias != null && c.Bias.HasShape(c.Source.InputMajor ? b : a);

    private static LinearSource? FindHead(TensorSet tensors, List<LinearCandidate> linears, int hidden)
    {
        string expected = $"[O, {hidden}] weight (or [{hidden}, O] kernel) with an [O] bias";
        var named = linears.Where(c => IsHeadScope(c.Scope)).ToList();
        if (named.Count > 1)
            throw Fail(tensors, $"the head is ambiguous: {Names(named)} all look like output heads; name it explicitly.");
        if (named.Count == 1)
        {
            if (!FitsHead(named[0], hidden))
                throw Fail(tensors, $"the head '{named[0].Weight.Name}' {named[0].Weight.ShapeText}" +
                                    $"{(named[0].Bias == null ? " has no bias" : $" + '{named[0].Bias!.Name}' {named[0].Bias!.ShapeText}")}; expected a {expected}.");
            return named[0].Source;
        }
        var fitting = linears.Where(c => FitsHead(c, hidden)).ToList();
        if (fitting.Count > 1)
            throw Fail(tensors, $"the head is ambiguous: {Names(fitting)} are all {expected}; name it explicitly (or import without a head).");
        return fitting.Count == 1 ? fitting[0].Source : null;
    }

    private static string Names(IEnumerable<LinearCandidate> candidates) =>
        string.Join(", ", candidates.Select(c => $"'{c.Weight.Name}' {c.Weight.ShapeText}"));

    /// <summary>Layer-normalized cells (the TF code's layer_norm option) compute something else: refuse, don't ignore.</summary>
    private static void RefuseLayerNorm(TensorSet tensors, List<string> unused)
    {
        var norm = unused.FirstOrDefault(n => NameRules.Segments(n) is [.., "gain"] || n.Contains("layer_norm", StringComparison.OrdinalIgnoreCase)
                                              || n.Contains("layernorm", StringComparison.OrdinalIgnoreCase));
        if (norm != null)
            throw Fail(tensors, $"tensor '{norm}' looks like a layer-normalization parameter; layer-normalized GRUs are not supported.");
    }

    internal static ImportException Fail(TensorSet tensors, string problem) =>
        new(tensors.Source, null,
            $"cannot map the tensors to a Skip-GRU: {problem}{Environment.NewLine}Tensors in the file:{Environment.NewLine}{tensors.Describe()}");

    [GeneratedRegex(@"^weight_ih_l([0-9]+)(_reverse)?$")]
    private static partial Regex NnGruWeight();

    [GeneratedRegex(@"^(head|dense|fc|classifier|readout|output)(_[0-9]+)?$")]
    private static partial Regex HeadScope();

    /// <summary>Looks tensors up by normalized scope + suffix ("cells/0" + "weight_hh").</summary>
    private sealed class NameIndex
    {
        private readonly TensorSet _tensors;
        private readonly Dictionary<string, string> _byKey = new(StringComparer.Ordinal);

        public NameIndex(TensorSet tensors)
        {
            _tensors = tensors;
            foreach (var t in tensors)
            {
                string key = NameRules.Key(t.Name);
                if (!_byKey.TryAdd(key, t.Name))
                    throw Fail(tensors, $"tensors '{_byKey[key]}' and '{t.Name}' differ only in separators or case.");
            }
        }

        public string? Find(IEnumerable<string> scope, string suffix) =>
            _byKey.GetValueOrDefault(NameRules.Key(scope.Append(suffix)));

        public string? FindAny(IEnumerable<string> scope, string[] suffixes) =>
            suffixes.Select(s => Find(scope, s)).FirstOrDefault(n => n != null);

        public string Require(IEnumerable<string> scope, string sibling, string suffix) =>
            Find(scope, suffix) ?? throw Missing(scope, sibling, suffix);

        public string RequireAny(IEnumerable<string> scope, string sibling, string[] suffixes) =>
            FindAny(scope, suffixes) ?? throw Missing(scope, sibling, suffixes[0]);

        private ImportException Missing(IEnumerable<string> scope, string sibling, string suffix)
        {
            string key = NameRules.Key(scope);
            return Fail(_tensors, $"the GRU layer at '{(key.Length == 0 ? "(top level)" : key)}' has '{sibling}' but no '{suffix}'.");
        }
    }
}
