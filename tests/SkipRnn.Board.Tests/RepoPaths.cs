namespace SkipRnn.Board.Tests;

internal static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds SkipRnn.sln.</summary>
    public static string Root
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "SkipRnn.sln"))) return d.FullName;
            throw new InvalidOperationException("SkipRnn.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Motion(string file) => Path.Combine(Root, "models", "motion", file);
}
