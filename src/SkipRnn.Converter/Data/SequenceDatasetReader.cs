using System.IO.Compression;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Data;

/// <summary>
/// Reads a dataset .npz: the arrays <c>x</c> and <c>y</c> through the import layer's .npy reader (integers allowed
/// for y), every other entry ignored (the recipe may add class_names, a string array). Import errors are
/// re-raised as <see cref="DataException"/>, so the data layer has one error type.
/// </summary>
internal static class SequenceDatasetReader
{
    /// <summary>The .npz itself, read into memory: the same bound as a weights file.</summary>
    public const long MaxFileBytes = ImportLimits.MaxFileBytes;

    public static SequenceDataset Read(string path)
    {
        byte[] bytes;
        try
        {
            if (Directory.Exists(path)) throw new DataException(path, null, "this is a folder, not a dataset file.");
            var info = new FileInfo(path);
            if (!info.Exists) throw new DataException(path, null, "the dataset file does not exist.");
            if (info.Length == 0) throw new DataException(path, null, "the file is empty (0 bytes).");
            if (info.Length > MaxFileBytes)
                throw new DataException(path, null, $"the file is {info.Length} bytes, more than the {MaxFileBytes} a dataset may have.");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
        return Parse(bytes, path);
    }

    public static SequenceDataset Parse(byte[] file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (NpyReader.HasMagic(file))
            throw new DataException(source, null,
                "this is a single .npy array; a dataset is an .npz holding x and y: numpy.savez(path, x=x, y=y).");
        if (file.Length < 4 || file[0] != 'P' || file[1] != 'K')
            throw new DataException(source, null, "this is not an .npz (zip) archive; a dataset is an .npz holding x and y.");
        try
        {
            using var zip = ZipFiles.Open(file, source);
            Tensor x = ReadArray(zip, SequenceDataset.InputArray, source);
            Tensor y = ReadArray(zip, SequenceDataset.TargetArray, source);
            return Build(x, y, source);
        }
        catch (ImportException e)
        {
            throw new DataException(e.File, e.Item, e.Problem, e);
        }
    }

    private static Tensor ReadArray(ZipArchive zip, string name, string source)
    {
        string entryName = name + ".npy";
        var entries = zip.Entries.Where(e => e.FullName == entryName).ToList();
        if (entries.Count > 1)
            throw new DataException(source, $"array '{name}'", "appears more than once in the archive.");
        if (entries.Count == 0)
        {
            var present = zip.Entries.Select(e => DisplayText.Escape(e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName)).ToList();
            throw new DataException(source, $"array '{name}'",
                "is missing: a dataset needs x (float [N, T, I]) and y (integer labels [N] or float targets [N] / [N, O]). The file holds: "
                + (present.Count == 0 ? "nothing" : string.Join(", ", present)) + ".");
        }
        return NpyReader.Parse(ZipFiles.ReadEntry(entries[0], source), name, source, allowIntegers: true);
    }

    private static SequenceDataset Build(Tensor x, Tensor y, string source)
    {
        if (x.IsInteger)
            throw new DataException(source, SequenceDataset.XItem,
                $"has integer dtype {x.SourceDType}; x holds physical input values as float16, float32 or float64.");
        if (x.Rank != 3)
            throw new DataException(source, SequenceDataset.XItem,
                $"has shape {x.ShapeText}; x must be [N, T, I]: sequences × steps × input channels.");
        int count = x.Shape[0], steps = x.Shape[1], inputs = x.Shape[2];
        SequenceDataset.CheckInputShape(source, count, steps, inputs);

        if (y.IsInteger)
        {
            if (y.Rank != 1)
                throw new DataException(source, SequenceDataset.YItem,
                    $"holds integer class labels of shape {y.ShapeText}; labels must be [N], one per sequence.");
            if (y.Shape[0] != count)
                throw new DataException(source, SequenceDataset.YItem, $"has {y.Shape[0]} labels but x has {count} sequences.");
            var labels = new int[count];
            for (int n = 0; n < count; n++)
            {
                double v = y.Data[n];
                if (v < 0)
                    throw new DataException(source, SequenceDataset.YItem, $"the label of sequence {n} is {v}; class labels are 0 or more.");
                if (v > SequenceDataset.MaxOutputs)
                    throw new DataException(source, SequenceDataset.YItem,
                        $"the label of sequence {n} is {v}, more than the {SequenceDataset.MaxOutputs} classes a device model can have.");
                labels[n] = (int)v;
            }
            return SequenceDataset.FromOwnedArrays(source, x.Data, count, steps, inputs, labels, null, 0);
        }

        if (y.Rank is not (1 or 2))
            throw new DataException(source, SequenceDataset.YItem,
                $"holds float targets of shape {y.ShapeText}; regression targets must be [N] or [N, O].");
        if (y.Shape[0] != count)
            throw new DataException(source, SequenceDataset.YItem, $"has {y.Shape[0]} targets but x has {count} sequences.");
        int width = y.Rank == 1 ? 1 : y.Shape[1];
        return SequenceDataset.FromOwnedArrays(source, x.Data, count, steps, inputs, null, y.Data, width);
    }
}
