using System.Globalization;
using System.Text;
using System.Text.Json;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Export;

/// <summary>
/// One input channel as a firmware author needs it: what one raw count is worth, where the model's zero
/// (the training mean) lies in counts, and which counts the device can take before its int16 input saturates.
/// </summary>
/// <param name="Lsb">Physical value of one raw count (from the conversion report); null when no report was found.</param>
/// <param name="SigmaPerCount">One raw count in units of the training data's standard deviation (from the model file).</param>
/// <param name="ZeroCount">The raw count the model normalizes to 0: the training mean in counts (the raw "offset").</param>
/// <param name="MinCount">Smallest raw count before the normalized input saturates at −32768.</param>
/// <param name="MaxCount">Largest raw count before the normalized input saturates at 32767.</param>
public sealed record RawInputChannel(int Channel, double? Lsb, int Multiplier, long Addend, int Shift,
    double SigmaPerCount, double ZeroCount, double MinCount, double MaxCount);

/// <summary>
/// Reads the input stage of a model (and the raw LSBs from its conversion report, when there is one) and
/// writes the C# lines that turn one sensor reading into the <c>raw</c> array <c>SkipGru.Step</c> takes.
/// </summary>
public static class RawInputGuide
{
    /// <summary>The channels of <paramref name="model"/>; <paramref name="lsb"/> from the report, or null.</summary>
    public static IReadOnlyList<RawInputChannel> Channels(SkipGruModel model, double[]? lsb)
    {
        ArgumentNullException.ThrowIfNull(model);
        InputNormalization n = model.Input;
        if (lsb != null && lsb.Length != n.Channels)
            throw new InvalidDataException($"the conversion report gives {lsb.Length} raw LSBs but the model has {n.Channels} inputs: it belongs to another model.");
        double one = Math.Pow(2, model.InputFracBits);
        var channels = new RawInputChannel[n.Channels];
        for (int j = 0; j < channels.Length; j++)
        {
            // x = (raw · m + a) / 2^s counts of 2^−F: one raw count is m / 2^s / 2^F standard deviations.
            double m = n.Multiplier[j], scale = Math.Pow(2, n.Shift[j]);
            channels[j] = new RawInputChannel(j, lsb?[j], n.Multiplier[j], n.Addend[j], n.Shift[j],
                m / scale / one, -n.Addend[j] / m, (-32768 * scale - n.Addend[j]) / m, (32767 * scale - n.Addend[j]) / m);
        }
        return channels;
    }

    /// <summary>
    /// The raw LSBs a conversion report holds (Calibration.RawLsb), or null when the file does not exist.
    /// A report that exists but does not parse is an input error naming it.
    /// </summary>
    public static double[]? LsbFromReport(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("Calibration").GetProperty("RawLsb").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: not a skiprnn conversion report with Calibration.RawLsb ({e.Message})", e);
        }
    }

    /// <summary>
    /// C# for the device app: one physical reading per input (e.g. from a sensor driver, in the units the model was
    /// trained on) into <c>raw</c>, rounded half away from zero, clamped to the counts the model takes.
    /// </summary>
    public static string CSharpLines(IReadOnlyList<RawInputChannel> channels)
    {
        var s = new StringBuilder();
        if (channels.Any(c => c.Lsb == null))
        {
            s.AppendLine("// The raw LSBs are in the conversion report (MODEL.skrn.report.json, or pass --report): without them");
            s.AppendLine("// only counts can be given. Feed the sensor's integer counts if it has the LSB the model was converted with.");
            return s.ToString();
        }
        s.AppendLine("// raw[j] = reading[j] / LSB[j], rounded: the counts SkipGru.Step(raw) expects (reading in the training data's units).");
        s.AppendLine("// A sensor whose integer counts already have these LSBs needs none of this: raw[j] = count[j].");
        s.AppendLine($"int[] raw = new int[{channels.Count}];");
        s.AppendLine($"static int ToRaw(double reading, double perCount, int min, int max)");
        s.AppendLine("{");
        s.AppendLine("    double r = reading * perCount;");
        s.AppendLine("    if (r <= min) return min;");
        s.AppendLine("    if (r >= max) return max;");
        s.AppendLine("    return (int)(r >= 0 ? r + 0.5 : r - 0.5);");
        s.AppendLine("}");
        foreach (RawInputChannel c in channels)
        {
            int min = (int)Math.Max(int.MinValue, Math.Ceiling(c.MinCount)), max = (int)Math.Min(int.MaxValue, Math.Floor(c.MaxCount));
            s.AppendLine($"raw[{c.Channel}] = ToRaw(reading[{c.Channel}], {R(1 / c.Lsb!.Value)}, {min}, {max});   // LSB {R(c.Lsb.Value)}");
        }
        return s.ToString();
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
