using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SkipRnn.Edge.Benchmarks;

// Runs the step benchmarks, then prints ns per update and per skipped step, their ratio, and MACs per second.
// Pass BenchmarkDotNet arguments through, e.g. --job short for a quicker run.
var summary = BenchmarkRunner.Run<StepBenchmarks>(DefaultConfig.Instance, args);
StepReport.Print(summary);
