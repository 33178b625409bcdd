using SkipRnn.Converter.Import;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Data;

/// <summary>
/// Labelled sequences for calibration and verification, in the form the training recipe exports them
/// (models/train: calibration.npz, test.npz): <c>x</c> float [N, T, I], the raw physical inputs before the
/// model's normalization; <c>y</c> integer class labels [N] (classification) or float targets [N] or [N, O]
/// (regression). Everything is checked on construction (finite values, sane sizes, labels ≥ 0), so users of
/// the dataset never meet a NaN; <see cref="Validate"/> then checks it against a model.
/// </summary>
public sealed class SequenceDataset
{
    /// <summary>Name of the input array in the .npz.</summary>
    public const string InputArray = "x";
    /// <summary>Name of the label or target array in the .npz.</summary>
    public const string TargetArray = "y";
    /// <summary>Most input channels: what a device model may take.</summary>
    public const int MaxInputs = SkipGruModel.MaxInputSize;
    /// <summary>Most regression targets per sequence: what a device model's head may give.</summary>
    public const int MaxOutputs = SkipGruModel.MaxOutputSize;
    /// <summary>Most steps per sequence (1000 s at 1 kHz): longer is a wrong axis order, not a dataset.</summary>
    public const int MaxSteps = 1_000_000;

    internal const string XItem = "array 'x'";
    internal const string YItem = "array 'y'";

    private readonly double[] _x;         // [N, T, I], row-major
    private readonly int[]? _labels;      // classification: [N]
    private readonly double[]? _targets;  // regression: [N, TargetWidth]

    /// <summary>The file the dataset came from (as the caller named it; used in every error).</summary>
    public string Path { get; }
    /// <summary>N: number of sequences.</summary>
    public int Count { get; }
    /// <summary>T: steps per sequence.</summary>
    public int Steps { get; }
    /// <summary>I: input channels per step.</summary>
    public int Inputs { get; }
    /// <summary>Classification for integer labels, Regression for float targets.</summary>
    public ModelTask Task { get; }
    /// <summary>Regression: values per target (1 when y is [N]); 0 for classification.</summary>
    public int TargetWidth { get; }

    private SequenceDataset(string path, double[] x, int count, int steps, int inputs, int[]? labels,
        double[]? targets, int targetWidth)
    {
        Path = path;
        CheckInputShape(path, count, steps, inputs);
        if ((long)count * steps * inputs != x.Length)
            throw new DataException(path, XItem, $"has {x.Length} values, but shape [{count}, {steps}, {inputs}] needs {(long)count * steps * inputs}.");
        RequireFiniteInputs(path, x, steps, inputs);

        if (labels != null)
        {
            if (labels.Length != count)
                throw new DataException(path, YItem, $"has {labels.Length} labels but x has {count} sequences.");
            for (int n = 0; n < count; n++)
                if (labels[n] < 0)
                    throw new DataException(path, YItem, $"the label of sequence {n} is {labels[n]}; class labels are 0 or more.");
            Task = ModelTask.Classification;
        }
        else
        {
            if (targets == null) throw new ArgumentNullException(nameof(targets));
            if (targetWidth < 1)
                throw new DataException(path, YItem, $"has {targetWidth} target values per sequence; regression needs at least 1.");
            if (targetWidth > MaxOutputs)
                throw new DataException(path, YItem, $"has {targetWidth} target values per sequence, more than the {MaxOutputs} outputs a device model can have.");
            if ((long)count * targetWidth != targets.Length)
                throw new DataException(path, YItem, $"has {targets.Length} values, but {count} sequences × {targetWidth} targets need {(long)count * targetWidth}.");
            for (int i = 0; i < targets.Length; i++)
                if (!double.IsFinite(targets[i]))
                    throw new DataException(path, YItem,
                        $"the target of sequence {i / targetWidth}, output {i % targetWidth} is {Describe(targets[i])}; targets must be finite.");
            Task = ModelTask.Regression;
            TargetWidth = targetWidth;
        }
        _x = x;
        _labels = labels;
        _targets = targets;
        Count = count;
        Steps = steps;
        Inputs = inputs;
    }

    /// <summary>Reads a dataset .npz (arrays other than x and y, such as class_names, are ignored).</summary>
    public static SequenceDataset Read(string path) => SequenceDatasetReader.Read(path);

    /// <summary>Parses a dataset .npz held in memory; <paramref name="source"/> names it in errors.</summary>
    public static SequenceDataset Parse(byte[] npz, string source) => SequenceDatasetReader.Parse(npz, source);

    /// <summary>A classification dataset from arrays (copied): x [count, steps, inputs] row-major, one label per sequence.</summary>
    public static SequenceDataset ForClassification(string source, double[] x, int count, int steps, int inputs, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        return new SequenceDataset(source, (double[])x.Clone(), count, steps, inputs, (int[])labels.Clone(), null, 0);
    }

