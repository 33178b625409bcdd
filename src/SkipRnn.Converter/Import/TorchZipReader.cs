using System.Collections;
using System.IO.Compression;
using System.Text;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Reads <c>torch.save(state_dict, path)</c> files in PyTorch's zip format (the default since 1.6):
/// <c>&lt;archive&gt;/data.pkl</c> is a pickle of the state_dict whose tensors point, through persistent
/// ids, at raw storages <c>&lt;archive&gt;/data/&lt;key&gt;</c>; <c>&lt;archive&gt;/byteorder</c> says their
/// byte order (little when absent, as in files from before it existed).
/// Nested dicts (e.g. a checkpoint <c>{"model": state_dict, ...}</c>) are flattened to dotted names.
/// </summary>
public static class TorchZipReader
{
    /// <summary>The first bytes of a pickle (PROTO opcode): what a legacy, non-zip torch.save file starts with.</summary>
    public static bool LooksLikeLegacyPickle(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] <= 5;

    public const string LegacyMessage =
        "this is PyTorch's legacy (pre-1.6, non-zip) serialization, which is not read. " +
        "Re-save it with the default zip format: torch.save(torch.load(path), new_path) " +
        "(do not pass _use_new_zipfile_serialization=False).";

    public static TensorSet Read(string path) => Parse(FileBytes.ReadAll(path), path);

    public static TensorSet Parse(byte[] file, string source)
    {
        if (LooksLikeLegacyPickle(file))
            throw new ImportException(source, null, LegacyMessage);
        using var zip = ZipFiles.Open(file, source);
        return Parse(zip, source);
    }

    internal static TensorSet Parse(ZipArchive zip, string source)
    {
        string root = FindArchiveRoot(zip, source);
        bool bigEndian = ReadByteOrder(zip, root, source);
        string pickleItem = DisplayText.Escape($"{root}data.pkl");
        var pickle = ZipFiles.ReadEntry(zip.GetEntry(root + "data.pkl")!, source, ImportLimits.MaxPickleBytes);
        PickleScanner.Check(pickle, source, pickleItem);

        object top;
        TorchPickle.EnsureRegistered();
        try
        {
            top = new TorchPickle.TorchUnpickler().loads(pickle);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Razorvine reports a corrupt or unexpected stream with many exception types (PickleException,
            // InvalidCastException, IndexOutOfRange on a short stream...); to the user they all mean this.
            throw new ImportException(source, pickleItem,
                $"cannot be unpickled as a state_dict ({DisplayText.Escape(ex.Message.TrimEnd('.'))}). Save model.state_dict() with torch.save, not the module.", ex);
        }

        var refs = new TensorCollector(source, pickleItem, binaryPickle: pickle.Length > 0 && pickle[0] == 0x80).Collect(top);
        if (refs.Count == 0)
            throw new ImportException(source, pickleItem,
                top is IDictionary ? "holds no tensors." : $"holds a {Describe(top)}, not a state_dict of tensors.");

        // Everything is sized from the pickle and the zip directory before a single storage is inflated or decoded.
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var views = new List<View>(refs.Count);
        foreach (var (name, r) in refs)
        {
            if (!entries.ContainsKey(r.Storage.Key)) entries.Add(r.Storage.Key, StorageEntry(zip, root, r.Storage, name, source));
            views.Add(Plan(name, r, source));
        }
        long totalElements = 0;
        foreach (var v in views)
        {
            totalElements += v.Count;
            if (totalElements > ImportLimits.MaxTotalElements)
                throw new ImportException(source, $"tensor '{v.Name}'",
                    $"brings the tensors' elements past {ImportLimits.MaxTotalElements} in total (views that repeat one storage count each time).");
        }
        // Storages are inflated whole, so they are bounded too (a small view of a huge storage reads all of it).
        long storageElements = 0;
        var counted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in views)
        {
            if (!counted.Add(v.Ref.Storage.Key)) continue;
            storageElements += v.Ref.Storage.Numel;
            if (storageElements > ImportLimits.MaxTotalElements)
                throw new ImportException(source, $"tensor '{v.Name}'",
                    $"its storage brings the storages past {ImportLimits.MaxTotalElements} elements in total.");
        }

        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var tensors = new List<Tensor>(views.Count);
        foreach (var v in views)
        {
            if (!storages.TryGetValue(v.Ref.Storage.Key, out var bytes))
            {
                bytes = ZipFiles.ReadEntry(entries[v.Ref.Storage.Key], source);
                storages.Add(v.Ref.Storage.Key, bytes);
            }
            tensors.Add(Gather(v, bytes, bigEndian));
        }
        return new TensorSet(source, TensorFileFormat.TorchZip, tensors);
    }

