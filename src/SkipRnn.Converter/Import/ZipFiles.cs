using System.Buffers.Binary;
using System.IO.Compression;

namespace SkipRnn.Converter.Import;

/// <summary>Zip access for .npz and PyTorch archives, with sizes checked and errors translated.</summary>
internal static class ZipFiles
{
    public static ZipArchive Open(byte[] file, string source)
    {
        CheckCentralDirectory(file, source);
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
    /// ZipArchive reads the whole central directory on opening, one object per entry, so a 256 MiB file of empty
    /// entries would cost gigabytes: the end-of-central-directory record's claims (zip64's when present) are bounded
    /// first. Without such a record ZipArchive reports the corrupt archive itself.
    /// </summary>
    private static void CheckCentralDirectory(byte[] file, string source)
    {
        int lowest = Math.Max(0, file.Length - 22 - ushort.MaxValue);   // the record is 22 bytes plus a comment
        for (int at = file.Length - 22; at >= lowest; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) != 0x06054b50) continue;
            ulong entries = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 10));
            ulong size = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12));
            if ((entries == ushort.MaxValue || size == uint.MaxValue) && at >= 20
                && BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at - 20)) == 0x07064b50)
            {
                ulong zip64 = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at - 20 + 8));
                if (zip64 <= (ulong)file.Length - 56 && BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)zip64)) == 0x06064b50)
                {
                    entries = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)zip64 + 32));
                    size = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)zip64 + 40));
                }
            }
            if (entries > ImportLimits.MaxZipEntries || size > ImportLimits.MaxZipDirectoryBytes)
                throw new ImportException(source, null,
                    $"the zip directory claims {entries} entries in {size} bytes; at most {ImportLimits.MaxZipEntries} entries in {ImportLimits.MaxZipDirectoryBytes} bytes are read.");
            return;
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
