using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Streaming;

/// <summary>The integer event rule on hand-made class streams: edges, hysteresis, refractory, ties, skipped spans.</summary>
public class EventSmootherTests
{
    private static EventSmoother Make(int shift, int on, int off, int refractory, int classes = 3, int eventClass = 2) =>
        new(new EventRule(classes, eventClass, shift, on, off, refractory), classes);

    /// <summary>Feeds one sample per element; returns the sample indices where events fired.</summary>
    private static List<long> Feed(EventSmoother s, params int[] classes)
    {
        var fired = new List<long>();
        foreach (int c in classes)
            if (s.Observe(c, 1)) fired.Add(s.LastEventStep);
        return fired;
    }

    private static int[] Run(int cls, int n) => Enumerable.Repeat(cls, n).ToArray();

    [Fact]
    public void Share_follows_the_documented_recurrence_and_fires_on_the_first_sample_at_or_above_on()
    {
        // shift 2, on 16384: 0 → 8192 → 14336 → 18944 (≥ 16384): the third sample (index 2) fires.
        var s = Make(shift: 2, on: 16384, off: 4096, refractory: 0);
        Assert.Empty(Feed(s, 2, 2));
        Assert.Equal(14336, s.Score(2));
        Assert.Equal(new long[] { 2 }, Feed(s, 2));
        Assert.Equal(18944, s.Score(2));
        Assert.Equal(18944, s.LastEventConfidence);
        Assert.Equal(2, s.LastEventStep);
    }

    [Fact]
    public void A_short_flicker_never_fires()
    {
        var s = Make(shift: 3, on: 16384, off: 4096, refractory: 0);
        var stream = Run(0, 20).Concat(new[] { 2, 2, 2 }).Concat(Run(0, 20)).Concat(new[] { 2, 2, 2 }).Concat(Run(0, 20)).ToArray();
        Assert.Empty(Feed(s, stream));
    }

    [Fact]
    public void Shift_zero_fires_on_the_very_first_sample()
    {
        var s = Make(shift: 0, on: 32768, off: 0, refractory: 0);
        Assert.Equal(new long[] { 0 }, Feed(s, 2));
        Assert.Equal(32768, s.LastEventConfidence);
    }

    [Fact]
    public void Hysteresis_gives_one_event_per_sustained_run_and_rearms_only_below_off()
    {
        var s = Make(shift: 2, on: 16384, off: 4096, refractory: 0);
        // long run: one event; short dip (share stays above off): no second event; long dip then run: second event.
        var fired = Feed(s, Run(2, 30).Concat(Run(0, 2)).Concat(Run(2, 10)).ToArray());
        Assert.Single(fired);
        fired = Feed(s, Run(0, 30).Concat(Run(2, 10)).ToArray());
        Assert.Single(fired);
        Assert.Equal(30 + 2 + 10 + 30 + 2, fired[0]);   // 0-based: three samples into the second run
    }

    [Fact]
    public void Refractory_period_delays_a_second_event_to_exactly_its_end()
    {
        // shift 0: the share is 32768 on event samples, 0 otherwise, so the rule re-arms at once.
        var s = Make(shift: 0, on: 32768, off: 1, refractory: 10);
        var fired = Feed(s, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2);
        Assert.Equal(new long[] { 0, 10 }, fired);
    }

    [Fact]
    public void Refractory_ending_inside_a_settled_skipped_span_fires_at_its_end()
    {
        var s = Make(shift: 0, on: 32768, off: 1, refractory: 1000);
        Assert.Equal(new long[] { 0 }, Feed(s, 2, 0));
        Assert.True(s.Observe(2, 5000));           // one call: settled after one sample, event at 1000
        Assert.Equal(1000, s.LastEventStep);
        Assert.Equal(2 + 5000, s.Step);
    }

    [Fact]
    public void Ties_resolve_to_the_lowest_class_index()
    {
        var s = Make(shift: 1, on: 32768, off: 0, refractory: 0);
        Feed(s, 1);                 // scores 0, 16384, 0
        Assert.Equal(1, s.CurrentClass);
        Feed(s, 0);                 // scores 16384, 8192, 0
        Assert.Equal(0, s.CurrentClass);
        var t = Make(shift: 1, on: 32768, off: 0, refractory: 0);
        Assert.Equal(0, t.CurrentClass);   // all zero: class 0
    }

    [Fact]
    public void A_skipped_span_in_one_call_equals_the_same_samples_one_by_one()
    {
        var rng = new Random(5);
        int events = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            int shift = rng.Next(0, 6), on = rng.Next(1, 32769), off = rng.Next(0, on + 1), refractory = rng.Next(0, 200);
            var one = Make(shift, on, off, refractory, classes: 4, eventClass: rng.Next(4));
            var bulk = Make(shift, on, off, refractory, classes: 4, eventClass: one.EventClass);
            var evOne = new List<long>();
            var evBulk = new List<long>();
            for (int span = 0; span < 60; span++)
            {
                int c = rng.Next(4), n = rng.Next(0, 300);
                for (int k = 0; k < n; k++)
                    if (one.Observe(c, 1)) evOne.Add(one.LastEventStep);
                if (bulk.Observe(c, n)) evBulk.Add(bulk.LastEventStep);
                Assert.Equal(one.Step, bulk.Step);
                Assert.Equal(one.CurrentClass, bulk.CurrentClass);
                for (int k = 0; k < 4; k++) Assert.Equal(one.Score(k), bulk.Score(k));
            }
            Assert.Equal(evOne, evBulk);
            events += evOne.Count;
        }
        Assert.True(events > 40, $"only {events} events: the comparison would not exercise firing");
    }

    [Theory]
    [InlineData(3, 1, 4, 100, 50, 0, "event_rule.event_class")]
    [InlineData(3, 2, 15, 100, 50, 0, "event_rule.shift")]
    [InlineData(3, 2, 4, 40000, 50, 0, "event_rule.on")]
    [InlineData(3, 2, 4, 0, 0, 0, "event_rule.on")]
    [InlineData(3, 2, 4, 100, 101, 0, "event_rule.off")]
    [InlineData(3, 2, 4, 100, 50, 70000, "event_rule.refractory")]
    public void Invalid_constants_are_refused_naming_the_field(int classes, int eventClass, int shift, int on, int off, int refractory, string field)
    {
        if (field == "event_rule.event_class") eventClass = classes;
        var e = Assert.Throws<ModelFormatException>(() => new EventRule(classes, eventClass, shift, on, off, refractory));
        Assert.Equal(field, e.Field);
    }
}
