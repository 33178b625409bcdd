using SkipRnn.Edge.Application;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Emulator.Simulation;

/// <summary>What a keyword run adds to the report: the audio stream and the microphone.</summary>
public sealed record KeywordSimDetails(long PcmSamples, int SampleRate, int BufferSamples, double BufferMs, double MicActiveMa,
    double MicStandbyMa, double MicStartupUs, string MicPolicy, string PlainGruSource,
    double FrameFeaturesX86, double SkipSpanFrontEndX86, double MicReadX86PerCall, double MicReadX86PerSample,
    double UnpackX86PerCall, double UnpackX86PerSample, double MicDiscardX86PerCall, double MicDiscardX86PerSample, bool UnpackInC);

/// <summary>One keyword variant's extra counts: frames whose features were computed, PCM read / discarded / lost.</summary>
public sealed record KeywordVariantDetails(long FeatureFrames, long PcmRead, long ReadCalls, long PcmUnpacked, long PcmDiscarded, long DiscardCalls, long PcmNotCaptured,
    long MicStops, double MicOnShare, long Overflows, long LateSamples, long MissedFrames, long MisalignedFrames, IReadOnlyList<KeywordEvent> Events)
{
    /// <summary>
    /// Frames the loop got through (updated + skipped, missed ones included): the stream's unless the sound ran out
    /// first. A loop that fell behind misses the frames whose windows were overwritten (<see cref="MissedFrames"/>; the
    /// model holds its state through them) and resumes on the oldest whole window the buffer still holds.
    /// </summary>
    public long FramesReached { get; init; }

    /// <summary>
    /// x86 instructions of nanoCLR per stream sample spent reading the microphone (the ReadSlots calls into the raw
    /// ring), and with the discards and the managed path's unpacking added, averaged over the samples the stream played.
    /// </summary>
    public (double Read, double All) MicX86PerStreamSample(KeywordSimDetails d, long streamSamples)
    {
        if (streamSamples <= 0) return (0, 0);
        double read = ReadCalls * d.MicReadX86PerCall + PcmRead * d.MicReadX86PerSample;
        double unpack = d.UnpackInC ? 0 : FeatureFrames * d.UnpackX86PerCall + PcmUnpacked * d.UnpackX86PerSample;
        double all = read + unpack + DiscardCalls * d.MicDiscardX86PerCall + PcmDiscarded * d.MicDiscardX86PerSample;
        return (read / streamSamples, all / streamSamples);
    }
}

/// <summary>A word the loop reported: the frame it fired on, its class, the smoothed confidence (Q15), when (µs on the board).</summary>
public sealed record KeywordEvent(long Frame, int Class, int Confidence, long Micros);

/// <summary>
/// `skiprnn simulate` for a model with an audio front end: the device's <see cref="KeywordLoop"/> on the host's
/// <see cref="KeywordBoard"/> (virtual INMP441 + I2S DMA buffer) over a 16 kHz PCM stream, the clock advanced by
/// what the real interpreter measured (nanoclr-costs.json: the model's update and skipped span, one frame's
/// features, a skipped span's SkipFrames, the managed side of microphone reads and discards, and the event rule's
/// per-skipped-step settling measured on motion data) at both ends of the profile's interpreter-speed range.
/// </summary>
public static class KeywordSimulator
{
    /// <summary>The front end's hop: one model step per 20 ms.</summary>
    public const int HopUs = AudioFrontEnd.HopLength * 1_000_000 / AudioFrontEnd.SampleRate;

