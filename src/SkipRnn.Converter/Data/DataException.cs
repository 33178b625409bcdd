namespace SkipRnn.Converter.Data;

/// <summary>
/// The one error type of the data layer (datasets, raw encodings, evaluation inputs). Like
/// <see cref="Import.ImportException"/>, the message always names the file, the array when there is one, and
/// the problem, so the CLI can print it as it is.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>The dataset file (as given by the caller).</summary>
    public string File { get; }

    /// <summary>The array concerned ("array 'x'"), or null for the file as a whole.</summary>
    public string? Item { get; }

    /// <summary>The problem alone, without file and item.</summary>
    public string Problem { get; }

    public DataException(string file, string? item, string problem, Exception? inner = null)
        : base(item == null ? $"{file}: {problem}" : $"{file}: {item}: {problem}", inner)
    {
        File = file;
        Item = item;
        Problem = problem;
    }
}
