namespace SkipRnn.Converter.Import;

/// <summary>
/// The one error type of the import layer. The message always names the file, the tensor or
/// field when there is one, and the problem, so the CLI can print it as it is.
/// </summary>
public sealed class ImportException : Exception
{
    /// <summary>The file the problem is in (as given by the caller).</summary>
    public string File { get; }

    /// <summary>The tensor, header field or model part concerned, or null for the file as a whole.</summary>
    public string? Item { get; }

    /// <summary>The problem alone, without file and item.</summary>
    public string Problem { get; }

    public ImportException(string file, string? item, string problem, Exception? inner = null)
        : base(Format(file, item, problem), inner)
    {
        File = file;
        Item = item;
        Problem = problem;
    }

    private static string Format(string file, string? item, string problem) =>
        item == null ? $"{file}: {problem}" : $"{file}: {item}: {problem}";
}
