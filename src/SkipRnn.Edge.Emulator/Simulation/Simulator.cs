using SkipRnn.Edge.Application;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Emulator.Simulation;

/// <summary>What a run compares: the model as it is, the same model updating on every sample, and a plain GRU of its size.</summary>
public enum SimVariant { SkipGru, NeverSkip, PlainGru }

/// <summary>A stream of raw sensor integers, row-major [Samples, Inputs].</summary>
public sealed record SimStream(string Description, int[] X, int Inputs)
{
    public int Samples => X.Length / Inputs;
}

/// <summary>One variant at one end of the interpreter-speed range.</summary>
public sealed record VariantResult(
    SimVariant Variant, double UpdateMacs, double UpdateUs, double ReadUs, double SkipSpanUs, double SkippedStepUs,
    long Updates, long SkippedSamples, long Discards, long LightSleeps, double UpdatedShare, long Events,
    RealTime RealTime, TimeBreakdown Time, EnergyResult Energy)
{
    /// <summary>A keyword run's audio counts (null for a sensor model).</summary>
    public KeywordVariantDetails? Keyword { get; init; }
}

/// <summary>
/// Real time: the worst step (a sample's read plus an update) against the sample period, and what the FIFO did
/// on the run (a step longer than the period is absorbed by the FIFO only while skipped samples let the loop catch up).
/// </summary>
public sealed record RealTime(double WorstStepUs, double SamplePeriodUs, double MarginUs, bool EveryStepFitsPeriod,
    int FifoHighWater, int FifoCapacity, long SamplesLost, long MisalignedReads, bool KeptUp);

public sealed record SpeedEnd(string End, double CyclesPerX86, IReadOnlyList<VariantResult> Variants);

public sealed record BootCost(double X86Instructions, double FastMs, double SlowMs, double FastMj, double SlowMj);

public sealed record SimulationReport(
    string Model, string Stream, int Samples, double StreamHours, int SamplePeriodUs, string SamplePeriodSource,
    string Profile, string ProfileSource, string CostBasis, SkipPolicy Policy, double BreakEvenUs,
    BootCost Boot, IReadOnlyList<SpeedEnd> Ends)
{
    /// <summary>A keyword run's stream and microphone (null for a sensor model).</summary>
    public KeywordSimDetails? Keyword { get; init; }
}

/// <summary>
/// `skiprnn simulate`: the device's <see cref="StreamingLoop"/> on the host's <see cref="VirtualBoard"/>, with the
/// board's clock advanced by what the real interpreter measured (x86 instructions of nanoCLR) converted to ESP32
/// time at both ends of the profile's interpreter-speed range, and the time split into CPU states that the
/// profile's currents turn into charge. Nothing here runs a second loop: the tracer only watches and adds the
/// event rule's per-sample work inside skipped spans.
/// </summary>
public static class Simulator
{
    /// <summary>Runs every variant at both ends; <paramref name="trace"/> (may be null) receives the Skip-GRU runs' timelines up to its horizon.</summary>
    public static SimulationReport Run(string modelName, SkipGruModel model, byte[] file, SimStream stream, DeviceProfile profile,
        InterpreterCosts costs, SkipPolicy policy, int samplePeriodUs, string periodSource, SimTrace? trace)
    {
        if (stream.Inputs != model.InputSize) throw new ArgumentException($"the stream has {stream.Inputs} values per sample, the model needs {model.InputSize}.");
        if (samplePeriodUs < 1) throw new ArgumentException("the sample period must be at least 1 µs.");
        if (model.OutputSize < 1) throw new ArgumentException($"{modelName} has no classification head: the application loop reports events from it.");
        InterpreterCosts.ModelCosts c = costs.For(model, file);
        // A model without its own event rule (the synthetic tasks) runs with the default rule of `skiprnn stream --event-class 0`.
        EventRule rule = model.EventRule ?? new EventRule(model.OutputSize, 0, 4, 16384, 4096, 100);
        var ends = new List<SpeedEnd>();
        foreach (var (end, cycles) in new[] { ("fast", profile.CyclesPerX86Fast), ("slow", profile.CyclesPerX86Slow) })
        {
            var variants = new List<VariantResult>();
            foreach (SimVariant v in Enum.GetValues<SimVariant>())
                variants.Add(RunOne(v, model, rule, c, stream, profile, cycles, policy, samplePeriodUs,
                    v == SimVariant.SkipGru ? trace?.For(end) : null));
            ends.Add(new SpeedEnd(end, cycles, variants));
        }
        double usFast = profile.CyclesPerX86Fast / profile.CpuClockMhz, usSlow = profile.CyclesPerX86Slow / profile.CpuClockMhz;
        var boot = new BootCost(c.Boot, c.Boot * usFast / 1000, c.Boot * usSlow / 1000,
            c.Boot * usFast * profile.CpuBusyMa * profile.BatteryVoltageV / 1e6, c.Boot * usSlow * profile.CpuBusyMa * profile.BatteryVoltageV / 1e6);
        return new SimulationReport(modelName, stream.Description, stream.Samples, (double)stream.Samples * samplePeriodUs / 3.6e9,
            samplePeriodUs, periodSource, profile.Name, profile.Source, c.Basis, policy, SettingsBreakEven(profile), boot, ends);
    }

