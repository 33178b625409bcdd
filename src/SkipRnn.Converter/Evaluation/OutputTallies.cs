using SkipRnn.Converter.Data;

namespace SkipRnn.Converter.Evaluation;

/// <summary>Classification scores of both models: accuracy, argmax agreement and recall per class.</summary>
internal sealed class ClassificationTally(int classes)
{
    private readonly int[] _support = new int[classes];
    private readonly int[] _floatHits = new int[classes];
    private readonly int[] _fixedHits = new int[classes];
    private readonly int[][] _floatConfusion = NewMatrix(classes), _fixedConfusion = NewMatrix(classes);
    private int _sequences, _agreements;

    public void Add(int label, int floatClass, int fixedClass)
    {
        _sequences++;
        _floatConfusion[label][floatClass]++;
        _fixedConfusion[label][fixedClass]++;
        _support[label]++;
        if (floatClass == label) _floatHits[label]++;
        if (fixedClass == label) _fixedHits[label]++;
        if (floatClass == fixedClass) _agreements++;
    }

    public EvaluationResult AddTo(EvaluationResult result, string[]? classNames)
    {
        var perClass = new ClassMetrics[_support.Length];
        bool named = classNames != null && classNames.Length == perClass.Length;
        for (int c = 0; c < perClass.Length; c++)
            perClass[c] = new ClassMetrics(c, named ? classNames![c] : null, _support[c],
                _support[c] == 0 ? null : (double)_floatHits[c] / _support[c],
                _support[c] == 0 ? null : (double)_fixedHits[c] / _support[c]);
        return result with
        {
            FloatAccuracy = (double)_floatHits.Sum() / _sequences,
            FixedAccuracy = (double)_fixedHits.Sum() / _sequences,
            ArgmaxAgreement = (double)_agreements / _sequences,
            PerClass = perClass,
            FloatConfusion = _floatConfusion,
            FixedConfusion = _fixedConfusion,
        };
    }

    private static int[][] NewMatrix(int classes) => Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();

    /// <summary>Index of the largest value, the first on ties (SkipGru.ArgMax's rule).</summary>
    public static int ArgMax(double[] values)
    {
        int best = 0;
        for (int o = 1; o < values.Length; o++)
            if (values[o] > values[best]) best = o;
        return best;
    }
}

/// <summary>Regression scores of both models: MSE against the targets and against the targets' variance.</summary>
internal sealed class RegressionTally
{
    private double _floatSquares, _fixedSquares;
    private long _terms;

    public void Add(ReadOnlySpan<double> target, double[] floatOutputs, double[] fixedOutputs)
    {
        for (int o = 0; o < target.Length; o++)
        {
            double ef = floatOutputs[o] - target[o], ex = fixedOutputs[o] - target[o];
            _floatSquares += ef * ef;
            _fixedSquares += ex * ex;
        }
        _terms += target.Length;
    }

    public EvaluationResult AddTo(EvaluationResult result, SequenceDataset data)
    {
        double variance = TargetVariance(data);
        double floatMse = _floatSquares / _terms, fixedMse = _fixedSquares / _terms;
        return result with
        {
            FloatMse = floatMse,
            FixedMse = fixedMse,
            TargetVariance = variance,
            FloatMseOverVariance = variance > 0 ? floatMse / variance : null,
            FixedMseOverVariance = variance > 0 ? fixedMse / variance : null,
        };
    }

    /// <summary>Population variance of each target output over the sequences, averaged over outputs (two passes, for accuracy).</summary>
    private static double TargetVariance(SequenceDataset data)
    {
        int width = data.TargetWidth;
        var mean = new double[width];
        for (int n = 0; n < data.Count; n++)
        {
            ReadOnlySpan<double> y = data.TargetValues(n);
            for (int o = 0; o < width; o++) mean[o] += y[o];
        }
        for (int o = 0; o < width; o++) mean[o] /= data.Count;
        double squares = 0;
        for (int n = 0; n < data.Count; n++)
        {
            ReadOnlySpan<double> y = data.TargetValues(n);
            for (int o = 0; o < width; o++) squares += (y[o] - mean[o]) * (y[o] - mean[o]);
        }
        return squares / ((double)data.Count * width);
    }
}
