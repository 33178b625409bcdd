using SkipRnn.Edge.Application;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Streaming;
using Xunit.Abstractions;

namespace SkipRnn.Board.Tests;

/// <summary>
/// The keyword loop through failed I2S reads (nanoFramework's Read throws when i2s_read fails): one virtual hour of
/// the test stream repeated, ten failures at seeded random times at least a minute apart. The loop must never stop,
/// count every failure, restart the microphone, compute no frame from start-up zeros or a misplaced window, and keep
/// the clean run's words before the first failure. The day with every keyword fault kind is KeywordDayTests.
/// </summary>
public class KeywordFaultTests(ITestOutputHelper output)
{
    [Fact]
    public void An_hour_with_ten_failed_i2s_reads_never_stops_and_counts_every_one()
    {
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        long length = 3600L * 16000;
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };

        var clean = new KeywordBoard(new RepeatedPcm(KeywordData.Stream, length), parameters);
        StreamDetector d0 = AppBoot.Start(file, clean.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        KeywordLoop l0 = clean.CreateLoop(d0, clean.DefaultSettings());
        l0.RunUntil(clean.Frames);

        var board = new KeywordBoard(new RepeatedPcm(KeywordData.Stream, length), parameters);
        var rng = new Random(21);
        var at = new List<long>();
        for (int i = 0; i < 10; i++) at.Add(i * 360_000_000L + 30_000_000 + (long)(rng.NextDouble() * 300_000_000));
        foreach (long t in at) board.Mic.FailReadAt(t);
        StreamDetector d1 = AppBoot.Start(file, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        KeywordLoop loop = board.CreateLoop(d1, board.DefaultSettings());
        loop.RunUntil(board.Frames);

        KeywordLoopCounters c = loop.Counters;
        long first = at.Min() * 16 / 1000 / 320;     // the frame at the first failure's time (the clock is the stream's)
        var before0 = clean.Sink.Events.Where(e => e.SampleIndex < first).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var before1 = board.Sink.Events.Where(e => e.SampleIndex < first).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        output.WriteLine($"1 h: {board.Frames:N0} frames; clean {clean.Sink.Events.Count} words, faulty {board.Sink.Events.Count}; failed reads {board.Mic.FailedReads}, " +
            $"loop microphone faults {c.MicFaults}, frames missed {c.MissedFrames}, misaligned {board.MisalignedFrames}, frames on start-up zeros {board.FramesWithZeros}, " +
            $"microphone starts {board.Mic.Starts}; words before the first failure equal: {before0.SequenceEqual(before1)} ({before0.Count})");
        Assert.Equal(board.Frames, loop.Detector.Step);
        Assert.Equal(10, board.Mic.FailedReads);
        Assert.Equal(10, c.MicFaults);
        Assert.Equal(10, board.Sink.Messages.Count(m => m.StartsWith("microphone fault ", StringComparison.Ordinal)));
        Assert.Equal((0L, 0L, 0L), (board.MisalignedFrames, board.FramesWithZeros, c.StartupSamplesUsed));
        Assert.Equal(before0, before1);
        // A restart misses the frames whose windows start before the microphone's start-up ends: up to 12.8 frames,
        // fewer when the loop had started the microphone ahead of the frame it needed (a skipped span ending).
        Assert.InRange(c.MissedFrames, 10, 10 * (256_000 / 20_000 + 1));
    }

    /// <summary>
    /// A serial line that blocks (SerialEventSink waits its 500 ms write timeout, then drops the line): on the keyword
    /// board the loop stands still for half a second, four times the 128 ms the DMA queue holds. The driver drops the
    /// oldest buffers meanwhile; the loop must see that by its clock, count the overflow, miss the frames whose windows
    /// are gone (never computing one from a misplaced window) and go on; the blocked line is dropped and counted.
    /// </summary>
    [Fact]
    public void A_blocked_serial_line_costs_the_frames_of_half_a_second_counted_and_the_loop_goes_on()
    {
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };
        var clean = new KeywordBoard(KeywordData.Stream, parameters);
        clean.RunStream(file);

        var board = new KeywordBoard(KeywordData.Stream, parameters);
        long[] at = { 12_000_000, 30_000_000, 47_000_000 };
        var sink = new BlockingSink(board.Sink, board.Clock, at.Select(t => new ScheduledFault(t, BoardFault.SinkBlocked, 500_000)));
        StreamDetector d = AppBoot.Start(file, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var loop = new KeywordLoop(d, board.Source, board.Clock, board.BoardSleep, sink, board.DefaultSettings(), board);
        loop.RunUntil(board.Frames);

        KeywordLoopCounters c = loop.Counters;
        long firstBlock = sink.StruckAt.Min() * 16 / 1000 / 320;   // the frame being run when the first line blocked
        // Up to the first block the words are the clean run's (the line that blocked was one of them, dropped).
        var before0 = clean.Sink.Events.Where(e => e.SampleIndex <= firstBlock).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var before1 = board.Sink.Events.Concat(sink.DroppedEvents).Where(e => e.SampleIndex <= firstBlock).OrderBy(e => e.SampleIndex)
            .Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        output.WriteLine($"{board.Frames:N0} frames, three 500-ms blocked lines struck at {string.Join(", ", sink.StruckAt.Select(t => $"{t / 1e6:F1} s"))}: " +
            $"dropped {sink.DroppedEvents.Count} event, {sink.DroppedMessages.Count} message, {sink.DroppedOverflows} overflow lines; loop overflows {c.Overflows}, " +
            $"samples lost {c.SamplesLost:N0}, frames missed {c.MissedFrames}; words {board.Sink.Events.Count} + {sink.DroppedEvents.Count} dropped (clean run {clean.Sink.Events.Count}); " +
            $"before the first block equal: {before0.SequenceEqual(before1)} ({before0.Count})");
        Assert.Equal(board.Frames, loop.Detector.Step);
        Assert.Equal(3, sink.StruckAt.Count);
        Assert.Equal(3, sink.DroppedEvents.Count + sink.DroppedMessages.Count + sink.DroppedOverflows);
        Assert.Equal(3, c.Overflows);                      // each block overflows the queue once, each overflow is told
        Assert.Equal(3, board.Sink.Overflows.Count);
        Assert.Equal(c.SamplesLost, board.Mic.LostToOverflow);
        // Frames of a skipped span need no samples: a block costs at most the frames of its half second.
        Assert.InRange(c.MissedFrames, 3, 3 * (500_000 / 20_000 + 2));
        Assert.Equal((0L, 0L, 0L), (board.MisalignedFrames, board.FramesWithZeros, c.StartupSamplesUsed));
        Assert.Equal(before0, before1);
    }

    /// <summary>
    /// A stalled I2S DMA: for a while no buffer completes, then the DMA runs on with the sound of its time, so every later
    /// buffer holds samples later than their place says (by the stall's length). Used as they come, every later window
    /// would be misplaced (the runs with the check off show it, even for 10 ms). The loop reads the first sample of
    /// every DMA buffer alone, sees it come back late (KeywordLoopSettings.LateMicros, 500 µs) and the next one too
    /// (a confirmed stall, KeywordLoopSettings.ConfirmStalls), realigns its index from the clock and misses only the frames whose windows lost samples: the microphone keeps running, no
    /// frame is computed on a misplaced window, and the words before the stall are the clean run's.
    /// </summary>
    [Theory]
    [InlineData(10_000, true)]
    [InlineData(20_000, true)]
    [InlineData(40_000, true)]
    [InlineData(300_000, true)]
    [InlineData(10_000, false)]
    [InlineData(300_000, false)]
    public void A_stalled_dma_is_seen_by_the_late_read_counted_and_the_index_realigned(long stallFor, bool detect)
    {
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };
        var clean = new KeywordBoard(KeywordData.Stream, parameters);
        clean.RunStream(file);

        var board = new KeywordBoard(KeywordData.Stream, parameters);
        const long stallAt = 20_000_000;
        board.Mic.StallAt(stallAt, stallFor);
        KeywordLoopSettings settings = board.DefaultSettings();
        if (!detect) settings.LateMicros = int.MaxValue;
        KeywordLoop loop = board.RunStream(file, settings) ?? throw new Xunit.Sdk.XunitException("boot refused");
        KeywordLoopCounters c = loop.Counters;
        long stallFrame = stallAt * 16 / 1000 / 320;
        var before0 = clean.Sink.Events.Where(e => e.SampleIndex < stallFrame).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var before1 = board.Sink.Events.Where(e => e.SampleIndex < stallFrame).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        output.WriteLine($"stall of {stallFor / 1000} ms at {stallAt / 1e6:F0} s, detection {(detect ? "on" : "off")}: stalls counted {c.MicStalls} ({c.SamplesLostToStalls} samples), " +
            $"microphone faults {c.MicFaults}, starts {board.Mic.Starts}, frames missed {c.MissedFrames}, misaligned {board.MisalignedFrames} (first at {board.FirstMisalignedFrame}), " +
            $"on start-up zeros {board.FramesWithZeros}; words {board.Sink.Events.Count} (clean {clean.Sink.Events.Count}); before the stall equal: {before0.SequenceEqual(before1)} ({before0.Count})");
        Assert.Equal(before0, before1);
        if (detect)
        {
            Assert.Equal(board.Frames, loop.Detector.Step);
            Assert.Equal((1L, 0L), (c.MicStalls, c.MicFaults));
            Assert.Equal(stallFor * 16 / 1000, c.SamplesLostToStalls);
            Assert.Contains(board.Sink.Messages, m => m.StartsWith("microphone stall 1 ", StringComparison.Ordinal) && m.Contains("realigned by " + (stallFor * 16 / 1000) + " samples"));
            Assert.Equal(1, board.Mic.Starts);          // no restart: the microphone kept running
            Assert.Equal((0L, 0L, 0L), (board.MisalignedFrames, board.FramesWithZeros, c.StartupSamplesUsed));
            // Only the frames whose windows lost samples are missed: the stall's samples, the rest of the late buffer and of
            // the next (the probe that confirmed the stall; one buffer only for a stall longer than the queue, realigned at
            // once) and at most a window on either side. Measured: 10 ms → 2, 20 ms → 2, 40 ms → 3, 300 ms → 15.
            Assert.InRange(c.MissedFrames, 0, stallFor / 20_000 + 3);
        }
        else
        {
            Assert.Equal(0L, c.MicStalls);
            // Unseen, the stall misplaces every later window; one longer than the driver's queue (128 ms) also runs the
            // loop's clock ahead of the DMA, so that it believes the driver dropped buffers it still holds.
            Assert.True(board.MisalignedFrames > 100 || c.MissedFrames > 1000, "unseen, the stall misplaces later windows or loses most frames");
        }
    }