    private static int SettingsBreakEven(DeviceProfile p) =>
        (int)Math.Min(int.MaxValue, Math.Max(Math.Ceiling(p.BreakEvenUs), p.WakeLatencyUs));

    /// <summary>The same model with a skip gate that always says "update" (Δũ = σ(8) ≈ 1): the no-skip baseline.</summary>
    public static SkipGruModel NeverSkipping(SkipGruModel m, EventRule rule)
    {
        int h = m.HiddenSize;
        var gate = new QuantizedMatrix("skip_gate", 1, h, null, new short[h], new int[1], new byte[] { 1 });
        SkipGruModel never = new SkipGruModel(m.Variant, m.Layers, m.Input, gate, 8 << QFormat.PreactFracBits, m.Head, m.HeadBias,
            m.InputFracBits, m.SamplePeriodMicros, m.ClassNames, null).WithEventRule(rule);
        return m.FrontEnd == null ? never : never.WithFrontEnd(m.FrontEnd);
    }

    /// <summary>MACs of a plain GRU of the model's shape: the Skip-GRU's update without the skip gate's row.</summary>
    public static int PlainGruMacs(SkipGruModel m) => m.MacsPerUpdate - m.HiddenSize;

    private static VariantResult RunOne(SimVariant variant, SkipGruModel model, EventRule rule, InterpreterCosts.ModelCosts c,
        SimStream stream, DeviceProfile p, double cyclesPerX86, SkipPolicy policy, int periodUs, SimTrace.Run? trace)
    {
        double usPerX86 = cyclesPerX86 / p.CpuClockMhz;
        double macs = variant == SimVariant.PlainGru ? PlainGruMacs(model) : model.MacsPerUpdate;
        double updateX86 = c.Update * macs / model.MacsPerUpdate;
        long updateUs = (long)Math.Round(updateX86 * usPerX86);
        long spanUs = (long)Math.Round(c.SkipSpan * usPerX86);
        long readCpuUs = (long)Math.Round(c.SensorRead * usPerX86);
        long readBusUs = (long)Math.Round(p.ReadBusUs), discardBusUs = (long)Math.Round(p.DiscardBusUs);
        var parameters = new BoardParameters
        {
            SamplePeriodMicros = periodUs,
            UpdateMicros = updateUs,
            SkipMicros = spanUs,
            FifoCapacity = (int)p.FifoCapacitySamples,
            ReadMicros = readBusUs + readCpuUs,
            DiscardMicros = discardBusUs + readCpuUs,
            WakeLatencyMicros = (long)p.WakeLatencyUs,
            SensorStartupMicros = (long)p.SensorStartupUs,
        };
        var board = new VirtualBoard(stream.X, stream.Inputs, parameters);
        SkipGruModel run = variant == SimVariant.SkipGru ? model.WithEventRule(rule) : NeverSkipping(model, rule);
        var detector = new StreamDetector(run, rule);
        var tracer = new Tracer(board, detector, c.PerSkippedSample * usPerX86, readCpuUs, readBusUs, discardBusUs, p, trace);
        board.Next = tracer;
        LoopSettings settings = board.DefaultSettings();
        settings.BreakEvenMicros = SettingsBreakEven(p);
        settings.Policy = policy;
        var loop = new StreamingLoop(detector, tracer, board.Clock, tracer, board.Sink, settings, board);
        try
        {
            loop.RunUntil(board.Sensor.Samples);
        }
        catch (StreamExhausted)
        {
            // Samples were lost to a full FIFO, so the recording ran out before the loop's count reached its end
            // (on a board the stream never ends); the loop was waiting for a sample that will never come.
        }
        tracer.Finish();

        ReplaySensor s = board.Sensor;
        var time = new TimeBreakdown(
            TotalUs: board.Clock.NowMicros,
            ComputeUs: board.UpdateCpuMicros + board.SkipCpuMicros + tracer.RuleMicros + readCpuUs * (s.Reads + s.Discards),
            BusUs: readBusUs * s.Reads + discardBusUs * s.Discards,
            IdleUs: board.Sleep.IdleMicros,
            WakeUs: board.Sleep.WakeMicros,
            SleepUs: board.Sleep.AsleepMicros,
            SensorOnUs: s.OnMicros);
        EnergyResult energy = EnergyModel.Compute(time, p);
        long skipped = loop.Counters.SkippedSamples;
        double worst = updateUs + readBusUs + readCpuUs;
        var rt = new RealTime(worst, periodUs, periodUs - worst, worst <= periodUs, s.HighWater, s.Capacity,
            s.LostToOverflow, board.MisalignedReads, s.LostToOverflow == 0 && board.MisalignedReads == 0);
        return new VariantResult(variant, macs, updateUs, readBusUs + readCpuUs, spanUs,
            skipped == 0 ? 0 : (board.SkipCpuMicros + tracer.RuleMicros) / (double)skipped,
            loop.Counters.Reads, skipped, s.Discards, loop.Counters.LightSleeps,
            (double)loop.Counters.Reads / stream.Samples, board.Sink.Events.Count, rt, time, energy);
    }

