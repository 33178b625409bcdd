using SkipRnn.Converter.Data;

namespace SkipRnn.Converter.Audio;

/// <summary>One wav file and its label (null when unlabelled).</summary>
public sealed record LabelledClip(string Path, string? Label);

/// <summary>
/// The clips of a user's recordings: a folder of wav files (the label is the name of the sub-folder a file sits in;
/// files directly in the folder are unlabelled), or a manifest .csv of "path,label" lines (paths relative to the
/// manifest; an optional "path,label" header; an empty label means unlabelled). Limits are checked before reading,
/// and every problem is a <see cref="DataException"/> naming the manifest and line, or the folder.
/// </summary>
public static class LabelledClips
{
    public const long MaxManifestBytes = 16L << 20;
    public const int MaxClips = 200_000;

    public static IReadOnlyList<LabelledClip> FromFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DataException(folder, null, "the folder does not exist.");
        var clips = new List<LabelledClip>();
        foreach (string file in Directory.EnumerateFiles(folder, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (clips.Count == MaxClips) throw new DataException(folder, null, $"holds more than {MaxClips} wav files.");
            string? dir = Path.GetDirectoryName(Path.GetRelativePath(folder, file));
            clips.Add(new LabelledClip(file, string.IsNullOrEmpty(dir) ? null : Path.GetFileName(dir)));
        }
        if (clips.Count == 0) throw new DataException(folder, null, "holds no .wav files (searched its sub-folders too).");
        return clips;
    }

    public static IReadOnlyList<LabelledClip> FromManifest(string manifest)
    {
        var info = new FileInfo(manifest);
        if (!info.Exists) throw new DataException(manifest, null, "the manifest does not exist.");
        if (info.Length == 0) throw new DataException(manifest, null, "the manifest is empty (0 bytes).");
        if (info.Length > MaxManifestBytes)
            throw new DataException(manifest, null, $"the manifest is {info.Length} bytes, more than the {MaxManifestBytes} allowed.");
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var clips = new List<LabelledClip>();
        string[] lines;
        try { lines = File.ReadAllLines(manifest); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException(manifest, null, $"cannot read the manifest ({ex.Message.TrimEnd('.')}).", ex);
        }
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (clips.Count == 0 && line.Replace(" ", "").Equals("path,label", StringComparison.OrdinalIgnoreCase)) continue;
            string[] parts = line.Split(',');
            if (parts.Length > 2)
                throw new DataException(manifest, $"line {i + 1}", $"has {parts.Length} fields; a manifest line is path,label (no commas in paths).");
            string path = parts[0].Trim();
            if (path.Length == 0) throw new DataException(manifest, $"line {i + 1}", "has no path.");
            string full = Path.GetFullPath(Path.Combine(baseDir, path));
            if (!File.Exists(full)) throw new DataException(manifest, $"line {i + 1}", $"names {path}, which does not exist.");
            string? label = parts.Length == 2 && parts[1].Trim().Length > 0 ? parts[1].Trim() : null;
            if (clips.Count == MaxClips) throw new DataException(manifest, null, $"lists more than {MaxClips} clips.");
            clips.Add(new LabelledClip(full, label));
        }
        if (clips.Count == 0) throw new DataException(manifest, null, "lists no clips.");
        return clips;
    }
}
