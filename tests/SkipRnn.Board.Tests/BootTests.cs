using SkipRnn.Edge.Application;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Model;

namespace SkipRnn.Board.Tests;

/// <summary>Boot refuses a model it cannot trust, with a serial line and an LED code; the loop refuses unusable settings.</summary>
public class BootTests
{
    private static VirtualBoard Board() =>
        new(MotionData.One(0).X[..(6 * 500)], 6, new BoardParameters { SamplePeriodMicros = 20_000, UpdateMicros = 5_000 });

    private static int Blinks(VirtualBoard board) => board.Led.Switches.Count(s => s.On);

    [Fact]
    public void The_shipped_model_boots_with_its_self_test()
    {
        VirtualBoard board = Board();
        Assert.NotNull(board.RunRecording(MotionData.ModelFile));
        Assert.Contains(board.Sink.Messages, m => m.StartsWith("skiprnn: self-test passed", StringComparison.Ordinal));
        Assert.DoesNotContain(board.Sink.Messages, m => m.Contains("REFUSED"));
        Assert.Empty(board.Led.Switches);
    }

    [Fact]
    public void A_corrupted_model_is_refused_with_two_blinks()
    {
        byte[] bad = (byte[])MotionData.ModelFile.Clone();
        bad[bad.Length / 2] ^= 0x40;
        VirtualBoard board = Board();
        Assert.Null(board.RunRecording(bad));
        string line = Assert.Single(board.Sink.Messages);
        Assert.StartsWith("skiprnn: REFUSED: model rejected: Invalid model", line);
        Assert.Equal(AppBoot.BlinksBadModel, Blinks(board));
        Assert.Equal(0, board.Sensor.Reads);
    }

    [Fact]
    public void A_model_whose_self_test_does_not_match_is_refused_with_three_blinks()
    {
        SkipGruModel m = MotionData.Model;
        SelfTestVectors v = m.SelfTest!;
        int[] outputs = (int[])v.Outputs.Clone();
        outputs[^1] += 1;                                  // one expected head output off by one LSB
        byte[] file = ModelWriter.ToBytes(m.WithSelfTest(new SelfTestVectors(v.Steps, v.RawInputs, v.Updated, v.States, outputs)));
        VirtualBoard board = Board();
        Assert.Null(board.RunRecording(file));
        Assert.Contains(board.Sink.Messages, l => l.StartsWith("skiprnn: REFUSED: self-test failed at step", StringComparison.Ordinal));
        Assert.Equal(AppBoot.BlinksSelfTest, Blinks(board));
    }

    [Fact]
    public void A_model_without_an_event_rule_is_refused_with_four_blinks()
    {
        byte[] file = ModelWriter.ToBytes(MotionData.Model.WithEventRule(null!));
        Assert.Null(ModelReader.Read(file).EventRule);
        VirtualBoard board = Board();
        Assert.Null(board.RunRecording(file));
        Assert.Contains(board.Sink.Messages, l => l.StartsWith("skiprnn: REFUSED: the model has no event rule", StringComparison.Ordinal));
        Assert.Equal(AppBoot.BlinksNoEventRule, Blinks(board));
    }

    [Theory]
    [InlineData("SamplePeriodMicros", 0)]
    [InlineData("FifoHeadroomSamples", 85)]
    [InlineData("WakeLatencyMicros", 5000)]
    [InlineData("PollMicros", 0)]
    public void Unusable_loop_settings_are_refused_by_name(string name, int value)
    {
        var s = new LoopSettings(20_000);
        typeof(LoopSettings).GetField(name)!.SetValue(s, value);
        var e = Assert.Throws<ArgumentException>(() => s.Check(85));
        Assert.StartsWith(name + " is " + value, e.Message);
    }

    private sealed class CountingSink : IEventSink
    {
        public int Events;
        public void Event(long sampleIndex, int eventClass, int confidence, long micros) => Events++;
        public void FifoOverflow(long sampleIndex, long micros) { }
        public void Message(string line) { }
    }

    [Fact]
    public void The_loop_allocates_nothing_per_sample()
    {
        Converter.Streaming.Recording rec = MotionData.One(2);
        var board = new VirtualBoard(rec.X, rec.Inputs, new BoardParameters { SamplePeriodMicros = 20_000, UpdateMicros = 5_000 });
        var sink = new CountingSink();
        var loop = new StreamingLoop(new Edge.Streaming.StreamDetector(MotionData.Model), board.Sensor, board.Clock, board.Sleep,
            sink, board.DefaultSettings(), null);
        loop.RunUntil(2_000);                                     // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        loop.RunUntil(rec.Samples);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(loop.Counters.Reads > 1000 && loop.Counters.LightSleeps > 1000 && sink.Events > 0);
    }
}
