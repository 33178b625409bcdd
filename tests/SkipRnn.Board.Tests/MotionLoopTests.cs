using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Streaming;
using Xunit.Abstractions;

namespace SkipRnn.Board.Tests;

/// <summary>
/// The device's application loop on the virtual board over the shipped motion model and the five test users'
/// recordings (10 recordings, 196,733 samples at 50 Hz): the events must be those of `skiprnn stream`
/// (StreamRunner.RunFixed), every skipped sample must stay unread, the board must sleep, and the FIFO must never
/// overflow at the shipped rate; a too-slow update must overflow it and be reported.
/// </summary>
public class MotionLoopTests(ITestOutputHelper output)
{
    /// <summary>Half the 20 ms sample period: a cost the FIFO must absorb without losing a sample.</summary>
    private const long AbsorbedUpdateMicros = 10_000;

    private sealed record Run(VirtualBoard Board, StreamingLoop Loop, StreamTrace Expected);

    private static Run RunOne(int r, long updateMicros, SkipPolicy policy, int sensorClockPpm = 0)
    {
        Recording rec = MotionData.One(r);
        var board = new VirtualBoard(rec.X, rec.Inputs, new BoardParameters
        {
            SamplePeriodMicros = MotionData.Model.SamplePeriodMicros,
            UpdateMicros = updateMicros,
            SensorClockPpm = sensorClockPpm,
        });
        LoopSettings settings = board.DefaultSettings();
        settings.Policy = policy;
        StreamingLoop loop = board.RunRecording(MotionData.ModelFile, settings) ?? throw new Xunit.Sdk.XunitException("boot refused the shipped model");
        StreamTrace expected = StreamRunner.RunFixed(MotionData.Model, MotionData.Model.EventRule!, rec);
        return new Run(board, loop, expected);
    }

    [Theory]
    [InlineData(SkipPolicy.DrainFifo)]
    [InlineData(SkipPolicy.PowerDownSensor)]
    public void The_loop_on_the_virtual_board_reports_the_events_of_skiprnn_stream_and_reads_only_updated_samples(SkipPolicy policy)
    {
        long samples = 0, reads = 0, events = 0, asleep = 0, time = 0, discarded = 0, powerDowns = 0, sensorOn = 0, sleeps = 0, busy = 0;
        int highWater = 0;
        for (int r = 0; r < MotionData.Recordings; r++)
        {
            var (board, loop, expected) = RunOne(r, AbsorbedUpdateMicros, policy);
            LoopCounters c = loop.Counters;
            long n = board.Sensor.Samples;
            Assert.Equal(n, loop.Detector.Step);
            Assert.Equal(expected.Events.Select(e => (e.Step, e.Class, e.Confidence)),
                board.Sink.Events.Select(e => (e.SampleIndex, e.Class, e.Confidence)));
            Assert.Equal(expected.Updated.Count(u => u), c.Reads);
            Assert.Equal(c.Reads, board.Sensor.Reads);
            Assert.Equal(n, c.Reads + c.SkippedSamples);
            Assert.Equal(0, board.MisalignedReads);
            Assert.False(board.EndedShort);
            Assert.Equal(0, c.Polls);                      // same clock on both sides: every needed sample is there when due
            Assert.Equal(0, board.Sensor.LostToOverflow);
            Assert.Equal(0, c.FifoOverflows);
            Assert.Empty(board.Sink.Overflows);
            Assert.Equal(c.DiscardedSamples, board.Sensor.Discards);
            // Every skipped sample is either dropped unread from the FIFO or never sampled (sensor off), except a
            // tail the recording ends in before it arrives.
            Assert.InRange(c.SkippedSamples - c.DiscardedSamples - board.Sensor.NotSampled, 0, 200);
            // Real time: the board keeps pace with the sensor (done by the end of the stream plus one update).
            Assert.InRange(board.Clock.NowMicros, loop.DueMicros(board.Sensor.LastReadIndex),
                loop.DueMicros(n) + board.Parameters.UpdateMicros + board.Parameters.ReadMicros + board.Parameters.SamplePeriodMicros);
            Assert.Equal(board.Sleep.AsleepMicros + board.Sleep.WakeMicros, c.LightSleepMicros);
            samples += n; reads += c.Reads; events += c.Events; asleep += board.Sleep.AsleepMicros; time += board.Clock.NowMicros;
            discarded += c.DiscardedSamples; powerDowns += c.SensorPowerDowns; sensorOn += board.Sensor.OnMicros; sleeps += c.LightSleeps;
            busy += board.UpdateCpuMicros + board.SkipCpuMicros + board.Sensor.Reads * board.Parameters.ReadMicros + board.Sensor.Discards * board.Parameters.DiscardMicros;
            if (r == 0)
            {
                // What the board's serial port shows (firmware/motion/README.md): boot lines, then the first events.
                foreach (string line in board.Sink.Messages) output.WriteLine("  " + line);
                foreach (BoardEvent e in board.Sink.Events.Take(3))
                    output.WriteLine($"  event {MotionData.Model.ClassNames[e.Class]} at sample {e.SampleIndex} ({e.Micros / 100_000 / 10}.{e.Micros / 100_000 % 10} s), confidence {e.Confidence * 100 / 32768} %");
            }
            highWater = Math.Max(highWater, board.Sensor.HighWater);
            if (policy == SkipPolicy.DrainFifo) Assert.Equal(0, c.SensorPowerDowns);
        }
        output.WriteLine($"{policy}, update {AbsorbedUpdateMicros} µs: {samples} samples, {reads} read ({100.0 * reads / samples:F2} %), " +
            $"{samples - reads} not read, {discarded} discarded from the FIFO, {powerDowns} sensor power-downs, {events} events, " +
            $"light sleep {100.0 * asleep / time:F2} % of {time / 1e6:F1} s in {sleeps} sleeps, CPU busy (updates, skips, I2C) {100.0 * busy / time:F2} %, " +
            $"sensor powered {100.0 * sensorOn / time:F2} %, FIFO high-water {highWater} of 85");
        Assert.True(reads < samples / 4, "the shipped model updates on about 14 % of samples");
        Assert.True(asleep > time / 2, "the board sleeps most of the time");
        Assert.True(events > 10);
        if (policy == SkipPolicy.PowerDownSensor) Assert.True(powerDowns > 100 && discarded < samples - reads);
    }

