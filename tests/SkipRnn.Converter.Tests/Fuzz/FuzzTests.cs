using System.Globalization;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Host;
using Xunit.Abstractions;

namespace SkipRnn.Converter.Tests.Fuzz;

/// <summary>
/// The converter fuzzer: generated hostile and mutated weights (.pt pickle and zip, safetensors, npz) and model files
/// through `skiprnn convert`, `inspect` and `export-cs`, each under <see cref="FuzzRunner"/>'s rules and budgets.
/// CI runs a bounded part; the full run is the same test with more cases:
/// <code>SKIPRNN_FUZZ_CASES=20000 SKIPRNN_FUZZ_SEED=1 dotnet test tests/SkipRnn.Converter.Tests --filter Category=Fuzz --logger "console;verbosity=detailed"</code>
/// A failing case is saved under the temp folder (its path is printed) and is rerun alone with SKIPRNN_FUZZ_ONLY=index.
/// </summary>
[Collection(ConsoleCollection.Name)]
[Trait("Category", "Fuzz")]
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Cases CI runs (about half a minute on a busy two-core machine).</summary>
    public const int CiCases = 6000;

    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    [Fact]
    public void Hostile_and_mutated_inputs_are_refused_cleanly_within_budget()
    {
        int cases = Setting("SKIPRNN_FUZZ_CASES", CiCases), seed = Setting("SKIPRNN_FUZZ_SEED", 1), only = Setting("SKIPRNN_FUZZ_ONLY", -1);
        var m = CliHarness.Import("ra1.safetensors");
        string calibration = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 6, 10, 1);
        byte[] model = ModelWriter.ToBytes(Quantizer.Quantize(m, new QuantizerOptions { InputFracBits = 10 }));
        string weights = Path.Combine(_dir, "weights.safetensors");
        File.Copy(CliHarness.Fixture("ra1.safetensors"), weights);
        var corpus = new FuzzCorpus(seed, model, File.ReadAllBytes(calibration));
        var runner = new FuzzRunner(_dir, calibration, weights);

        var outcomes = new List<FuzzOutcome>();
        var failures = new List<FuzzOutcome>();
        foreach (int i in only >= 0 ? [only] : Enumerable.Range(0, cases))
        {
            FuzzCase c = corpus.Case(i);
            FuzzOutcome o = runner.Run(c);
            outcomes.Add(o);
            if (o.Violation == null) continue;
            failures.Add(o);
            string saved = Path.Combine(Path.GetTempPath(), $"skiprnn-fuzz-failure-{seed}-{i}-{c.FileName}");
            File.WriteAllBytes(saved, c.Bytes);
            output.WriteLine($"FAIL case {i} ({c.Kind}, saved as {saved}): {o.Violation}");
            if (o.ExitCode == -1 || failures.Count >= 20) break;   // a hang leaves a thread behind: stop there
        }

        output.WriteLine($"seed {seed}: {outcomes.Count} cases, {failures.Count} violations, " +
                         $"slowest {outcomes.Max(o => o.Elapsed).TotalSeconds:F2} s, most allocated {outcomes.Max(o => o.AllocatedBytes) / (1 << 20)} MiB");
        output.WriteLine("kind | cases | exit 0 | exit 1 | exit 2 | slowest s | max MiB");
        foreach (var g in outcomes.GroupBy(o => o.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"{g.Key} | {g.Count()} | {g.Count(o => o.ExitCode == 0)} | {g.Count(o => o.ExitCode == 1)} | " +
                             $"{g.Count(o => o.ExitCode == 2)} | {g.Max(o => o.Elapsed).TotalSeconds:F2} | {g.Max(o => o.AllocatedBytes) / (1 << 20)}");
        output.WriteLine("most frequent refusals:");
        foreach (var g in outcomes.Where(o => o.ExitCode == 2).GroupBy(o => Problem(o.FirstLine)).OrderByDescending(g => g.Count()).Take(25))
            output.WriteLine($"  {g.Count(),6}  {g.Key}");

        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"case {f.Index} ({f.Kind}): {f.Violation}")));
        if (only < 0) Assert.Equal(cases, outcomes.Count);
    }

    /// <summary>The refusal without the file name and numbers, to group similar ones.</summary>
    private string Problem(string line)
    {
        string s = line.Replace(_dir, "", StringComparison.Ordinal);
        s = System.Text.RegularExpressions.Regex.Replace(s, "[0-9]+", "N");
        return s.Length > 110 ? s[..110] : s;
    }
}
