using SkipRnn.Edge.Application;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;
using Xunit.Abstractions;

namespace SkipRnn.Board.Tests;

/// <summary>
/// The keyword loop kept up on the virtual board (the byte-level I2S driver model, the shipped keyword model, the
/// firmware's settings: microphone stopped through long spans) over the test stream repeated, once clean and once with
/// ten faults an hour cycling through failed I2S reads, stalled DMA (10–300 ms) and a blocked serial line (500 ms), at
/// seeded random times at least a minute apart, with the software watchdog armed. The loop must never stop, count every
/// fault that struck, compute no frame on a misplaced window or on start-up zeros, never trip the watchdog; the model's
/// state is compared with the clean run's after every update, and outside the spans where it was off the clean run's
/// track the words must be the clean run's.
/// <para>
/// CI runs <see cref="DefaultHours"/> hours. The day: <c>SKIPRNN_KEYWORD_FAULT_HOURS=24 dotnet test tests/SkipRnn.Board.Tests
/// -c Release --filter FullyQualifiedName~KeywordDayTests</c> (firmware/README.md has its figures).
/// </para>
/// </summary>
public class KeywordDayTests(ITestOutputHelper output)
{
    private const int DefaultHours = 1;
    private const int FaultsPerHour = 10;
    private const long WatchdogTimeoutMicros = 10_000_000;
    private static readonly BoardFault[] Kinds = [BoardFault.I2sReadFailed, BoardFault.DmaStall, BoardFault.SinkBlocked];

    private static int Hours => int.TryParse(Environment.GetEnvironmentVariable("SKIPRNN_KEYWORD_FAULT_HOURS"), out int h) && h > 0 ? h : DefaultHours;

    /// <summary>
    /// The detector's state as far as it shows: the Skip-GRU's whole state (hidden states, outputs, ũ, its increment,
    /// steps to skip) and the event rule's (per-class scores, the head class, each word's armed flag and current run, its last
    /// event while its refractory period lasts), 64-bit FNV-1a.
    /// </summary>
    internal static ulong Fingerprint(StreamDetector detector, short[] state)
    {
        SkipGru rnn = detector.Rnn;
        EventSmoother rule = detector.Smoother;
        var h = new StateHash();
        void Mix(long v) => h.Mix(v);
        h.Mix(rnn, state);
        for (int c = 0; c < rnn.Model.OutputSize; c++)
        {
            Mix(rule.Score(c));
            if (!rule.Rule.IsEventClass(c)) continue;
            // A word's last event matters while its refractory period lasts.
            bool recent = rule.HasEventOf(c) && rule.Step - rule.LastEventStepOf(c) < rule.Rule.RefractorySteps;
            Mix(recent ? rule.Step - rule.LastEventStepOf(c) : -1);
            Mix(rule.IsArmed(c) ? 1 : 0);
            Mix(rule.RunStartOf(c) < 0 ? -1 : rule.Step - rule.RunStartOf(c));
        }
        Mix(rule.CurrentClass);
        return h.Value;
    }

    /// <summary>The board's own accounting (costs, alignment checks), then an action at every update.</summary>
    internal sealed class OnUpdate(ILoopObserver board, Action<long> updated) : ILoopObserver
    {
        public void Updated(long frame)
        {
            board.Updated(frame);
            updated(frame);
        }

        public void Skipped(int frames) => board.Skipped(frames);
    }

    private sealed class RepeatedPcm(short[] pcm, long length) : IPcmSamples
    {
        public long Length => length;
        public short this[long index] => pcm[index % pcm.Length];
    }

    private static KeywordLoopSettings FirmwareSettings(KeywordBoard board)
    {
        KeywordLoopSettings s = board.DefaultSettings();
        s.Policy = MicPolicy.SleepThroughSpans;       // firmware/keyword/Program.cs
        return s;
    }

    private static List<ScheduledFault> Schedule(int hours, int seed) =>
        FaultDays.Schedule(Kinds, FaultsPerHour, hours, seed, (kind, rng) => kind switch
        {
            BoardFault.DmaStall => 10_000 + rng.Next(0, 290_000),
            BoardFault.SinkBlocked => 500_000,
            _ => 0,
        });

    [Fact]
    public void Ten_faults_an_hour_never_stop_the_loop_every_fault_is_counted_and_the_words_stay_the_clean_runs()
    {
        int hours = Hours;
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        long length = hours * 3600L * 16000;
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };
        var started = DateTime.UtcNow;

