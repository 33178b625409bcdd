using System.Text.Json;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Streaming;

/// <summary>
/// The event rule over a set of classes: per class it is the single-class rule (the pre-set smoother, kept as
/// <see cref="LegacyEventSmoother"/>, bit for bit), and over the keyword model's ten words it is
/// models/train/keyword/stream.py's detect_keywords (tests/fixtures/keyword_rule_events.json), frame by frame and over
/// skipped spans.
/// </summary>
public class MultiClassRuleTests
{
    private static List<(long Step, int Class, int Confidence)> RunNew(EventRule rule, int classes, IEnumerable<(int Cls, int N)> spans)
    {
        var s = new EventSmoother(rule, classes);
        var list = new EventList(64);
        var got = new List<(long, int, int)>();
        foreach (var (cls, n) in spans)
        {
            list.Clear();
            bool fired = s.Observe(cls, n);
            Assert.Equal(fired, list.Collect(s) > 0);
            for (int i = 0; i < list.Count; i++) got.Add((list.StepAt(i), list.ClassAt(i), list.ConfidenceAt(i)));
        }
        return got;
    }

    private static IEnumerable<(int, int)> PerFrame(int[] pred) => pred.Select(p => (p, 1));

    private static IEnumerable<(int, int)> Runs(int[] pred)
    {
        for (int t = 0; t < pred.Length;)
        {
            int e = t;
            while (e < pred.Length && pred[e] == pred[t]) e++;
            yield return (pred[t], e - t);
            t = e;
        }
    }

    public static TheoryData<int, bool> Cases() => new() { { 0, false }, { 0, true }, { 1, false }, { 1, true }, { 2, false }, { 2, true },
        { 3, false }, { 3, true }, { 4, false }, { 4, true }, { 5, false }, { 5, true } };

    /// <summary>A fixture case's rule: one threshold pair (version 2), or thresholds per word and min_frames (version 3).</summary>
    private static EventRule RuleOf(JsonElement c, int classes, int words)
    {
        int mask = (1 << words) - 1, shift = c.GetProperty("shift").GetInt32(), refractory = c.GetProperty("refractory").GetInt32();
        if (c.GetProperty("on").ValueKind != JsonValueKind.Array)
            return EventRule.ForClasses(classes, mask, shift, c.GetProperty("on").GetInt32(), c.GetProperty("off").GetInt32(), refractory);
        int[] on = c.GetProperty("on").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] off = c.GetProperty("off").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var rule = EventRule.ForClasses(classes, mask, shift, on, off, refractory, c.GetProperty("min_frames").GetInt32());
        Assert.Equal(EventRule.VersionPerClass, rule.SectionVersion);
        return rule;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_ten_word_rule_equals_detect_keywords(int index, bool spans)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "keyword_rule_events.json")));
        int classes = doc.RootElement.GetProperty("classes").GetInt32();
        int words = doc.RootElement.GetProperty("words").GetInt32();
        JsonElement c = doc.RootElement.GetProperty("cases")[index];
        int[] pred = c.GetProperty("pred").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var want = c.GetProperty("events").EnumerateArray().Select(e => ((long)e[0].GetInt32(), e[1].GetInt32(), e[2].GetInt32())).ToList();
        var rule = RuleOf(c, classes, words);
        Assert.NotEmpty(want);
        Assert.Equal(want, RunNew(rule, classes, spans ? Runs(pred) : PerFrame(pred)));
        if (index == 2 || index == 5) Assert.Contains(want.GroupBy(e => e.Item1), g => g.Count() > 1);   // words firing together
    }

    [Fact]
    public void Words_on_the_same_frame_all_fire_and_the_lowest_class_is_the_last_event()
    {
        // shift 1, on = off = 10000, refractory 4 (fixture case 2): after 2,0,1,0,0,2,0,0 words 0 and 2 both fire on frame 9.
        var s = new EventSmoother(EventRule.ForClasses(12, 0x3ff, 1, 10000, 10000, 4), 12);
        int[] pred = [2, 0, 1, 1, 2, 0, 1, 0, 0, 2];
        bool fired = false;
        foreach (int p in pred) fired = s.Observe(p, 1);
        Assert.True(fired);
        Assert.Equal(0b101, s.FiredMask);
        Assert.Equal((9L, 0, 13376), (s.LastEventStep, s.LastEventClass, s.LastEventConfidence));
        Assert.Equal((9L, 16928), (s.LastEventStepOf(2), s.LastEventConfidenceOf(2)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_single_class_rule_equals_the_pre_set_smoother_bit_for_bit(int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 40; trial++)
        {
            int classes = rng.Next(2, 9), e = rng.Next(classes), shift = rng.Next(0, 7);
            int on = rng.Next(1, 32769), off = rng.Next(0, on + 1), refractory = rng.Next(0, 60);
            var rule = new EventRule(classes, e, shift, on, off, refractory);
            var legacy = new LegacyEventSmoother(rule, classes);
            var now = new EventSmoother(rule, classes);
            for (int k = 0; k < 300; k++)
            {
                int cls = rng.Next(4) == 0 ? e : rng.Next(classes);
                int n = rng.Next(3) == 0 ? rng.Next(0, 400) : 1;
                Assert.Equal(legacy.Observe(cls, n), now.Observe(cls, n));
                Assert.Equal((legacy.Step, legacy.CurrentClass, legacy.HasEvent, legacy.LastEventStep, legacy.LastEventConfidence),
                    (now.Step, now.CurrentClass, now.HasEvent, now.LastEventStep, now.LastEventConfidence));
                Assert.Equal(e, now.LastEventClass);
                for (int c = 0; c < classes; c++) Assert.Equal(legacy.Score(c), now.Score(c));
            }
        }
    }

    [Fact]
    public void Each_class_of_a_set_behaves_like_its_own_single_class_rule()
    {
        var rng = new Random(7);
        int classes = 6, mask = 0b101101;
        var set = EventRule.ForClasses(classes, mask, 2, 20000, 6000, 30);
        int[] pred = Enumerable.Range(0, 4000).Select(_ => rng.Next(5) == 0 ? rng.Next(classes) : -1).ToArray();
        for (int t = 0; t < pred.Length; t++) if (pred[t] < 0) pred[t] = t > 0 ? pred[t - 1] : 0;
        var all = RunNew(set, classes, Runs(pred));
        for (int c = 0; c < classes; c++)
        {
            if (((mask >> c) & 1) == 0) { Assert.DoesNotContain(all, ev => ev.Class == c); continue; }
            var single = RunNew(new EventRule(classes, c, 2, 20000, 6000, 30), classes, PerFrame(pred));
            Assert.Equal(single, all.Where(ev => ev.Class == c).ToList());
        }
        Assert.True(all.Count > 20);
    }
}
