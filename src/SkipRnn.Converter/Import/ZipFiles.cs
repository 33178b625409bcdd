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
            throw new ImportException(source, null, $"the zip archive is corrupt or truncated ({ex.Message.TrimEnd('.')}).", ex);
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
            // Grow as data arrives rather than trusting the claim with one big allocation.
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            while (buffer.Length <= claimed)
            {
                int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, claimed + 1 - buffer.Length));
                if (n == 0) break;
                buffer.Write(chunk, 0, n);
            }
            if (buffer.Length != claimed)
                throw new ImportException(source, item,
                    $"holds {(buffer.Length > claimed ? "more" : "fewer")} bytes than the {claimed} its directory record claims: the archive is corrupt.");
            return buffer.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new ImportException(source, item, $"cannot be read: the archive is corrupt ({ex.Message.TrimEnd('.')}).", ex);
        }
        catch (IOException ex)
        {
            throw new ImportException(source, item, $"cannot be read ({ex.Message.TrimEnd('.')}).", ex);
        }
    }
}
