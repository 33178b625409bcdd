using System.Collections;
using System.Globalization;

namespace SkipRnn.Converter.Import;

/// <summary>The container formats the importer reads.</summary>
public enum TensorFileFormat
{
    Safetensors,
    Npz,
    TorchZip,
}

/// <summary>
/// All tensors of one weights file, in file order, with the checks every format shares:
/// unique names and finite values (a NaN weight would silently poison the quantizer).
/// </summary>
public sealed class TensorSet : IReadOnlyList<Tensor>
{
    private readonly List<Tensor> _tensors;
    private readonly Dictionary<string, Tensor> _byName;

    /// <summary>The file the tensors came from, as the caller named it (used in every error).</summary>
    public string Source { get; }

    public TensorFileFormat Format { get; }

    /// <summary>Free-form string metadata of the file (safetensors <c>__metadata__</c>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public TensorSet(string source, TensorFileFormat format, IEnumerable<Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        Source = source;
        Format = format;
        Metadata = metadata ?? new Dictionary<string, string>();
        _tensors = tensors.ToList();
        _byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var t in _tensors)
        {
            if (!_byName.TryAdd(t.Name, t))
                throw new ImportException(source, $"tensor '{t.Name}'", "appears more than once.");
            RequireFinite(source, t);
        }
    }

    public Tensor this[int index] => _tensors[index];

    public int Count => _tensors.Count;

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Tensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The named tensor, or an <see cref="ImportException"/> listing what the file has.</summary>
    public Tensor Get(string name) =>
        Find(name) ?? throw new ImportException(Source, $"tensor '{name}'",
            "is not in the file. Tensors in the file:" + Environment.NewLine + Describe());

    /// <summary>One line per tensor: name, shape, dtype; for error messages.</summary>
    public string Describe()
    {
        if (_tensors.Count == 0) return "  (none)";
        int width = _tensors.Max(t => t.Name.Length);
        return string.Join(Environment.NewLine,
            _tensors.Select(t => $"  {t.Name.PadRight(width)}  {t.ShapeText} {t.SourceDType}"));
    }

    public IEnumerator<Tensor> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static void RequireFinite(string source, Tensor t)
    {
        var data = t.Data;
        for (int i = 0; i < data.Length; i++)
        {
            if (double.IsFinite(data[i])) continue;
            string what = double.IsNaN(data[i]) ? "NaN" : data[i] > 0 ? "+Inf" : "-Inf";
            throw new ImportException(source, $"tensor '{t.Name}'",
                $"element {Tensor.FormatIndex(t.Shape, i)} (flat index {i.ToString(CultureInfo.InvariantCulture)}) is {what}; weights must be finite.");
        }
    }
}
