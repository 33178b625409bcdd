using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>Where the model's GRU variant came from.</summary>
public enum VariantSource
{
    /// <summary>Implied by the weight layout (TF gates/candidate → reset-before, PyTorch/Keras → reset-after).</summary>
    Layout,
    Sidecar,
    Options,
}

/// <summary>The imported model and what the import decided on the way, for the CLI to report.</summary>
public sealed record ImportResult(
    FloatSkipGruModel Model,
    TensorSet Tensors,
    SkipGruMapping Mapping,
    VariantSource VariantSource,
    ModelSidecar? Sidecar,
    string? SidecarPath)
{
    public ModelTask Task => Sidecar?.Task ?? ModelTask.Unspecified;
}

/// <summary>
/// The import pipeline: read the weights file (safetensors, .npz or torch.save zip), detect the
/// Skip-GRU parts, read the sidecar, choose the variant, and build the float model.
/// Every failure is an <see cref="ImportException"/>.
/// </summary>
public static class ModelImporter
{
    public static ImportResult Import(string weightsPath, ImportOptions? options = null)
    {
        options ??= ImportOptions.Default;
        var tensors = TensorFile.Read(weightsPath);
        string? sidecarPath = SidecarPathFor(weightsPath, options);
        var sidecar = sidecarPath == null ? null : ModelSidecar.Read(sidecarPath);
        return Import(tensors, sidecar, sidecarPath, options);
    }

    /// <summary>The sidecar an import of <paramref name="weightsPath"/> reads: --sidecar, else &lt;weights&gt;.json when present.</summary>
    public static string? SidecarPathFor(string weightsPath, ImportOptions options)
    {
        if (options.SidecarPath != null || options.NoSidecar) return options.SidecarPath;
        string candidate = ModelSidecar.DefaultPath(weightsPath);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>Builds the model from tensors already read (and an optional sidecar already parsed).</summary>
    public static ImportResult Import(TensorSet tensors, ModelSidecar? sidecar = null, string? sidecarPath = null,
        ImportOptions? options = null)
    {
        options ??= ImportOptions.Default;
        var mapping = SkipGruDetector.Detect(tensors, options);
        var (variant, from) = options.Variant is { } v ? (v, VariantSource.Options)
            : sidecar?.Variant is { } s ? (s, VariantSource.Sidecar)
            : (mapping.LayoutVariant, VariantSource.Layout);
        var model = SkipGruAssembler.Build(tensors, mapping, variant);
        CheckDeviceLimits(model, tensors.Source);
        sidecar?.ApplyTo(model, sidecarPath ?? "sidecar");
        return new ImportResult(model, tensors, mapping, from, sidecar, sidecarPath);
    }

    /// <summary>
    /// The sizes the device runs, checked as soon as the model is known: a model the device cannot hold is refused
    /// here, before calibration spends minutes on it.
    /// </summary>
    private static void CheckDeviceLimits(FloatSkipGruModel model, string source)
    {
        void Check(string what, int value, int max)
        {
            if (value > max)
                throw new ImportException(source, null, $"the model's {what} is {value}; the device runs at most {max}.");
        }
        Check("layer count", model.Layers.Length, ImportLimits.MaxLayers);
        Check("hidden size", model.HiddenSize, ImportLimits.MaxHiddenSize);
        Check("input size", model.InputSize, ImportLimits.MaxInputSize);
        Check("output size", model.OutputSize, ImportLimits.MaxOutputSize);
    }
}
