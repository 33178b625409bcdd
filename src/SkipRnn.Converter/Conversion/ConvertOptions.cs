using System.Globalization;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Format;

namespace SkipRnn.Converter.Conversion;

/// <summary>Everything `convert` needs; the defaults are the documented ones.</summary>
public sealed record ConvertOptions
{
    /// <summary>Trained weights: .safetensors, .pt (torch.save zip) or .npz.</summary>
    public required string WeightsPath { get; init; }
    /// <summary>Calibration sequences (.npz with x [N, T, I] and y).</summary>
    public required string CalibrationPath { get; init; }
    /// <summary>Validation sequences for the verification; the calibration set when null.</summary>
    public string? ValidationPath { get; init; }
    /// <summary>The model file to write.</summary>
    public required string OutputPath { get; init; }
    /// <summary>The JSON report; `&lt;output&gt;.report.json` when null.</summary>
    public string? ReportPath { get; init; }
    /// <summary>How to find the parts in the weights file.</summary>
    public ImportOptions Import { get; init; } = new();
    /// <summary>Weight width of the GRU matrices and the head: 8 or 16.</summary>
    public int WeightBits { get; init; } = 8;
    /// <summary>Tensors to hold in int16 whatever <see cref="WeightBits"/> says ("layer[0].w_hh", "head", ...).</summary>
    public IReadOnlyList<string> Int16Tensors { get; init; } = Array.Empty<string>();
    /// <summary>Physical value per raw sensor count, per input; derived from the calibration range when null.</summary>
    public double[]? RawLsb { get; init; }
    /// <summary>Bits of the raw integers when the LSB is derived from calibration (like an ADC's resolution).</summary>
    public int RawBits { get; init; } = 16;
    /// <summary>Floor on the share of steps whose update decisions agree (float vs fixed).</summary>
    public double MinDecisionAgreement { get; init; } = 0.99;
    /// <summary>Floor on the share of sequences whose predicted class agrees (classification only).</summary>
    public double MinArgmaxAgreement { get; init; } = 0.99;
    /// <summary>Steps of the first validation sequence embedded as self-test vectors (0 = none).</summary>
    public int SelfTestSteps { get; init; } = 32;

    /// <summary>
    /// Checks the settings that need no file, before anything is read: throws <see cref="ArgumentException"/>
    /// (exit code 2) naming the option.
    /// </summary>
    public void Validate()
    {
        if (WeightBits is not (8 or 16)) throw new ArgumentException($"--weight-bits must be 8 or 16, not {WeightBits}.");
        if (RawBits is < 2 or > 32) throw new ArgumentException($"--raw-bits must be 2 to 32, not {RawBits}.");
        if (SelfTestSteps is < 0 or > ModelFileLayout.MaxSelfTestSteps)
            throw new ArgumentException($"--self-test-steps must be 0 (none) to {ModelFileLayout.MaxSelfTestSteps}, not {SelfTestSteps}.");
        CheckFloor("--min-decision-agreement", MinDecisionAgreement);
        CheckFloor("--min-argmax-agreement", MinArgmaxAgreement);
        if (RawLsb is { } lsb)
        {
            if (lsb.Length == 0) throw new ArgumentException("--raw-lsb gives no value.");
            foreach (double v in lsb)
                if (!(v > 0) || !double.IsFinite(v))
                    throw new ArgumentException($"--raw-lsb: {v.ToString("R", CultureInfo.InvariantCulture)} is not a positive finite number.");
        }
    }

    private static void CheckFloor(string option, double value)
    {
        // A share: NaN or a negative floor would pass everything silently. (Above 1 it can never be met: tests use that.)
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"{option} is a share from 0 to 1, not {value.ToString("R", CultureInfo.InvariantCulture)}.");
    }
}
