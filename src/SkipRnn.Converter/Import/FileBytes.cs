namespace SkipRnn.Converter.Import;

/// <summary>Reads a whole file with the size limit and the import error type.</summary>
internal static class FileBytes
{
    public static byte[] ReadAll(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new ImportException(path, null, "the file does not exist.");
            if (info.Length > ImportLimits.MaxFileBytes)
                throw new ImportException(path, null,
                    $"the file is {info.Length} bytes, more than the {ImportLimits.MaxFileBytes} a device model can come from.");
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImportException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
    }
}
