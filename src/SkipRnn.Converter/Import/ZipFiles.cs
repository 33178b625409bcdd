using System.IO.Compression;

namespace SkipRnn.Converter.Import;

/// <summary>Zip access for .npz and PyTorch archives, with sizes checked and errors translated.</summary>
internal static class ZipFiles
{
    public static ZipArchive Open(byte[] file, string source)
    {
        try
        {
            var zip = new ZipArchive(new MemoryStream(file, writable: false), ZipArchiveMode.Read);
            // The central directory is read lazily; read it now so its errors surface here.
            _ = zip.Entries.Count;
            return zip;
        }
        catch (InvalidDataException ex)
        {
            throw new ImportException(source, null, $"the zip archive is corrupt or truncated ({ex.Message}).", ex);
        }
    }

    /// <summary>
    /// Reads an entry fully. The size in the zip directory is only a claim, so reading stops one
    /// byte past it: a lying entry (or a zip bomb) is refused instead of filling memory.
    /// </summary>
    public static byte[] ReadEntry(ZipArchiveEntry entry, string source)
    {
        string item = $"zip entry '{entry.FullName}'";
        long claimed = entry.Length;
        if (claimed > ImportLimits.MaxFileBytes)
            throw new ImportException(source, item, $"claims {claimed} bytes, more than the {ImportLimits.MaxFileBytes} allowed.");
        try
        {
            using var stream = entry.Open();
            var buffer = new byte[claimed + 1];
            int total = 0;
            while (total < buffer.Length)
            {
                int n = stream.Read(buffer, total, buffer.Length - total);
                if (n == 0) break;
                total += n;
            }
            if (total != claimed)
                throw new ImportException(source, item,
                    $"holds {(total > claimed ? "more" : "fewer")} bytes than the {claimed} its directory record claims: the archive is corrupt.");
            Array.Resize(ref buffer, total);
            return buffer;
        }
        catch (InvalidDataException ex)
        {
            throw new ImportException(source, item, $"cannot be read: the archive is corrupt ({ex.Message}).", ex);
        }
        catch (IOException ex)
        {
            throw new ImportException(source, item, $"cannot be read ({ex.Message}).", ex);
        }
    }
}
