using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// The plain reference step (<see cref="ReferenceSkipGru"/>) and the interpreter-tuned runner (<see cref="SkipGru"/>)
/// stepped side by side. Compiled into SkipRnn.Edge.Tests (random models) and SkipRnn.Converter.Tests (the shipped
/// models on their data sets, which that project reads).
/// </summary>
internal static class StepComparison
{
    /// <summary>Steps both runners through <paramref name="raw"/> and asserts they agree at every step; resets both at
    /// every step listed in <paramref name="resets"/>. Returns the updates seen.</summary>
    public static int AssertSameSteps(SkipGruModel m, IReadOnlyList<int[]> raw, ISet<int>? resets = null, string what = "")
    {
        var tuned = new SkipGru(m);
        var reference = new ReferenceSkipGru(m);
        Assert.False(tuned.UsesStepKernel);   // the managed path is the one compared
        int layers = m.Layers.Length, hidden = m.HiddenSize, updates = 0;
        for (int t = 0; t < raw.Count; t++)
        {
            if (resets != null && resets.Contains(t)) { tuned.Reset(); reference.Reset(); }
            bool updated = tuned.Step(tuned.NextStepNeedsInput ? raw[t] : null);
            bool referenceUpdated = reference.Step(raw[t]);
            if (updated) updates++;
            string At() => $"{what} step {t}";
            if (updated != referenceUpdated) Assert.Fail($"{At()}: tuned updated {updated}, reference {referenceUpdated}");
            if (tuned.UpdateProbability != reference.UpdateProbability)
                Assert.Fail($"{At()}: ũ {tuned.UpdateProbability} (tuned) vs {reference.UpdateProbability}");
            if (!updated) continue;   // a skipped step changes nothing else (SkippingTests)
            if (tuned.Increment != reference.Increment) Assert.Fail($"{At()}: Δũ {tuned.Increment} vs {reference.Increment}");
            for (int l = 0; l < layers; l++)
                for (int j = 0; j < hidden; j++)
                    if (tuned.GetState(l, j) != reference.GetState(l, j))
                        Assert.Fail($"{At()}: layer {l} unit {j}: {tuned.GetState(l, j)} (tuned) vs {reference.GetState(l, j)}");
            for (int o = 0; o < m.OutputSize; o++)
                if (tuned.GetOutput(o) != reference.GetOutput(o))
                    Assert.Fail($"{At()}: output {o}: {tuned.GetOutput(o)} (tuned) vs {reference.GetOutput(o)}");
        }
        return updates;
    }
}
