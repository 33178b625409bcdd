using System.IO.Compression;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Reads a NumPy .npz: a zip (stored or deflated) whose entries are "&lt;name&gt;.npy" arrays,
/// as written by numpy.savez / savez_compressed. The tensor name is the entry name without ".npy".
/// </summary>
public static class NpzReader
{
    public static TensorSet Read(string path) => Parse(FileBytes.ReadAll(path), path);

    public static TensorSet Parse(byte[] file, string source)
    {
        using var zip = ZipFiles.Open(file, source);
        return Parse(zip, source);
    }

    internal static TensorSet Parse(ZipArchive zip, string source)
    {
        // The directory's sizes are summed before anything is inflated; elements are summed from each array's
        // header before it is decoded.
        long claimed = 0;
        foreach (var entry in zip.Entries)
        {
            claimed += entry.Length;
            if (claimed > ImportLimits.MaxTotalBytes)
                throw new ImportException(source, $"entry '{ZipFiles.Name(entry)}'",
                    $"brings the arrays past {ImportLimits.MaxTotalBytes} bytes in total once inflated.");
        }
        var tensors = new List<Tensor>();
        long elements = 0;
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/')) continue; // directory record
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                throw new ImportException(source, $"entry '{ZipFiles.Name(entry)}'",
                    "is not a .npy array; an .npz holds only arrays written by numpy.savez.");
            string name = DisplayText.Escape(entry.FullName[..^".npy".Length]);
            var tensor = NpyReader.Parse(ZipFiles.ReadEntry(entry, source), name, source,
                maxElements: ImportLimits.MaxTotalElements - elements);
            elements += tensor.ElementCount;
            tensors.Add(tensor);
        }
        if (tensors.Count == 0)
            throw new ImportException(source, null, "the .npz holds no arrays.");
        return new TensorSet(source, TensorFileFormat.Npz, tensors);
    }
}
