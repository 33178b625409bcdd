using System.CommandLine;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Cli;

/// <summary>The options that override how the weights file is read, shared by `convert` and `eval`.</summary>
public sealed class ImportArguments
{
    public Option<string?> Variant { get; } = new("--variant")
    {
        Description = "GRU variant, overriding the sidecar and the layout: reset-after (PyTorch/Keras) or reset-before (the paper's TF cell).",
    };
    public Option<string[]> Layers { get; } = new("--layer")
    {
        Description = "A GRU layer by tensor names, bottom first, repeatable: pytorch:W_IH,W_HH[,B_IH,B_HH] | tf:GATES_KERNEL,GATES_BIAS,CANDIDATE_KERNEL,CANDIDATE_BIAS | keras:KERNEL,RECURRENT_KERNEL[,BIAS].",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<string?> SkipGate { get; } = new("--skip-gate") { Description = "The skip-gate linear: WEIGHT[,BIAS] (a name ending in 'kernel' is read as [in, out])." };
    public Option<string?> Head { get; } = new("--head") { Description = "The output head: WEIGHT[,BIAS]." };
    public Option<bool> NoHead { get; } = new("--no-head") { Description = "Import without a head even if the file has one." };
    public Option<FileInfo?> Sidecar { get; } = new("--sidecar") { Description = "JSON sidecar (default: <weights without extension>.json when present)." };
    public Option<bool> NoSidecar { get; } = new("--no-sidecar") { Description = "Do not read a sidecar." };

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Variant, Layers, SkipGate, Head, NoHead, Sidecar, NoSidecar }) command.Options.Add(o);
    }

    /// <summary>The import options the command line gave; throws ArgumentException (exit 2) on malformed values.</summary>
    public ImportOptions Read(ParseResult p)
    {
        string[] layers = p.GetValue(Layers) ?? Array.Empty<string>();
        return new ImportOptions
        {
            Variant = ParseVariant(p.GetValue(Variant)),
            Layers = layers.Length == 0 ? null : layers.Select(ParseLayer).ToList(),
            SkipGate = ParseLinear(p.GetValue(SkipGate), "--skip-gate"),
            Head = ParseLinear(p.GetValue(Head), "--head"),
            NoHead = p.GetValue(NoHead),
            SidecarPath = p.GetValue(Sidecar)?.FullName,
            NoSidecar = p.GetValue(NoSidecar),
        };
    }

    private static GruVariant? ParseVariant(string? v) => v?.ToLowerInvariant().Replace('_', '-') switch
    {
        null => null,
        "reset-after" => GruVariant.ResetAfter,
        "reset-before" => GruVariant.ResetBefore,
        _ => throw new ArgumentException($"--variant must be reset-after or reset-before, not '{v}'."),
    };

    private static GruLayerSource ParseLayer(string spec)
    {
        int colon = spec.IndexOf(':');
        string[] names = colon < 0 ? Array.Empty<string>() : spec[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        string kind = colon < 0 ? spec : spec[..colon].ToLowerInvariant();
        string? At(int i) => i < names.Length && names[i].Length > 0 ? names[i] : null;
        return kind switch
        {
            "pytorch" when names.Length is 2 or 4 => new PyTorchGruLayer(names[0], names[1], At(2), At(3)),
            "tf" when names.Length is 2 or 4 => names.Length == 2
                ? new TfResetBeforeGruLayer(names[0], null, names[1], null)
                : new TfResetBeforeGruLayer(names[0], At(1), names[2], At(3)),
            "keras" when names.Length is 2 or 3 => new KerasGruLayer(names[0], names[1], At(2)),
            _ => throw new ArgumentException(
                $"--layer '{spec}' must be pytorch:W_IH,W_HH[,B_IH,B_HH], tf:GATES_KERNEL,GATES_BIAS,CANDIDATE_KERNEL,CANDIDATE_BIAS or keras:KERNEL,RECURRENT_KERNEL[,BIAS]."),
        };
    }

    private static LinearSource? ParseLinear(string? spec, string option)
    {
        if (spec == null) return null;
        string[] parts = spec.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2 || parts[0].Length == 0) throw new ArgumentException($"{option} must be WEIGHT[,BIAS], not '{spec}'.");
        return LinearSource.Named(parts[0], parts.Length == 2 ? parts[1] : null);
    }
}
