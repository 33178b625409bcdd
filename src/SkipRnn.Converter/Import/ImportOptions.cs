using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Overrides for the import. Anything left null is detected from the tensor names and shapes
/// (and the sidecar); anything set here wins over both.
/// </summary>
public sealed record ImportOptions
{
    /// <summary>The GRU variant, overriding the sidecar's "variant" and the one implied by the layout.</summary>
    public GruVariant? Variant { get; init; }

    /// <summary>The GRU layers, bottom first, by explicit tensor names.</summary>
    public IReadOnlyList<GruLayerSource>? Layers { get; init; }

    /// <summary>The skip-gate linear (W_p [1, H] or [H, 1] kernel, b_p [1]).</summary>
    public LinearSource? SkipGate { get; init; }

    /// <summary>The output head ([O, H] weight or [H, O] kernel, bias [O]).</summary>
    public LinearSource? Head { get; init; }

    /// <summary>Import without a head even if the file has one (the model then outputs its state).</summary>
    public bool NoHead { get; init; }

    /// <summary>
    /// The JSON sidecar. When null, "&lt;weights path without extension&gt;.json" is used if it exists
    /// (unless <see cref="NoSidecar"/>).
    /// </summary>
    public string? SidecarPath { get; init; }

    /// <summary>Do not look for a sidecar next to the weights.</summary>
    public bool NoSidecar { get; init; }

    public static ImportOptions Default { get; } = new();
}
