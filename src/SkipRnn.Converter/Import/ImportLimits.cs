using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Upper bounds that keep a corrupt or hostile file from making the importer hang or allocate gigabytes. Each is
/// checked before the work it bounds (reading, inflating, unpickling, decoding), never after. A model that fits an
/// ESP32 is a few megabytes, so these are generous. The converter README lists them.
/// </summary>
public static class ImportLimits
{
    /// <summary>Largest weights file (or zip entry, uncompressed) read into memory.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>Largest safetensors JSON header, or .npy header.</summary>
    public const long MaxHeaderBytes = 16L * 1024 * 1024;

    /// <summary>Most elements one tensor may have once read.</summary>
    public const long MaxTensorElements = 32L * 1024 * 1024;

    /// <summary>Most elements all the tensors of one weights file may have together (256 MiB as float64).</summary>
    public const long MaxTotalElements = 32L * 1024 * 1024;

    /// <summary>Most bytes the arrays of an .npz (or the storages of a torch.save file) may hold together once inflated.</summary>
    public const long MaxTotalBytes = MaxFileBytes;

    /// <summary>Most entries a zip (torch.save or .npz) may list; each costs an object when the directory is read.</summary>
    public const long MaxZipEntries = 100_000;

    /// <summary>Largest zip central directory.</summary>
    public const long MaxZipDirectoryBytes = 16L * 1024 * 1024;

    /// <summary>Most dimensions one tensor may have.</summary>
    public const int MaxRank = 16;

    /// <summary>Largest data.pkl of a torch.save archive (a state_dict's pickle is about 200 bytes per tensor).</summary>
    public const long MaxPickleBytes = 16L * 1024 * 1024;

    /// <summary>Most opcodes one pickle may run.</summary>
    public const long MaxPickleOpcodes = 2_000_000;

    /// <summary>Most memo entries (PUT, BINPUT, LONG_BINPUT, MEMOIZE) one pickle may store.</summary>
    public const long MaxPickleMemo = 500_000;

    /// <summary>Longest text integer (INT, LONG) in a pickle, in characters: int64 needs 20.</summary>
    public const int MaxPickleIntegerDigits = 40;

    /// <summary>Longest binary integer (LONG1, LONG4) in a pickle, in bytes: int64 needs 8.</summary>
    public const int MaxPickleIntegerBytes = 16;

    /// <summary>Most values visited while collecting the tensors of an unpickled object (shared values count each time).</summary>
    public const long MaxPickleNodes = 1_000_000;

    /// <summary>Deepest nesting of dicts, lists and tuples around a tensor.</summary>
    public const int MaxPickleDepth = 32;

    /// <summary>Largest layer number in a tensor name (weight_ih_l{k}, cells.{k}...).</summary>
    public const int MaxLayerNumber = 999_999;

    /// <summary>What the device runs (checked right after import, before any calibration).</summary>
    public const int MaxLayers = SkipGruModel.MaxLayers;

    /// <inheritdoc cref="SkipGruModel.MaxHiddenSize"/>
    public const int MaxHiddenSize = SkipGruModel.MaxHiddenSize;

    /// <inheritdoc cref="SkipGruModel.MaxInputSize"/>
    public const int MaxInputSize = SkipGruModel.MaxInputSize;

    /// <inheritdoc cref="SkipGruModel.MaxOutputSize"/>
    public const int MaxOutputSize = SkipGruModel.MaxOutputSize;
}
