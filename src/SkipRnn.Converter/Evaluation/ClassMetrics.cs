namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// One class of a classification evaluation: how many sequences carry the label and which share of them each
/// model classifies correctly (null when no sequence carries the label: recall is undefined, and JSON has no NaN).
/// </summary>
public sealed record ClassMetrics(int Class, string? Name, int Support, double? FloatRecall, double? FixedRecall);
