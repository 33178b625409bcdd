using System.Text.Json.Serialization;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// The fixed-point model measured against the float64 reference on a dataset (<see cref="Evaluator"/>).
/// Task-specific figures are null for the other task. Every figure is finite, so the record serializes with
/// System.Text.Json's defaults.
/// </summary>
public sealed record EvaluationResult
{
    [JsonConverter(typeof(JsonStringEnumConverter<ModelTask>))]
    public required ModelTask Task { get; init; }
    public required int Sequences { get; init; }
    public required int StepsPerSequence { get; init; }

    // ---- classification (argmax of the head after the last step)

    /// <summary>Share of sequences whose float argmax is the label.</summary>
    public double? FloatAccuracy { get; init; }
    /// <summary>Share of sequences whose fixed-point argmax is the label.</summary>
    public double? FixedAccuracy { get; init; }
    /// <summary>Share of sequences on which both models pick the same class, whatever the label.</summary>
    public double? ArgmaxAgreement { get; init; }
    /// <summary>Support and recall per class, in class order.</summary>
    public IReadOnlyList<ClassMetrics>? PerClass { get; init; }
    /// <summary>Confusion matrix of the float model: [true class][predicted class] sequence counts.</summary>
    public int[][]? FloatConfusion { get; init; }
    /// <summary>Confusion matrix of the fixed-point model: [true class][predicted class] sequence counts.</summary>
    public int[][]? FixedConfusion { get; init; }

    // ---- regression (head outputs after the last step against the targets)

    /// <summary>Mean squared error of the float outputs, over sequences and outputs.</summary>
    public double? FloatMse { get; init; }
    /// <summary>Mean squared error of the fixed-point outputs.</summary>
    public double? FixedMse { get; init; }
    /// <summary>Population variance of the targets, averaged over outputs: the MSE of predicting each output's mean.</summary>
    public double? TargetVariance { get; init; }
    /// <summary>FloatMse / TargetVariance (the paper's "solved" criterion is ≤ 0.01); null when the targets are constant.</summary>
    public double? FloatMseOverVariance { get; init; }
    /// <summary>FixedMse / TargetVariance; null when the targets are constant.</summary>
    public double? FixedMseOverVariance { get; init; }

    // ---- both tasks

    /// <summary>Mean |fixed − float| head output after the last step, over sequences and outputs.</summary>
    public required double MeanAbsOutputDifference { get; init; }
    /// <summary>Share of all steps whose update decisions agree, each model free-running from reset.</summary>
    public required double DecisionAgreement { get; init; }
    /// <summary>Mean |fixed state / 32768 − float state| over steps, layers and units.</summary>
    public required double MeanStateError { get; init; }
    /// <summary>Float updates per sequence: mean and population standard deviation over sequences.</summary>
    public required double FloatUpdatesMean { get; init; }
    public required double FloatUpdatesStd { get; init; }
    /// <summary>Fixed-point updates per sequence: mean and population standard deviation over sequences.</summary>
    public required double FixedUpdatesMean { get; init; }
    public required double FixedUpdatesStd { get; init; }

    // ---- compute

    /// <summary>Mean of the fixed-point runner's MAC count per sequence (all layers, skip gate and head per update).</summary>
    public required double FixedMacsPerSequence { get; init; }
    /// <summary>What a plain GRU of the same size would do: T × Σ_layers 3H·(I_l + H), plus the head once.</summary>
    public required long PlainGruMacsPerSequence { get; init; }
    /// <summary>1 − FixedMacsPerSequence / PlainGruMacsPerSequence (negative when the model hardly skips: the gate and head run per update).</summary>
    public required double MacsSaved { get; init; }
}
