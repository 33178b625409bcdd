using System.Globalization;

namespace SkipRnn.Converter.Import;

/// <summary>
/// The element types the importer reads. Everything else is refused by name. The integer types are read only
/// where a caller asks for them (dataset labels, <see cref="NpyReader.Parse(byte[], string, string, bool)"/>):
/// weights files stay float-only.
/// </summary>
public enum TensorDType
{
    F16,
    BF16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
}

/// <summary>One named array read from a weights file, widened to double, row-major (C order).</summary>
public sealed class Tensor
{
    public string Name { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public int[] Shape { get; }

    /// <summary>Elements in row-major order; length is the product of <see cref="Shape"/>.</summary>
    public double[] Data { get; }

    /// <summary>
    /// The element type in the file (the values are exact widenings of it; integer arrays beyond ±2^53, which a
    /// double cannot hold exactly, are refused when read).
    /// </summary>
    public TensorDType SourceDType { get; }

    public Tensor(string name, int[] shape, double[] data, TensorDType sourceDType)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{name}' has a negative dimension.", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}' has shape {FormatShape(shape)} but {data.Length} values.", nameof(data));
        Name = name;
        Shape = shape;
        Data = data;
        SourceDType = sourceDType;
    }

    public int Rank => Shape.Length;

    /// <summary>True for the integer element types (read only for datasets).</summary>
    public bool IsInteger => SourceDType is >= TensorDType.I8 and <= TensorDType.U64;

    public int ElementCount => Data.Length;

    /// <summary>The shape as "[3, 4]".</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>True when the shape is exactly <paramref name="dims"/>.</summary>
    public bool HasShape(params int[] dims) => Shape.AsSpan().SequenceEqual(dims);

    public override string ToString() => $"{Name} {ShapeText} {SourceDType}";

    public static string FormatShape(IReadOnlyList<int> shape) =>
        "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>The multi-dimensional index of a flat row-major position, as "[i, j]".</summary>
    public static string FormatIndex(IReadOnlyList<int> shape, long flat)
    {
        var index = new long[shape.Count];
        for (int k = shape.Count - 1; k >= 0; k--)
        {
            if (shape[k] == 0) break;
            index[k] = flat % shape[k];
            flat /= shape[k];
        }
        return "[" + string.Join(", ", index.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