    /// <summary>
    /// Watches the loop (as the board's next observer, and as a pass-through sensor and sleep timer): adds the
    /// event rule's per-sample settling inside skipped spans to the clock, and records a timeline for the plot.
    /// </summary>
    private sealed class Tracer(VirtualBoard board, StreamDetector detector, double ruleUsPerSample, long readCpuUs, long readBusUs,
        long discardBusUs, DeviceProfile p, SimTrace.Run? trace) : ILoopObserver, IFifoSensor, ISleepTimer
    {
        private double _ruleCarry;
        public long RuleMicros { get; private set; }

        private long Now => board.Clock.NowMicros;
        private bool Recording => trace != null && Now < trace.HorizonUs;

        public void Updated(long sampleIndex)
        {
            if (Recording)
            {
                trace!.Segment(Now - board.Parameters.UpdateMicros, Now, p.CpuBusyMa);
                trace.Update(Now, sampleIndex, detector.Rnn.UpdateProbability / 32768.0);
            }
        }

        public void Skipped(int samples)
        {
            long start = Now - board.Parameters.SkipMicros;
            _ruleCarry += samples * ruleUsPerSample;
            long extra = (long)Math.Floor(_ruleCarry);
            _ruleCarry -= extra;
            board.Clock.Advance(extra);
            RuleMicros += extra;
            if (Recording)
            {
                trace!.Segment(start, Now, p.CpuBusyMa);
                trace.Skip(Now, detector.Rnn.UpdateProbability / 32768.0);
            }
        }

        public void Finish()
        {
            if (trace == null) return;
            foreach (var e in board.Sink.Events)
                if (e.Micros < trace.HorizonUs) trace.Event(e.Micros, e.SampleIndex);
        }

        // IFifoSensor: the board's sensor, timed.
        public int FrameSize => board.Sensor.FrameSize;
        public int SamplesAvailable => board.Sensor.SamplesAvailable;
        public int Capacity => board.Sensor.Capacity;
        public bool TakeOverflow() => board.Sensor.TakeOverflow();

        public void Read(int[] frame)
        {
            long t0 = Now;
            board.Sensor.Read(frame);
            if (trace != null && t0 < trace.HorizonUs)
            {
                trace.Segment(t0, t0 + readBusUs, p.CpuIdleMa);
                trace.Segment(t0 + readBusUs, t0 + readBusUs + readCpuUs, p.CpuBusyMa);
            }
        }

        public int Discard(int count)
        {
            long t0 = Now;
            int gone = board.Sensor.Discard(count);
            if (trace != null && t0 < trace.HorizonUs)
                for (int i = 0; i < count; i++)
                {
                    long s = t0 + i * (discardBusUs + readCpuUs);
                    trace.Segment(s, s + discardBusUs, p.CpuIdleMa);
                    trace.Segment(s + discardBusUs, s + discardBusUs + readCpuUs, p.CpuBusyMa);
                }
            return gone;
        }

        public void PowerDown()
        {
            board.Sensor.PowerDown();
            if (Recording) trace!.Sensor(Now, false);
        }

        public void PowerUp()
        {
            board.Sensor.PowerUp();
            if (Recording) trace!.Sensor(Now, true);
        }

        /// <summary>
        /// The loop waits for a sample the recording no longer has (every sample has been read, dropped, lost or not
        /// sampled, and the FIFO is empty): the run is over.
        /// </summary>
        private void StopIfExhausted()
        {
            ReplaySensor s = board.Sensor;
            if (detector.SamplesToSkip == 0 && s.SamplesAvailable == 0 && s.Reads + s.Discards + s.LostToOverflow + s.NotSampled >= s.Samples)
                throw new StreamExhausted();
        }

        // ISleepTimer: the board's sleep, timed.
        public void LightSleep(long micros)
        {
            StopIfExhausted();
            long t0 = Now;
            board.Sleep.LightSleep(micros);
            if (trace != null && t0 < trace.HorizonUs)
            {
                trace.Segment(t0, t0 + micros, p.LightSleepMa);
                trace.Segment(t0 + micros, Now, p.WakeCurrentMa);
            }
        }

        public void Idle(long micros)
        {
            StopIfExhausted();
            long t0 = Now;
            board.Sleep.Idle(micros);
            if (trace != null && t0 < trace.HorizonUs) trace.Segment(t0, Now, p.CpuIdleMa);
        }
    }
}

