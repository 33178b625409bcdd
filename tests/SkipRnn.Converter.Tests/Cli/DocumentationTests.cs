using System.Text.RegularExpressions;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>
/// The front page stays a front page (at most 150 lines), and every relative link in the Markdown the project
/// ships (README files, docs/, model cards) points at a file or folder that exists, so moving a file cannot
/// silently break the map.
/// </summary>
public sealed partial class DocumentationTests
{
    private static string Root => CliHarness.RepoRoot();

    [Fact]
    public void The_readme_is_a_front_page_of_at_most_150_lines()
    {
        int lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;
        Assert.True(lines <= 150, $"README.md has {lines} lines");
    }

    [Fact]
    public void Every_relative_link_in_the_shipped_markdown_resolves()
    {
        var broken = new List<string>();
        var files = Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Where(f => !Regex.IsMatch(Path.GetRelativePath(Root, f).Replace('\\', '/'), @"(^|/)(bin|obj|packages|\.git|TestResults)/"))
            .ToList();
        Assert.Contains(files, f => Path.GetRelativePath(Root, f) == "README.md");
        foreach (string file in files)
        {
            string text = File.ReadAllText(file);
            foreach (Match m in Link().Matches(text))
            {
                string target = m.Groups[1].Value;
                if (target.Contains("://") || target.StartsWith('#') || target.StartsWith("mailto:")) continue;
                string path = target.Split('#')[0];
                if (path.Length == 0) continue;
                string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(path)));
                if (!File.Exists(full) && !Directory.Exists(full))
                    broken.Add($"{Path.GetRelativePath(Root, file)}: {target}");
            }
        }
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join("\n", broken));
    }

    /// <summary>A Markdown inline link or image: [text](target) or ![alt](target "title").</summary>
    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();
}