    [Theory]
    [InlineData(20_000)]
    [InlineData(-20_000)]
    public void A_sensor_clock_2_percent_off_the_boards_changes_nothing_but_the_timing(int ppm)
    {
        // The MPU-6050's oscillator is specified to ±1 %: the loop must follow the sensor's clock, or it would sleep
        // past samples (a fast sensor: the FIFO overflows within the hour) or poll awake for ever later samples.
        // DrainFifo only: the sensor never stops, so its sample sequence is the recording and the events must be
        // those of `skiprnn stream`. (With PowerDownSensor the sample after a power-down is the one nearest in time,
        // which a drifting clock can shift by one: not a loop error, and not asserted here.)
        const SkipPolicy policy = SkipPolicy.DrainFifo;
        long polls = 0, reads = 0, asleep = 0, time = 0;
        const long board0PollMicros = 1000;                // LoopSettings.PollMicros default
        for (int r = 0; r < 3; r++)
        {
            var (board, loop, expected) = RunOne(r, AbsorbedUpdateMicros, policy, ppm);
            Assert.Equal(expected.Events.Select(e => (e.Step, e.Class, e.Confidence)),
                board.Sink.Events.Select(e => (e.SampleIndex, e.Class, e.Confidence)));
            Assert.Equal(0, board.MisalignedReads);
            Assert.Equal(0, board.Sensor.LostToOverflow);
            Assert.False(board.EndedShort);
            Assert.Equal(expected.Updated.Count(u => u), loop.Counters.Reads);
            polls += loop.Counters.Polls; reads += loop.Counters.Reads; asleep += board.Sleep.AsleepMicros; time += board.Clock.NowMicros;
        }
        output.WriteLine($"{policy}, sensor clock {ppm / 10_000.0:+0.#;-0.#} %, 3 recordings: {reads} reads, {polls} polls ({100.0 * polls * board0PollMicros / time:F2} % of the time), light sleep {100.0 * asleep / time:F2} %");
        Assert.True(polls * board0PollMicros < time / 50, "less than 2 % of the time is spent polling for late samples");
        Assert.True(asleep > time * 8 / 10);
    }