        // The clean run: the model's state after every update.
        var clean = new KeywordBoard(new RepeatedPcm(KeywordData.Stream, length), parameters);
        StreamDetector d0 = AppBoot.Start(file, clean.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var cleanState = new Dictionary<long, ulong>();
        var buffer = new short[d0.Rnn.Model.HiddenSize];
        var l0 = new KeywordLoop(d0, clean.Source, clean.Clock, clean.BoardSleep, clean.Sink, FirmwareSettings(clean),
            new OnUpdate(clean, f => cleanState[f] = Fingerprint(d0, buffer)));
        l0.RunUntil(clean.Frames);
        double cleanSeconds = (DateTime.UtcNow - started).TotalSeconds;

        // The faulty run, the watchdog armed.
        List<ScheduledFault> schedule = Schedule(hours, 21);
        var board = new KeywordBoard(new RepeatedPcm(KeywordData.Stream, length), parameters);
        foreach (ScheduledFault f in schedule)
        {
            if (f.Kind == BoardFault.I2sReadFailed) board.Mic.FailReadAt(f.At);
            else if (f.Kind == BoardFault.DmaStall) board.Mic.StallAt(f.At, f.Micros);
        }
        var sink = new BlockingSink(board.Sink, board.Clock, schedule);
        StreamDetector d1 = AppBoot.Start(file, sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var updates = new List<(long Micros, long Frame, bool OnTrack, bool Missed)>();
        long missedBefore = 0;
        KeywordLoop? loop = null;
        long lossDiverged = -1;        // board time since which the loop's count of overflow losses has differed from the driver's
        loop = new KeywordLoop(d1, board.Source, board.Clock, board.BoardSleep, sink, FirmwareSettings(board),
            new OnUpdate(board, f =>
            {
                long missed = loop!.Counters.MissedFrames;
                updates.Add((board.Clock.NowMicros, f, cleanState.TryGetValue(f, out ulong s) && s == Fingerprint(d1, buffer), missed != missedBefore));
                missedBefore = missed;
                if (loop!.Counters.SamplesLost == board.Mic.LostToOverflow) lossDiverged = -1;
                else if (lossDiverged < 0) lossDiverged = board.Clock.NowMicros;
            }));
        var watchdog = new LoopWatchdog(board.Clock, WatchdogTimeoutMicros);
        loop.Watchdog = watchdog;
        board.Clock.Advanced = new VirtualWatchdogThread(board.Clock, watchdog).Run;
        loop.RunUntil(board.Frames);          // a fault that escaped the loop, or a watchdog restart, ends the test here
        board.Clock.Advanced = null;
        double allSeconds = (DateTime.UtcNow - started).TotalSeconds;

        // Per fault, from its time to the next fault's: did the model leave the clean run's track, when was it back.
        var struck = schedule.Where(f => f.Kind != BoardFault.SinkBlocked).Select(f => (f.At, f.Kind))
            .Concat(sink.StruckAt.Select(t => (At: t, Kind: BoardFault.SinkBlocked))).OrderBy(f => f.At).ToList();
        var tally = Kinds.ToDictionary(k => k, _ => (Lossless: 0, Lossy: 0, Unsettled: 0, Unmeasured: 0, Settle: new List<double>()));
        int u = 0;
        bool onTrack = true;
        for (int i = 0; i < struck.Count; i++)
        {
            long from = struck[i].At, to = i + 1 < struck.Count ? struck[i + 1].At : long.MaxValue;
            while (u < updates.Count && updates[u].Micros < from) { onTrack = updates[u].OnTrack; u++; }
            long firstOff = -1, backAt = -1;
            for (int v = u; v < updates.Count && updates[v].Micros < to; v++)
            {
                if (!updates[v].OnTrack) { if (firstOff < 0) firstOff = updates[v].Micros; backAt = -1; }
                else if (firstOff >= 0 && backAt < 0) backAt = updates[v].Micros;
            }
            var k = tally[struck[i].Kind];
            if (!onTrack) k.Unmeasured++;
            else if (firstOff < 0) k.Lossless++;
            else
            {
                k.Lossy++;
                if (backAt >= 0) k.Settle.Add((backAt - from) / 1e6);
                else k.Unsettled++;
            }
            tally[struck[i].Kind] = k;
        }
        // Off the clean run's track: from an update whose state differs to the next one whose state is equal, and every
        // span of frames the loop missed (the model held its state through them, the clean run may not have).
        var pieces = new List<(long From, long To)>();
        for (int i = 0; i < updates.Count; i++)
        {
            if (updates[i].Missed) pieces.Add((i > 0 ? updates[i - 1].Frame + 1 : 0, updates[i].Frame + 1));
            if (!updates[i].OnTrack) pieces.Add((updates[i].Frame, i + 1 < updates.Count ? updates[i + 1].Frame : board.Frames));
        }
        var offSpans = new List<(long From, long To)>();
        foreach (var p in pieces.OrderBy(p => p.From))
        {
            if (offSpans.Count > 0 && p.From <= offSpans[^1].To) offSpans[^1] = (offSpans[^1].From, Math.Max(offSpans[^1].To, p.To));
            else offSpans.Add(p);
        }
        var offStarts = offSpans.Select(s => s.From).ToArray();
        bool Off(long frame)
        {
            int i = Array.BinarySearch(offStarts, frame);
            if (i < 0) i = ~i - 1;
            return i >= 0 && frame < offSpans[i].To;
        }
        var want = clean.Sink.Events.Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var got = board.Sink.Events.Concat(sink.DroppedEvents).Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var differing = want.Except(got).Select(e => ("clean", e)).Concat(got.Except(want).Select(e => ("faulty", e))).OrderBy(x => x.e.SampleIndex).ToList();
        int differ = differing.Count;
        string Before(long frame)
        {
            var f = struck.LastOrDefault(x => x.At <= frame * 20_000);
            return f == default ? "no fault before" : $"{f.Kind} at {f.At / 1e6:F1} s, {frame * 0.02 - f.At / 1e6:F1} s before";
        }

        KeywordLoopCounters c = loop.Counters;
        int failures = schedule.Count(f => f.Kind == BoardFault.I2sReadFailed);
        int stalls = schedule.Count(f => f.Kind == BoardFault.DmaStall);
        string Dist(List<double> s) => s.Count == 0 ? "-" : $"median {s.Order().ElementAt(s.Count / 2):F1} s, 90 % {s.Order().ElementAt(s.Count * 9 / 10):F1} s, max {s.Max():F1} s";
        output.WriteLine($"{hours} h, {board.Frames:N0} frames ({loop.Detector.Step:N0} run), host time {cleanSeconds:F0} s clean + {allSeconds - cleanSeconds:F0} s faulty; " +
            $"scheduled {failures} failed reads, {stalls} DMA stalls, {schedule.Count - failures - stalls} blocked lines");
        output.WriteLine($"  struck: failed reads {board.Mic.FailedReads}, stalls {board.Mic.StallsStruck} (felt by a read {board.Mic.StallsFelt}), blocked lines {sink.StruckAt.Count}; " +
            $"loop: microphone faults {c.MicFaults}, stalls realigned {c.MicStalls} ({c.SamplesLostToStalls:N0} samples), overflows {c.Overflows} ({c.SamplesLost:N0} samples lost), " +
            $"lines dropped {sink.DroppedEvents.Count + sink.DroppedMessages.Count + sink.DroppedOverflows}; microphone starts {board.Mic.Starts}; frames missed {c.MissedFrames:N0}, " +
            $"misaligned {board.MisalignedFrames}, on start-up zeros {board.FramesWithZeros}; watchdog never fired");
        foreach (var (kind, k) in tally)
            output.WriteLine($"  {kind}: {k.Lossless} left the model on the clean run's track, {k.Lossy} took it off; back on track: {Dist(k.Settle)}; " +
                $"not back before the next fault: {k.Unsettled}; struck while off track (not measured): {k.Unmeasured}");
        output.WriteLine($"  words: clean {clean.Sink.Events.Count}, faulty {board.Sink.Events.Count} + {sink.DroppedEvents.Count} on dropped lines; model off track for " +
            $"{offSpans.Sum(s => s.To - s.From) * 0.02:F0} s in {offSpans.Count} spans; outside them {want.Count} clean words, differing {differ}");
        foreach (var (run, e) in differing.Take(10))
            output.WriteLine($"    differing: {run} word {e.Class} at frame {e.SampleIndex} ({e.Confidence} %); last fault: {Before(e.SampleIndex)}");
        if (lossDiverged >= 0)
            output.WriteLine($"    the loop's overflow losses differ from the driver's since {lossDiverged / 1e6:F3} s; last fault: {Before(lossDiverged / 20_000)}");

        Assert.Equal(board.Frames, loop.Detector.Step);
        Assert.Equal((0L, 0L, 0L), (board.MisalignedFrames, board.FramesWithZeros, c.StartupSamplesUsed));
        Assert.Equal(failures, board.Mic.FailedReads);
        Assert.Equal(failures, c.MicFaults);
        Assert.Equal(board.Mic.StallsFelt, c.MicStalls);                // every stall that shifted a buffer read is seen and realigned
        Assert.Equal(schedule.Count - failures - stalls, sink.StruckAt.Count);
        Assert.Equal(sink.StruckAt.Count, c.Overflows);                  // each 500 ms block overflows the 128 ms queue once, counted
        Assert.Equal(c.SamplesLost, board.Mic.LostToOverflow);
        Assert.Equal(0, differ);
    }
}
