using System.CommandLine;
using SkipRnn.Converter.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn listen model.skrn (FOLDER | MANIFEST.csv | LONG.wav)`: runs a keyword model with its integer front end
/// over a user's own recordings, as the device would. Clips (a folder of wavs labelled by sub-folder, or a manifest
/// of path,label lines): per-class recall and the confusion matrix. A long wav: the events, with their times.
/// Both report the share of 20 ms frames whose features and GRU update were computed.
/// </summary>
public static class ListenCommand
{
    public sealed record ClipsResult(string Model, string Input, ClipScores Scores);

    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A converted keyword model (.skrn) with an audio front end." };
        var input = new Argument<string>("input") { Description = "A folder of .wav clips (label = sub-folder), a manifest .csv (path,label), or one long .wav." };
        var eventClass = new Option<int?>("--event-class") { Description = "For a long wav: use a default rule (shift 2, on 16384, off 4096, refractory 25 frames) for this class when the model file has none." };
        var show = new Option<int>("--show-events") { Description = "How many events to list (default 50).", DefaultValueFactory = _ => 50 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var cmd = new Command("listen", "Run a keyword model and its front end over your own recordings: recall and confusion matrix, or events.")
            { model, input, eventClass, show, json };
        cmd.SetAction(p => CliOutput.Guard(() => Run(p.GetValue(model)!, p.GetValue(input)!, p.GetValue(eventClass), p.GetValue(show), p.GetValue(json))));
        return cmd;
    }

    public static int Run(FileInfo modelFile, string input, int? eventClass, int show, bool json)
    {
        SkipGruModel q = CliOutput.ReadModel(modelFile, b => ModelReader.Read(b));
        if (input.EndsWith(".wav", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(input))
            return RunLong(modelFile, q, input, eventClass, show, json);
        IReadOnlyList<LabelledClip> clips = Directory.Exists(input) ? LabelledClips.FromFolder(input)
            : input.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? LabelledClips.FromManifest(input)
            : throw new ArgumentException($"{input}: give a folder of .wav files, a manifest .csv or one .wav file.");
        var r = new ClipsResult(modelFile.Name, input, KeywordRunner.ScoreClips(q, clips));
        if (json)
        {
            CliOutput.WriteJson(r);
            return ExitCodes.Success;
        }
        IAnsiConsole console = CliOutput.Human(json: false);
        ClipScores s = r.Scores;
        console.WriteLine($"{input}: {s.Clips} clip(s), {s.Labelled} labelled; frames updated {CliOutput.Percent(s.UpdatedShare)} " +
                          $"({s.FramesUpdated} of {s.Frames}: FFTs avoided on {CliOutput.Percent(1 - s.UpdatedShare)})");
        if (s.Labelled == 0)
        {
            var p = new Table().AddColumns("predicted class", "clips");
            for (int c = 0; c < s.Classes.Length; c++) CliOutput.Row(p, s.Classes[c], s.ClipsPerPrediction[c].ToString());
            console.Write(p);
            return ExitCodes.Success;
        }
        console.WriteLine($"accuracy {CliOutput.Percent(s.Accuracy)} over {s.Labelled} labelled clips");
        var t = new Table().AddColumn("true \\ predicted");
        foreach (string c in s.Classes) t.AddColumn(c);
        t.AddColumn("recall");
        for (int i = 0; i < s.Classes.Length; i++)
        {
            var cells = new List<object> { s.Classes[i] };
            cells.AddRange(s.Confusion[i].Select(v => (object)v.ToString()));
            cells.Add(CliOutput.Percent(s.Recall[i]));
            CliOutput.Row(t, cells.ToArray());
        }
        console.Write(t);
        return ExitCodes.Success;
    }

    private static int RunLong(FileInfo modelFile, SkipGruModel q, string wav, int? eventClass, int show, bool json)
    {
        LongRecordingResult r = KeywordRunner.Listen(q, wav, eventClass);
        if (json)
        {
            CliOutput.WriteJson(new { Model = modelFile.Name, Recording = r });
            return ExitCodes.Success;
        }
        IAnsiConsole console = CliOutput.Human(json: false);
        console.WriteLine($"{wav}: {r.Seconds:F1} s, {r.Frames} frames; updated {CliOutput.Percent(r.UpdatedShare)} " +
                          $"(FFTs avoided on {CliOutput.Percent(1 - r.UpdatedShare)}); {r.Events.Count} event(s)" +
                          (r.Seconds > 0 ? $", {r.Events.Count * 3600.0 / r.Seconds:F1} per hour" : ""));
        foreach (KeywordEvent e in r.Events.Take(show))
            console.WriteLine($"  {e.Seconds,9:F2} s  {e.Class}  confidence {e.Confidence:F2}");
        if (r.Events.Count > show) console.WriteLine($"  ... {r.Events.Count - show} more events");
        return ExitCodes.Success;
    }
}
