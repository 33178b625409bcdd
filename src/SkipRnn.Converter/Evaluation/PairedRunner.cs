using SkipRnn.Converter.Data;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// Runs the float64 reference and the fixed-point runner side by side over one sequence at a time, each
/// free-running from reset, and tallies what they do step by step. Buffers are allocated once, here.
/// </summary>
internal sealed class PairedRunner
{
    private readonly FloatSkipGru _float;
    private readonly SkipGru _fixed;
    private readonly RawEncoding _encoding;
    private readonly double[] _mean, _std;      // the float model's input normalization (identity where absent)
    private readonly double[] _normalized;
    private readonly int[] _raw;
    private readonly double[] _fixedOutputs;
    private readonly int _layers, _hidden;

    public PairedRunner(FloatSkipGruModel floatModel, SkipGruModel fixedModel, RawEncoding encoding)
    {
        _float = new FloatSkipGru(floatModel);
        _fixed = new SkipGru(fixedModel);
        _encoding = encoding;
        int inputs = floatModel.InputSize;
        _mean = new double[inputs];
        _std = new double[inputs];
        for (int j = 0; j < inputs; j++)
        {
            _mean[j] = floatModel.InputMean?[j] ?? 0.0;
            _std[j] = floatModel.InputStd?[j] ?? 1.0;
        }
        _normalized = new double[inputs];
        _raw = new int[inputs];
        _fixedOutputs = new double[floatModel.OutputSize];
        _layers = floatModel.Layers.Length;
        _hidden = floatModel.HiddenSize;
    }

    /// <summary>Steps on which both made the same update decision, over every sequence run so far.</summary>
    public long AgreeingSteps { get; private set; }
    /// <summary>Steps run so far.</summary>
    public long Steps { get; private set; }
    /// <summary>Σ |fixed state − float state| over steps, layers and units so far.</summary>
    public double StateErrorSum { get; private set; }
    /// <summary>Number of terms in <see cref="StateErrorSum"/>.</summary>
    public long StateErrorTerms { get; private set; }

    /// <summary>Float head outputs after the last sequence (live array).</summary>
    public double[] FloatOutputs => _float.Outputs;
    /// <summary>Fixed-point head outputs after the last sequence, dequantized from Q.12 (live array).</summary>
    public double[] FixedOutputs => _fixedOutputs;
    /// <summary>Fixed-point argmax after the last sequence (the runner's own rule: first on ties).</summary>
    public int FixedArgMax => _fixed.ArgMax();

    /// <summary>
    /// Called after every step with (step, float ũ and fixed ũ before it, whether each updated); the outputs as of
    /// that step are <see cref="FloatOutputs"/> and <see cref="CurrentFixedOutput"/>. Null: no calls (evaluation).
    /// </summary>
    public Action<int, double, double, bool, bool>? AfterStep { get; set; }

    /// <summary>The fixed-point head output <paramref name="o"/> as of the last step, dequantized from Q.12.</summary>
    public double CurrentFixedOutput(int o) => _fixed.GetOutput(o) / (double)QFormat.One12;

    /// <summary>Runs sequence <paramref name="n"/> on both models from reset; returns each one's update count and the fixed MACs.</summary>
    public (int FloatUpdates, int FixedUpdates, long FixedMacs) Run(SequenceDataset data, int n)
    {
        _float.Reset();
        _fixed.Reset();
        long macsBefore = _fixed.Counters.Macs;
        int floatUpdates = 0, fixedUpdates = 0;
        for (int t = 0; t < data.Steps; t++)
        {
            ReadOnlySpan<double> physical = data.StepValues(n, t);
            double floatU = _float.UpdateProbability, fixedU = _fixed.UpdateProbability / (double)QFormat.One15;
            // Each model reads its input only when it updates, as the device does; skipped steps get null.
            bool floatUpdated = _float.Step(_float.NextStepUpdates ? Normalize(physical) : null);
            bool fixedUpdated = _fixed.Step(_fixed.NextStepNeedsInput ? _encoding.Encode(physical, _raw) : null);
            if (floatUpdated) floatUpdates++;
            if (fixedUpdated) fixedUpdates++;
            if (floatUpdated == fixedUpdated) AgreeingSteps++;
            AccumulateStateError();
            AfterStep?.Invoke(t, floatU, fixedU, floatUpdated, fixedUpdated);
        }
        Steps += data.Steps;
        for (int o = 0; o < _fixedOutputs.Length; o++)
            _fixedOutputs[o] = _fixed.GetOutput(o) / (double)QFormat.One12;
        return (floatUpdates, fixedUpdates, _fixed.Counters.Macs - macsBefore);
    }

    /// <summary>FloatSkipGru.Normalize's arithmetic, (raw − mean) / std, into a reused buffer.</summary>
    private double[] Normalize(ReadOnlySpan<double> physical)
    {
        for (int j = 0; j < _normalized.Length; j++) _normalized[j] = (physical[j] - _mean[j]) / _std[j];
        return _normalized;
    }

    private void AccumulateStateError()
    {
        double sum = 0;
        for (int l = 0; l < _layers; l++)
        {
            double[] reference = _float.State(l);
            for (int j = 0; j < _hidden; j++)
                sum += Math.Abs(_fixed.GetState(l, j) / (double)QFormat.One15 - reference[j]);
        }
        StateErrorSum += sum;
        StateErrorTerms += _layers * _hidden;
    }
}
