using BenchmarkDotNet.Attributes;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Benchmarks;

/// <summary>
/// Host cost of one update step and one skipped step of the integer runtime (the host emulator runs the
/// device source under .NET's JIT; on the device the interpreter is ~100× slower per IL instruction).
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    /// <summary>Skip-run length the skip benchmark walks per runner: the longest the table floor allows.</summary>
    public const int SkipsPerRunner = 1489;
    /// <summary>Runners re-armed before each skip iteration, so one iteration is long enough to time.</summary>
    public const int Runners = 64;

    [Params("6x32", "40x64", "40x128")]
    public string Shape { get; set; } = "6x32";

    private SkipGru _updating = null!;
    private SkipGru[] _skipping = null!;
    private int[] _raw = null!;

    public int Inputs => int.Parse(Shape.Split('x')[0]);
    public int Hidden => int.Parse(Shape.Split('x')[1]);

    /// <summary>MACs of one update at this shape (one layer, 8-class head).</summary>
    public int MacsPerUpdate { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        // b_p = +20 makes every step an update; b_p = −200 makes Δũ the table floor, the longest skip runs.
        _updating = new SkipGru(Model(skipBias: 20));
        MacsPerUpdate = _updating.Model.MacsPerUpdate;
        SkipGruModel skipper = Model(skipBias: -200);
        _skipping = new SkipGru[Runners];
        for (int i = 0; i < Runners; i++) _skipping[i] = new SkipGru(skipper);
        _raw = new int[Inputs];
        var rng = new Random(1);
        for (int j = 0; j < _raw.Length; j++) _raw[j] = rng.Next(-1000, 1000);
    }

    private SkipGruModel Model(double skipBias)
    {
        var rng = new Random(42);
        double bound = 1 / Math.Sqrt(Hidden);
        double[] U(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = (rng.NextDouble() * 2 - 1) * bound; return a; }
        var layer = new FloatGruLayer(Inputs, Hidden, U(3 * Hidden * Inputs), U(3 * Hidden * Hidden), U(3 * Hidden), U(3 * Hidden));
        var f = new FloatSkipGruModel(GruVariant.ResetAfter, new[] { layer }, U(Hidden), skipBias, U(8 * Hidden), U(8));
        return Quantizer.Quantize(f, new QuantizerOptions());
    }

    [IterationSetup(Target = nameof(SkippedStep))]
    public void ArmSkipRuns()
    {
        foreach (SkipGru r in _skipping)
        {
            r.Reset();
            r.Step(_raw);   // the update that announces SkipsPerRunner skipped steps
        }
    }

    [Benchmark]
    public bool UpdateStep() => _updating.Step(_raw);

    [Benchmark(OperationsPerInvoke = Runners * SkipsPerRunner)]
    public bool SkippedStep()
    {
        bool any = false;
        foreach (SkipGru r in _skipping)
            for (int k = 0; k < SkipsPerRunner; k++)
                any |= r.Step(null);    // no input on a skipped step
        return any;
    }
}