internal sealed class StreamExhausted : Exception;

/// <summary>The Skip-GRU runs' timelines over the first <see cref="HorizonUs"/> µs, for the plot.</summary>
public sealed class SimTrace(long horizonUs, double sensorOnMa, double sensorOffMa)
{
    public long HorizonUs => horizonUs;
    public Dictionary<string, Run> Ends { get; } = [];

    public Run For(string end) => Ends.TryGetValue(end, out Run? r) ? r : Ends[end] = new Run(horizonUs, sensorOnMa, sensorOffMa);

    public sealed class Run(long horizonUs, double sensorOnMa, double sensorOffMa)
    {
        public long HorizonUs => horizonUs;
        /// <summary>CPU current segments: start, end (µs), mA.</summary>
        public List<(long Start, long End, double Ma)> Cpu { get; } = [];
        /// <summary>Sensor power switches: time, on.</summary>
        public List<(long Micros, bool On)> SensorSwitches { get; } = [(0, true)];
        /// <summary>ũ after each update or skipped span, with the time.</summary>
        public List<(long Micros, double U, bool Update)> U { get; } = [];
        public List<(long Micros, long Sample)> Updates { get; } = [];
        public List<(long Micros, long Sample)> Events { get; } = [];
        public double SensorOnMa => sensorOnMa;
        public double SensorOffMa => sensorOffMa;

        internal void Segment(long start, long end, double ma) { if (end > start) Cpu.Add((start, end, ma)); }
        internal void Update(long micros, long sample, double u) { Updates.Add((micros, sample)); U.Add((micros, u, true)); }
        internal void Skip(long micros, double u) => U.Add((micros, u, false));
        internal void Event(long micros, long sample) => Events.Add((micros, sample));
        internal void Sensor(long micros, bool on) => SensorSwitches.Add((micros, on));
    }
}
