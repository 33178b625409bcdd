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
/// the clean run's words before the first failure. 24 hours (1.4 billion samples through the byte-level driver model)
/// take too long for a test here; the motion loop's 24-hour run is MotionFaultTests.
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
        Assert.True(c.MissedFrames >= 10 * 256_000 / 20_000, "each restart misses at least the microphone's start-up");
    }

    /// <summary>The stream repeated to <paramref name="length"/> samples, without holding them.</summary>
    private sealed class RepeatedPcm(short[] pcm, long length) : IPcmSamples
    {
        public long Length => length;
        public short this[long index] => pcm[index % pcm.Length];
    }
}
