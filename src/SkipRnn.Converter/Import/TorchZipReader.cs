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
        var pickle = ZipFiles.ReadEntry(zip.GetEntry(root + "data.pkl")!, source);

        object top;
        TorchPickle.TorchUnpickler unpickler;
        TorchPickle.EnsureRegistered();
        try
        {
            unpickler = new TorchPickle.TorchUnpickler();
            top = unpickler.loads(pickle);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Razorvine reports a corrupt or unexpected stream with many exception types (PickleException,
            // InvalidCastException, IndexOutOfRange on a short stream...); to the user they all mean this.
            throw new ImportException(source, $"{root}data.pkl",
                $"cannot be unpickled as a state_dict ({ex.Message.TrimEnd('.')}). Save model.state_dict() with torch.save, not the module.", ex);
        }

        var refs = new List<(string Name, TorchPickle.TensorRef Ref)>();
        Flatten(top, "", refs, binaryPickle: pickle.Length > 0 && pickle[0] == 0x80, depth: 0);
        if (refs.Count == 0)
            throw new ImportException(source, $"{root}data.pkl",
                top is IDictionary ? "holds no tensors." : $"holds a {Describe(top)}, not a state_dict of tensors.");

        var storages = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var tensors = new List<Tensor>(refs.Count);
        foreach (var (name, r) in refs)
        {
            if (!storages.TryGetValue(r.Storage.Key, out var values))
            {
                values = LoadStorage(zip, root, r.Storage, name, bigEndian, source);
                storages.Add(r.Storage.Key, values);
            }
            tensors.Add(Gather(name, r, values, source));
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
                $"the zip holds {pickles.Count} data.pkl files ({string.Join(", ", pickles.Select(p => p.FullName))}): not one torch.save archive.");
        if (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
            throw new ImportException(source, null,
                "this is a TorchScript archive (torch.jit.save), which is not read: save model.state_dict() with torch.save.");
        throw new ImportException(source, null, "the zip has no <archive>/data.pkl: it is not a torch.save file.");
    }

    private static bool ReadByteOrder(ZipArchive zip, string root, string source)
    {
        var entry = zip.GetEntry(root + "byteorder");
        if (entry == null) return false;
        string order = Encoding.ASCII.GetString(ZipFiles.ReadEntry(entry, source)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw new ImportException(source, $"{root}byteorder", $"says '{order}'; expected 'little' or 'big'."),
        };
    }

    /// <summary>Collects every tensor under dicts (and lists) with dotted names; other values are ignored.</summary>
    private static void Flatten(object? value, string prefix, List<(string, TorchPickle.TensorRef)> into, bool binaryPickle, int depth)
    {
        if (depth > 32) return;
        switch (value)
        {
            case TorchPickle.TensorRef t:
                into.Add((prefix.Length == 0 ? "tensor" : prefix, t));
                break;
            case TorchPickle.OrderedDict ordered:
                foreach (var key in ordered.KeysInFileOrder(binaryPickle))
                    Flatten(ordered[key], Join(prefix, key), into, binaryPickle, depth + 1);
                break;
            case Hashtable dict:
                // A plain dict's order is lost by Razorvine; sort for a stable order.
                foreach (var key in dict.Keys.Cast<object>().OrderBy(k => k.ToString(), StringComparer.Ordinal))
                    Flatten(dict[key], Join(prefix, key), into, binaryPickle, depth + 1);
                break;
            case object[] tuple:
                for (int i = 0; i < tuple.Length; i++) Flatten(tuple[i], Join(prefix, i), into, binaryPickle, depth + 1);
                break;
            case ArrayList list:
                for (int i = 0; i < list.Count; i++) Flatten(list[i], Join(prefix, i), into, binaryPickle, depth + 1);
                break;
        }
    }

    private static string Join(string prefix, object key) => prefix.Length == 0 ? $"{key}" : $"{prefix}.{key}";

    private static string Describe(object? value) => value switch
    {
        null => "None",
        Razorvine.Pickle.Objects.ClassDict c => $"pickled {c.ClassName} object",
        _ => value.GetType().Name,
    };

    private static double[] LoadStorage(ZipArchive zip, string root, TorchPickle.StorageRef storage, string tensorName,
        bool bigEndian, string source)
    {
        string item = $"tensor '{tensorName}'";
        if (storage.DType is not { } dtype)
            throw new ImportException(source, item,
                $"is stored as {storage.TypeName}; only float tensors (FloatStorage, DoubleStorage, HalfStorage, BFloat16Storage) are read.");
        string entryName = $"{root}data/{storage.Key}";
        var entry = zip.GetEntry(entryName)
            ?? throw new ImportException(source, item, $"its storage '{entryName}' is missing from the archive.");
        if (storage.Numel < 0 || storage.Numel > ImportLimits.MaxFileBytes)
            throw new ImportException(source, item, $"its storage claims {storage.Numel} elements.");
        long expected = storage.Numel * ElementDecoder.SizeOf(dtype);
        var bytes = ZipFiles.ReadEntry(entry, source);
        if (bytes.Length != expected)
            throw new ImportException(source, item,
                $"its storage '{entryName}' has {bytes.Length} bytes but {storage.Numel} {dtype} elements need {expected}.");
        return ElementDecoder.Decode(bytes, dtype, storage.Numel, bigEndian);
    }

    /// <summary>
    /// Copies the strided view (offset, size, stride) out of its storage in row-major order.
    /// Any non-negative strides work, so transposed or sliced tensors are read as they are seen in PyTorch.
    /// </summary>
    private static Tensor Gather(string name, TorchPickle.TensorRef r, double[] storage, string source)
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
        var data = new double[count];
        if (count == 0) return new Tensor(name, shape, data, r.Storage.DType!.Value);

        // The last element the view touches must lie inside the storage.
        long last = r.Offset;
        for (int k = 0; k < rank; k++) last += (shape[k] - 1) * r.Stride[k];
        if (r.Offset < 0 || last >= storage.Length)
            throw new ImportException(source, item,
                $"view (offset {r.Offset}, size {Tensor.FormatShape(shape)}, stride ({string.Join(", ", r.Stride)})) reaches element {last} of a storage of {storage.Length}.");

        var index = new int[rank];
        long position = r.Offset;
        for (long i = 0; i < count; i++)
        {
            data[i] = storage[position];
            // Odometer step: advance the last dimension, carrying into the ones before.
            for (int k = rank - 1; k >= 0; k--)
            {
                position += r.Stride[k];
                if (++index[k] < shape[k]) break;
                position -= r.Stride[k] * shape[k];
                index[k] = 0;
            }
        }
        return new Tensor(name, shape, data, r.Storage.DType!.Value);
    }
}
