using SkipRnn.Edge.Host;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

/// <summary>Skipped steps are O(1), need no input, and are announced right after each update.</summary>
public class SkippingTests
{
    private static SkipGruModel Model(double skipBias = -1.0) =>
        Quantizer.Quantize(TestModels.Random(21, GruVariant.ResetAfter, 4, 16, 2, 3, skipBias: skipBias), TestModels.Options(4));

    [Fact]
    public void Skipped_steps_need_no_input_and_do_no_work()
    {
        SkipGruModel m = Model();
        var runner = new SkipGru(m);
        var raw = new int[] { 100, -200, 300, 50 };
        Assert.True(runner.NextStepNeedsInput);
        Assert.True(runner.Step(raw));                 // ũ_1 = 1: the first step always updates
        int skips = runner.StepsToSkip;
        Assert.True(skips > 0, "this model should skip after its first update");
        var state = new short[16];
        runner.CopyState(1, state);
        int output0 = runner.GetOutput(0);
        long macs = runner.Counters.Macs, lookups = runner.Counters.Lookups;
        for (int k = 0; k < skips; k++)
        {
            Assert.False(runner.NextStepNeedsInput);
            Assert.False(runner.Step(null));           // no input on a skipped step
        }
        Assert.Equal(macs, runner.Counters.Macs);
        Assert.Equal(lookups, runner.Counters.Lookups);
        Assert.Equal(skips, runner.Counters.Skips);
        for (int j = 0; j < 16; j++) Assert.Equal(state[j], runner.GetState(1, j));   // state copied
        Assert.Equal(output0, runner.GetOutput(0));    // head not recomputed
        Assert.True(runner.NextStepNeedsInput);
        Assert.Throws<ArgumentException>(() => runner.Step(null));
        Assert.True(runner.Step(raw));
        Assert.Equal(2 * m.MacsPerUpdate, runner.Counters.Macs);
    }

    [Fact]
    public void Missed_steps_hold_the_state_and_the_next_step_still_updates()
    {
        // A step whose input was lost (a buffer overrun) is held like a skipped one, but ũ is left alone: the
        // model asked for an update and gets it on the first sample that arrives. Misuse is refused.
        SkipGruModel m = Model();
        var runner = new SkipGru(m);
        var raw = new int[] { 100, -200, 300, 50 };
        Assert.Throws<InvalidOperationException>(() => { runner.Step(raw); runner.Miss(1); });   // StepsToSkip > 0
        runner.Skip(runner.StepsToSkip);
        Assert.True(runner.NextStepNeedsInput);
        var state = new short[16];
        runner.CopyState(1, state);
        int u = runner.UpdateProbability, output0 = runner.GetOutput(0);
        long macs = runner.Counters.Macs, skips = runner.Counters.Skips;
        runner.Miss(7);
        Assert.Equal(macs, runner.Counters.Macs);
        Assert.Equal(skips + 7, runner.Counters.Skips);
        Assert.Equal(u, runner.UpdateProbability);
        Assert.Equal(output0, runner.GetOutput(0));
        for (int j = 0; j < 16; j++) Assert.Equal(state[j], runner.GetState(1, j));
        Assert.True(runner.NextStepNeedsInput);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Miss(-1));
        // The update after the miss is the one that would have come without it.
        var twin = new SkipGru(m);
        twin.Step(raw);
        twin.Skip(twin.StepsToSkip);
        Assert.True(runner.Step(raw));
        Assert.True(twin.Step(raw));
        for (int j = 0; j < 16; j++) Assert.Equal(twin.GetState(1, j), runner.GetState(1, j));
        Assert.Equal(twin.StepsToSkip, runner.StepsToSkip);
    }

    [Fact]
    public void Announced_skip_count_equals_the_step_by_step_rule()
    {
        // For every possible increment p: ũ = p, 2p, ... skip while ≤ 0.5, and ũ + min(p, 1 − ũ) per step.
        for (int p = 1; p <= QFormat.One15; p++)
        {
            int u = p, count = 0;
            while (u <= QFormat.Half15) { u += Math.Min(p, QFormat.One15 - u); count++; }
            int closedForm = p > QFormat.Half15 ? 0 : (QFormat.Half15 - p) / p + 1;
            Assert.Equal(count, closedForm);
        }
    }

    [Fact]
    public void Skip_many_at_once_equals_skipping_one_at_a_time()
    {
        SkipGruModel m = Model(-2.0);
        var a = new SkipGru(m);
        var b = new SkipGru(m);
        int[][] raw = TestModels.RawStream(TestModels.Random(21, GruVariant.ResetAfter, 4, 16, 2, 3), 2000, 9);
        int t = 0;
        while (t < raw.Length)
        {
            Assert.Equal(a.Step(raw[t]), b.Step(raw[t]));
            t++;
            int n = Math.Min(a.StepsToSkip, raw.Length - t);
            a.Skip(n);                                 // O(1)
            for (int k = 0; k < n; k++) Assert.False(b.Step(raw[t + k]));
            t += n;
            Assert.Equal(a.UpdateProbability, b.UpdateProbability);
            Assert.Equal(a.StepsToSkip, b.StepsToSkip);
        }
        Assert.Equal(a.Counters.Skips, b.Counters.Skips);
        Assert.True(a.Counters.Skips > 1000);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Skip(a.StepsToSkip + 1));
    }

    [Fact]
    public void Skip_decisions_follow_the_announced_count_over_a_long_stream()
    {
        SkipGruModel m = Model();
        var runner = new SkipGru(m);
        int[][] raw = TestModels.RawStream(TestModels.Random(21, GruVariant.ResetAfter, 4, 16, 2, 3), 5000, 2);
        int expectedSkips = 0;
        foreach (int[] step in raw)
        {
            bool updated = runner.Step(step);
            Assert.Equal(expectedSkips == 0, updated);
            expectedSkips = updated ? runner.StepsToSkip : expectedSkips - 1;
            Assert.Equal(updated, runner.UpdateProbability == runner.Increment);
        }
        Assert.Equal(5000, runner.Counters.Steps);
        Assert.True(runner.Counters.Updates is > 500 and < 4500, $"{runner.Counters.Updates} updates");
    }

    [Fact]
    public void Reset_starts_a_sequence_that_repeats_exactly()
    {
        SkipGruModel m = Model();
        var runner = new SkipGru(m);
        int[][] raw = TestModels.RawStream(TestModels.Random(21, GruVariant.ResetAfter, 4, 16, 2, 3), 300, 4);
        var first = new List<int>();
        foreach (int[] s in raw) { runner.Step(s); first.Add(runner.GetState(1, 3)); }
        runner.Reset();
        Assert.True(runner.NextStepNeedsInput);
        for (int t = 0; t < raw.Length; t++) { runner.Step(raw[t]); Assert.Equal(first[t], runner.GetState(1, 3)); }
    }

    [Fact]
    public void Increment_never_drops_below_the_table_floor_so_skip_runs_end()
    {
        SkipGruModel m = Model(skipBias: -100);        // the table saturates at σ(−8) = 11/32768
        var runner = new SkipGru(m);
        runner.Step(new int[4]);
        Assert.Equal(Activation.SigmoidTable[0], runner.Increment);
        Assert.Equal(11, runner.Increment);
        Assert.Equal(1489, runner.StepsToSkip);        // ⌊(16384 − 11) / 11⌋ + 1
    }
}
