using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SkipRnn.Converter.Tests.Fuzz;

/// <summary>Seeded byte and text mutations: flips, boundary values, truncations, splices, insertions, deletions.</summary>
internal sealed partial class Mutator(Random rng)
{
    private static readonly long[] Boundaries =
    [
        0, 1, -1, 2, 7, 8, 255, 256, 65535, 65536, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue,
        1L << 32, 1L << 53, long.MaxValue, long.MinValue, 1L << 62, 32L * 1024 * 1024 + 1,
    ];

    private static readonly string[] TextNumbers =
    [
        "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993", "9223372036854775807",
        "18446744073709551616", "99999999999999999999999999", "1e400", "-0", "1.5", "NaN", "", "00000000000000000000001",
    ];

    public Random Rng => rng;

    /// <summary>One to three random byte-level mutations of a copy of <paramref name="data"/>.</summary>
    public byte[] Bytes(byte[] data)
    {
        byte[] b = data;
        int n = 1 + rng.Next(3);
        for (int i = 0; i < n; i++) b = OneByteMutation(b);
        return b;
    }

    private byte[] OneByteMutation(byte[] b)
    {
        if (b.Length == 0) return [(byte)rng.Next(256)];
        var c = (byte[])b.Clone();
        switch (rng.Next(8))
        {
            case 0:   // bit flips
                for (int k = 1 + rng.Next(4); k > 0; k--) c[rng.Next(c.Length)] ^= (byte)(1 << rng.Next(8));
                return c;
            case 1:   // a boundary byte
                c[rng.Next(c.Length)] = (byte)(new[] { 0, 0x7f, 0x80, 0xff, 0x0a, 0x1b }[rng.Next(6)]);
                return c;
            case 2:   // a boundary integer, 4 or 8 bytes little-endian
            {
                long v = Boundaries[rng.Next(Boundaries.Length)];
                int width = rng.Next(2) == 0 ? 4 : 8;
                if (c.Length < width) return c;
                int at = rng.Next(c.Length - width + 1);
                if (width == 4) BinaryPrimitives.WriteInt32LittleEndian(c.AsSpan(at), (int)v);
                else BinaryPrimitives.WriteInt64LittleEndian(c.AsSpan(at), v);
                return c;
            }
            case 3:   // truncation
                return c[..rng.Next(c.Length)];
            case 4:   // splice: a slice repeated
            {
                int start = rng.Next(c.Length), len = 1 + rng.Next(Math.Min(64, c.Length - start));
                int at = rng.Next(c.Length + 1);
                return [.. c[..at], .. c.AsSpan(start, len), .. c[at..]];
            }
            case 5:   // deletion
            {
                int start = rng.Next(c.Length), len = 1 + rng.Next(Math.Min(64, c.Length - start));
                return [.. c[..start], .. c[(start + len)..]];
            }
            case 6:   // random insertion
            {
                var ins = new byte[1 + rng.Next(16)];
                rng.NextBytes(ins);
                int at = rng.Next(c.Length + 1);
                return [.. c[..at], .. ins, .. c[at..]];
            }
            default:  // extension at the end
            {
                var ext = new byte[1 + rng.Next(64)];
                rng.NextBytes(ext);
                return [.. c, .. ext];
            }
        }
    }

    /// <summary>Text mutations for JSON and Python-literal headers: numbers swapped for boundary values, keys and strings altered.</summary>
    public string Text(string text)
    {
        switch (rng.Next(4))
        {
            case 0:
            {
                var numbers = Number().Matches(text);
                if (numbers.Count == 0) goto default;
                var m = numbers[rng.Next(numbers.Count)];
                return text[..m.Index] + TextNumbers[rng.Next(TextNumbers.Length)] + text[(m.Index + m.Length)..];
            }
            case 1:
            {
                var strings = Quoted().Matches(text);
                if (strings.Count == 0) goto default;
                var m = strings[rng.Next(strings.Count)];
                string[] replacements = ["\"\"", "\"\\u001b[2J\"", "\"weight_ih_l99999999999\"", "\"F8_E4M3\"", "'<f2'", "'|O'", "\"__metadata__\"", "'\\n'"];
                return text[..m.Index] + replacements[rng.Next(replacements.Length)] + text[(m.Index + m.Length)..];
            }
            case 2:   // drop or duplicate a character
            {
                if (text.Length == 0) return "{";
                int at = rng.Next(text.Length);
                return rng.Next(2) == 0 ? text.Remove(at, 1) : text.Insert(at, text[at].ToString(CultureInfo.InvariantCulture));
            }
            default:
                return Encoding.Latin1.GetString(Bytes(Encoding.Latin1.GetBytes(text)));
        }
    }

    [GeneratedRegex(@"-?[0-9]+")]
    private static partial Regex Number();

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex Quoted();
}