    /// <summary>
    /// Runs the Skip-GRU, the same model never skipping and the plain GRU (<paramref name="gru"/>: a model file of its
    /// own, e.g. models/keyword/gru/; null: the never-skipping model charged the GRU's MACs) at both speed ends.
    /// </summary>
    public static SimulationReport Run(string modelName, SkipGruModel model, byte[] file, (SkipGruModel Model, byte[] File, string Source)? gru,
        IPcmSamples pcm, string streamDescription, DeviceProfile profile, InterpreterCosts costs, MicPolicy policy, SimTrace? trace)
    {
        if (model.FrontEnd == null) throw new ArgumentException($"{modelName} has no audio front end: simulate it on a sensor stream (npz/CSV).");
        if (model.InputSize != AudioFrontEnd.Bands) throw new ArgumentException($"{modelName} reads {model.InputSize} inputs; the front end gives {AudioFrontEnd.Bands}.");
        if (model.OutputSize < 1) throw new ArgumentException($"{modelName} has no classification head: the keyword loop reports events from it.");
        if (gru is { } g && (g.Model.FrontEnd == null || g.Model.InputSize != AudioFrontEnd.Bands))
            throw new ArgumentException($"{g.Source}: the plain GRU beside {modelName} has no 40-band front end.");
        InterpreterCosts.AudioCosts audio = costs.Audio
            ?? throw new InvalidOperationException("the built-in interpreter costs hold no audio figures (re-run tests/nanoclr/simcosts/measure.sh)");
        if (pcm.Length < AudioFrontEnd.FrameLength) throw new ArgumentException($"the stream holds {pcm.Length} samples, less than one 30 ms frame.");
        InterpreterCosts.ModelCosts c = costs.For(model, file);
        InterpreterCosts.ModelCosts? gc = gru is { } gg ? costs.For(gg.Model, gg.File) : null;
        EventRule rule = model.EventRule ?? new EventRule(model.OutputSize, 0, 4, 16384, 4096, 100);
        var ends = new List<SpeedEnd>();
        DeviceProfile.NativePathCosts? native = profile.Native;
        foreach (var (end, cycles, cCycles) in new[] { ("fast", profile.CyclesPerX86Fast, native?.CCyclesPerX86Fast ?? 0),
                     ("slow", profile.CyclesPerX86Slow, native?.CCyclesPerX86Slow ?? 0) })
        {
            var variants = new List<VariantResult>();
            foreach (SimVariant v in Enum.GetValues<SimVariant>())
            {
                SkipGruModel run;
                InterpreterCosts.ModelCosts mc;
                double macs;
                if (v == SimVariant.PlainGru && gru is { } pg)
                {
                    EventRule gr = pg.Model.EventRule ?? rule;
                    run = pg.Model.WithEventRule(gr);
                    mc = gc!;
                    macs = pg.Model.MacsPerUpdate;
                }
                else
                {
                    run = v == SimVariant.SkipGru ? model.WithEventRule(rule) : Simulator.NeverSkipping(model, rule);
                    mc = c;
                    macs = v == SimVariant.PlainGru ? Simulator.PlainGruMacs(model) : model.MacsPerUpdate;
                }
                double updateX86 = v == SimVariant.PlainGru && gru == null ? c.Update * macs / model.MacsPerUpdate : mc.Update;
                variants.Add(RunOne(v, run, macs, updateX86, mc, audio, pcm, profile, cycles, cCycles, policy, v == SimVariant.SkipGru ? trace?.For(end) : null));
            }
            ends.Add(new SpeedEnd(end, cycles, variants));
        }
        double usFast = profile.CyclesPerX86Fast / profile.CpuClockMhz, usSlow = profile.CyclesPerX86Slow / profile.CpuClockMhz;
        var boot = new BootCost(c.Boot, c.Boot * usFast / 1000, c.Boot * usSlow / 1000,
            c.Boot * usFast * profile.CpuBusyMa * profile.BatteryVoltageV / 1e6, c.Boot * usSlow * profile.CpuBusyMa * profile.BatteryVoltageV / 1e6);
        long frames = 1 + (pcm.Length - AudioFrontEnd.FrameLength) / AudioFrontEnd.HopLength;
        string basis = native == null
            ? c.Basis + " + the front end's frame, SkipFrames and microphone reads (tests/nanoclr/simcosts)" + (gc != null ? $"; plain GRU {gc.Basis}" : "")
            : $"native path (profile's native_* fields, firmware/native/nanoclr/frame-costs.sh on the interop nanoCLR): per computed frame {native.FrameInterpreterX86:N0} x86 " +
              $"of interpreter glue + {native.FeaturesCX86:N0} (features) + {native.UpdateCX86:N0} (update, {native.UpdateMacs:N0} MACs; scaled by MACs for other models) x86 of C " +
              $"at {native.CCyclesPerX86Fast}-{native.CCyclesPerX86Slow} cycles each (the window unpacked from the raw I2S ring in C among them); per skipped span {native.SkipSpanX86:N0}; microphone reads into the ring and the event rule's settling as the stock firmware (tests/nanoclr/simcosts)";
        return new SimulationReport(modelName, streamDescription, (int)frames, pcm.Length / (double)AudioFrontEnd.SampleRate / 3600,
            HopUs, "the front end's hop (320 samples at 16 kHz)", profile.Name, profile.Source, basis,
            policy == MicPolicy.KeepClocked ? SkipPolicy.DrainFifo : SkipPolicy.PowerDownSensor, Breakeven(profile), boot, ends)
        {
            Keyword = new KeywordSimDetails(pcm.Length, AudioFrontEnd.SampleRate, (int)profile.I2sBufferSamples,
                profile.I2sBufferSamples * 1000.0 / AudioFrontEnd.SampleRate, profile.MicActiveMa, profile.MicStandbyMa, profile.MicStartupUs,
                policy == MicPolicy.KeepClocked ? "keep clocked (discard the span's samples)" : "stop the clock and light-sleep through spans longer than the start-up",
                gru?.Source ?? "none: the never-skipping model charged a plain GRU's MACs",
                audio.FrameComputed, audio.SkipSpan, audio.MicReadPerCall, audio.MicReadPerSample, audio.UnpackPerCall, audio.UnpackPerSample,
                audio.MicDiscardPerCall, audio.MicDiscardPerSample, native != null),
        };
    }

