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

    /// <summary>The last integer in a scope ("cells.1" → 1, "multi/layer_2/cell" → 2), or -1 when there is none.</summary>
    public static int LastIndex(IEnumerable<string> prefix)
    {
        foreach (var segment in prefix.Reverse())
        {
            var m = TrailingNumber().Match(segment);
            if (m.Success && int.TryParse(m.Value, out int index)) return index;
        }
        return -1;
    }

    [GeneratedRegex(@":\d+$")]
    private static partial Regex VariableSuffix();

    [GeneratedRegex(@"\d+$")]
    private static partial Regex TrailingNumber();
}
