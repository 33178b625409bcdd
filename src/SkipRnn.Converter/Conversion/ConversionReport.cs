using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Export;
using SkipRnn.Converter.Quantization;

namespace SkipRnn.Converter.Conversion;

/// <summary>One verification floor and how the model did against it.</summary>
public sealed record FloorCheck(string Metric, double Value, double Floor, bool Passed);

/// <summary>What `convert` did and measured; written as the JSON report and printed as tables.</summary>
public sealed record ConversionReport(
    string Weights, string Output, bool ModelWritten, string Task, string Variant, string VariantSource,
    IReadOnlyList<string> Mapping, Calibration Calibration, IReadOnlyList<TensorQuality> Tensors,
    EvaluationResult Verification, IReadOnlyList<FloorCheck> Floors, string SelfTest, ModelSummary Model)
{
    /// <summary>True when every floor held.</summary>
    public bool Passed => Floors.All(f => f.Passed);
    /// <summary>The labelled set the verification ran on.</summary>
    public string ValidationSet { get; init; } = "";
    /// <summary>True when no --validation was given, so the floors were measured on the calibration set.</summary>
    public bool ValidationIsCalibration { get; init; }
    /// <summary>The calibration data in raw counts per input: largest count and the bits it needs.</summary>
    public IReadOnlyList<Data.RawChannelRange> RawRanges { get; init; } = Array.Empty<Data.RawChannelRange>();
    /// <summary>What the user should know about this result (verification set, raw encoding).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    /// <summary>What to try when verification failed, most targeted first; empty when it passed.</summary>
    public IReadOnlyList<string> Advice { get; init; } = Array.Empty<string>();
}
