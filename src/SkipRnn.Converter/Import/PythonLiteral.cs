using System.Globalization;
using System.Text;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Parses the small subset of Python literals that a .npy header uses:
/// dicts, tuples, lists, strings, integers, True/False/None. Every step consumes input and
/// nesting is bounded, so a corrupt header cannot hang or overflow the stack.
/// Dicts come back as <see cref="Dictionary{TKey,TValue}"/> of string keys, tuples and lists
/// as <see cref="List{T}"/>, integers as <see cref="long"/>.
/// </summary>
internal sealed class PythonLiteral
{
    private const int MaxDepth = 16;
    private readonly string _text;
    private int _pos;

    private PythonLiteral(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with the position on error.</summary>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        var value = parser.ParseValue(0);
        parser.SkipSpace();
        if (parser._pos != text.Length)
            throw parser.Error("unexpected text after the literal");
        return value;
    }

    private object? ParseValue(int depth)
    {
        if (depth > MaxDepth) throw Error("nesting too deep");
        SkipSpace();
        if (_pos >= _text.Length) throw Error("unexpected end");
        char c = _text[_pos];
        switch (c)
        {
            case '{': return ParseDict(depth);
            case '(': return ParseSequence(')', depth);
            case '[': return ParseSequence(']', depth);
            case '\'' or '"': return ParseString();
        }
        if (c == '-' || char.IsAsciiDigit(c)) return ParseInteger();
        if (TryWord("True")) return true;
        if (TryWord("False")) return false;
        if (TryWord("None")) return null;
        throw Error($"unexpected character '{c}'");
    }

    private Dictionary<string, object?> ParseDict(int depth)
    {
        _pos++; // {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') { _pos++; return dict; }
            if (ParseValue(depth + 1) is not string key) throw Error("dict keys must be strings");
            SkipSpace();
            Expect(':');
            if (!dict.TryAdd(key, ParseValue(depth + 1))) throw Error($"key '{key}' appears twice");
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == '}') { _pos++; return dict; }
            throw Error("expected ',' or '}'");
        }
    }

    private List<object?> ParseSequence(char close, int depth)
    {
        _pos++; // ( or [
        var items = new List<object?>();
        while (true)
        {
            SkipSpace();
            if (Peek() == close) { _pos++; return items; }
            items.Add(ParseValue(depth + 1));
            SkipSpace();
            if (Peek() == ',') { _pos++; continue; }
            if (Peek() == close) { _pos++; return items; }
            throw Error($"expected ',' or '{close}'");
        }
    }

    private string ParseString()
    {
        char quote = _text[_pos++];
        var sb = new StringBuilder();
        while (_pos < _text.Length)
        {
            char c = _text[_pos++];
            if (c == quote) return sb.ToString();
            if (c == '\\')
            {
                if (_pos >= _text.Length) break;
                c = _text[_pos++];
                sb.Append(c switch { 'n' => '\n', 't' => '\t', _ => c });
                continue;
            }
            sb.Append(c);
        }
        throw Error("unterminated string");
    }

    private long ParseInteger()
    {
        int start = _pos;
        if (_text[_pos] == '-') _pos++;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
        string digits = _text[start.._pos];
        if (_pos < _text.Length && _text[_pos] == 'L') _pos++; // Python 2 long suffix
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error($"'{digits}' is not a 64-bit integer");
        return value;
    }

    private bool TryWord(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) return false;
        _pos += word.Length;
        return true;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error($"expected '{c}'");
        _pos++;
    }

    private FormatException Error(string problem) => new($"{problem} at character {_pos}");
}