    /// <summary>The archive's top folder: the one holding data.pkl (its name is free, often the file's stem).</summary>
    private static string FindArchiveRoot(ZipArchive zip, string source)
    {
        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                             && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length)
                                 .ToList();
        if (pickles.Count == 1) return pickles[0].FullName[..^"data.pkl".Length];
        if (pickles.Count > 1)
            throw new ImportException(source, null,
                $"the zip holds {pickles.Count} data.pkl files ({string.Join(", ", pickles.Select(ZipFiles.Name))}): not one torch.save archive.");
        if (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
            throw new ImportException(source, null,
                "this is a TorchScript archive (torch.jit.save), which is not read: save model.state_dict() with torch.save.");
        throw new ImportException(source, null, "the zip has no <archive>/data.pkl: it is not a torch.save file.");
    }

    private static bool ReadByteOrder(ZipArchive zip, string root, string source)
    {
        var entry = zip.GetEntry(root + "byteorder");
        if (entry == null) return false;
        string order = Encoding.ASCII.GetString(ZipFiles.ReadEntry(entry, source, maxBytes: 64)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw new ImportException(source, $"{root}byteorder", $"says '{DisplayText.Escape(order, 40)}'; expected 'little' or 'big'."),
        };
    }

    /// <summary>
    /// Collects every tensor under dicts, lists and tuples with dotted names; other values are ignored. A pickle can
    /// share one container many times (memo GETs) or make one contain itself, so the walk counts every value it
    /// visits against <see cref="ImportLimits.MaxPickleNodes"/>, refuses a container inside itself and nesting past
    /// <see cref="ImportLimits.MaxPickleDepth"/>: an 8-byte L = [L, L] fails at once instead of doubling per level.
    /// </summary>
    private sealed class TensorCollector(string source, string item, bool binaryPickle)
    {
        private readonly List<(string Name, TorchPickle.TensorRef Ref)> _found = [];
        private readonly HashSet<object> _path = new(ReferenceEqualityComparer.Instance);
        // The keys from the top to the current value; a name is built only when a tensor (or an error) needs it.
        private readonly List<object> _keys = [];
        private long _visited;

        public List<(string Name, TorchPickle.TensorRef Ref)> Collect(object? top)
        {
            Visit(top);
            return _found;
        }

        private void Visit(object? value)
        {
            if (++_visited > ImportLimits.MaxPickleNodes)
                throw new ImportException(source, item,
                    $"makes the tensor search visit more than {ImportLimits.MaxPickleNodes:N0} values: its containers are shared or repeated far beyond a state_dict.");
            if (value is TorchPickle.TensorRef t)
            {
                _found.Add((_keys.Count == 0 ? "tensor" : Name(), t));
                return;
            }
            if (value is not (Hashtable or object[] or ArrayList)) return;
            if (_keys.Count >= ImportLimits.MaxPickleDepth)
                throw new ImportException(source, item, $"nests containers more than {ImportLimits.MaxPickleDepth} deep (at '{Name()}').");
            if (!_path.Add(value))
                throw new ImportException(source, item, $"has a container that contains itself (at '{(_keys.Count == 0 ? "top" : Name())}').");
            switch (value)
            {
                case TorchPickle.OrderedDict ordered:
                    foreach (var key in ordered.KeysInFileOrder(binaryPickle)) Child(key, ordered[key]);
                    break;
                case Hashtable dict:
                    // A plain dict's order is lost by Razorvine; sort for a stable order.
                    foreach (var key in dict.Keys.Cast<object>().OrderBy(k => k.ToString(), StringComparer.Ordinal)) Child(key, dict[key]);
                    break;
                case object[] tuple:
                    for (int i = 0; i < tuple.Length; i++) Child(i, tuple[i]);
                    break;
                case ArrayList list:
                    for (int i = 0; i < list.Count; i++) Child(i, list[i]);
                    break;
            }
            _path.Remove(value);
        }

        private void Child(object key, object? value)
        {
            _keys.Add(key);
            Visit(value);
            _keys.RemoveAt(_keys.Count - 1);
        }

        /// <summary>The dotted name of the current position; keys come from the file, so each is escaped.</summary>
        private string Name() => string.Join('.', _keys.Select(k => DisplayText.Escape(k.ToString() ?? "None")));
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Razorvine.Pickle.Objects.ClassDict c => $"pickled {DisplayText.Escape(c.ClassName)} object",
        TorchPickle.InertValue v => $"Python {DisplayText.Escape(v.ClassName)} value",
        _ => value.GetType().Name,
    };

