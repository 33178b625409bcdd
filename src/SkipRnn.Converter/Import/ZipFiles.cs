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

    /// <summary>An entry's name as messages show it (names come from the file: escape sequences are neutralized).</summary>
    public static string Name(ZipArchiveEntry entry) => DisplayText.Escape(entry.FullName);

    /// <summary>
    /// Reads an entry fully. The size in the zip directory is only a claim: it is checked against
    /// <paramref name="maxBytes"/> before anything is inflated, and reading stops one byte past it, so a lying entry
    /// (or a zip bomb) is refused instead of filling memory.
    /// </summary>
    public static byte[] ReadEntry(ZipArchiveEntry entry, string source, long maxBytes = ImportLimits.MaxFileBytes)
    {
        string item = $"zip entry '{Name(entry)}'";
        long claimed = entry.Length;
        if (claimed > maxBytes)
            throw new ImportException(source, item, $"claims {claimed} bytes, more than the {maxBytes} allowed.");
        try
        {
            using var stream = entry.Open();
            var buffer = new byte[claimed];
            int filled = 0;
            while (filled < buffer.Length)
            {
                int n = stream.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) break;
                filled += n;
            }
            bool more = filled == buffer.Length && stream.Read(new byte[1], 0, 1) > 0;
            if (filled != claimed || more)
                throw new ImportException(source, item,
                    $"holds {(more ? "more" : "fewer")} bytes than the {claimed} its directory record claims: the archive is corrupt.");
            return buffer;
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