    private static int Breakeven(DeviceProfile p) =>
        (int)Math.Min(int.MaxValue, Math.Max(Math.Ceiling(p.BreakEvenUs), p.WakeLatencyUs));

    private static VariantResult RunOne(SimVariant variant, SkipGruModel run, double macs, double updateX86, InterpreterCosts.ModelCosts mc,
        InterpreterCosts.AudioCosts audio, IPcmSamples pcm, DeviceProfile p, double cyclesPerX86, double cCyclesPerX86, MicPolicy policy, SimTrace.Run? trace)
    {
        double usPerX86 = cyclesPerX86 / p.CpuClockMhz;
        long frameUs = (long)Math.Round((updateX86 + audio.FrameComputed) * usPerX86);
        long spanUs = (long)Math.Round((mc.SkipSpan + audio.SkipSpan) * usPerX86);
        if (p.Native is { } n)
        {
            // The custom firmware: one Frame call per computed frame (C front end + C update) and its managed glue.
            double cX86 = n.FeaturesCX86 + n.UpdateCX86 * macs / n.UpdateMacs;
            frameUs = (long)Math.Round(n.FrameInterpreterX86 * usPerX86 + cX86 * cCyclesPerX86 / p.CpuClockMhz);
            spanUs = (long)Math.Round(n.SkipSpanX86 * usPerX86);
        }
        double readUs = audio.MicReadPerSample * usPerX86, readCallUs = audio.MicReadPerCall * usPerX86, discardUs = audio.MicDiscardPerSample * usPerX86,
            discardCallUs = audio.MicDiscardPerCall * usPerX86;
        // The managed front end unpacks each computed window from the raw ring; the native Frame call does it in C (in frameUs).
        double unpackCallUs = p.Native == null ? audio.UnpackPerCall * usPerX86 : 0, unpackUs = p.Native == null ? audio.UnpackPerSample * usPerX86 : 0;
        var parameters = new AudioBoardParameters
        {
            UpdateMicros = frameUs,
            SkipMicros = spanUs,
            BufferSamples = (int)p.I2sBufferSamples,
            MicStartupMicros = (long)p.MicStartupUs,
            ReadMicrosPerSample = readUs,
            ReadMicrosPerCall = readCallUs,
            DiscardMicrosPerSample = discardUs,
            DiscardMicrosPerCall = discardCallUs,
            WakeLatencyMicros = (long)p.WakeLatencyUs,
        };
        var board = new KeywordBoard(pcm, parameters);
        var detector = new StreamDetector(run, run.EventRule!);
        var watcher = new Watcher(board, detector, mc.PerSkippedSample * usPerX86, p, trace) { UnpackCallUs = unpackCallUs, UnpackSampleUs = unpackUs };
        KeywordLoopSettings settings = board.DefaultSettings();
        settings.BreakEvenMicros = Math.Max(Breakeven(p), settings.WakeLatencyMicros);
        settings.Policy = policy;
        var loop = new KeywordLoop(detector, board.Source, board.Clock, watcher, board.Sink, settings, watcher);
        watcher.Loop = loop;
        try
        {
            loop.RunUntil(board.Frames);
        }
        catch (RecordingEndedException)
        {
            // Samples were lost to a full DMA buffer, so the stream ran out before the loop's frame count reached its
            // end (on a board the sound never ends).
        }
        board.Source.Stop();
        watcher.Finish();

        VirtualMicrophone mic = board.Mic;
        KeywordLoopCounters k = loop.Counters;
        var time = new TimeBreakdown(
            TotalUs: board.Clock.NowMicros,
            ComputeUs: board.UpdateCpuMicros + board.SkipCpuMicros + watcher.RuleMicros + watcher.UnpackMicros + board.Source.ReadCpuMicros + board.Source.DiscardCpuMicros,
            BusUs: 0,
            IdleUs: board.Sleep.IdleMicros,
            WakeUs: board.Sleep.WakeMicros,
            SleepUs: board.Sleep.AsleepMicros,
            SensorOnUs: mic.OnMicros);
        EnergyResult energy = EnergyModel.Compute(time, p with { SensorActiveMa = p.MicActiveMa, SensorSleepMa = p.MicStandbyMa });
        // A hop's read (at most two calls: the DMA buffer's end and the ring's end) and, on the managed path, its unpacking.
        double hopReadUs = AudioFrontEnd.HopLength * (readUs + unpackUs) + 2 * readCallUs + unpackCallUs;
        double worst = frameUs + hopReadUs;
        long lost = mic.LostToOverflow;
        bool kept = lost == 0 && board.MisalignedFrames == 0 && k.LateSamples == 0 && k.StartupSamplesUsed == 0 && !board.EndedShort;
        var rt = new RealTime(worst, HopUs, HopUs - worst, worst <= HopUs, mic.HighWater, (int)p.I2sBufferSamples, lost, board.MisalignedFrames, kept);
        long frames = board.Frames;
        return new VariantResult(variant, macs, frameUs, hopReadUs, spanUs,
            k.SkippedFrames == 0 ? 0 : (board.SkipCpuMicros + watcher.RuleMicros) / (double)k.SkippedFrames,
            k.Updates, k.SkippedFrames, k.SamplesDiscarded, k.LightSleeps, frames == 0 ? 0 : (double)k.Updates / frames,
            board.Sink.Events.Count, rt, time, energy)
        {
            Keyword = new KeywordVariantDetails(loop.FrontEnd.FramesComputed, board.Source.SamplesRead, board.Source.ReadCalls, k.SamplesUnpacked,
                board.Source.SamplesDiscarded + mic.DroppedAtStop, board.Source.DiscardCalls, mic.NotCaptured,
                k.MicStops, time.TotalUs > 0 ? time.SensorOnUs / time.TotalUs : 0, k.Overflows, k.LateSamples, k.MissedFrames, board.MisalignedFrames,
                board.Sink.Events.Select(e => new KeywordEvent(e.SampleIndex, e.Class, e.Confidence, e.Micros)).ToList())
            { FramesReached = k.Updates + k.SkippedFrames + k.MissedFrames },
        };
    }