    /// <summary>
    /// A late wake-up: a read that waited for its DMA buffer hands control back D late, the DMA running on (on
    /// nanoFramework another managed thread ran first, e.g. the watchdog thread whose 1-s timer came due during the
    /// read). The probe comes back late as after a stall, but no sample was lost and the next buffer is on time. Ten of
    /// them, 2.5 s apart: the loop must take each for a suspect only (drop the rest of that buffer, not move its index),
    /// count it as a late wake-up when the next probe is on time, never realign, compute no frame on a misplaced window,
    /// and keep the clean run's words outside the frames it missed and the clean run's track. With the old rule
    /// (<see cref="KeywordLoopSettings.ConfirmStalls"/> off: a late probe realigns at once) each wake-up moves the index
    /// on by D although nothing was lost, and every later window is misplaced.
    /// </summary>
    [Theory]
    [InlineData(1_000, true)]
    [InlineData(5_000, true)]
    [InlineData(20_000, true)]
    [InlineData(1_000, false)]
    [InlineData(20_000, false)]
    public void A_late_wake_up_is_not_taken_for_a_stall_and_moves_no_window(long lateFor, bool confirm)
    {
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };
        var clean = new KeywordBoard(KeywordData.Stream, parameters);
        StreamDetector d0 = AppBoot.Start(file, clean.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var cleanState = new Dictionary<long, ulong>();
        var buffer = new short[d0.Rnn.Model.HiddenSize];
        var l0 = new KeywordLoop(d0, clean.Source, clean.Clock, clean.BoardSleep, clean.Sink, clean.DefaultSettings(),
            new KeywordDayTests.OnUpdate(clean, f => cleanState[f] = KeywordDayTests.Fingerprint(d0, buffer)));
        l0.RunUntil(clean.Frames);

        var board = new KeywordBoard(KeywordData.Stream, parameters);
        const int wakeups = 10;
        for (int i = 0; i < wakeups; i++) board.Source.LateWakeupAt(20_000_000 + i * 2_500_000L, lateFor);
        KeywordLoopSettings settings = board.DefaultSettings();
        settings.ConfirmStalls = confirm;
        StreamDetector d1 = AppBoot.Start(file, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        var updates = new List<(long Frame, bool OnTrack, bool Missed)>();
        KeywordLoop? loop = null;
        long missedBefore = 0;
        loop = new KeywordLoop(d1, board.Source, board.Clock, board.BoardSleep, board.Sink, settings,
            new KeywordDayTests.OnUpdate(board, f =>
            {
                long missed = loop!.Counters.MissedFrames;
                updates.Add((f, cleanState.TryGetValue(f, out ulong st) && st == KeywordDayTests.Fingerprint(d1, buffer), missed != missedBefore));
                missedBefore = missed;
            }));
        loop.RunUntil(board.Frames);

        // Off the clean run's track: the spans the loop missed and from an update whose state differs to the next equal one.
        var off = new List<(long From, long To)>();
        for (int i = 0; i < updates.Count; i++)
        {
            if (updates[i].Missed) off.Add((i > 0 ? updates[i - 1].Frame + 1 : 0, updates[i].Frame + 1));
            if (!updates[i].OnTrack) off.Add((updates[i].Frame, i + 1 < updates.Count ? updates[i + 1].Frame : board.Frames));
        }
        bool Off(long frame) => off.Any(p => frame >= p.From && frame < p.To);
        var want = clean.Sink.Events.Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        var got = board.Sink.Events.Where(e => !Off(e.SampleIndex)).Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        long offFrames = updates.Count(x => !x.OnTrack);
        KeywordLoopCounters c = loop.Counters;
        output.WriteLine($"{wakeups} late wake-ups of {lateFor / 1000} ms (struck {board.Source.LateWakeupsStruck.Count}), confirmation {(confirm ? "on" : "off")}: " +
            $"late wake-ups counted {c.LateWakeups}, stalls {c.MicStalls} ({c.SamplesLostToStalls} samples), frames missed {c.MissedFrames}, " +
            $"misaligned {board.MisalignedFrames} (first at {board.FirstMisalignedFrame}), updates off the clean track {offFrames} of {updates.Count}; " +
            $"words {board.Sink.Events.Count} (clean {clean.Sink.Events.Count}), outside the missed/off frames equal: {want.SequenceEqual(got)} ({want.Count})");
        Assert.Equal(board.Frames, loop.Detector.Step);
        Assert.Equal(wakeups, board.Source.LateWakeupsStruck.Count);
        if (confirm)
        {
            Assert.Equal((0L, 0L, (long)wakeups), (c.MicStalls, c.SamplesLostToStalls, c.LateWakeups));
            Assert.DoesNotContain(board.Sink.Messages, m => m.StartsWith("microphone stall ", StringComparison.Ordinal));
            Assert.Equal((0L, 0L, 0L, 0L), (board.MisalignedFrames, board.FramesWithZeros, c.StartupSamplesUsed, c.MicFaults));
            Assert.Equal(1, board.Mic.Starts);
            // The rest of each late buffer (255 samples) is dropped: the frames whose windows needed it are missed.
            Assert.InRange(c.MissedFrames, 0, wakeups * 3);
            Assert.Equal(want, got);
        }
        else
        {
            // The old rule: the first late wake-up realigns the index by D though nothing was lost, and the windows after it
            // are misplaced (the later wake-ups are then hidden: the loop's picture runs ahead of the DMA by D).
            Assert.True(c.MicStalls >= 1, "the old rule takes a late wake-up for a stall");
            Assert.True(board.MisalignedFrames > 100, $"the old rule misplaces later windows ({board.MisalignedFrames})");
        }
    }

    /// <summary>
    /// The software watchdog in the keyword app (firmware/esp32/LoopWatchdogThread.cs, here VirtualWatchdogThread): the
    /// loop says it is alive at every step and before every blocking read, discard and light sleep; a board layer that
    /// hangs in managed code five minutes in must be restarted 10–12 s later (the 10 s timeout plus the 1 s check), and
    /// the restarted app (boot, self-test, a new loop, the microphone started again) reports words again. Until the
    /// hang the armed watchdog must not fire.
    /// </summary>
    [Fact]
    public void A_hung_keyword_loop_is_restarted_by_the_watchdog_and_the_new_loop_reports_words_again()
    {
        const long timeout = 10_000_000, hangAt = 5 * 60_000_000L;
        byte[] file = File.ReadAllBytes(KeywordData.ModelPath());
        long length = 15L * 60 * 16000;
        var parameters = new AudioBoardParameters { UpdateMicros = 10_000 };
        var board = new KeywordBoard(new RepeatedPcm(KeywordData.Stream, length), parameters);
        var hanging = new HangingAudioSource(board.Source, board.Clock, hangAt);
        KeywordLoop Boot(IAudioSource source, ILoopObserver observer)
        {
            StreamDetector d = AppBoot.Start(file, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
            var l = new KeywordLoop(d, source, board.Clock, board.BoardSleep, board.Sink, board.DefaultSettings(), observer);
            var w = new LoopWatchdog(board.Clock, timeout);
            l.Watchdog = w;
            board.Clock.Advanced = new VirtualWatchdogThread(board.Clock, w).Run;
            return l;
        }
        KeywordLoop first = Boot(hanging, board);
        var restart = Assert.Throws<BoardRestartException>(() => first.RunUntil(board.Frames));
        long hungFor = restart.Micros - hanging.HungAt;
        output.WriteLine($"hang at {hanging.HungAt / 1e6:F6} s; watchdog restart {hungFor / 1e6:F2} s later (timeout {timeout / 1e6:F0} s, checks every 1 s); " +
            $"before it: {first.Detector.Step} frames, {first.Counters.Events} words, misaligned {board.MisalignedFrames}");

        // The restart: the I2S peripheral is reset with the chip, the app boots again with a new microphone object and loop.
        board.Clock.Advanced = null;
        board.Mic.Close();
        int wordsBefore = board.Sink.Events.Count;
        long restartMicros = board.Clock.NowMicros;
        var source = new MeteredAudioSource(new I2sMicrophone(board.Mic, parameters.SampleRate, board.Microphone.DmaBuffers), board.Clock, parameters);
        KeywordLoop second = Boot(source, new FrameCosts(board));
        long left = length - (restartMicros + parameters.MicStartupMicros) * 16 / 1000;   // stream samples after the new loop's sample 0 (the stream's clock began about at 0)
        long rest = left / 320 - 10;
        second.RunUntil(rest);
        board.Clock.Advanced = null;
        output.WriteLine($"after it: {second.Detector.Step} frames in {(board.Clock.NowMicros - restartMicros) / 1e6:F0} s, {board.Sink.Events.Count - wordsBefore} words, " +
            $"microphone starts {board.Mic.Starts}, microphone faults {second.Counters.MicFaults}, stalls {second.Counters.MicStalls}, missed {second.Counters.MissedFrames}, overflows {second.Counters.Overflows}");
        Assert.InRange(hangAt, hanging.HungAt - 1_000_000, hanging.HungAt);
        Assert.InRange(hungFor, timeout, timeout + 2_000_000);
        Assert.Equal(0L, board.MisalignedFrames);
        Assert.True(first.Detector.Step > 0 && second.Detector.Step == rest);
        Assert.True(first.Counters.Events > 0, "words before the hang");
        Assert.True(board.Sink.Events.Count > wordsBefore, "the restarted loop reports words again");
        Assert.Equal(0L, second.Counters.MicFaults);
    }

    /// <summary>The board's CPU costs for a loop whose frame indices are not the stream's (a loop started after a restart).</summary>
    private sealed class FrameCosts(KeywordBoard board) : ILoopObserver
    {
        public void Updated(long frame)
        {
            board.Clock.Advance(board.Parameters.UpdateMicros);
            board.Mic.Poll();
        }

        public void Skipped(int frames)
        {
            board.Clock.Advance(board.Parameters.SkipMicros);
            board.Mic.Poll();
        }
    }

    /// <summary>The stream repeated to <paramref name="length"/> samples, without holding them.</summary>
    private sealed class RepeatedPcm(short[] pcm, long length) : IPcmSamples
    {
        public long Length => length;
        public short this[long index] => pcm[index % pcm.Length];
    }
}
