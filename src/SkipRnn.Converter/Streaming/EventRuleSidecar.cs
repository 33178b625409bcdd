using System.Text.Json;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Streaming;

/// <summary>
/// The optional <c>"event_rule"</c> object of the training sidecar (models/train/motion/train_stream.py writes it):
/// <c>{"version": 1, "event_class": 6, "shift": 4, "on": 16384, "off": 4096, "refractory": 100}</c>. Absent or null:
/// the model file gets no event-rule section. Any other version, a missing or non-integer field, or a value the
/// device would refuse is an error naming the sidecar and the field.
/// </summary>
public static class EventRuleSidecar
{
    public const string Key = "event_rule";

    /// <summary>The model with the sidecar's event rule, or unchanged when there is no sidecar or no rule.</summary>
    public static SkipGruModel Apply(SkipGruModel model, string? sidecarPath)
    {
        if (sidecarPath == null) return model;
        EventRule? rule = Read(sidecarPath, model.OutputSize);
        return rule == null ? model : model.WithEventRule(rule);
    }

    public static EventRule? Read(string sidecarPath, int classes) => Parse(ModelSidecar.ReadText(sidecarPath), sidecarPath, classes);

    public static EventRule? Parse(string json, string source, int classes)
    {
        using (JsonDocument doc = ModelSidecar.ParseJson(json, source))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty(Key, out JsonElement r) || r.ValueKind == JsonValueKind.Null)
                return null;
            if (r.ValueKind != JsonValueKind.Object)
                throw new ImportException(source, $"field '{Key}'", $"must be an object, found {r.ValueKind.ToString().ToLowerInvariant()}.");
            int version = Int(r, "version", source);
            if (version != EventRule.Version)
                throw new ImportException(source, $"field '{Key}.version'", $"is {version}; this converter writes event-rule version {EventRule.Version}.");
            try
            {
                return new EventRule(classes, Int(r, "event_class", source), Int(r, "shift", source), Int(r, "on", source),
                    Int(r, "off", source), Int(r, "refractory", source));
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
}
