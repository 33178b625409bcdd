using System.Text.Json;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>What the model's output means.</summary>
public enum ModelTask
{
    Unspecified,
    Classification,
    Regression,
}

/// <summary>
/// The JSON sidecar written next to the weights by the training code:
/// <c>{"variant": "reset_after"|"reset_before", "input_size", "hidden_size", "num_layers", "output_size",
/// "task": "classification"|"regression", "class_names": [...], "sample_period_us", "input_mean": [...],
/// "input_std": [...]}</c>. Every field is optional; unknown keys are ignored; null means absent;
/// a wrong type or length is an error naming the field.
/// </summary>
public sealed record ModelSidecar
{
    public GruVariant? Variant { get; init; }
    public int? InputSize { get; init; }
    public int? HiddenSize { get; init; }
    public int? NumLayers { get; init; }
    public int? OutputSize { get; init; }
    public ModelTask Task { get; init; }
    public string[]? ClassNames { get; init; }
    public int? SamplePeriodMicros { get; init; }
    public double[]? InputMean { get; init; }
    public double[]? InputStd { get; init; }

    /// <summary>Where a sidecar for these weights would be: the same path with ".json".</summary>
    public static string DefaultPath(string weightsPath) => Path.ChangeExtension(weightsPath, ".json");

    public static ModelSidecar Read(string path) => Parse(ReadText(path), path);

    /// <summary>A sidecar's text, within the header limit and valid UTF-8 (every reader of a sidecar goes through here).</summary>
    public static string ReadText(string path)
    {
        byte[] bytes = FileBytes.ReadAll(path, ImportLimits.MaxHeaderBytes);
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new ImportException(path, null, "the sidecar is not UTF-8 text.");
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A sidecar's JSON, as lenient as Python's json writer needs (trailing commas, comments); the caller disposes it.</summary>
    public static JsonDocument ParseJson(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new ImportException(source, null, $"the sidecar is not valid JSON ({DisplayText.JsonError(ex)}).", ex);
        }
    }

