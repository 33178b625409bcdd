using System.Text.Json;
using SkipRnn.Converter.Streaming;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// The always-on part of `skiprnn demo`: a shipped model folder with a <c>stream.json</c>
/// (<c>{"recording": "data/hapt_test_users.npz"}</c>, relative to the folder) is also run over that recording as
/// `skiprnn stream` does, float beside fixed point: samples updated, events, event F1 and false alarms per hour.
/// </summary>
public static class StreamDemo
{
    public sealed record Row(string Model, string Recording, StreamScores Fixed, StreamScores? Float);

    /// <summary>The stream figures for <paramref name="dir"/>, or null when it has no stream.json.</summary>
    public static Row? For(DirectoryInfo dir, string convertedModel)
    {
        string path = Path.Combine(dir.FullName, "stream.json");
        if (!File.Exists(path)) return null;
        string? recording;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            recording = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("recording", out var r) &&
                        r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        if (string.IsNullOrEmpty(recording)) throw new InvalidDataException($"{path}: expected {{\"recording\": \"<npz or csv beside it>\"}}.");
        var result = StreamCommand.Evaluate(new FileInfo(convertedModel), new FileInfo(Path.Combine(dir.FullName, recording)),
            new FileInfo(Path.Combine(dir.FullName, "model.safetensors")), 50, null);
        // A fixed-point stream far from float means the conversion's raw encoding does not match the recording's
        // counts (e.g. convert.json lacks "raw_lsb"): refuse rather than print meaningless figures.
        if (result.Float?.Accuracy is { } fa && result.Fixed.Accuracy is { } xa && Math.Abs(fa - xa) > 0.05)
            throw new InvalidDataException($"{dir.FullName}: fixed-point accuracy on {recording} is {100 * xa:F2}% against float {100 * fa:F2}%; " +
                                           "was the model converted with the recording's raw encoding (convert.json \"raw_lsb\")?");
        return new Row(dir.Name, recording, result.Fixed, result.Float);
    }

    public static void Print(IAnsiConsole console, IReadOnlyList<Row> rows)
    {
        foreach (Row r in rows)
        {
            var t = new Table { Title = new TableTitle($"{r.Model}: always-on stream over {r.Recording} ({r.Fixed.Hours * 60:F1} min, one Reset() per recording)") };
            t.AddColumns("", "float", "fixed point");
            void Line(string label, Func<StreamScores, string> f) => CliOutput.Row(t, label, r.Float == null ? "n/a" : f(r.Float), f(r.Fixed));
            Line("samples updated", s => CliOutput.Percent(s.UpdatedShare));
            Line("accuracy", s => CliOutput.Percent(s.Accuracy));
            Line("events detected", s => s.Events.ToString());
            Line("event F1 (gaps ignored / counted)", s => $"{s.GapsIgnored?.F1:F3} / {s.GapsCounted?.F1:F3}");
            Line("false alarms per hour (ignored / counted)", s => $"{s.GapsIgnored?.FalseAlarmsPerHour:F1} / {s.GapsCounted?.FalseAlarmsPerHour:F1}");
            Line("MACs per second", s => s.MacsPerSecond.ToString("N0"));
            console.Write(t);
        }
    }
}
