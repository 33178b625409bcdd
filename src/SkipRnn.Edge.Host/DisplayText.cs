#nullable enable
using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SkipRnn.Edge.Host;

/// <summary>
/// Makes text that came from a file (tensor names, keys, class names) safe to echo on a terminal and in one-line
/// errors: control characters (newlines and ESC included), DEL, C1 controls and the bidirectional overrides that
/// can reorder what a terminal shows, and the Unicode line and paragraph separators, become visible escapes like <c>\x1b</c> or <c>\u202e</c>, and very long
/// text is cut. The readers apply it to every name they take from a file, so matching and messages agree.
/// </summary>
public static class DisplayText
{
    /// <summary>Longest text echoed whole.</summary>
    public const int MaxLength = 200;

    /// <summary><paramref name="text"/> with unsafe characters escaped and at most <paramref name="maxLength"/> characters kept.</summary>
    public static string Escape(string text, int maxLength = MaxLength)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? escape = EscapeOf(c);
            if (escape == null && sb == null) continue;
            sb ??= new StringBuilder(text, 0, i, text.Length + 16);
            if (escape != null) sb.Append(escape); else sb.Append(c);
        }
        string safe = sb?.ToString() ?? text;
        return safe.Length <= maxLength ? safe : safe[..maxLength] + $"… ({text.Length} characters)";
    }

    private static string? EscapeOf(char c)
    {
        if (c == '\\') return null;
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) return "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture);
        // Bidirectional controls reorder what is shown; U+2028/U+2029 end a line in C# source and some terminals.
        if (c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f' or '\u061c' or '\u2028' or '\u2029')
            return "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>
    /// A JSON parser's complaint, for an error line: System.Text.Json quotes the bytes it choked on, which come from
    /// the file and may hold newlines or escape characters.
    /// </summary>
    public static string JsonError(System.Text.Json.JsonException ex) => Escape(ex.Message.TrimEnd('.'), int.MaxValue);

    /// <summary>Escapes every line of a message but keeps its line breaks (multi-line errors list tensors).</summary>
    public static string EscapeLines(string message) =>
        string.Join('\n', message.Replace("\r\n", "\n").Split('\n').Select(line => Escape(line, int.MaxValue)));
}
