using System.Globalization;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Streaming;

/// <summary>
/// A sensor recording of raw integer counts, one row per sample, optionally labelled, possibly several
/// recordings end to end. Two forms:
/// <list type="bullet">
/// <item>.npz: <c>x</c> [N, I] integers; optional <c>y</c> [N] class per sample (−1 = unlabelled); optional
/// <c>offsets</c> [R+1] (recording r is rows offsets[r]..offsets[r+1]; models/train/motion/prepare.py's layout).</item>
/// <item>.csv: I integers per line, or I+1 with the class (−1 = unlabelled) last; a header line of non-numbers is
/// skipped; one recording.</item>
/// </list>
/// Bad input is a <see cref="DataException"/> naming the file, and the line or array.
/// </summary>
public sealed class Recording
{
    public required string Source { get; init; }
    public required int Inputs { get; init; }
    /// <summary>Row-major samples [N, Inputs].</summary>
    public required int[] X { get; init; }
    /// <summary>Class per sample (−1 unlabelled), or null.</summary>
    public int[]? Y { get; init; }
    /// <summary>Recording boundaries: R+1 row indices from 0 to N.</summary>
    public required int[] Offsets { get; init; }
    public int Samples => X.Length / Inputs;

    public static Recording Read(string path, int inputs)
    {
        if (!File.Exists(path)) throw new DataException(path, null, "the recording does not exist.");
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, inputs) : ReadNpz(path, inputs);
    }

    private static Recording ReadNpz(string path, int inputs)
    {
        var set = new Dictionary<string, Tensor>();
        try
        {
            using var zip = ZipFiles.Open(File.ReadAllBytes(path), path);
            foreach (var entry in zip.Entries)
            {
                string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                if (name is "x" or "y" or "offsets")
                    set[name] = NpyReader.Parse(ZipFiles.ReadEntry(entry, path), name, path, allowIntegers: true);
            }
        }
        catch (ImportException e)
        {
            throw new DataException(e.File, e.Item, e.Problem, e);
        }
        Tensor x = set.GetValueOrDefault("x") ?? throw new DataException(path, null, "has no array 'x' (samples × inputs of raw counts).");
        if (x.Rank != 2 || x.Shape[1] != inputs || x.Shape[0] < 1)
            throw new DataException(path, "array 'x'", $"has shape {x.ShapeText}; the model needs [samples, {inputs}].");
        int n = x.Shape[0];
        int[] xs = Integers(x, path, int.MinValue, int.MaxValue);
        int[]? y = null;
        if (set.GetValueOrDefault("y") is { } yt)
        {
            if (!yt.HasShape(n)) throw new DataException(path, "array 'y'", $"has shape {yt.ShapeText}; it needs [{n}] (one class per sample).");
            y = Integers(yt, path, -1, int.MaxValue);
        }
        int[] offsets = [0, n];
        if (set.GetValueOrDefault("offsets") is { } ot)
        {
            if (ot.Rank != 1 || ot.ElementCount < 2) throw new DataException(path, "array 'offsets'", $"has shape {ot.ShapeText}; it needs [recordings + 1].");
            offsets = Integers(ot, path, 0, n);
            if (offsets[0] != 0 || offsets[^1] != n)
                throw new DataException(path, "array 'offsets'", $"must start at 0 and end at {n} (the sample count).");
            for (int r = 1; r < offsets.Length; r++)
                if (offsets[r] <= offsets[r - 1])
                    throw new DataException(path, "array 'offsets'", $"must increase strictly (entry {r} is {offsets[r]} after {offsets[r - 1]}).");
        }
        return new Recording { Source = path, Inputs = inputs, X = xs, Y = y, Offsets = offsets };
    }

    private static int[] Integers(Tensor t, string path, int min, int max)
    {
        var v = new int[t.ElementCount];
        for (int i = 0; i < v.Length; i++)
        {
            double d = t.Data[i];
            if (d != Math.Floor(d) || d < min || d > max)
                throw new DataException(path, $"array '{t.Name}'", $"element {i} is {d.ToString(CultureInfo.InvariantCulture)}; it must be an integer in {min}..{max}.");
            v[i] = (int)d;
        }
        return v;
    }

    private static Recording ReadCsv(string path, int inputs)
    {
        var xs = new List<int>();
        var ys = new List<int>();
        bool? labelled = null;
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            string text = line.Trim();
            if (text.Length == 0) continue;
            string[] cells = text.Split(',', StringSplitOptions.TrimEntries);
            if (lineNo == 1 && !int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) continue;   // header
            if (cells.Length != inputs && cells.Length != inputs + 1)
                throw new DataException(path, $"line {lineNo}", $"has {cells.Length} values; the model needs {inputs} raw counts, optionally followed by a class.");
            bool hasLabel = cells.Length == inputs + 1;
            if (labelled is { } l && l != hasLabel)
                throw new DataException(path, $"line {lineNo}", $"has {cells.Length} values but earlier lines have {(l ? inputs + 1 : inputs)}.");
            labelled = hasLabel;
            for (int j = 0; j < cells.Length; j++)
            {
                if (!int.TryParse(cells[j], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                    throw new DataException(path, $"line {lineNo}", $"value {j + 1} ('{cells[j]}') is not an integer.");
                if (j < inputs) xs.Add(v);
                else if (v < -1) throw new DataException(path, $"line {lineNo}", $"class {v} is negative (−1 means unlabelled).");
                else ys.Add(v);
            }
        }
        if (xs.Count == 0) throw new DataException(path, null, "holds no samples.");
        int n = xs.Count / inputs;
        return new Recording { Source = path, Inputs = inputs, X = xs.ToArray(), Y = labelled == true ? ys.ToArray() : null, Offsets = [0, n] };
    }
}
