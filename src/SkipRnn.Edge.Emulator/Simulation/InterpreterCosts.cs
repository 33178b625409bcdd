using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Emulator.Simulation;

/// <summary>
/// What the real interpreter spends, in x86 instructions of the Linux nanoCLR (callgrind), as
/// tests/nanoclr/simcosts/measure.sh measured it and firmware/profiles/nanoclr-costs.json holds it (embedded in the
/// tool, so simulate never needs valgrind). A shipped model is found by its file's SHA-256; any other model's
/// update is estimated from the measured model with the same recurrent weight width (int8 or int16), scaled by
/// MACs, and says so.
/// </summary>
public sealed class InterpreterCosts
{
    public required long BootToMain { get; init; }
    public required double InternalCall { get; init; }
    public required long SensorRead { get; init; }
    public required IReadOnlyList<MeasuredModel> Models { get; init; }
    /// <summary>The keyword loop's front-end and microphone costs (null in a file measured before they were).</summary>
    public AudioCosts? Audio { get; init; }

    /// <summary>
    /// x86 instructions of the keyword loop's work beside the model: one updated frame's features (a 320-sample hop
    /// counted + the window's features), one skipped span's SkipFrames, the microphone read into the loop's ring of raw
    /// I2S frames (per call and per sample), the managed path's unpacking of a computed window (per call and per
    /// sample unpacked) and a discard (per driver call of up to 256 samples and per sample).
    /// </summary>
    public sealed record AudioCosts(long FrameComputed, long SkipSpan, double MicReadPerCall, double MicReadPerSample,
        double UnpackPerCall, double UnpackPerSample, double MicDiscardPerCall, double MicDiscardPerSample);

    public sealed record MeasuredModel(string Name, string File, string Sha256, int MacsPerUpdate, bool Detector, int WhhBits,
        long Load, long SelfTest, long Construct, long Update, long SkipSpan, long? PerSkippedSample, long FileBytes);

    /// <summary>
    /// The costs (x86 instructions) the simulator charges one model: per update (StreamDetector.Push), per skipped
    /// span (one SkipSamples call), per skipped sample (the event rule's settling inside a span, measured on real
    /// motion data), the managed side of one sensor read, boot (nanoCLR start to Main, model read, self-test, detector), and where they come from.
    /// </summary>
    public sealed record ModelCosts(double Update, double SkipSpan, double PerSkippedSample, double SensorRead, double Boot, string Basis);

    /// <summary>The measured figures shipped with the tool.</summary>
    public static InterpreterCosts BuiltIn()
    {
        using Stream s = Assembly.GetExecutingAssembly().GetManifestResourceStream("SkipRnn.Edge.Emulator.Profiles.nanoclr-costs.json")
            ?? throw new InvalidOperationException("the built-in interpreter costs are missing from the tool");
        using var doc = JsonDocument.Parse(s);
        JsonElement r = doc.RootElement;
        var models = new List<MeasuredModel>();
        foreach (JsonElement m in r.GetProperty("models").EnumerateArray())
            models.Add(new MeasuredModel(m.GetProperty("name").GetString()!, m.GetProperty("file").GetString()!, m.GetProperty("sha256").GetString()!,
                m.GetProperty("macs_per_update").GetInt32(), m.GetProperty("detector").GetBoolean(), m.GetProperty("whh_bits").GetInt32(),
                m.GetProperty("load").GetInt64(), m.GetProperty("self_test").GetInt64(), m.GetProperty("construct").GetInt64(),
                m.GetProperty("update").GetInt64(), m.GetProperty("skip_span").GetInt64(),
                m.TryGetProperty("per_skipped_sample", out JsonElement k) ? k.GetInt64() : null,
                m.GetProperty("file_bytes").GetInt64()));
        return new InterpreterCosts
        {
            BootToMain = r.GetProperty("boot_to_main").GetInt64(),
            InternalCall = r.GetProperty("internal_call").GetDouble(),
            SensorRead = r.GetProperty("sensor_read").GetInt64(),
            Models = models,
            Audio = r.TryGetProperty("audio", out JsonElement a)
                ? new AudioCosts(a.GetProperty("frame_computed").GetInt64(), a.GetProperty("skip_span").GetInt64(),
                    a.GetProperty("mic_read_per_call").GetDouble(), a.GetProperty("mic_read_per_sample").GetDouble(),
                    a.GetProperty("unpack_per_call").GetDouble(), a.GetProperty("unpack_per_sample").GetDouble(),
                    a.GetProperty("mic_discard_per_call").GetDouble(), a.GetProperty("mic_discard_per_sample").GetDouble())
                : null,
        };
    }

    /// <summary>The costs of <paramref name="model"/>, read from <paramref name="file"/>.</summary>
    public ModelCosts For(SkipGruModel model, byte[] file)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(file));
        MeasuredModel withRule = Models.First(m => m.PerSkippedSample != null);
        double perSample = withRule.PerSkippedSample!.Value;
        // A model without an event rule of its own runs with a default one: the detector's work on top of the bare
        // runtime, taken as the difference of a skipped span's call with and without it (ArgMax + the rule's Observe).
        MeasuredModel? bare = Models.FirstOrDefault(m => !m.Detector);
        double ruleExtra = bare == null ? 0 : Math.Max(0, withRule.SkipSpan - bare.SkipSpan);
        if (Models.FirstOrDefault(m => m.Sha256 == sha) is { } exact)
            return new ModelCosts(exact.Update + (exact.Detector ? 0 : ruleExtra), exact.SkipSpan + (exact.Detector ? 0 : ruleExtra), perSample, SensorRead,
                BootToMain + exact.Load + exact.SelfTest + exact.Construct, $"measured on nanoCLR ({exact.File})");
        int bits = model.Layers[0].Whh.WeightBits;
        // Prefer a model measured through the detector, as the application runs it.
        MeasuredModel like = Models.Where(m => m.WhhBits == bits).OrderByDescending(m => m.Detector).DefaultIfEmpty(Models[0]).First();
        double scale = (double)model.MacsPerUpdate / like.MacsPerUpdate;
        double bootScale = Math.Max(1, (double)file.Length / like.FileBytes);
        return new ModelCosts(like.Update * scale + (like.Detector ? 0 : ruleExtra), withRule.SkipSpan, perSample, SensorRead,
            BootToMain + (like.Load + like.SelfTest + like.Construct) * bootScale,
            $"estimated: {like.File}'s measured update (int{like.WhhBits} W_hh) x {scale:F2} for {model.MacsPerUpdate:N0} MACs");
    }
}
