namespace SkipRnn.Converter.Import;

/// <summary>Reads a whole input file with the size limit and the import error type.</summary>
internal static class FileBytes
{
    /// <summary>
    /// The file's bytes; a folder, a missing file, an empty file or one over <paramref name="maxBytes"/> is an
    /// <see cref="ImportException"/> that says which, before anything is read.
    /// </summary>
    public static byte[] ReadAll(string path, long maxBytes = ImportLimits.MaxFileBytes)
    {
        try
        {
            if (Directory.Exists(path))
                throw new ImportException(path, null, "this is a folder, not a file.");
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new ImportException(path, null, "the file does not exist.");
            if (info.Length == 0)
                throw new ImportException(path, null, "the file is empty (0 bytes).");
            if (info.Length > maxBytes)
                throw new ImportException(path, null, $"the file is {info.Length} bytes, more than the {maxBytes} allowed.");
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
    }
}