    /// <summary>
    /// Between the loop and the board: forwards the loop's observer calls to the board (which charges the frame and
    /// span costs), adds the event rule's per-frame settling inside skipped spans, and records the plot's timeline.
    /// Also the loop's sleep timer (the board's, which refuses light sleep with the microphone clocked).
    /// </summary>
    private sealed class Watcher(KeywordBoard board, StreamDetector detector, double ruleUsPerFrame, DeviceProfile p, SimTrace.Run? trace)
        : ILoopObserver, ISleepTimer
    {
        private double _ruleCarry, _unpackCarry;
        private long _unpacked;
        private readonly ILoopObserver _board = board;
        public long RuleMicros { get; private set; }
        /// <summary>The loop (its counters say how many samples each computed frame unpacked).</summary>
        public KeywordLoop? Loop { get; set; }
        public double UnpackCallUs { get; init; }
        public double UnpackSampleUs { get; init; }
        /// <summary>CPU time of the managed path's window unpacking, µs.</summary>
        public long UnpackMicros { get; private set; }

        private long Now => board.Clock.NowMicros;
        private bool Recording => trace != null && Now < trace.HorizonUs;

        public void Updated(long frame)
        {
            long t0 = Now;
            long n = Loop!.Counters.SamplesUnpacked - _unpacked;
            _unpacked += n;
            if (n > 0)
            {
                _unpackCarry += UnpackCallUs + UnpackSampleUs * n;
                long us = (long)Math.Floor(_unpackCarry);
                _unpackCarry -= us;
                board.Clock.Advance(us);
                UnpackMicros += us;
            }
            _board.Updated(frame);
            if (trace != null && t0 < trace.HorizonUs)
            {
                trace.Segment(t0, t0 + board.Parameters.UpdateMicros, p.CpuBusyMa);
                trace.Update(Now, frame, detector.Rnn.UpdateProbability / 32768.0);
            }
        }

        public void Skipped(int frames)
        {
            long t0 = Now;
            _board.Skipped(frames);
            _ruleCarry += frames * ruleUsPerFrame;
            long extra = (long)Math.Floor(_ruleCarry);
            _ruleCarry -= extra;
            board.Clock.Advance(extra);
            board.Mic.Poll();
            RuleMicros += extra;
            if (trace != null && t0 < trace.HorizonUs)
            {
                trace.Segment(t0, Now, p.CpuBusyMa);
                trace.Skip(Now, detector.Rnn.UpdateProbability / 32768.0);
            }
        }

        public void LightSleep(long micros)
        {
            long t0 = Now;
            if (Recording) trace!.Sensor(t0, false);
            board.BoardSleep.LightSleep(micros);
            if (trace != null && t0 < trace.HorizonUs)
            {
                trace.Segment(t0, t0 + micros, p.LightSleepMa);
                trace.Segment(t0 + micros, Now, p.WakeCurrentMa);
                trace.Sensor(Now, true);
            }
        }

        public void Idle(long micros)
        {
            long t0 = Now;
            board.BoardSleep.Idle(micros);
            if (trace != null && t0 < trace.HorizonUs) trace.Segment(t0, Now, p.CpuIdleMa);
        }

        public void Finish()
        {
            if (trace == null) return;
            foreach (BoardEvent e in board.Sink.Events)
                if (e.Micros < trace.HorizonUs) trace.Event(e.Micros, e.SampleIndex);
        }
    }
}
