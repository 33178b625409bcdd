using System.Text.Json;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Streaming;

/// <summary>
/// The event rule of the training sidecar, one of two optional objects:
/// <list type="bullet">
/// <item><c>"event_rule"</c> (models/train/motion/train_stream.py): one event class,
/// <c>{"version": 1, "event_class": 6, "shift": 4, "on": 16384, "off": 4096, "refractory": 100}</c>;</item>
/// <item><c>"keyword_rule"</c> (models/train/keyword/score.py): <c>{"shift": 3, "on": 32440, "off": 8110, "refractory": 25}</c>,
/// the same rule for every word class: the event classes are the sidecar's <c>class_names</c> other than
/// <c>silence</c> and <c>unknown</c> (models/train/keyword/stream.py's detect_keywords), so the sidecar must name its
/// classes. <c>"on"</c> and <c>"off"</c> may instead be arrays with one threshold per word (class order), and
/// <c>"min_frames"</c> (default 1) a minimum duration: then the file gets event-rule version 3.</item>
/// </list>
/// Neither (or null): the model file gets no event-rule section. Both, any other version, a missing or non-integer
/// field, or a value the device would refuse is an error naming the sidecar and the field.
/// </summary>
public static class EventRuleSidecar
{
    public const string Key = "event_rule";
    public const string KeywordKey = "keyword_rule";
    /// <summary>Class names that are never keyword events.</summary>
    public static readonly string[] NonWords = ["silence", "unknown"];

    /// <summary>The model with the sidecar's event rule, or unchanged when there is no sidecar or no rule.</summary>
    public static SkipGruModel Apply(SkipGruModel model, string? sidecarPath)
    {
        if (sidecarPath == null) return model;
        EventRule? rule = Read(sidecarPath, model.OutputSize, model.ClassNames);
        return rule == null ? model : model.WithEventRule(rule);
    }

    public static EventRule? Read(string sidecarPath, int classes, string[]? classNames = null) =>
        Parse(ModelSidecar.ReadText(sidecarPath), sidecarPath, classes, classNames);

    public static EventRule? Parse(string json, string source, int classes, string[]? classNames = null)
    {
        using (JsonDocument doc = ModelSidecar.ParseJson(json, source))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            JsonElement? single = Present(doc.RootElement, Key, source);
            JsonElement? keyword = Present(doc.RootElement, KeywordKey, source);
            if (single != null && keyword != null)
                throw new ImportException(source, $"fields '{Key}' and '{KeywordKey}'", "are both present: give one event rule.");
            try
            {
                if (single is { } r)
                {
                    int version = Int(r, Key, "version", source);
                    if (version != EventRule.Version)
                        throw new ImportException(source, $"field '{Key}.version'", $"is {version}; this converter reads event-rule version {EventRule.Version} (one event class; several: \"{KeywordKey}\").");
                    return new EventRule(classes, Int(r, Key, "event_class", source), Int(r, Key, "shift", source), Int(r, Key, "on", source),
                        Int(r, Key, "off", source), Int(r, Key, "refractory", source));
                }
                if (keyword is { } k)
                {
                    int mask = WordMask(classNames, classes, source);
                    int shift = Int(k, KeywordKey, "shift", source), refractory = Int(k, KeywordKey, "refractory", source);
                    bool perClass = k.TryGetProperty("on", out JsonElement onEl) && onEl.ValueKind == JsonValueKind.Array;
                    bool hasMin = k.TryGetProperty("min_frames", out _);
                    if (!perClass && !hasMin)
                        return EventRule.ForClasses(classes, mask, shift, Int(k, KeywordKey, "on", source), Int(k, KeywordKey, "off", source), refractory);
                    int words = 0;
                    for (int c = 0; c < EventRule.MaxClasses; c++) if (((mask >> c) & 1) != 0) words++;
                    int[] on = IntsOrOne(k, "on", words, source), off = IntsOrOne(k, "off", words, source);
                    int minFrames = hasMin ? Int(k, KeywordKey, "min_frames", source) : 1;
                    return EventRule.ForClasses(classes, mask, shift, on, off, refractory, minFrames);
                }
                return null;
            }
            catch (ModelFormatException e)
            {
                string field = keyword != null ? e.Field.Replace(Key, KeywordKey).Replace("min_steps", "min_frames") : e.Field;
                throw new ImportException(source, $"field '{field}'", e.Message[("Invalid model: " + e.Field + ": ").Length..] + ".");
            }
        }
    }

    /// <summary>The word classes as a mask: every named class but silence and unknown; at least two, all below 32.</summary>
    private static int WordMask(string[]? classNames, int classes, string source)
    {
        if (classNames == null || classNames.Length != classes)
            throw new ImportException(source, $"field '{KeywordKey}'", $"needs the sidecar's class_names (one per head class, {classes}) to tell the words from silence and unknown.");
        int mask = 0, words = 0;
        for (int c = 0; c < classes; c++)
        {
            if (Array.IndexOf(NonWords, classNames[c]) >= 0) continue;
            if (c >= EventRule.MaxClasses)
                throw new ImportException(source, $"field '{KeywordKey}'", $"word class {c} ('{classNames[c]}'): the device's rule has event classes 0..{EventRule.MaxClasses - 1}.");
            mask |= 1 << c;
            words++;
        }
        if (words < 2)
            throw new ImportException(source, $"field '{KeywordKey}'", $"needs at least two word classes besides {string.Join(" and ", NonWords)}; found {words} (one event class: use \"{Key}\").");
        return mask;
    }

    private static JsonElement? Present(JsonElement root, string key, string source)
    {
        if (!root.TryGetProperty(key, out JsonElement r) || r.ValueKind == JsonValueKind.Null) return null;
        if (r.ValueKind != JsonValueKind.Object)
            throw new ImportException(source, $"field '{key}'", $"must be an object, found {r.ValueKind.ToString().ToLowerInvariant()}.");
        return r;
    }

    /// <summary>A keyword rule's "on"/"off": one integer for every word, or an array of one per word (class order).</summary>
    private static int[] IntsOrOne(JsonElement r, string name, int words, string source)
    {
        var v = new int[words];
        if (r.TryGetProperty(name, out JsonElement a) && a.ValueKind == JsonValueKind.Array)
        {
            if (a.GetArrayLength() != words)
                throw new ImportException(source, $"field '{KeywordKey}.{name}'", $"has {a.GetArrayLength()} values, one per word class ({words}) is needed.");
            int i = 0;
            foreach (JsonElement e in a.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out v[i]))
                    throw new ImportException(source, $"field '{KeywordKey}.{name}[{i}]'", $"must be an integer, found {e.GetRawText()}.");
                i++;
            }
            return v;
        }
        int one = Int(r, KeywordKey, name, source);
        for (int i = 0; i < words; i++) v[i] = one;
        return v;
    }

    private static int Int(JsonElement r, string key, string name, string source)
    {
        if (!r.TryGetProperty(name, out JsonElement v))
            throw new ImportException(source, $"field '{key}.{name}'", "is missing.");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value))
            throw new ImportException(source, $"field '{key}.{name}'", $"must be an integer, found {v.GetRawText()}.");
        return value;
    }
}
