using System.CommandLine;
using SkipRnn.Converter.Audio;
using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Files;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Emulator.Simulation;
using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn simulate MODEL --stream DATA [--profile P.json] [--json] [--plot out.png]`: the device's application
/// loop on the virtual board over a recording, timed by the real interpreter's measured costs on an ESP32 profile:
/// per-update and per-skipped-step cost, real-time margin, duty cycle, sleep, average current, energy per hour and
/// battery life, for the Skip-GRU, the same model never skipping and a plain GRU, at both ends of the interpreter's
/// speed range.
/// </summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "The converted model file (.skrn)." };
        var stream = new Option<FileInfo>("--stream") { Required = true, HelpName = "DATA", Description = "Raw integer counts: .npz (x [N, I], optional offsets) or .csv; or a dataset of sequences (x [B, T, I] floats) with --weights, played end to end; for a model with an audio front end, a 16 kHz mono PCM16 .wav." };
        var profile = new Option<FileInfo?>("--profile") { HelpName = "P.json", Description = "Board profile (firmware/profiles/*.json); default: the built-in esp32-240mhz.json." };
        var weights = new Option<FileInfo?>("--weights") { Description = "The float model's weights (and sidecar): needed to encode a dataset of float sequences as raw integers." };
        var period = new Option<int?>("--sample-period-us") { Description = "Sample period in µs (default: the model's; required when the model has none)." };
        var policy = new Option<string?>("--sensor") { HelpName = "drain|power-down", Description = "Through skipped spans the sensor keeps sampling and the loop drains its FIFO (drain; default for sensor models), or it is powered down when the span allows (power-down; default for keyword models: the microphone's clock stops and the board light-sleeps, as firmware/keyword does)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout." };
        var plot = new Option<FileInfo?>("--plot") { HelpName = "out.png", Description = "Draw ũ, updates, events and current over the first seconds of the stream, and a summary bar chart, as a PNG." };
        var seconds = new Option<double>("--plot-seconds") { Description = "How much of the stream the plot shows (default 10 s).", DefaultValueFactory = _ => 10 };
        var cmd = new Command("simulate", "Time and energy of the application loop on an ESP32 profile, from the interpreter's measured costs.")
            { model, stream, profile, weights, period, policy, json, plot, seconds };
        cmd.SetAction(p => CliOutput.Guard(() => Run(p.GetValue(model)!, p.GetValue(stream)!, p.GetValue(profile), p.GetValue(weights),
            p.GetValue(period), p.GetValue(policy), p.GetValue(json), p.GetValue(plot), p.GetValue(seconds))));
        return cmd;
    }

    public static SimulationReport Simulate(FileInfo modelFile, FileInfo streamFile, FileInfo? profileFile, FileInfo? weights,
        int? periodUs, string? policyName, FileInfo? plot, double plotSeconds)
    {
        if (policyName is not (null or "drain" or "power-down"))
            throw new ArgumentException($"--sensor must be drain or power-down, not '{DisplayText.Escape(policyName, 40)}'.");
        SkipPolicy policy = (policyName ?? "drain") switch
        {
            "drain" => SkipPolicy.DrainFifo,
            "power-down" => SkipPolicy.PowerDownSensor,
            _ => throw new ArgumentException($"--sensor must be drain or power-down, not '{DisplayText.Escape(policyName ?? "", 40)}'."),
        };
        if (!(plotSeconds > 0) || plotSeconds > 86400) throw new ArgumentException($"--plot-seconds must be between 0 and 86400, not {plotSeconds}.");
        if (periodUs is < 1) throw new ArgumentException($"--sample-period-us must be at least 1, not {periodUs}.");
        if (plot != null)
            OutputPaths.Check(
                new[] { new NamedPath("model file", modelFile.FullName), new NamedPath("--stream file", streamFile.FullName),
                        new NamedPath("--profile file", profileFile?.FullName ?? ""), new NamedPath("--weights file", weights?.FullName ?? "") },
                new[] { new NamedPath("--plot", plot.FullName) });
        byte[] bytes = CliOutput.ReadFile(modelFile, "model file");
        SkipGruModel q = CliOutput.ReadModel(modelFile, ModelReader.Read);
        DeviceProfile profile = profileFile == null ? DeviceProfile.Default() : DeviceProfile.Load(profileFile.FullName);
        bool isWav = streamFile.Extension.Equals(".wav", StringComparison.OrdinalIgnoreCase);
        if (q.FrontEnd != null || isWav)
            return SimulateKeyword(modelFile, bytes, q, streamFile, isWav, profile, weights, periodUs, policyName, plot, plotSeconds);
        int period = periodUs ?? q.SamplePeriodMicros;
        string periodSource = periodUs != null ? "--sample-period-us" : "the model file";
        if (period < 1)
            throw new ArgumentException($"{modelFile.Name} states no sample period: give --sample-period-us (e.g. 20000 for 50 Hz).");
        SimStream stream = ReadStream(streamFile, q, weights);
        SimTrace? trace = plot == null ? null : new SimTrace((long)(plotSeconds * 1e6), profile.SensorActiveMa, profile.SensorSleepMa);
        SimulationReport report = Simulator.Run(modelFile.Name, q, bytes, stream, profile, InterpreterCosts.BuiltIn(), policy, period, periodSource, trace);
        if (plot != null) SimulationPlot.Save(report, trace!, plot.FullName);
        return report;
    }

    /// <summary>A model with an audio front end over a 16 kHz mono PCM16 wav: the keyword loop on the virtual microphone board.</summary>
    private static SimulationReport SimulateKeyword(FileInfo modelFile, byte[] bytes, SkipGruModel q, FileInfo streamFile, bool isWav,
        DeviceProfile profile, FileInfo? weights, int? periodUs, string? policyName, FileInfo? plot, double plotSeconds)
    {
        if (q.FrontEnd == null)
            throw new ArgumentException($"{modelFile.FullName}: this model has no audio front end, so it cannot run on the audio stream {streamFile.Name}; give it a sensor stream (.npz or .csv of raw counts).");
        if (!isWav)
            throw new ArgumentException($"{streamFile.FullName}: {modelFile.Name} has an audio front end: the stream must be a 16 kHz mono 16-bit PCM .wav (e.g. models/train/keyword/score.py --write-stream-wav).");
        if (weights != null) throw new ArgumentException("--weights encodes float sequences for a sensor model; a keyword model reads the wav's PCM through its front end.");
        if (periodUs != null) throw new ArgumentException($"--sample-period-us does not apply to {modelFile.Name}: its front end steps every 20 ms of 16 kHz audio.");
        using WavStream wav = WavReader.Open(streamFile.FullName, AudioFrontEnd.SampleRate);
        if (wav.Length < AudioFrontEnd.FrameLength)
            throw new DataException(streamFile.FullName, null, $"holds {wav.Length} samples, less than one 30 ms frame ({AudioFrontEnd.FrameLength}).");
        (SkipGruModel, byte[], string)? gru = null;
        string dir = modelFile.DirectoryName ?? ".";
        string gruPath = Path.Combine(dir, "gru", "model.skrn");
        if (File.Exists(gruPath) && !Path.GetFullPath(gruPath).Equals(modelFile.FullName, StringComparison.Ordinal))
        {
            var gf = new FileInfo(gruPath);
            gru = (CliOutput.ReadModel(gf, ModelReader.Read), CliOutput.ReadFile(gf, "plain GRU model file"), gruPath);
        }
        MicPolicy policy = (policyName ?? "power-down") == "drain" ? MicPolicy.KeepClocked : MicPolicy.SleepThroughSpans;
        SimTrace? trace = plot == null ? null : new SimTrace((long)(plotSeconds * 1e6), profile.MicActiveMa, profile.MicStandbyMa);
        SimulationReport report = KeywordSimulator.Run(modelFile.Name, q, bytes, gru, wav,
            $"{streamFile.Name}: {wav.Seconds / 60:F1} min of 16 kHz PCM", profile, InterpreterCosts.BuiltIn(), policy, trace);
        if (plot != null) SimulationPlot.Save(report, trace!, plot.FullName);
        return report;
    }

    private static SimStream ReadStream(FileInfo file, SkipGruModel q, FileInfo? weights)
    {
        if (weights == null)
        {
            Recording rec;
            try
            {
                rec = Recording.Read(file.FullName, q.InputSize);
            }
            catch (DataException e) when (e.Message.Contains("has shape"))
            {
                throw new DataException(file.FullName, "array 'x'", e.Problem.TrimEnd('.') + "; a dataset of float sequences [B, T, I] needs --weights to encode it as raw integers.");
            }
            return new SimStream($"{file.Name}: {rec.Offsets.Length - 1} recording(s) played end to end", rec.X, q.InputSize);
        }
        ImportResult import = ModelImporter.Import(weights.FullName, new ImportOptions());
        if (import.Model.InputSize != q.InputSize || import.Model.HiddenSize != q.HiddenSize)
            throw new ArgumentException($"the model file was not converted from {weights.Name} (sizes differ).");
        RawEncoding encoding = ConversionPipeline.EncodingOf(q, import.Model);
        SequenceDataset data = SequenceDataset.Read(file.FullName);
        if (data.Inputs != q.InputSize) throw new DataException(file.FullName, "array 'x'", $"has {data.Inputs} inputs per step; the model needs {q.InputSize}.");
        var x = new int[(long)data.Count * data.Steps * data.Inputs > int.MaxValue
            ? throw new DataException(file.FullName, "array 'x'", "is too long to play as one stream.")
            : data.Count * data.Steps * data.Inputs];
        var raw = new int[data.Inputs];
        for (int n = 0; n < data.Count; n++)
            for (int t = 0; t < data.Steps; t++)
            {
                encoding.Encode(data.StepValues(n, t), raw);
                Array.Copy(raw, 0, x, (n * data.Steps + t) * data.Inputs, data.Inputs);
            }
        return new SimStream($"{file.Name}: {data.Count} sequences of {data.Steps} steps played end to end (no reset between them)", x, q.InputSize);
    }

    public static int Run(FileInfo modelFile, FileInfo streamFile, FileInfo? profileFile, FileInfo? weights, int? periodUs, string? policy,
        bool json, FileInfo? plot, double plotSeconds)
    {
        SimulationReport r = Simulate(modelFile, streamFile, profileFile, weights, periodUs, policy, plot, plotSeconds);
        if (json)
        {
            CliOutput.WriteJson(r);
            return ExitCodes.Success;
        }
        IAnsiConsole console = CliOutput.Human(false);
        RealTime rt0 = r.Ends[0].Variants[0].RealTime;
        if (r.Keyword is { } kw)
        {
            console.WriteLine($"{r.Model} on {r.Stream}: {kw.PcmSamples:N0} samples, {r.Samples:N0} frames of 20 ms ({r.StreamHours * 60:F1} min)");
            console.WriteLine($"profile: {r.Profile} ({r.ProfileSource}); costs: {r.CostBasis}; microphone through skipped spans: {kw.MicPolicy}; light sleep past {r.BreakEvenUs:N0} µs");
            console.WriteLine($"microphone: INMP441 {kw.MicActiveMa} mA clocked, {kw.MicStandbyMa} mA standby, start-up {kw.MicStartupUs / 1000:F0} ms; I2S DMA buffer {kw.BufferSamples:N0} samples = {kw.BufferMs:F0} ms (a frame longer than the hop is absorbed only while skipped frames let the loop catch up before it fills); plain GRU: {kw.PlainGruSource}");
            console.WriteLine($"per frame on nanoCLR: features {kw.FrameFeaturesX86 / 1e6:F2} M x86, skipped span's SkipFrames {kw.SkipSpanFrontEndX86:N0}; microphone read into the raw I2S ring {kw.MicReadX86PerCall:N0} a call + {kw.MicReadX86PerSample:N1} a sample, discard {kw.MicDiscardX86PerCall:N0} a driver call + {kw.MicDiscardX86PerSample:N1} a sample; " +
                (kw.UnpackInC ? "window unpacked in C (native Frame call)" : $"window unpacked (managed) {kw.UnpackX86PerCall:N0} a computed frame + {kw.UnpackX86PerSample:N0} a sample"));
        }
        else
        {
            console.WriteLine($"{r.Model} on {r.Stream}: {r.Samples:N0} samples, {r.StreamHours * 60:F1} min at {r.SamplePeriodUs:N0} µs per sample ({r.SamplePeriodSource})");
            console.WriteLine($"profile: {r.Profile} ({r.ProfileSource}); costs: {r.CostBasis}; sensor through skipped spans: {(r.Policy == SkipPolicy.DrainFifo ? "drain the FIFO" : "power down")}; light sleep past {r.BreakEvenUs:N0} µs");
            console.WriteLine($"sensor FIFO: {rt0.FifoCapacity} samples = {rt0.FifoCapacity * rt0.SamplePeriodUs / 1e6:F2} s of stream: an update may outlast the sample period while the skipped samples around it let the loop catch up before the FIFO fills");
        }
        console.WriteLine($"boot (nanoCLR start, model read, self-test, detector): {r.Boot.X86Instructions / 1e6:F1} M x86 instructions on nanoCLR = {r.Boot.FastMs:F0}–{r.Boot.SlowMs:F0} ms, {r.Boot.FastMj:F1}–{r.Boot.SlowMj:F1} mJ (once, not in the averages)");
        var t = new Table().AddColumn("");
        foreach (SpeedEnd e in r.Ends)
            foreach (VariantResult v in e.Variants)
                t.AddColumn($"{Name(v.Variant)}, {e.End} ({e.CyclesPerX86:F2} cyc/x86)");
        var all = r.Ends.SelectMany(e => e.Variants).ToList();
        void Add(string label, Func<VariantResult, string> f) => CliOutput.Row(t, new object[] { label }.Concat(all.Select(f)).ToArray());
        bool audio = r.Keyword != null;
        Add("MACs per update", v => v.UpdateMacs.ToString("N0"));
        Add(audio ? "updated frame on the target (features + update)" : "update on the target", v => $"{v.UpdateUs / 1000:F2} ms");
        Add(audio ? "microphone read of a hop (+ unpacking, managed path)" : "sensor read (I2C + managed)", v => $"{v.ReadUs:F0} µs");
        if (audio) Add("microphone x86 per stream sample: read; + discard, unpack", v =>
        {
            var (read, all) = v.Keyword!.MicX86PerStreamSample(r.Keyword!, r.Keyword!.PcmSamples);
            return $"{read:F1}; {all:F0}";
        });
        Add(audio ? "skipped frame (average)" : "skipped step (average)", v => v.SkippedSamples == 0 ? "–" : $"{v.SkippedStepUs:F0} µs");
        Add(audio ? "frames updated" : "samples updated", v => $"{CliOutput.Percent(v.UpdatedShare)} ({v.Updates:N0})");
        if (audio) Add("frames run; missed (window overwritten)", v => $"{v.Keyword!.FramesReached:N0} of {r.Samples:N0}; {v.Keyword.MissedFrames:N0}");
        Add(audio ? "worst frame vs hop" : "worst step vs period", v => $"{v.RealTime.WorstStepUs / 1000:F2} / {v.RealTime.SamplePeriodUs / 1000:F2} ms");
        Add("real-time margin per step", v => $"{v.RealTime.MarginUs / 1000:F2} ms");
        Add(audio ? "DMA buffer high water" : "FIFO high water", v => $"{v.RealTime.FifoHighWater} / {v.RealTime.FifoCapacity}");
        Add(audio ? "samples lost (DMA overflow)" : "samples lost (FIFO overflow)", v => v.RealTime.SamplesLost.ToString("N0"));
        Add("keeps up", v => v.RealTime.KeptUp ? "yes" : "NO");
        Add("CPU duty cycle", v => CliOutput.Percent(v.Energy.CpuDuty));
        Add("time in light sleep", v => CliOutput.Percent(v.Energy.SleepShare));
        if (audio) Add("microphone clocked", v => CliOutput.Percent(v.Keyword!.MicOnShare));
        Add(audio ? "average current (CPU + microphone)" : "average current (CPU + sensor)", v => $"{v.Energy.AverageMa:F2} mA ({v.Energy.CpuAverageMa:F2} + {v.Energy.SensorAverageMa:F2})");
        Add("energy per hour", v => $"{v.Energy.EnergyPerHourJ:F0} J");
        Add("battery life", v => $"{v.Energy.BatteryDays:F1} days");
        Add("events", v => v.Events.ToString("N0"));
        console.Write(t);
        if (plot != null) console.WriteLine($"plot: {plot.FullName}");
        return ExitCodes.Success;
    }

    public static string Name(SimVariant v) => v switch
    {
        SimVariant.SkipGru => "Skip-GRU",
        SimVariant.NeverSkip => "never skipping",
        _ => "plain GRU",
    };
}