    public static ModelSidecar Parse(string json, string source)
    {
        using (JsonDocument doc = ParseJson(json, source))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ImportException(source, null, "the sidecar must be a JSON object.");
            var r = new Reader(root, source);
            var sidecar = new ModelSidecar
            {
                Variant = r.Enum("variant", new Dictionary<string, GruVariant>
                {
                    ["reset_after"] = GruVariant.ResetAfter,
                    ["reset_before"] = GruVariant.ResetBefore,
                }),
                InputSize = r.Int("input_size", min: 1),
                HiddenSize = r.Int("hidden_size", min: 1),
                NumLayers = r.Int("num_layers", min: 1),
                OutputSize = r.Int("output_size", min: 0),
                Task = r.Enum("task", new Dictionary<string, ModelTask>
                {
                    ["classification"] = ModelTask.Classification,
                    ["regression"] = ModelTask.Regression,
                }) ?? ModelTask.Unspecified,
                ClassNames = r.Strings("class_names"),
                SamplePeriodMicros = r.Int("sample_period_us", min: 0),
                InputMean = r.Numbers("input_mean"),
                InputStd = r.Numbers("input_std"),
            };
            sidecar.CheckConsistency(source);
            return sidecar;
        }
    }

    private void CheckConsistency(string source)
    {
        if (InputMean != null && InputSize is { } i && InputMean.Length != i)
            throw Field(source, "input_mean", $"has {InputMean.Length} values but input_size is {i}.");
        if (InputStd != null && InputSize is { } j && InputStd.Length != j)
            throw Field(source, "input_std", $"has {InputStd.Length} values but input_size is {j}.");
        if (InputMean != null && InputStd != null && InputMean.Length != InputStd.Length)
            throw Field(source, "input_std", $"has {InputStd.Length} values but input_mean has {InputMean.Length}.");
        if (InputStd != null)
            for (int k = 0; k < InputStd.Length; k++)
                if (!(InputStd[k] > 0))
                    throw Field(source, "input_std", $"value {k} is {InputStd[k]}; a standard deviation must be positive.");
        if (ClassNames != null && OutputSize is { } o && ClassNames.Length != o)
            throw Field(source, "class_names", $"has {ClassNames.Length} names but output_size is {o}.");
        // The model file holds class names as 1 to 64 printable ASCII characters: refuse others now, not after calibration.
        if (ClassNames != null)
            for (int k = 0; k < ClassNames.Length; k++)
                if (ClassNames[k].Length is < 1 or > SkipGruModel.MaxClassNameLength || ClassNames[k].Any(c => c is < ' ' or > '~'))
                    throw Field(source, "class_names",
                        $"name {k} '{DisplayText.Escape(ClassNames[k], 80)}' is not 1 to {SkipGruModel.MaxClassNameLength} printable ASCII characters, which the model file holds.");
    }

    /// <summary>
    /// Checks the sizes the sidecar states against the imported model, so a sidecar that belongs to
    /// another model is caught, then copies the metadata onto the model.
    /// </summary>
    public void ApplyTo(FloatSkipGruModel model, string source)
    {
        Expect(source, "input_size", InputSize, model.InputSize);
        Expect(source, "hidden_size", HiddenSize, model.HiddenSize);
        Expect(source, "num_layers", NumLayers, model.Layers.Length);
        if (OutputSize is > 0 && model.OutputSize == 0)
            throw Field(source, "output_size", $"is {OutputSize} but the weights have no output head.");
        Expect(source, "output_size", OutputSize, model.OutputSize);
        if (InputMean != null && InputMean.Length != model.InputSize)
            throw Field(source, "input_mean", $"has {InputMean.Length} values but the model has {model.InputSize} inputs.");
        if (InputStd != null && InputStd.Length != model.InputSize)
            throw Field(source, "input_std", $"has {InputStd.Length} values but the model has {model.InputSize} inputs.");
        if (ClassNames != null && ClassNames.Length != model.OutputSize)
            throw Field(source, "class_names", $"has {ClassNames.Length} names but the model has {model.OutputSize} outputs.");

        model.InputMean = InputMean;
        model.InputStd = InputStd;
        model.ClassNames = ClassNames;
        model.SamplePeriodMicros = SamplePeriodMicros ?? 0;
    }

    private static void Expect(string source, string field, int? stated, int actual)
    {
        if (stated is { } s && s != actual)
            throw Field(source, field, $"is {s} but the weights give {actual}.");
    }

    private static ImportException Field(string source, string field, string problem) =>
        new(source, $"field '{field}'", problem);

    /// <summary>Typed field access with errors that say what was expected and what was found.</summary>
    private readonly struct Reader(JsonElement root, string source)
    {
        private JsonElement? Get(string field) =>
            root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        public int? Int(string field, int min)
        {
            if (Get(field) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int value))
                throw Field(source, field, $"must be an integer, found {Describe(v)}.");
            if (value < min)
                throw Field(source, field, $"is {value}; it must be at least {min}.");
            return value;
        }

        public T? Enum<T>(string field, Dictionary<string, T> values) where T : struct
        {
            if (Get(field) is not { } v) return null;
            if (v.ValueKind == JsonValueKind.String && values.TryGetValue(v.GetString()!, out var value)) return value;
            throw Field(source, field, $"must be one of {string.Join(", ", values.Keys.Select(k => $"\"{k}\""))}, found {Describe(v)}.");
        }

        public string[]? Strings(string field)
        {
            if (Get(field) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw Field(source, field, $"must be an array of strings, found {Describe(v)}.");
            return v.EnumerateArray().Select(e => e.GetString()!).ToArray();
        }

        public double[]? Numbers(string field)
        {
            if (Get(field) is not { } v) return null;
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
                throw Field(source, field, $"must be an array of numbers, found {Describe(v)}.");
            var values = v.EnumerateArray().Select(e => e.TryGetDouble(out double d) ? d : double.NaN).ToArray();
            for (int k = 0; k < values.Length; k++)
                if (!double.IsFinite(values[k]))
                    throw Field(source, field, $"value {k} is not a finite number.");
            return values;
        }

        private static string Describe(JsonElement v)
        {
            string text = v.GetRawText();
            if (text.Length > 40) text = text[..40] + "…";
            return $"{v.ValueKind.ToString().ToLowerInvariant()} {text}";
        }
    }
}
