using System.CommandLine;
using SkipRnn.Converter.Files;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn stream model.skrn recording.(npz|csv) [--weights model.safetensors]`: runs the model over a recording
/// the way an always-on board does (one Reset() per recording, skipped samples never read) and prints the events,
/// the share of samples updated and, when the recording is labelled, accuracy, macro-F1 and event scores; with
/// --weights, the float model beside the fixed-point one; with --plot, one stretch of one recording as a PNG
/// (signal, ũ and the samples read, label against head class and events).
/// </summary>
public static class StreamCommand
{
    public sealed record Result(string Model, string Recording, int Recordings, EventRuleInfo Rule, int Tolerance,
        StreamScores Fixed, StreamScores? Float, IReadOnlyList<StreamEvent> Events);

    public sealed record EventRuleInfo(int EventClass, string EventName, int Shift, int On, int Off, int Refractory, bool FromModelFile,
        string[] ClassNames);

    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The converted model file (.skrn), with an event rule or --event-class." };
        var data = new Argument<FileInfo>("recording") { Description = "Raw integer counts: .npz (x [N, I], optional y [N] class or −1, optional offsets) or .csv (I integers per line, optionally the class last)." };
        var weights = new Option<FileInfo?>("--weights") { Description = "The float model's weights (and sidecar): also run the float reference." };
        var tolerance = new Option<int>("--tolerance") { Description = "Event match tolerance in samples (default 50 = 1 s at 50 Hz).", DefaultValueFactory = _ => 50 };
        var eventClass = new Option<int?>("--event-class") { Description = "Use a default rule (shift 4, on 16384, off 4096, refractory 100) for this class when the model file has none." };
        var show = new Option<int>("--show-events") { Description = "How many events to list (default 20).", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var plot = new Option<FileInfo?>("--plot") { HelpName = "out.png", Description = "Draw one stretch of one recording as a PNG: the signal, ũ and the samples read, the label against the head's class and the events." };
        var plotRecording = new Option<int>("--plot-recording") { HelpName = "K", Description = "The recording --plot draws (index, default 0).", DefaultValueFactory = _ => 0 };
        var plotFrom = new Option<double>("--plot-from") { HelpName = "S", Description = "Where --plot starts in that recording, in seconds (default 0).", DefaultValueFactory = _ => 0 };
        var plotSeconds = new Option<double>("--plot-seconds") { HelpName = "N", Description = "How many seconds --plot shows (default 60).", DefaultValueFactory = _ => 60 };
        var cmd = new Command("stream", "Run a model over a recording as an always-on board would: events, update rate, scores.")
            { model, data, weights, tolerance, eventClass, show, json, plot, plotRecording, plotFrom, plotSeconds };
        cmd.SetAction(p => CliOutput.Guard(() =>
        {
            FileInfo? png = p.GetValue(plot);
            PlotRequest? request = png == null ? null
                : new PlotRequest(png, new StreamPlot.Window(p.GetValue(plotRecording), p.GetValue(plotFrom), p.GetValue(plotSeconds)));
            return Run(p.GetValue(model)!, p.GetValue(data)!, p.GetValue(weights), p.GetValue(tolerance),
                p.GetValue(eventClass), p.GetValue(show), p.GetValue(json), request);
        }));
        return cmd;
    }

    /// <summary>`--plot`: where to write the PNG and which stretch to draw.</summary>
    public sealed record PlotRequest(FileInfo Png, StreamPlot.Window Window);

    public static Result Evaluate(FileInfo modelFile, FileInfo dataFile, FileInfo? weights, int tolerance, int? eventClass,
        PlotRequest? plot = null)
    {
        if (tolerance < 0) throw new ArgumentException($"--tolerance must not be negative, not {tolerance}.");
        if (plot != null)
            OutputPaths.Check(
                new[] { new NamedPath("model file", modelFile.FullName), new NamedPath("recording", dataFile.FullName),
                        new NamedPath("--weights file", weights?.FullName ?? "") },
                new[] { new NamedPath("--plot", plot.Png.FullName) });
        SkipGruModel q = ModelReader.Read(CliOutput.ReadFile(modelFile, "Model file"));
        if (q.OutputSize < 1) throw new ArgumentException($"{modelFile.Name} has no classification head: there is nothing to detect events on.");
        EventRule rule = q.EventRule ?? (eventClass is { } ec
            ? new EventRule(q.OutputSize, ec, 4, 16384, 4096, 100)
            : throw new ArgumentException($"{modelFile.Name} has no event rule (convert with a sidecar holding \"event_rule\"); give --event-class to use a default rule."));
        Recording rec = Recording.Read(dataFile.FullName, q.InputSize);
        if (rec.Y != null && rec.Y.Any(c => c >= q.OutputSize))
            throw new ArgumentException($"{dataFile.Name}: class {rec.Y.Max()} is outside the model's {q.OutputSize} classes.");
        int period = q.SamplePeriodMicros;
        if (plot != null) StreamPlot.Samples(rec, plot.Window, period);   // a bad window is an error before the run
        StreamTrace fixedTrace = StreamRunner.RunFixed(q, rule, rec);
        StreamScores fixedScores = StreamScores.Compute(rec, fixedTrace, q.OutputSize, rule.EventClass, tolerance, period, q.MacsPerUpdate);
        StreamScores? floatScores = null;
        if (weights != null)
        {
            ImportResult import = ModelImporter.Import(weights.FullName, new ImportOptions());
            if (import.Model.InputSize != q.InputSize || import.Model.HiddenSize != q.HiddenSize || import.Model.OutputSize != q.OutputSize)
                throw new ArgumentException($"{modelFile.Name} was not converted from {weights.Name} (sizes differ).");
            floatScores = StreamScores.Compute(rec, StreamRunner.RunFloat(import.Model, rule, rec), q.OutputSize, rule.EventClass, tolerance, period, q.MacsPerUpdate);
        }
        string name = q.ClassNames?[rule.EventClass] ?? rule.EventClass.ToString();
        string[] classNames = Enumerable.Range(0, q.OutputSize).Select(c => q.ClassNames?[c] ?? "class " + c).ToArray();
        if (plot != null)
            StreamPlot.Save(rec, fixedTrace, rule.EventClass, classNames, period, plot.Window,
                $"{modelFile.Name} on {dataFile.Name}, recording {plot.Window.Recording}: " +
                $"{CliOutput.Percent(fixedScores.UpdatedShare)} of all the file's samples read", plot.Png.FullName);
        return new Result(modelFile.Name, dataFile.Name, rec.Offsets.Length - 1,
            new EventRuleInfo(rule.EventClass, name, rule.Shift, rule.On, rule.Off, rule.RefractorySteps, q.EventRule != null, classNames),
            tolerance, fixedScores, floatScores, fixedTrace.Events);
    }

    public static int Run(FileInfo modelFile, FileInfo dataFile, FileInfo? weights, int tolerance, int? eventClass, int show, bool json,
        PlotRequest? plot = null)
    {
        Result r = Evaluate(modelFile, dataFile, weights, tolerance, eventClass, plot);
        if (json)
        {
            CliOutput.WriteJson(r);
            return ExitCodes.Success;
        }
        // bound to the current Console.Out (not the process-wide default), so redirected output is captured
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        console.WriteLine($"{r.Recording}: {r.Recordings} recording(s), {r.Fixed.Samples} samples ({r.Fixed.Hours * 60:F1} min); " +
                          $"event rule ({(r.Rule.FromModelFile ? "model file" : "default")}): class {r.Rule.EventName}, shift {r.Rule.Shift}, " +
                          $"on {r.Rule.On}, off {r.Rule.Off}, refractory {r.Rule.Refractory}; tolerance ±{r.Tolerance} samples");
        foreach (StreamEvent e in r.Events.Take(show))
            console.WriteLine($"  event: recording {e.Recording} sample {e.Step} class {r.Rule.EventName} confidence {e.Confidence / 32768.0:F2}");
        if (r.Events.Count > show) console.WriteLine($"  ... {r.Events.Count - show} more events");
        var t = new Table().AddColumns("", "fixed point");
        if (r.Float != null) t.AddColumn("float");
        void Add(string label, Func<StreamScores, string> f)
        {
            var cells = new List<object> { label, f(r.Fixed) };
            if (r.Float != null) cells.Add(f(r.Float));
            CliOutput.Row(t, cells.ToArray());
        }
        Add("samples updated", s => $"{CliOutput.Percent(s.UpdatedShare)} ({s.Updates})");
        Add("sensor reads avoided", s => CliOutput.Percent(1 - s.UpdatedShare));
        Add("MACs per second", s => s.MacsPerSecond.ToString());
        Add("events", s => s.Events.ToString());
        if (r.Fixed.Accuracy != null)
        {
            Add("accuracy (labelled samples)", s => CliOutput.Percent(s.Accuracy));
            Add("macro-F1", s => s.MacroF1?.ToString("F4") ?? "n/a");
            Add("transitions labelled / hit", s => $"{s.Transitions} / {s.Hits}");
            Add("event P / R / F1, gaps ignored", s => $"{s.GapsIgnored!.Precision:F3} / {s.GapsIgnored.Recall:F3} / {s.GapsIgnored.F1:F3}");
            Add("false alarms per hour, gaps ignored", s => s.GapsIgnored!.FalseAlarmsPerHour.ToString("F1"));
            Add("event P / R / F1, gaps counted", s => $"{s.GapsCounted!.Precision:F3} / {s.GapsCounted.Recall:F3} / {s.GapsCounted.F1:F3}");
            Add("false alarms per hour, gaps counted", s => s.GapsCounted!.FalseAlarmsPerHour.ToString("F1"));
            Add("median latency", s => s.MedianLatencyMs is { } m ? $"{m:F0} ms" : "n/a");
            for (int c = 0; c < r.Fixed.UpdateRateByClass.Length; c++)
            {
                int cc = c;
                Add($"updated while {r.Rule.ClassNames[c]}", s => CliOutput.Percent(s.UpdateRateByClass[cc]));
            }
            Add("updated while unlabelled", s => CliOutput.Percent(s.UnlabelledUpdateRate));
        }
        console.Write(t);
        if (plot != null) console.WriteLine($"plot: {plot.Png.FullName}");
        return ExitCodes.Success;
    }
}
