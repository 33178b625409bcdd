using System.Text.Json;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Streaming;

/// <summary>
/// The optional <c>"front_end"</c> object of the training sidecar (models/train/keyword/features.py's
/// <c>front_end_sidecar()</c> writes it): <c>{"version": 1, "kind": "log_mel", "sample_rate": 16000,
/// "frame_length": 480, "hop_length": 320, "fft_size": 512, "bands": 40, "low_hz": 20, "high_hz": 8000,
/// "log_floor": 1e-06, "feature_frac_bits": 10}</c>. Absent or null: the model file gets no front-end section.
/// Read like <see cref="EventRuleSidecar"/> (through <see cref="ModelSidecar.ReadText"/>: size limit, UTF-8): another version, a missing or mistyped field, or parameters the device
/// does not compute are errors naming the sidecar and the field.
/// </summary>
public static class FrontEndSidecar
{
    public const string Key = "front_end";

    /// <summary>The model with the sidecar's front end, or unchanged when there is no sidecar or no front end.</summary>
    public static SkipGruModel Apply(SkipGruModel model, string? sidecarPath)
    {
        if (sidecarPath == null) return model;
        FrontEndSpec? spec = Parse(ModelSidecar.ReadText(sidecarPath), sidecarPath);
        if (spec == null) return model;
        try
        {
            return model.WithFrontEnd(spec);
        }
        catch (ModelFormatException e)
        {
            throw new ImportException(sidecarPath, $"field '{e.Field}'", e.Message[("Invalid model: " + e.Field + ": ").Length..] + ".");
        }
    }

    public static FrontEndSpec? Parse(string json, string source)
    {
        using (JsonDocument doc = ModelSidecar.ParseJson(json, source))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty(Key, out JsonElement r) || r.ValueKind == JsonValueKind.Null)
                return null;
            if (r.ValueKind != JsonValueKind.Object)
                throw new ImportException(source, $"field '{Key}'", $"must be an object, found {r.ValueKind.ToString().ToLowerInvariant()}.");
            int version = Int(r, "version", source);
            if (version != FrontEndSpec.Version)
                throw new ImportException(source, $"field '{Key}.version'", $"is {version}; this converter writes front-end version {FrontEndSpec.Version}.");
            if (!r.TryGetProperty("kind", out JsonElement kind))
                throw new ImportException(source, $"field '{Key}.kind'", "is missing.");
            if (kind.ValueKind != JsonValueKind.String || kind.GetString() != "log_mel")
                throw new ImportException(source, $"field '{Key}.kind'", $"is {kind.GetRawText()}; the device computes \"log_mel\" only.");
            double floor = Number(r, "log_floor", source);
            double exponent = Math.Log10(floor);
            if (!(floor > 0) || Math.Abs(exponent - Math.Round(exponent)) > 1e-9 || Math.Abs(exponent) > 30)
                throw new ImportException(source, $"field '{Key}.log_floor'", $"is {floor}; it must be a power of ten (the device's is 1e-06).");
            try
            {
                return new FrontEndSpec(FrontEndSpec.KindLogMel, Int(r, "sample_rate", source), Int(r, "frame_length", source),
                    Int(r, "hop_length", source), Int(r, "fft_size", source), Int(r, "bands", source), Int(r, "low_hz", source),
                    Int(r, "high_hz", source), (int)Math.Round(exponent), Int(r, "feature_frac_bits", source));
            }
            catch (ModelFormatException e)
            {
                throw new ImportException(source, $"field '{e.Field}'", e.Message[("Invalid model: " + e.Field + ": ").Length..] + ".");
            }
        }
    }

    private static int Int(JsonElement r, string name, string source)
    {
        if (!r.TryGetProperty(name, out JsonElement v))
            throw new ImportException(source, $"field '{Key}.{name}'", "is missing.");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value))
            throw new ImportException(source, $"field '{Key}.{name}'", $"must be an integer, found {v.GetRawText()}.");
        return value;
    }

    private static double Number(JsonElement r, string name, string source)
    {
        if (!r.TryGetProperty(name, out JsonElement v))
            throw new ImportException(source, $"field '{Key}.{name}'", "is missing.");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double value) || !double.IsFinite(value))
            throw new ImportException(source, $"field '{Key}.{name}'", $"must be a number, found {v.GetRawText()}.");
        return value;
    }
}
