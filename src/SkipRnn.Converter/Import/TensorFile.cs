namespace SkipRnn.Converter.Import;

/// <summary>
/// Reads any supported weights file, choosing the reader from the content (not the extension):
/// a zip with <c>data.pkl</c> is torch.save, a zip of .npy arrays is .npz, a leading pickle opcode
/// is legacy torch.save (refused), and anything else is parsed as safetensors.
/// </summary>
public static class TensorFile
{
    public static TensorSet Read(string path) => Parse(FileBytes.ReadAll(path), path);

    public static TensorSet Parse(byte[] file, string source)
    {
        if (file.Length == 0) throw new ImportException(source, null, "the file is empty (0 bytes).");
        if (IsZip(file))
        {
            using var zip = ZipFiles.Open(file, source);
            bool torch = zip.Entries.Any(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                              || e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal));
            return torch ? TorchZipReader.Parse(zip, source) : NpzReader.Parse(zip, source);
        }
        // A safetensors header of 640..645 bytes starts with 0x80 0x02..0x05, like a pickle's PROTO opcode: a file
        // whose 8-byte length is followed by its JSON's '{' is safetensors (a legacy torch file has a pickle there).
        if (LooksLikeSafetensors(file)) return SafetensorsReader.Parse(file, source);
        if (TorchZipReader.LooksLikeLegacyPickle(file))
            throw new ImportException(source, null, TorchZipReader.LegacyMessage);
        if (NpyReader.HasMagic(file))
            throw new ImportException(source, null,
                "this is a single .npy array; save all weights into one .npz with numpy.savez(path, **state_dict).");
        if (file.Length < 9)
            throw new ImportException(source, null,
                $"the file is {file.Length} bytes: not a zip archive (torch.save, .npz), and too short for safetensors (an 8-byte header length, then JSON).");
        return SafetensorsReader.Parse(file, source);
    }

    private static bool LooksLikeSafetensors(ReadOnlySpan<byte> b) =>
        b.Length >= 9 && b[8] == '{' && BitConverter.ToUInt64(b[..8]) <= (ulong)(b.Length - 8);

    /// <summary>Local file header "PK\3\4", or the end record "PK\5\6" of an empty zip.</summary>
    private static bool IsZip(ReadOnlySpan<byte> b) =>
        b.Length >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6));
}
