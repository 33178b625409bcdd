using SkipRnn.Edge.Host;
using SkipRnn.Edge.Kernels;

namespace SkipRnn.Converter.Quantization;

/// <summary>Range of one gate's pre-activations over the calibration set (float model, update steps only).</summary>
/// <param name="Tensor">"layer[0]" … or "skip_gate".</param>
/// <param name="Gate">"r", "z", "n" (the tanh input) or "p" (the skip gate).</param>
/// <param name="SaturatedFraction">Share of values beyond ±8, where the tables saturate (harmless).</param>
/// <param name="ClampedFraction">Share beyond ±128, where fixed point clamps the value (changes results).</param>
public sealed record PreactivationRange(string Tensor, string Gate, double Min, double Max, long Count,
    double SaturatedFraction, double ClampedFraction);

/// <summary>
/// What the calibration set decides: the raw-input LSB, the normalized input's fixed-point format (the largest
/// fractional bit count that leaves 25% headroom over the largest normalized input seen), and the measured
/// pre-activation ranges that show whether Q.12 with its ±128 clamp holds the model.
/// </summary>
public sealed record Calibration(double[] RawLsb, int InputFracBits, double MaxAbsNormalizedInput,
    IReadOnlyList<PreactivationRange> Preactivations, int Sequences)
{
    /// <summary>Headroom over the largest normalized calibration input.</summary>
    public const double InputHeadroom = 1.25;

    /// <summary>True when some pre-activation left ±128: fixed point will clamp it.</summary>
    public bool AnyClamped => Preactivations.Any(p => p.ClampedFraction > 0);

    /// <summary>
    /// Runs the float model over the calibration sequences (physical values, flattened [T × I]) as the device
    /// would see them: each value rounded to a raw count of <paramref name="rawLsb"/> first.
    /// </summary>
    public static Calibration Run(FloatSkipGruModel model, IReadOnlyList<double[]> sequences, double[] rawLsb)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (sequences.Count == 0) throw new ArgumentException("The calibration set is empty.");
        int inputs = model.InputSize;
        if (rawLsb.Length != inputs) throw new ArgumentException($"{rawLsb.Length} raw LSBs for {inputs} inputs.");

        var stats = new Dictionary<(int Layer, int Gate), RangeStats>();
        var reference = new FloatSkipGru(model)
        {
            OnPreactivation = (layer, gate, v) =>
            {
                if (!stats.TryGetValue((layer, gate), out RangeStats? s)) stats[(layer, gate)] = s = new RangeStats();
                s.Add(v);
            },
        };
        double maxAbs = 0;
        var physical = new double[inputs];
        foreach (double[] seq in sequences)
        {
            if (seq.Length % inputs != 0) throw new ArgumentException($"A sequence of {seq.Length} values does not hold whole steps of {inputs}.");
            reference.Reset();
            for (int t = 0; t < seq.Length / inputs; t++)
            {
                for (int j = 0; j < inputs; j++) physical[j] = Math.Round(seq[t * inputs + j] / rawLsb[j]) * rawLsb[j];
                double[] x = FloatSkipGru.Normalize(model, physical);
                foreach (double v in x) maxAbs = Math.Max(maxAbs, Math.Abs(v));
                if (reference.NextStepUpdates) reference.Step(x); else reference.Step(null);
            }
        }

        int frac = maxAbs == 0 ? 15 : (int)Math.Floor(Math.Log2(32767 / (maxAbs * InputHeadroom)));
        frac = Math.Clamp(frac, 0, 15);
        string[] gates = { "r", "z", "n" };
        var ranges = stats.OrderBy(kv => kv.Key.Layer < 0 ? int.MaxValue : kv.Key.Layer).ThenBy(kv => kv.Key.Gate)
            .Select(kv => kv.Value.ToRange(kv.Key.Layer < 0 ? "skip_gate" : $"layer[{kv.Key.Layer}]",
                kv.Key.Layer < 0 ? "p" : gates[kv.Key.Gate]))
            .ToList();
        return new Calibration((double[])rawLsb.Clone(), frac, maxAbs, ranges, sequences.Count);
    }

    private sealed class RangeStats
    {
        private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
        private long _count, _saturated, _clamped;
        private const double TableLimit = 8.0;
        private const double ClampLimit = (double)QFormat.PreactLimit / QFormat.One12;

        public void Add(double v)
        {
            _min = Math.Min(_min, v);
            _max = Math.Max(_max, v);
            _count++;
            if (Math.Abs(v) >= TableLimit) _saturated++;
            if (Math.Abs(v) > ClampLimit) _clamped++;
        }

        public PreactivationRange ToRange(string tensor, string gate) =>
            new(tensor, gate, _min, _max, _count, (double)_saturated / _count, (double)_clamped / _count);
    }
}
