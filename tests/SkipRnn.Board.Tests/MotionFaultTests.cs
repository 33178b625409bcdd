using SkipRnn.Edge.Application;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;
using Xunit.Abstractions;

namespace SkipRnn.Board.Tests;

/// <summary>
/// The motion loop (StreamingLoop) kept up for 24 virtual hours on the test users' recordings played end to end, once
/// clean and once with ten faults an hour injected in the board emulator (Board/FaultInjection.cs: I2C NACK, a
/// transfer cut short, MPU-6050 reset, FIFO count out of frame, serial sink blocked), cycling through the kinds at
/// seeded random times at least a minute apart, with the software watchdog armed. The loop must never stop, count
/// every fault that struck, read only the samples it means, never trip the watchdog; a fault that takes no sample the
/// model needs must leave the model exactly on the clean run's track; for one that does, how long the model takes to
/// come back onto it is measured (the Skip-GRU's state compared with the clean run's at every update).
/// </summary>
public class MotionFaultTests(ITestOutputHelper output)
{
    private const int Hours = 24;
    private const int FaultsPerHour = 10;
    private const long WatchdogTimeoutMicros = 10_000_000;

    private static int[] Day(int period, int hours, out long samples)
    {
        int[] x = MotionData.Recording.X;
        int inputs = MotionData.Recording.Inputs;
        samples = (long)hours * 3600 * 1_000_000 / period;
        var day = new int[samples * inputs];
        for (long i = 0; i < day.Length; i += x.Length)
            Array.Copy(x, 0, day, i, (int)Math.Min(x.Length, day.Length - i));
        return day;
    }

    /// <summary>
    /// <paramref name="perHour"/> faults an hour at seeded random times at least a minute apart, cycling through
    /// <paramref name="kinds"/>.
    /// </summary>
    private static List<ScheduledFault> Schedule(BoardFault[] kinds, int perHour, int seed) =>
        FaultDays.Schedule(kinds, perHour, Hours, seed, (kind, rng) => kind switch
        {
            BoardFault.I2cNack => 20_000 + rng.Next(0, 300_000),
            BoardFault.I2cPartial => rng.Next(1, 12),            // bytes the cut transfer took
            BoardFault.SinkBlocked => 1_000_000,
            _ => 0,
        });

    /// <summary>The Skip-GRU's whole state (hidden states, outputs, ũ, its increment, steps to skip), 64-bit FNV-1a.</summary>
    private static ulong Fingerprint(SkipGru rnn)
    {
        var h = new StateHash();
        h.Mix(rnn, new short[rnn.Model.HiddenSize]);
        return h.Value;
    }

    private sealed class KindTally
    {
        public int Lossless, Lossy, Unsettled, Unmeasured;
        public List<double> Settle { get; } = [];
    }

    /// <summary>Calls an action at every update (after the board's own accounting).</summary>
    private sealed class OnUpdate(Action<long> updated) : ILoopObserver
    {
        public void Updated(long sampleIndex) => updated(sampleIndex);
        public void Skipped(int samples) { }
    }

    private static BoardParameters Parameters => new() { SamplePeriodMicros = MotionData.Model.SamplePeriodMicros, UpdateMicros = 10_000 };