    /// <summary>A tensor's view, checked against its storage's size (already known valid) with overflow-safe arithmetic.</summary>
    private sealed record View(string Name, TorchPickle.TensorRef Ref, int[] Shape, long[] Stride, long Count);

    private static View Plan(string name, TorchPickle.TensorRef r, string source)
    {
        string item = $"tensor '{name}'";
        int rank = r.Size.Length;
        if (r.Stride.Length != rank)
            throw new ImportException(source, item, $"has {rank} sizes but {r.Stride.Length} strides.");
        var shape = new int[rank];
        for (int k = 0; k < rank; k++)
        {
            if (r.Size[k] < 0 || r.Size[k] > int.MaxValue)
                throw new ImportException(source, item, $"size {r.Size[k]} in dimension {k} is out of range.");
            if (r.Stride[k] < 0)
                throw new ImportException(source, item, $"stride {r.Stride[k]} in dimension {k} is negative.");
            shape[k] = (int)r.Size[k];
        }
        long count = ShapeMath.ElementCount(shape, source, item);
        if (count == 0) return new View(name, r, shape, r.Stride, 0);

        // The last element the view touches must lie inside the storage. Int128 cannot wrap here: 16 dimensions of
        // (2^31 − 1) × (2^63 − 1) each stay far below 2^127, so a stride chosen to wrap int64 is caught.
        Int128 last = r.Offset;
        for (int k = 0; k < rank; k++) last += (Int128)(shape[k] - 1) * r.Stride[k];
        if (r.Offset < 0 || last >= r.Storage.Numel)
            throw new ImportException(source, item,
                $"view (offset {r.Offset}, size {Tensor.FormatShape(shape)}, stride ({string.Join(", ", r.Stride)})) reaches element {last} of a storage of {r.Storage.Numel}.");
        // A dimension of size 1 is never stepped along: its stride (which may be anything) is not used.
        long[] stride = r.Stride.Select((s, k) => shape[k] == 1 ? 0 : s).ToArray();
        return new View(name, r, shape, stride, count);
    }

    /// <summary>The storage's zip entry, its size checked against the pickle's claim before it is inflated.</summary>
    private static ZipArchiveEntry StorageEntry(ZipArchive zip, string root, TorchPickle.StorageRef storage, string tensorName, string source)
    {
        string item = $"tensor '{tensorName}'";
        if (storage.DType is null)
            throw new ImportException(source, item,
                $"is stored as {DisplayText.Escape(storage.TypeName)}; only float tensors (FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage) are read.");
        if (storage.Numel < 0 || storage.Numel > ImportLimits.MaxTotalElements)
            throw new ImportException(source, item, $"its storage claims {storage.Numel} elements; at most {ImportLimits.MaxTotalElements} are read.");
        string entryName = $"{root}data/{storage.Key}";
        var entry = zip.GetEntry(entryName)
            ?? throw new ImportException(source, item, $"its storage '{DisplayText.Escape(entryName)}' is missing from the archive.");
        long expected = storage.Numel * ElementDecoder.SizeOf(storage.DType!.Value);
        if (entry.Length != expected)
            throw new ImportException(source, item,
                $"its storage '{DisplayText.Escape(entryName)}' has {entry.Length} bytes but {storage.Numel} {storage.DType} elements need {expected}.");
        return entry;
    }

    /// <summary>
    /// Copies the strided view (offset, size, stride) out of its raw storage in row-major order, decoding only the
    /// elements it reads. Any non-negative strides work, so transposed or sliced tensors are read as PyTorch sees them.
    /// </summary>
    private static Tensor Gather(View v, byte[] storage, bool bigEndian)
    {
        TensorDType dtype = v.Ref.Storage.DType!.Value;
        int rank = v.Shape.Length;
        var data = new double[v.Count];
        var index = new int[rank];
        long position = v.Ref.Offset;
        for (long i = 0; i < v.Count; i++)
        {
            data[i] = ElementDecoder.DecodeAt(storage, position, dtype, bigEndian);
            // Odometer step: advance the last dimension, carrying into the ones before. Plan proved every position
            // reached lies in [offset, last], so none of this can overflow.
            for (int k = rank - 1; k >= 0; k--)
            {
                position += v.Stride[k];
                if (++index[k] < v.Shape[k]) break;
                position -= v.Stride[k] * v.Shape[k];
                index[k] = 0;
            }
        }
        return new Tensor(v.Name, v.Shape, data, dtype);
    }
}
