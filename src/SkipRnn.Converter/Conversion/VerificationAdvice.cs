using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Quantization;

namespace SkipRnn.Converter.Conversion;

/// <summary>
/// What `convert` says beside the verification figures: which data the floors were measured on, whether that
/// set is large enough for a floor to mean anything, and what to try when a floor fails.
/// </summary>
public static class VerificationAdvice
{
    /// <summary>
    /// A floor is only a measurement when at least this many disagreements would fail it; with fewer, a couple of
    /// borderline sequences decide pass or fail (60 sequences: 2 class flips fail a 99% floor).
    /// </summary>
    public const long MinFailingDisagreements = 10;

    /// <summary>
    /// The smallest number of disagreements among <paramref name="count"/> that fails <paramref name="floor"/>,
    /// with the pipeline's own test (agreeing / count ≥ floor passes); count + 1 when none can fail it.
    /// </summary>
    public static long DisagreementsThatFail(long count, double floor)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Nothing was counted.");
        for (long k = Math.Max(0, (long)Math.Floor(count * (1 - floor)) - 1); k <= count; k++)
            if ((double)(count - k) / count < floor) return k;
        return count + 1;
    }

    /// <summary>Warnings about the verification set (empty when there is nothing to say).</summary>
    public static List<string> Warnings(ConvertOptions o, EvaluationResult e, IReadOnlyList<FloorCheck> floors)
    {
        var warnings = new List<string>();
        if (o.ValidationPath == null)
            warnings.Add("no --validation set given: the floors were measured on the calibration set, the data the quantization " +
                         "was fitted to; pass -v with held-out sequences (the recipe writes test.npz) for an honest figure.");
        foreach (FloorCheck f in floors)
        {
            (long count, string unit) = f.Metric == "argmax agreement"
                ? (e.Sequences, "sequences")
                : ((long)e.Sequences * e.StepsPerSequence, "steps");
            long failing = DisagreementsThatFail(count, f.Floor);
            if (failing < MinFailingDisagreements)
                warnings.Add($"the {f.Metric} floor ({f.Floor * 100:G4}%) is measured over {count:N0} {unit}: {failing} disagreement(s) fail it, " +
                             $"so it tests a few borderline cases more than the model; use a validation set of at least " +
                             $"{Math.Ceiling(MinFailingDisagreements / Math.Max(1e-9, 1 - f.Floor)):N0} {unit}.");
        }
        return warnings;
    }

    /// <summary>What to try after a failed verification, most targeted first (empty when it passed).</summary>
    public static List<string> WhenFailed(ConvertOptions o, IReadOnlyList<FloorCheck> floors, IReadOnlyList<TensorQuality> tensors,
        IReadOnlyList<string> warnings)
    {
        var tips = new List<string>();
        if (floors.All(f => f.Passed)) return tips;
        // The recurrent matrices first: an error there is fed back at every update.
        var int8 = tensors.Where(t => t.Kind == "weights" && t.Bits == 8).ToList();
        var recurrent = int8.Where(t => t.Tensor.EndsWith(".w_hh", StringComparison.Ordinal)).ToList();
        if (recurrent.Count > 0)
            tips.Add($"hold the recurrent matrices in int16: --int16 {string.Join(",", recurrent.Select(t => t.Tensor))} " +
                     $"(SQNR {string.Join(", ", recurrent.Select(t => CliDb(t.SqnrDb) + " dB"))}; an error there is fed back at every update)");
        else if (int8.Count > 0)
        {
            TensorQuality weakest = int8.OrderBy(t => t.SqnrDb).First();
            tips.Add($"hold the weakest int8 tensor in int16: --int16 {weakest.Tensor} (SQNR {CliDb(weakest.SqnrDb)} dB)");
        }
        if (o.WeightBits == 8)
            tips.Add("all weights in int16: --weight-bits 16 (twice the weight flash, a little more time per MAC)");
        tips.Add("quantization-aware fine-tuning: models/train/train.py --init model.pt --qat (see models/train/README.md)");
        if (warnings.Count > 0 || o.ValidationPath == null)
            tips.Add("a larger held-out validation set (-v): the warnings above say why the figure may be noise");
        tips.Add("or lower --min-decision-agreement / --min-argmax-agreement if the task metric above is still what you need");
        return tips;
    }

    private static string CliDb(double db) => double.IsPositiveInfinity(db) ? "∞" : db.ToString("F1");
}
