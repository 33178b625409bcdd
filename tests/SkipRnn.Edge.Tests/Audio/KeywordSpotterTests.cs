using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Audio;

public class KeywordSpotterTests
{
    private static SkipGruModel Model() =>
        FrontEndFileTests.KeywordModel().WithEventRule(new EventRule(3, 1, 2, 16000, 4000, 10)).WithFrontEnd(FrontEndSpec.LogMel());

    private static short[] Audio(int n) => StageErrorTests.Signal("synthetic vowel + noise", n, 9)
        .Zip(StageErrorTests.Signal("white noise, -20 dBFS", n, 10), (a, b) => (short)((a + b) / 2)).ToArray();

    /// <summary>The reference: a plain loop over frame indices, features straight from the clip.</summary>
    private static (int[] classes, long updates) Reference(SkipGruModel m, short[] pcm)
    {
        var rnn = new SkipGru(m);
        var p = new LogMelPipeline();
        var x = new int[40];
        int frames = FloatLogMelFrames(pcm.Length);
        var classes = new int[frames];
        for (int t = 0; t < frames; t++)
        {
            if (rnn.StepsToSkip > 0) rnn.Skip(1);
            else { p.Compute(pcm, 320 * t, x, 0); rnn.Step(x); }
            classes[t] = rnn.ArgMax();
        }
        return (classes, rnn.Counters.Updates);
    }

    private static int FloatLogMelFrames(int n) => n < 480 ? 0 : 1 + (n - 480) / 320;

    [Fact]
    public void Any_buffer_sizes_give_the_reference_updates_and_the_same_events()
    {
        SkipGruModel m = Model();
        short[] pcm = Audio(48000);
        (int[] _, long updates) = Reference(m, pcm);
        long? events = null;
        foreach (int chunk in new[] { 1, 7, 320, 333, 1000, 48000 })
        {
            var s = new KeywordSpotter(m);
            for (int pos = 0; pos < pcm.Length; pos += chunk) s.Write(pcm, pos, Math.Min(chunk, pcm.Length - pos));
            Assert.Equal(pcm.Length, s.Samples);
            Assert.Equal(updates, s.Detector.Rnn.Counters.Updates);
            Assert.Equal(updates, s.FrontEnd.FramesComputed);
            events ??= s.Events;
            Assert.Equal(events, s.Events);
        }
        Assert.True(updates < FloatLogMelFrames(pcm.Length), "the random model should skip some frames");
    }

    [Fact]
    public void A_model_without_a_front_end_or_rule_is_refused()
    {
        Assert.Equal("front_end", Assert.Throws<ModelFormatException>(() => new KeywordSpotter(FrontEndFileTests.KeywordModel())).Field);
        Assert.Equal("event_rule", Assert.Throws<ModelFormatException>(() =>
            new KeywordSpotter(FrontEndFileTests.KeywordModel().WithFrontEnd(FrontEndSpec.LogMel()))).Field);
    }
}
