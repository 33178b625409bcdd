using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Streaming;

public class StreamDetectorTests
{
    private static (SkipGruModel Model, int[][] Raw) Small()
    {
        FloatSkipGruModel f = TestModels.Random(8, GruVariant.ResetAfter, 6, 16, 1, 4);
        SkipGruModel q = Quantizer.Quantize(f, TestModels.Options(6, 8)).WithEventRule(new EventRule(4, 1, 2, 12000, 3000, 20));
        return (q, TestModels.RawStream(f, 1000, 1));
    }

    [Fact]
    public void Always_on_loop_allocates_nothing_over_100k_samples()
    {
        var (q, raw) = Small();
        var d = new StreamDetector(q);
        d.Push(raw[0]);                                  // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int t = 1, events = 0;
        while (t < 100_000)
        {
            int n = d.SamplesToSkip;
            bool fired = n > 0 ? d.SkipSamples(n) : d.Push(raw[t % raw.Length]);
            t += n > 0 ? n : 1;
            if (fired) events++;
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(t, d.Step);
        Assert.True(d.Rnn.Counters.Skips > 1000 && d.Rnn.Counters.Updates > 1000);
    }

    [Fact]
    public void Missed_samples_advance_the_step_and_the_rule_and_leave_the_next_sample_needed()
    {
        var (q, raw) = Small();
        var d = new StreamDetector(q);
        d.Push(raw[0]);
        if (d.SamplesToSkip > 0)
        {
            Assert.Throws<InvalidOperationException>(() => d.MissSamples(1));
            d.SkipSamples(d.SamplesToSkip);
        }
        long step = d.Step;
        int current = d.CurrentClass;
        d.MissSamples(200);                                  // as a skipped span: the rule keeps the held class
        Assert.Equal(step + 200, d.Step);
        Assert.True(d.NextSampleNeeded);
        Assert.Equal(d.HeadClass, d.CurrentClass);           // 200 samples of one class settle the smoothed class on it
        Assert.True(current >= -1);
    }

    [Fact]
    public void Detector_equals_a_SkipGru_fed_sample_by_sample_with_the_rule_applied_to_its_argmax()
    {
        var (q, raw) = Small();
        var d = new StreamDetector(q);
        var rnn = new SkipGru(q);
        var smoother = new EventSmoother(q.EventRule!, q.OutputSize);
        var a = new List<long>();
        var b = new List<long>();
        int t = 0;
        while (t < 20_000)
        {
            int n = d.SamplesToSkip;
            if (n > 0 ? d.SkipSamples(n) : d.Push(raw[t % raw.Length])) a.Add(d.LastEventStep);
            for (int k = 0; k < Math.Max(n, 1); k++, t++)
            {
                rnn.Step(raw[t % raw.Length]);
                if (smoother.Observe(rnn.ArgMax(), 1)) b.Add(smoother.LastEventStep);
            }
            Assert.Equal(rnn.ArgMax(), d.HeadClass);
            Assert.Equal(smoother.CurrentClass, d.CurrentClass);
        }
        Assert.Equal(b, a);
        Assert.NotEmpty(a);
    }

    [Fact]
    public void Push_on_a_skipped_sample_is_refused()
    {
        var (q, raw) = Small();
        var d = new StreamDetector(q);
        int guard = 0;
        while (d.SamplesToSkip == 0 && guard++ < 1000) d.Push(raw[guard]);
        Assert.True(d.SamplesToSkip > 0, "the random model never skipped");
        Assert.Throws<InvalidOperationException>(() => d.Push(raw[0]));
    }
}