    /// <summary>The clean day: its events and the model's state after every update (run once, shared by the tests).</summary>
    private static readonly Lazy<(int[] Day, long Samples, List<BoardEvent> Events, Dictionary<long, ulong> State)> Clean = new(() =>
    {
        int[] day = Day(MotionData.Model.SamplePeriodMicros, Hours, out long samples);
        var clean = new VirtualBoard(day, MotionData.Recording.Inputs, Parameters);
        StreamDetector d0 = AppBoot.Start(MotionData.ModelFile, clean.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var state = new Dictionary<long, ulong>();
        clean.Next = new OnUpdate(i => state[i] = Fingerprint(d0.Rnn));
        clean.CreateLoop(d0, clean.DefaultSettings()).RunUntil(samples);
        return (day, samples, clean.Sink.Events, state);
    });

    private sealed record FaultyDay(VirtualBoard Board, FaultySensor Sensor, BlockingSink Sink, StreamingLoop Loop,
        Dictionary<BoardFault, KindTally> PerKind, int LosslessOffTrack, double OffTrackSeconds, int OffSpans,
        int CleanEventsOnTrack, int EventsDiffering);

    /// <summary>
    /// The day with <paramref name="schedule"/>, the watchdog armed, every update compared with the clean run's at the
    /// same sample. Per fault, from its time to the next fault's: did the model leave the clean run's track, when was
    /// it back. Events compared outside the spans off track.
    /// </summary>
    private static FaultyDay RunFaulty(List<ScheduledFault> schedule, LossPolicy afterLoss)
    {
        var (day, samples, cleanEvents, cleanState) = Clean.Value;
        var board = new VirtualBoard(day, MotionData.Recording.Inputs, Parameters);
        var sensor = new FaultySensor(board.Sensor, board.Clock, schedule);
        var sink = new BlockingSink(board.Sink, board.Clock, schedule);
        StreamDetector d1 = AppBoot.Start(MotionData.ModelFile, sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var updates = new List<(long Micros, long Index, bool OnTrack)>();
        board.Next = new OnUpdate(i => updates.Add((board.Clock.NowMicros, i,
            cleanState.TryGetValue(i, out ulong s) && s == Fingerprint(d1.Rnn))));
        LoopSettings settings = board.DefaultSettings();
        settings.AfterLoss = afterLoss;
        var loop = new StreamingLoop(d1, sensor, board.Clock, board.Sleep, sink, settings, board);
        var watchdog = new LoopWatchdog(board.Clock, WatchdogTimeoutMicros);
        loop.Watchdog = watchdog;
        board.Clock.Advanced = new VirtualWatchdogThread(board.Clock, watchdog).Run;
        loop.RunUntil(samples);          // a fault that escaped the loop (or a watchdog restart) would end the test here
        board.Clock.Advanced = null;

        var faults = sensor.Log.Select(f => (f.At, f.Kind)).Concat(sink.StruckAt.Select(t => (At: t, Kind: BoardFault.SinkBlocked)))
            .OrderBy(f => f.At).ToList();
        var perKind = new Dictionary<BoardFault, KindTally>();
        int losslessOffTrack = 0, u = 0;
        bool onTrack = true;
        for (int f = 0; f < faults.Count; f++)
        {
            long from = faults[f].At, to = f + 1 < faults.Count ? faults[f + 1].At : long.MaxValue;
            while (u < updates.Count && updates[u].Micros < from) { onTrack = updates[u].OnTrack; u++; }
            long firstOff = -1, backAt = -1;
            for (int v = u; v < updates.Count && updates[v].Micros < to; v++)
            {
                if (!updates[v].OnTrack) { if (firstOff < 0) firstOff = updates[v].Micros; backAt = -1; }
                else if (firstOff >= 0 && backAt < 0) backAt = updates[v].Micros;
            }
            if (!perKind.TryGetValue(faults[f].Kind, out KindTally? k)) perKind[faults[f].Kind] = k = new KindTally();
            if (!onTrack) { k.Unmeasured++; continue; }      // the previous fault had not settled: not measurable
            if (firstOff < 0) k.Lossless++;
            else
            {
                k.Lossy++;
                if (backAt >= 0) k.Settle.Add((backAt - from) / 1e6);
                else k.Unsettled++;
            }
            if (firstOff >= 0 && faults[f].Kind is BoardFault.I2cNack or BoardFault.SinkBlocked) losslessOffTrack++;
        }

        var offSpans = new List<(long From, long To)>();
        for (int i = 0; i < updates.Count; i++)
        {
            if (updates[i].OnTrack) continue;
            int j = i;
            while (j + 1 < updates.Count && !updates[j + 1].OnTrack) j++;
            offSpans.Add((updates[i].Index, j + 1 < updates.Count ? updates[j + 1].Index : samples));
            i = j;
        }
        bool Off(long index) => offSpans.Any(s => index >= s.From && index < s.To);
        var want = cleanEvents.Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var got = board.Sink.Events.Concat(sink.DroppedEvents).Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        int differ = want.Except(got).Count() + got.Except(want).Count();
        return new FaultyDay(board, sensor, sink, loop, perKind, losslessOffTrack,
            offSpans.Sum(s => s.To - s.From) * (double)MotionData.Model.SamplePeriodMicros / 1e6, offSpans.Count, want.Count, differ);
    }

    private static string Dist(List<double> s) => s.Count == 0 ? "-" :
        $"median {s.Order().ElementAt(s.Count / 2):F1} s, 90 % {s.Order().ElementAt(s.Count * 9 / 10):F1} s, max {s.Max():F1} s";

    private void Report(FaultyDay r)
    {
        LoopCounters c = r.Loop.Counters;
        output.WriteLine($"after a loss: {r.Loop.Settings.AfterLoss}; {Hours} h, {r.Loop.Detector.Step:N0} samples; faults struck: " +
            string.Join(", ", r.Sensor.Struck.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")) + $", sink blocked {r.Sink.StruckAt.Count}; " +
            $"loop: sensor faults {c.SensorFaults} (retried {c.TransientFaults}, failed retries {c.RetryFailures}, silences {c.SensorSilences}), " +
            $"re-inits {c.SensorReinits}, failed re-init attempts {c.ReinitFailures}, realignments {c.Realignments} (cut reads {r.Sensor.CutReads}), " +
            $"samples lost to faults {c.SamplesLostToFaults} ({c.RepeatedUpdates} updates on a repeated sample), FIFO overflows {c.FifoOverflows}; " +
            $"misaligned reads {r.Board.MisalignedReads}; watchdog never fired; virtual time {r.Board.Clock.NowMicros / 3.6e9:F3} h");
        foreach (var (kind, k) in r.PerKind.OrderBy(kv => kv.Key))
            output.WriteLine($"  {kind}: {k.Lossless} left the model on the clean run's track, {k.Lossy} took it off; back on track: {Dist(k.Settle)}; " +
                $"not back before the next fault: {k.Unsettled}; struck while off track (not measured): {k.Unmeasured}");
        output.WriteLine($"  events: clean {Clean.Value.Events.Count}, faulty {r.Board.Sink.Events.Count} + {r.Sink.DroppedEvents.Count} on dropped lines; " +
            $"model off track for {r.OffTrackSeconds:F0} s in {r.OffSpans} spans; outside them {r.CleanEventsOnTrack} clean events, differing {r.EventsDiffering}");
    }

    [Fact]
    public void A_day_with_ten_faults_an_hour_never_stops_counts_every_fault_and_keeps_the_model_on_track()
    {
        BoardFault[] kinds = [BoardFault.I2cNack, BoardFault.I2cPartial, BoardFault.SensorReset, BoardFault.FifoMisaligned, BoardFault.SinkBlocked];
        FaultyDay r = RunFaulty(Schedule(kinds, FaultsPerHour, 21), new LoopSettings(1).AfterLoss);
        Report(r);
        LoopCounters c = r.Loop.Counters;
        FaultySensor sensor = r.Sensor;
        BlockingSink sink = r.Sink;
        int sensorFaults = sensor.Log.Count;
        int faultLines = r.Board.Sink.Messages.Count(m => m.StartsWith("sensor fault ", StringComparison.Ordinal) && !m.Contains("longer than the FIFO holds"));
        int faultLinesDropped = sink.DroppedMessages.Count(m => m.StartsWith("sensor fault ", StringComparison.Ordinal));
        Assert.Equal(Clean.Value.Samples, r.Loop.Detector.Step);
        Assert.Equal(0, r.Board.MisalignedReads);
        Assert.Equal(c.RepeatedUpdates, r.Board.RepeatedUpdates);          // every update without a new read is one the loop meant to repeat
        Assert.Equal(sensorFaults, c.SensorFaults);
        Assert.Equal(sensor.Struck.GetValueOrDefault(BoardFault.SensorReset), c.SensorSilences);
        Assert.Equal(sensor.CutReads, c.Realignments);
        Assert.Equal(Hours * FaultsPerHour / 5, sink.StruckAt.Count);
        Assert.True(sensorFaults >= Hours * FaultsPerHour * 4 / 5 * 3 / 4, "most scheduled sensor faults strike");
        Assert.Equal(c.SensorFaults, faultLines + faultLinesDropped);       // every fault told on the serial port (unless that line was the one blocked)
        // Transient bus errors are retried, not re-initialised: every NACK and every cut is retried, and only resets and
        // out-of-frame counts re-initialise the part.
        Assert.Equal(sensor.Struck.GetValueOrDefault(BoardFault.I2cNack) + sensor.Struck.GetValueOrDefault(BoardFault.I2cPartial), c.TransientFaults);
        Assert.Equal(sensor.Struck.GetValueOrDefault(BoardFault.SensorReset) + sensor.Struck.GetValueOrDefault(BoardFault.FifoMisaligned), c.SensorReinits);
        // Lossless faults keep the model exactly on the clean run's track: a NACK within the FIFO's 1.7 s and a blocked
        // serial line never take it off.
        Assert.Equal(0, r.LosslessOffTrack);
        Assert.True(r.PerKind[BoardFault.I2cNack].Lossless > 0 && r.PerKind[BoardFault.SinkBlocked].Lossless > 0);
        // Outside the spans off track, the events are the clean run's, exactly.
        Assert.Equal(0, r.EventsDiffering);
    }

    /// <summary>
    /// Faults that lose samples the model needed (MPU-6050 resets, FIFO counts out of frame), four an hour so that most
    /// settle before the next, once per <see cref="LossPolicy"/>: how long the model takes to come back onto the clean
    /// run's track. The default policy must be the one that is off track the least.
    /// </summary>
    [Fact]
    public void Over_lost_samples_the_default_policy_brings_the_model_back_on_track_soonest()
    {
        List<ScheduledFault> schedule = Schedule([BoardFault.SensorReset, BoardFault.FifoMisaligned], 4, 22);
        var off = new Dictionary<LossPolicy, double>();
        foreach (LossPolicy policy in new[] { LossPolicy.HoldState, LossPolicy.RepeatLastSample, LossPolicy.ResetState })
        {
            FaultyDay r = RunFaulty(schedule, policy);
            Report(r);
            Assert.Equal(0, r.Board.MisalignedReads);
            Assert.Equal(r.Loop.Counters.RepeatedUpdates, r.Board.RepeatedUpdates);
            Assert.Equal(0, r.EventsDiffering);
            off[policy] = r.OffTrackSeconds;
        }
        LossPolicy chosen = new LoopSettings(1).AfterLoss;
        Assert.Equal(off.MinBy(kv => kv.Value).Key, chosen);
    }

    /// <summary>
    /// A cut every 30 s for an hour: each cut is realigned (one sample lost, never a misread one) and none
    /// re-initialises the part. Draining the FIFO, the first FIFO read after a cut is nearly always a skipped sample's;
    /// with the sensor powered down through skipped spans it is the needed sample's, so some cuts cost an update.
    /// </summary>
    [Theory]
    [InlineData(SkipPolicy.DrainFifo)]
    [InlineData(SkipPolicy.PowerDownSensor)]
    public void A_cut_fifo_read_costs_one_sample_and_never_a_misread_one(SkipPolicy policy)
    {
        int period = MotionData.Model.SamplePeriodMicros;
        int[] hour = Day(period, 1, out long samples);
        var board = new VirtualBoard(hour, MotionData.Recording.Inputs, Parameters);
        var rng = new Random(23);
        var cuts = Enumerable.Range(1, 119).Select(i => new ScheduledFault(i * 30_000_000L + rng.Next(0, 20_000), BoardFault.I2cPartial, rng.Next(1, 12))).ToList();
        var sensor = new FaultySensor(board.Sensor, board.Clock, cuts);
        StreamDetector d = AppBoot.Start(MotionData.ModelFile, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        LoopSettings settings = board.DefaultSettings();
        settings.Policy = policy;
        var loop = new StreamingLoop(d, sensor, board.Clock, board.Sleep, board.Sink, settings, board);
        loop.RunUntil(samples);
        LoopCounters c = loop.Counters;
        output.WriteLine($"{policy}: {cuts.Count} cuts: {sensor.CutReads} FIFO reads cut, {c.Realignments} realignments, {c.SamplesLostToFaults} of them a needed sample " +
            $"({c.RepeatedUpdates} updates on a repeated sample), re-inits {c.SensorReinits}, misaligned reads {board.MisalignedReads}");
        Assert.Equal(cuts.Count, sensor.CutReads);
        Assert.Equal(sensor.CutReads, c.Realignments);
        Assert.Equal(cuts.Count, c.TransientFaults);
        Assert.Equal(0, c.SensorReinits);
        Assert.Equal(0, board.MisalignedReads);
        Assert.Equal(c.RepeatedUpdates, board.RepeatedUpdates);
        Assert.Equal(samples, d.Step);
        if (policy == SkipPolicy.PowerDownSensor) Assert.InRange(c.SamplesLostToFaults, 1, cuts.Count);
    }

    [Fact]
    public void A_board_layer_that_hangs_is_restarted_by_the_watchdog_and_the_loop_runs_again()
    {
        int period = MotionData.Model.SamplePeriodMicros;
        int[] hour = Day(period, 1, out long samples);
        var board = new VirtualBoard(hour, MotionData.Recording.Inputs, Parameters);
        const long hangAt = 20 * 60_000_000L;
        var sensor = new FaultySensor(board.Sensor, board.Clock, [new ScheduledFault(hangAt, BoardFault.SensorHang, 0)]);
        StreamingLoop Boot()
        {
            StreamDetector d = AppBoot.Start(MotionData.ModelFile, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
            var l = new StreamingLoop(d, sensor, board.Clock, board.Sleep, board.Sink, board.DefaultSettings(), null);
            var w = new LoopWatchdog(board.Clock, WatchdogTimeoutMicros);
            l.Watchdog = w;
            board.Clock.Advanced = new VirtualWatchdogThread(board.Clock, w).Run;
            return l;
        }
        StreamingLoop first = Boot();
        var restart = Assert.Throws<BoardRestartException>(() => first.RunUntil(samples));
        long hungFor = restart.Micros - hangAt;
        output.WriteLine($"hang at {hangAt / 1e6:F0} s; watchdog restart {hungFor / 1e6:F2} s later (timeout {WatchdogTimeoutMicros / 1e6:F0} s, checks every 1 s); " +
            $"before it: {first.Detector.Step} samples, {first.Counters.Events} events");
        // The restart: a new board layer (the hang is over), boot and self-test again, a new loop from sample 0.
        sensor.Restart();
        int eventsBefore = board.Sink.Events.Count;
        long restartMicros = board.Clock.NowMicros;
        StreamingLoop second = Boot();
        long rest = samples - restartMicros / period - 10;       // what the recording still holds after the restart
        second.RunUntil(rest);
        board.Clock.Advanced = null;
        output.WriteLine($"after it: {second.Detector.Step} samples in {(board.Clock.NowMicros - restartMicros) / 1e6:F0} s, " +
            $"{board.Sink.Events.Count - eventsBefore} events, sensor faults {second.Counters.SensorFaults}");
        Assert.InRange(hungFor, WatchdogTimeoutMicros, WatchdogTimeoutMicros + 2_000_000);
        Assert.True(first.Detector.Step > 0 && second.Detector.Step == rest);
        Assert.True(board.Sink.Events.Count > eventsBefore, "the restarted loop reports events again");
    }
}
