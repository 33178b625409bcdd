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

    private static List<ScheduledFault> Schedule()
    {
        var rng = new Random(21);
        BoardFault[] kinds = [BoardFault.I2cNack, BoardFault.I2cPartial, BoardFault.SensorReset, BoardFault.FifoMisaligned, BoardFault.SinkBlocked];
        var faults = new List<ScheduledFault>();
        long slot = 3600_000_000L / FaultsPerHour;
        for (int i = 0; i < Hours * FaultsPerHour; i++)
        {
            long at = i * slot + 30_000_000 + (long)(rng.NextDouble() * (slot - 60_000_000));
            BoardFault kind = kinds[i % kinds.Length];
            long micros = kind switch
            {
                BoardFault.I2cNack => 20_000 + rng.Next(0, 300_000),
                BoardFault.I2cPartial => rng.Next(1, 12),            // bytes the cut transfer took
                BoardFault.SinkBlocked => 1_000_000,
                _ => 0,
            };
            faults.Add(new ScheduledFault(at, kind, micros));
        }
        return faults;
    }

    /// <summary>The Skip-GRU's whole state (hidden states, outputs, ũ, its increment, steps to skip), 64-bit FNV-1a.</summary>
    private static ulong Fingerprint(SkipGru rnn)
    {
        ulong h = 14695981039346656037UL;
        void Mix(long v) { h = (h ^ (ulong)v) * 1099511628211UL; }
        var state = new short[rnn.Model.HiddenSize];
        for (int l = 0; l < rnn.Model.Layers.Length; l++)
        {
            rnn.CopyState(l, state);
            foreach (short s in state) Mix(s);
        }
        for (int o = 0; o < rnn.Model.OutputSize; o++) Mix(rnn.GetOutput(o));
        Mix(rnn.UpdateProbability);
        Mix(rnn.Increment);
        Mix(rnn.StepsToSkip);
        return h;
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

    /// <summary>
    /// With <paramref name="resetModelAfterLoss"/> the model starts afresh after a loss instead of holding its state
    /// through the gap: the two are compared by how long the model takes to come back onto the clean run's track.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_day_with_ten_faults_an_hour_never_stops_counts_every_fault_and_keeps_the_model_on_track(bool resetModelAfterLoss)
    {
        int period = MotionData.Model.SamplePeriodMicros;
        int[] day = Day(period, Hours, out long samples);
        int inputs = MotionData.Recording.Inputs;
        var parameters = new BoardParameters { SamplePeriodMicros = period, UpdateMicros = 10_000 };

        // The clean run: the model's state after every update.
        var clean = new VirtualBoard(day, inputs, parameters);
        StreamDetector d0 = AppBoot.Start(MotionData.ModelFile, clean.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var cleanState = new Dictionary<long, ulong>();
        clean.Next = new OnUpdate(i => cleanState[i] = Fingerprint(d0.Rnn));
        StreamingLoop l0 = clean.CreateLoop(d0, clean.DefaultSettings());
        l0.RunUntil(samples);

        // The faulty run, watchdog armed: every update compared with the clean run's at the same sample.
        var board = new VirtualBoard(day, inputs, parameters);
        List<ScheduledFault> schedule = Schedule();
        var sensor = new FaultySensor(board.Sensor, board.Clock, schedule);
        var sink = new BlockingSink(board.Sink, board.Clock, schedule);
        StreamDetector d1 = AppBoot.Start(MotionData.ModelFile, sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var updates = new List<(long Micros, long Index, bool OnTrack)>();
        board.Next = new OnUpdate(i => updates.Add((board.Clock.NowMicros, i,
            cleanState.TryGetValue(i, out ulong s) && s == Fingerprint(d1.Rnn))));
        LoopSettings settings = board.DefaultSettings();
        settings.ResetModelAfterLoss = resetModelAfterLoss;
        var loop = new StreamingLoop(d1, sensor, board.Clock, board.Sleep, sink, settings, board);
        var watchdog = new LoopWatchdog(board.Clock, WatchdogTimeoutMicros);
        loop.Watchdog = watchdog;
        var checker = new VirtualWatchdogThread(board.Clock, watchdog);
        board.Clock.Advanced = checker.Run;
        loop.RunUntil(samples);          // a fault that escaped the loop (or a watchdog restart) would end the test here
        board.Clock.Advanced = null;

        LoopCounters c = loop.Counters;
        int sensorFaults = sensor.Log.Count;
        var faults = sensor.Log.Select(f => (f.At, f.Kind)).Concat(sink.StruckAt.Select(t => (At: t, Kind: BoardFault.SinkBlocked)))
            .OrderBy(f => f.At).ToList();

        // Per fault, from its time to the next fault's: did the model lose a sample it needed (an update that is not
        // the clean run's, or a missed one), when was it back on the clean run's track, did it stay there.
        var perKind = new Dictionary<BoardFault, KindTally>();
        int losslessOffTrack = 0;
        int u = 0;
        bool onTrack = true;
        for (int f = 0; f < faults.Count; f++)
        {
            long from = faults[f].At, to = f + 1 < faults.Count ? faults[f + 1].At : long.MaxValue;
            while (u < updates.Count && updates[u].Micros < from) { onTrack = updates[u].OnTrack; u++; }
            bool wasOnTrack = onTrack;
            long firstOff = -1, backAt = -1;
            int v = u;
            for (; v < updates.Count && updates[v].Micros < to; v++)
            {
                if (!updates[v].OnTrack) { if (firstOff < 0) firstOff = updates[v].Micros; backAt = -1; }
                else if (firstOff >= 0 && backAt < 0) backAt = updates[v].Micros;
            }
            if (!perKind.TryGetValue(faults[f].Kind, out KindTally? k)) perKind[faults[f].Kind] = k = new KindTally();
            if (!wasOnTrack) { k.Unmeasured++; continue; }      // the previous fault had not settled: not measurable
            if (firstOff < 0) k.Lossless++;
            else
            {
                k.Lossy++;
                if (backAt >= 0) k.Settle.Add((backAt - from) / 1e6);
                else k.Unsettled++;
            }
            if (firstOff >= 0 && faults[f].Kind is BoardFault.I2cNack or BoardFault.SinkBlocked) losslessOffTrack++;
        }
        string Dist(List<double> s) => s.Count == 0 ? "-" : $"median {s.Order().ElementAt(s.Count / 2):F1} s, 90 % {s.Order().ElementAt(s.Count * 9 / 10):F1} s, max {s.Max():F1} s";
        output.WriteLine($"after a loss the model {(resetModelAfterLoss ? "starts afresh" : "holds its state")}; " +
            $"{Hours} h at {1_000_000 / period} Hz: {samples:N0} samples; faults struck: " +
            string.Join(", ", sensor.Struck.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")) + $", sink blocked {sink.StruckAt.Count}; " +
            $"loop: sensor faults {c.SensorFaults} (retried {c.TransientFaults}, failed retries {c.RetryFailures}, silences {c.SensorSilences}), " +
            $"re-inits {c.SensorReinits}, failed re-init attempts {c.ReinitFailures}, realignments {c.Realignments} (cut reads {sensor.CutReads}), " +
            $"samples lost to faults {c.SamplesLostToFaults}, FIFO overflows {c.FifoOverflows}; misaligned reads {board.MisalignedReads}; " +
            $"watchdog never fired; virtual time {board.Clock.NowMicros / 3.6e9:F3} h");
        foreach (var (kind, k) in perKind.OrderBy(kv => kv.Key))
            output.WriteLine($"  {kind}: {k.Lossless} left the model on the clean run's track, {k.Lossy} took it off; back on track: {Dist(k.Settle)}; " +
                $"not back before the next fault: {k.Unsettled}; struck while off track (not measured): {k.Unmeasured}");

        // Events: equal to the clean run's outside the spans where the model was off track (a blocked line is an event all the same).
        var offSpans = new List<(long From, long To)>();
        for (int i = 0; i < updates.Count; i++)
        {
            if (updates[i].OnTrack) continue;
            int j = i;
            while (j + 1 < updates.Count && !updates[j + 1].OnTrack) j++;
            long end = j + 1 < updates.Count ? updates[j + 1].Index : samples;
            offSpans.Add((updates[i].Index, end));
            i = j;
        }
        bool Off(long index) => offSpans.Any(s => index >= s.From && index < s.To);
        var want = clean.Sink.Events.Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var got = board.Sink.Events.Concat(sink.DroppedEvents).Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence))
            .OrderBy(e => e.SampleIndex).ToList();
        int differ = want.Except(got).Count() + got.Except(want).Count();
        output.WriteLine($"events: clean {clean.Sink.Events.Count}, faulty {board.Sink.Events.Count} + {sink.DroppedEvents.Count} on dropped lines; " +
            $"model off track for {offSpans.Sum(s => s.To - s.From) * period / 1e6:F0} s in {offSpans.Count} spans; outside them {want.Count} clean events, differing {differ}");

        int faultLines = board.Sink.Messages.Count(m => m.StartsWith("sensor fault ", StringComparison.Ordinal) && !m.Contains("longer than the FIFO holds"));
        int faultLinesDropped = sink.DroppedMessages.Count(m => m.StartsWith("sensor fault ", StringComparison.Ordinal));
        Assert.Equal(samples, loop.Detector.Step);
        Assert.Equal(0, board.MisalignedReads);
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
        Assert.Equal(0, losslessOffTrack);
        Assert.True(perKind[BoardFault.I2cNack].Lossless > 0 && perKind[BoardFault.SinkBlocked].Lossless > 0);
        // Outside the spans off track, the events are the clean run's, exactly.
        Assert.Equal(0, differ);
    }

    [Fact]
    public void A_board_layer_that_hangs_is_restarted_by_the_watchdog_and_the_loop_runs_again()
    {
        int period = MotionData.Model.SamplePeriodMicros;
        int[] hour = Day(period, 1, out long samples);
        var board = new VirtualBoard(hour, MotionData.Recording.Inputs, new BoardParameters { SamplePeriodMicros = period, UpdateMicros = 10_000 });
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
