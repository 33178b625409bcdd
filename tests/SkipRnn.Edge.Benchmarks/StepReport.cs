using BenchmarkDotNet.Reports;

namespace SkipRnn.Edge.Benchmarks;

/// <summary>Turns the summary into the figures the README quotes: ns per step kind, their ratio, MACs/s.</summary>
public static class StepReport
{
    public static void Print(Summary summary)
    {
        Console.WriteLine();
        Console.WriteLine("| inputs x hidden | MACs/update | ns/update | ns/skipped step | skip/update | MACs/s (updates) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var shape in summary.Reports.GroupBy(r => (string)r.BenchmarkCase.Parameters["Shape"]))
        {
            double? Mean(string name) => shape.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == name)?.ResultStatistics?.Mean;
            double? update = Mean(nameof(StepBenchmarks.UpdateStep)), skip = Mean(nameof(StepBenchmarks.SkippedStep));
            var probe = new StepBenchmarks { Shape = shape.Key };
            probe.Setup();
            int macs = probe.MacsPerUpdate;
            if (update is null || skip is null)
            {
                Console.WriteLine($"| {shape.Key} | {macs} | (missing) | (missing) | | |");
                continue;
            }
            Console.WriteLine($"| {shape.Key} | {macs} | {update:F1} | {skip:F2} | {skip / update:P2} | {macs / update * 1e9:E2} |");
        }
    }
}
