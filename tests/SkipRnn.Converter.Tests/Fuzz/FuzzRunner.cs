using System.Diagnostics;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Tests.Cli;

namespace SkipRnn.Converter.Tests.Fuzz;

/// <summary>What one case did, and what was wrong with it (null when every rule held). Keeps no bytes: runs are long.</summary>
internal sealed record FuzzOutcome(int Index, string Kind, int ExitCode, string FirstLine, TimeSpan Elapsed, long AllocatedBytes, string? Violation);

/// <summary>
/// Runs `skiprnn` in-process on one case inside a work folder, under a time and an allocation budget, and checks
/// the rules of issue 9: exit 0, 1 or 2 only (2 when the case must be refused), never exit 3 (a bug) or a stack
/// trace; a refusal is one line starting with the file at fault (the case, or the calibration set it does not fit); a run that did not succeed leaves the folder as it was; no
/// temporary file is ever left behind.
/// </summary>
internal sealed class FuzzRunner(string folder, string calibration, string weights)
{
    public static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(20);
    public const long AllocationBudget = 768L * 1024 * 1024;

    public FuzzOutcome Run(FuzzCase c)
    {
        string input = Path.Combine(folder, c.FileName);
        File.WriteAllBytes(input, c.Bytes);
        try
        {
            if (c.IsDataset)
                return Check(c, input, ["convert", weights, "-c", input, "-o", Path.Combine(folder, "out.skrn"), "--self-test-steps", "4"]);
            if (!c.IsModelFile)
                return Check(c, input, ["convert", input, "-c", calibration, "-o", Path.Combine(folder, "out.skrn"), "--self-test-steps", "4"]);
            FuzzOutcome inspect = Check(c, input, ["inspect", input]);
            return inspect.Violation != null ? inspect : Check(c, input, ["export-cs", input, "-o", Path.Combine(folder, "Out.cs")]);
        }
        finally
        {
            foreach (string f in Directory.GetFiles(folder))
                if (f != calibration && f != weights) File.Delete(f);
        }
    }

    private FuzzOutcome Check(FuzzCase c, string input, string[] args)
    {
        string[] before = Listing();
        int code = -1;
        string stderr = "", stdout = "";
        long allocated = 0;
        Exception? escaped = null;
        var clock = Stopwatch.StartNew();
        // Its own thread, so a hang is seen (the thread is then abandoned) and allocations are counted per run.
        var worker = new Thread(() =>
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                (code, stdout, stderr) = CliHarness.Run(args);
            }
            catch (Exception e)
            {
                escaped = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - start;
        }, 16 * 1024 * 1024) { IsBackground = true };
        worker.Start();
        bool finished = worker.Join(TimeBudget);
        clock.Stop();
        if (!finished) return new(c.Index, c.Kind, -1, "", clock.Elapsed, 0, $"still running after {TimeBudget.TotalSeconds} s (abandoned)");

        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string first = lines.FirstOrDefault() ?? "";
        string? violation = null;
        if (escaped != null) violation = $"exception escaped Program.Main: {escaped.GetType().Name}: {escaped.Message}";
        else if (code is not (ExitCodes.Success or ExitCodes.VerificationFailed or ExitCodes.BadInput)) violation = $"exit code {code}: {first}";
        else if (c.MustRefuse && code != ExitCodes.BadInput) violation = $"a hostile case was not refused (exit {code})";
        else if (lines.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && l.Contains('(')))
            violation = "a stack trace was printed";
        else if (code == ExitCodes.BadInput && !first.StartsWith("skiprnn: error: " + input, StringComparison.Ordinal)
                                            && !first.StartsWith("skiprnn: error: " + calibration, StringComparison.Ordinal))
            violation = "the error does not start with the name of the file at fault: " + first;
        else if (code == ExitCodes.BadInput && lines.Skip(1).Any(l => !l.StartsWith("  ", StringComparison.Ordinal) && l != "Tensors in the file:"))
            violation = "the error has more than one line (beyond the tensor list): " + string.Join(" | ", lines);
        else if (lines.Concat(stdout.Split('\n')).Any(l => l.Contains('\u001b')))
            violation = "an escape character reached the terminal";
        else if (allocated > AllocationBudget) violation = $"allocated {allocated / (1 << 20)} MiB, over the {AllocationBudget / (1 << 20)} MiB budget";
        else if (code != ExitCodes.Success && code != ExitCodes.VerificationFailed && !before.SequenceEqual(Listing()))
            violation = "a refused run changed the folder: " + string.Join(", ", Listing().Except(before));
        else if (Directory.GetFiles(folder, "*.tmp").Length > 0 || Directory.GetFiles(folder, ".*").Length > 0)
            violation = "a temporary file was left behind";
        return new(c.Index, c.Kind, code, first, clock.Elapsed, allocated, violation);
    }

    private string[] Listing() => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