    [Fact]
    public void The_plain_GRU_baseline_reads_every_sample_and_sleeps_less()
    {
        // models/motion/gru: the same cell never skipping (skip gate fixed open). Same loop, same board, same cost.
        byte[] file = File.ReadAllBytes(RepoPaths.Motion(Path.Combine("gru", "model.skrn")));
        var model = Edge.Format.ModelReader.Read(file);
        long samples = 0, reads = 0, asleep = 0, time = 0, events = 0;
        int highWater = 0;
        for (int r = 0; r < MotionData.Recordings; r++)
        {
            Recording rec = MotionData.One(r);
            var board = new VirtualBoard(rec.X, rec.Inputs, new BoardParameters { SamplePeriodMicros = model.SamplePeriodMicros, UpdateMicros = AbsorbedUpdateMicros });
            StreamingLoop loop = board.RunRecording(file) ?? throw new Xunit.Sdk.XunitException("boot refused the GRU baseline");
            StreamTrace expected = StreamRunner.RunFixed(model, model.EventRule!, rec);
            Assert.Equal(expected.Events.Select(e => (e.Step, e.Class, e.Confidence)),
                board.Sink.Events.Select(e => (e.SampleIndex, e.Class, e.Confidence)));
            Assert.Equal(rec.Samples, loop.Counters.Reads);
            Assert.Equal(0, board.Sensor.LostToOverflow);
            Assert.Equal(0, board.MisalignedReads);
            samples += rec.Samples; reads += loop.Counters.Reads; asleep += board.Sleep.AsleepMicros; time += board.Clock.NowMicros;
            events += loop.Counters.Events; highWater = Math.Max(highWater, board.Sensor.HighWater);
        }
        output.WriteLine($"GRU baseline, update {AbsorbedUpdateMicros} µs: {samples} samples, {reads} read (100 %), {events} events, " +
            $"light sleep {100.0 * asleep / time:F2} % of {time / 1e6:F1} s, FIFO high-water {highWater} of 85");
        Assert.True(asleep < time * 6 / 10, "awake for every update");
    }

    [Fact]
    public void A_too_slow_update_overflows_the_FIFO_and_the_loop_reports_it()
    {
        // 400 ms per update = 20 sample periods: the shipped model's runs of consecutive updates fill 85 samples. The
        // loop reports each overflow, misses the samples due by then (the FIFO restarts empty) and reads on in step: every
        // sample it updates on is the one it means, and it reaches the recording's end.
        var (board, loop, _) = RunOne(0, 400_000, SkipPolicy.DrainFifo);
        LoopCounters c = loop.Counters;
        output.WriteLine($"update 400 ms: {board.Sensor.LostToOverflow} samples lost, {c.FifoOverflows} overflows reported, " +
            $"{c.MissedSamples} needed samples missed, {board.MisalignedReads} updates on a sample other than the intended one, " +
            $"{c.Reads} read, step {loop.Detector.Step} of {board.Sensor.Samples}");
        Assert.True(board.Sensor.LostToOverflow > 0);
        Assert.True(c.FifoOverflows > 0 && c.MissedSamples > 0);
        Assert.Equal(c.FifoOverflows, board.Sink.Overflows.Count);
        Assert.Equal(board.Sensor.Capacity, board.Sensor.HighWater);
        Assert.Equal(0, board.MisalignedReads);
        Assert.False(board.EndedShort);
        Assert.Equal(board.Sensor.Samples, loop.Detector.Step);
        Assert.Equal(board.Sensor.Samples, c.Reads + c.SkippedSamples + c.MissedSamples);
    }