    /// <summary>A regression dataset from arrays (copied): x [count, steps, inputs], targets [count, targetWidth], row-major.</summary>
    public static SequenceDataset ForRegression(string source, double[] x, int count, int steps, int inputs,
        double[] targets, int targetWidth)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(targets);
        return new SequenceDataset(source, (double[])x.Clone(), count, steps, inputs, null, (double[])targets.Clone(), targetWidth);
    }

    /// <summary>Takes the arrays as they are (the reader owns them already).</summary>
    internal static SequenceDataset FromOwnedArrays(string source, double[] x, int count, int steps, int inputs,
        int[]? labels, double[]? targets, int targetWidth) =>
        new(source, x, count, steps, inputs, labels, targets, targetWidth);

    /// <summary>Sequence <paramref name="n"/>, flattened [T × I] (row = step), as a new array.</summary>
    public double[] Sequence(int n)
    {
        CheckIndex(n);
        return _x.AsSpan(n * Steps * Inputs, Steps * Inputs).ToArray();
    }

    /// <summary>The class label of sequence <paramref name="n"/> (classification datasets only).</summary>
    public int Label(int n)
    {
        CheckIndex(n);
        if (_labels == null) throw new InvalidOperationException($"{Path}: the dataset holds regression targets, not class labels; use Target(n).");
        return _labels[n];
    }

    /// <summary>The targets of sequence <paramref name="n"/>, <see cref="TargetWidth"/> values (regression datasets only).</summary>
    public double[] Target(int n) => TargetValues(n).ToArray();

    /// <summary>The physical input values of one step, without copying.</summary>
    internal ReadOnlySpan<double> StepValues(int n, int t) => _x.AsSpan((n * Steps + t) * Inputs, Inputs);

    /// <summary>The targets of sequence <paramref name="n"/>, without copying.</summary>
    internal ReadOnlySpan<double> TargetValues(int n)
    {
        CheckIndex(n);
        if (_targets == null) throw new InvalidOperationException($"{Path}: the dataset holds class labels, not regression targets; use Label(n).");
        return _targets.AsSpan(n * TargetWidth, TargetWidth);
    }

    /// <summary>Largest |x| per input channel over every sequence and step.</summary>
    public double[] MaxAbsPerChannel()
    {
        var max = new double[Inputs];
        for (int i = 0; i < _x.Length; i++)
        {
            int j = i % Inputs;
            max[j] = Math.Max(max[j], Math.Abs(_x[i]));
        }
        return max;
    }

    /// <summary>
    /// Checks the dataset against a model before it is scored: the model's input count, a head to score,
    /// the task (<paramref name="task"/> is the model's; Unspecified accepts the dataset's), class labels within
    /// the model's outputs, and the regression target width equal to the output count.
    /// </summary>
    public void Validate(FloatSkipGruModel model, ModelTask task)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.InputSize != Inputs)
            throw new DataException(Path, XItem, $"has {Inputs} input channels per step but the model takes {model.InputSize} inputs.");
        int outputs = model.OutputSize;
        if (outputs == 0)
            throw new DataException(Path, null, "the model has no output head, so there is nothing to score against y.");
        if (task != ModelTask.Unspecified && task != Task)
            throw new DataException(Path, YItem, Task == ModelTask.Classification
                ? "holds integer class labels (classification) but the model's task is regression; regression targets must be a float array."
                : "holds float targets (regression) but the model's task is classification; class labels must be an integer array.");
        if (Task == ModelTask.Classification)
        {
            if (outputs < 2)
                throw new DataException(Path, YItem, "holds class labels but the model has 1 output; classification needs one output per class, at least 2.");
            for (int n = 0; n < Count; n++)
                if (_labels![n] >= outputs)
                    throw new DataException(Path, YItem,
                        $"the label of sequence {n} is {_labels[n]}, but the model has {outputs} outputs (classes 0 to {outputs - 1}).");
        }
        else if (TargetWidth != outputs)
        {
            throw new DataException(Path, YItem, $"has {TargetWidth} target values per sequence but the model has {outputs} outputs.");
        }
    }

    public override string ToString() =>
        $"{Path}: {Count} sequences × {Steps} steps × {Inputs} inputs, {(Task == ModelTask.Classification ? "class labels" : $"{TargetWidth} regression targets")}";

    /// <summary>Refuses empty and absurd [N, T, I] before anything is built from it.</summary>
    internal static void CheckInputShape(string path, int count, int steps, int inputs)
    {
        string shape = $"[{count}, {steps}, {inputs}]";
        if (count < 1) throw new DataException(path, XItem, $"has shape {shape}: the dataset holds no sequences.");
        if (steps < 1) throw new DataException(path, XItem, $"has shape {shape}: the sequences have no steps.");
        if (inputs < 1) throw new DataException(path, XItem, $"has shape {shape}: the steps have no input channels.");
        if (steps > MaxSteps)
            throw new DataException(path, XItem, $"has shape {shape}: {steps} steps per sequence is more than the {MaxSteps} accepted (is the shape [N, T, I]?).");
        if (inputs > MaxInputs)
            throw new DataException(path, XItem, $"has shape {shape}: {inputs} input channels is more than the {MaxInputs} a device model can take (is the shape [N, T, I]?).");
    }

    private void CheckIndex(int n)
    {
        if ((uint)n >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(n), n, $"The dataset has {Count} sequences.");
    }

    // Names the sequence, step and channel: a bad sample must be findable in the user's own data.
    private static void RequireFiniteInputs(string path, double[] x, int steps, int inputs)
    {
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i])) continue;
            int channel = i % inputs, step = i / inputs % steps, sequence = i / inputs / steps;
            throw new DataException(path, XItem,
                $"sequence {sequence}, step {step}, channel {channel} is {Describe(x[i])}; inputs must be finite.");
        }
    }

    private static string Describe(double v) => double.IsNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}
