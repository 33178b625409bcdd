using System.Globalization;
using System.Text.RegularExpressions;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Name handling shared by detection: frameworks separate scopes with '.' (PyTorch) or '/'
/// (TensorFlow, Keras), and TF variables may end in ":0". Names are compared as lower-case
/// segment lists so that "cells.0.gates.kernel" and "cells/0/gates/kernel:0" mean the same.
/// </summary>
internal static partial class NameRules
{
    public static string[] Segments(string name)
    {
        string trimmed = VariableSuffix().Replace(name, "");
        return trimmed.ToLowerInvariant().Split(['.', '/'], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The normalized key of a name: its segments joined by '/'.</summary>
    public static string Key(string name) => string.Join('/', Segments(name));

    public static string Key(IEnumerable<string> segments) => string.Join('/', segments);

    public static bool IsKernelName(string name)
    {
        var s = Segments(name);
        return s.Length > 0 && s[^1] is "kernel" or "weights";
    }

    /// <summary>
    /// The last integer in a scope ("cells.1" → 1, "multi/layer_2/cell" → 2), or -1 when there is none.
    /// Only ASCII digits count (\d would also match Arabic-Indic and other digits, which int.Parse refuses).
    /// </summary>
    public static int LastIndex(IEnumerable<string> prefix, string source, string tensor)
    {
        foreach (var segment in prefix.Reverse())
        {
            var m = TrailingNumber().Match(segment);
            if (m.Success) return LayerNumber(m.Value, source, tensor);
        }
        return -1;
    }

    /// <summary>
    /// A layer number written in ASCII digits, at most <see cref="ImportLimits.MaxLayerNumber"/>: a name like
    /// weight_ih_l99999999999 is refused with the tensor named, not an overflow.
    /// </summary>
    public static int LayerNumber(string digits, string source, string tensor)
    {
        string trimmed = digits.TrimStart('0');
        if (trimmed.Length > 9 || (trimmed.Length > 0 && int.Parse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture) > ImportLimits.MaxLayerNumber))
            throw new ImportException(source, $"tensor '{tensor}'",
                $"has layer number {DisplayText.Escape(digits, 24)}, more than the {ImportLimits.MaxLayerNumber} a name may carry.");
        return trimmed.Length == 0 ? 0 : int.Parse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@":[0-9]+$")]
    private static partial Regex VariableSuffix();

    [GeneratedRegex(@"[0-9]+$")]
    private static partial Regex TrailingNumber();
}