    [Fact]
    public void After_a_one_off_stall_the_loop_misses_the_lost_samples_and_its_events_are_back_in_step()
    {
        // One update takes 3 s (a flash write, a long GC) against the 1.7 s the FIFO holds: the FIFO overflows once.
        // The samples due by then are missed, the loop reads on in step, and the events before the stall are those of
        // `skiprnn stream`, those from 20 s after it on theirs within a second.
        Recording rec = MotionData.One(0);
        var board = new VirtualBoard(rec.X, rec.Inputs, new BoardParameters
        {
            SamplePeriodMicros = MotionData.Model.SamplePeriodMicros,
            UpdateMicros = AbsorbedUpdateMicros,
        });
        StreamDetector detector = AppBoot.Start(MotionData.ModelFile, board.Sink, out _) ?? throw new Xunit.Sdk.XunitException("boot refused");
        StreamingLoop loop = board.CreateLoop(detector, board.DefaultSettings());
        loop.RunUntil(board.Sensor.Samples / 3);
        long reads = loop.Counters.Reads;
        board.Parameters.UpdateMicros = 3_000_000;
        while (loop.Counters.Reads == reads) loop.RunOnce();
        long stall = loop.Detector.Step;
        board.Parameters.UpdateMicros = AbsorbedUpdateMicros;
        loop.RunUntil(board.Sensor.Samples);
        LoopCounters c = loop.Counters;
        StreamTrace expected = StreamRunner.RunFixed(MotionData.Model, MotionData.Model.EventRule!, rec);
        var got = board.Sink.Events.Select(e => (e.SampleIndex, e.Class)).ToList();
        var want = expected.Events.Select(e => (e.Step, e.Class)).ToList();
        output.WriteLine($"stall at sample {stall}: {c.FifoOverflows} overflow, {board.Sensor.LostToOverflow} samples lost, {c.MissedSamples} missed; " +
            $"events {got.Count} (stream {want.Count}); after the stall + 20 s: {got.Count(e => e.SampleIndex > stall + 1000)} (stream {want.Count(e => e.Step > stall + 1000)})");
        Assert.Equal(1, c.FifoOverflows);
        Assert.InRange(c.MissedSamples, 3_000_000 / 20_000 - 85 - 2, 3_000_000 / 20_000 + 2);
        Assert.Equal(0, board.MisalignedReads);
        Assert.False(board.EndedShort);
        Assert.Equal(board.Sensor.Samples, loop.Detector.Step);
        Assert.Equal(want.Where(e => e.Item1 < stall).ToList(), got.Where(e => e.SampleIndex < stall).ToList());
        // After it the model's state and its skip schedule differ (146 samples unseen), so events may move by a few
        // samples; in step means each of stream's events is matched by one of the same class within the scoring's ±1 s
        // (50 samples). Out of step, they would all be 146 samples (2.9 s) late.
        var after = got.Where(e => e.SampleIndex > stall + 1000).ToList();
        var wantAfter = want.Where(e => e.Item1 > stall + 1000).ToList();
        Assert.NotEmpty(wantAfter);
        Assert.All(wantAfter, w => Assert.Contains(after, e => e.Class == w.Item2 && Math.Abs(e.SampleIndex - w.Item1) <= 50));
        Assert.InRange(after.Count, wantAfter.Count, wantAfter.Count + 1);
    }

    [Fact]
    public void The_largest_update_time_the_FIFO_absorbs_is_reported_per_recording()
    {
        // Bisection on the update cost (1 ms resolution) for the first two recordings: the real-time budget the
        // interpreter has on this model and data. Below it nothing is lost; just above it something is.
        for (int r = 0; r < 2; r++)
        {
            long lo = 1_000, hi = 1_000_000;
            Assert.Equal(0, RunOne(r, lo, SkipPolicy.DrainFifo).Board.Sensor.LostToOverflow);
            Assert.True(RunOne(r, hi, SkipPolicy.DrainFifo).Board.Sensor.LostToOverflow > 0);
            while (hi - lo > 1_000)
            {
                long mid = (lo + hi) / 2;
                if (RunOne(r, mid, SkipPolicy.DrainFifo).Board.Sensor.LostToOverflow == 0) lo = mid; else hi = mid;
            }
            var ok = RunOne(r, lo, SkipPolicy.DrainFifo);
            output.WriteLine($"recording {r}: {ok.Board.Sensor.Samples} samples, {ok.Loop.Counters.Reads} updates; no sample lost up to " +
                $"{lo / 1000} ms per update (FIFO high-water {ok.Board.Sensor.HighWater}), lost from {hi / 1000} ms");
            Assert.Equal(0, ok.Board.MisalignedReads);
        }
    }
}
