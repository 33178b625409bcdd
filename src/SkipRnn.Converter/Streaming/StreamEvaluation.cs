using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Streaming;

/// <summary>One detected event: sample index within its recording, class, confidence (Q0.15 vote share).</summary>
public sealed record StreamEvent(int Recording, long Step, int Class, int Confidence);

/// <summary>What one pass over each recording produced: per-sample head class and update flag, and the events.</summary>
public sealed class StreamTrace
{
    public required int[] Pred { get; init; }
    public required bool[] Updated { get; init; }
    public required List<StreamEvent> Events { get; init; }
    /// <summary>ũ before each sample in Q0.15 (the fixed-point run only; null for the float reference).</summary>
    public int[]? UTilde { get; init; }
}

/// <summary>
/// Runs a model over a <see cref="Recording"/> exactly as a board would: one <c>Reset()</c> at the start of each
/// recording, never again. Fixed point: the device's <see cref="StreamDetector"/> (skipped spans given to
/// SkipSamples in one call, as a sleeping board would). Float: the float64 reference step by step, its head's
/// argmax through the same integer <see cref="EventSmoother"/>.
/// </summary>
public static class StreamRunner
{
    public static StreamTrace RunFixed(SkipGruModel model, EventRule rule, Recording rec)
    {
        int n = rec.Samples, inputs = rec.Inputs;
        var pred = new int[n];
        var updated = new bool[n];
        var uTilde = new int[n];
        var events = new List<StreamEvent>();
        var d = new StreamDetector(model, rule);
        var frame = new int[inputs];
        for (int r = 0; r + 1 < rec.Offsets.Length; r++)
        {
            d.Reset();
            int start = rec.Offsets[r], end = rec.Offsets[r + 1];
            int t = start;
            while (t < end)
            {
                bool fired;
                int skip = Math.Min(d.SamplesToSkip, end - t);
                if (skip > 0)
                {
                    // ũ over a skipped span: n steps of ũ + Δũ from the last update, as SkipGru.Skip counts them
                    int u0 = d.Rnn.UpdateProbability, du = d.Rnn.Increment;
                    for (int k = 0; k < skip; k++) uTilde[t + k] = Math.Min(u0 + k * du, 32768);
                    fired = d.SkipSamples(skip);
                    for (int k = 0; k < skip; k++) pred[t + k] = d.HeadClass;
                    t += skip;
                }
                else
                {
                    Array.Copy(rec.X, (long)t * inputs, frame, 0, inputs);
                    uTilde[t] = d.Rnn.UpdateProbability;
                    fired = d.Push(frame);
                    pred[t] = d.HeadClass;
                    updated[t] = true;
                    t++;
                }
                if (fired) events.Add(new StreamEvent(r, d.LastEventStep, d.LastEventClass, d.LastEventConfidence));
            }
        }
        return new StreamTrace { Pred = pred, Updated = updated, Events = events, UTilde = uTilde };
    }

    public static StreamTrace RunFloat(FloatSkipGruModel model, EventRule rule, Recording rec)
    {
        int n = rec.Samples, inputs = rec.Inputs;
        var pred = new int[n];
        var updated = new bool[n];
        var events = new List<StreamEvent>();
        var rnn = new FloatSkipGru(model);
        var smoother = new EventSmoother(rule, model.OutputSize);
        var raw = new double[inputs];
        for (int r = 0; r + 1 < rec.Offsets.Length; r++)
        {
            rnn.Reset();
            smoother.Reset();
            for (int t = rec.Offsets[r]; t < rec.Offsets[r + 1]; t++)
            {
                bool update = rnn.NextStepUpdates;
                if (update)
                    for (int j = 0; j < inputs; j++) raw[j] = rec.X[(long)t * inputs + j];
                updated[t] = rnn.Step(update ? FloatSkipGru.Normalize(model, raw) : null);
                double[] o = rnn.Outputs;
                int best = 0;
                for (int c = 1; c < o.Length; c++) if (o[c] > o[best]) best = c;
                pred[t] = best;
                if (smoother.Observe(best, 1))
                    events.Add(new StreamEvent(r, smoother.LastEventStep, smoother.LastEventClass, smoother.LastEventConfidence));
            }
        }
        return new StreamTrace { Pred = pred, Updated = updated, Events = events };
    }
}
