using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Files;

/// <summary>A file a command reads or writes, with the name the user knows it by ("-o", "the weights file").</summary>
public sealed record NamedPath(string Role, string Path);

/// <summary>
/// Checks a command's output paths before it does any work, so that a refused run writes nothing: every output's
/// folder must exist, no output may be a folder, no output may be any input (compared by file identity, so symlinks
/// and hard links are caught, not just equal strings), and no two outputs may be the same file.
/// </summary>
public static class OutputPaths
{
    /// <summary>Throws <see cref="ArgumentException"/> (exit code 2) naming the first output that breaks a rule.</summary>
    public static void Check(IEnumerable<NamedPath> inputs, IEnumerable<NamedPath> outputs)
    {
        var ins = inputs.Where(i => !string.IsNullOrEmpty(i.Path)).Select(i => (i, FileIdentity.Of(i.Path))).ToList();
        var seen = new List<(NamedPath Output, Key Key)>();
        foreach (var output in outputs)
        {
            string full = System.IO.Path.GetFullPath(output.Path);
            string shown = Show(full);
            if (Directory.Exists(full))
                throw new ArgumentException($"{output.Role} '{shown}' is a folder; name the file to write.");
            string? folder = System.IO.Path.GetDirectoryName(full);
            if (folder == null || !Directory.Exists(folder))
                throw new ArgumentException($"{output.Role} '{shown}': the folder '{Show(folder ?? full)}' does not exist.");

            FileIdentity? id = FileIdentity.Of(full);
            if (id != null)
                foreach (var (input, inputId) in ins)
                    if (inputId == id)
                        throw new ArgumentException(
                            $"{output.Role} '{shown}' is the same file as the {input.Role} '{Show(System.IO.Path.GetFullPath(input.Path))}'; " +
                            "refusing to overwrite an input: choose another output path.");

            // A file not written yet is known by its folder and its name.
            var key = id is { } existing ? new Key(existing, null) : new Key(FileIdentity.Of(folder)!.Value, System.IO.Path.GetFileName(full));
            foreach (var (other, otherKey) in seen)
                if (otherKey == key)
                    throw new ArgumentException($"{output.Role} and {other.Role} both name '{shown}'; give each output its own file.");
            seen.Add((output, key));
        }
    }

    private readonly record struct Key(FileIdentity Identity, string? NameInFolder);

    private static string Show(string path) => DisplayText.Escape(path, 400);
}
