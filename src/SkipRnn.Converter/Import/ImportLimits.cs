namespace SkipRnn.Converter.Import;

/// <summary>
/// Upper bounds that keep a corrupt or hostile file from making the importer allocate gigabytes.
/// A model that fits an ESP32 is a few megabytes, so these are generous.
/// </summary>
public static class ImportLimits
{
    /// <summary>Largest weights file (or zip entry, uncompressed) read into memory.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>Largest safetensors JSON header, or .npy header.</summary>
    public const long MaxHeaderBytes = 16L * 1024 * 1024;

    /// <summary>Most elements one tensor may have once read.</summary>
    public const long MaxTensorElements = 32L * 1024 * 1024;

    /// <summary>Most dimensions one tensor may have.</summary>
    public const int MaxRank = 16;
}
