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
}
