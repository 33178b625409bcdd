using System.Buffers.Binary;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>CLI tests redirect the process's console, so they never run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs `skiprnn` in-process and writes the data files its tests need.</summary>
internal static class CliHarness
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    /// <summary>The repository root: the first folder above the test binaries that holds SkipRnn.sln.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SkipRnn.sln"))) return d.FullName;
        throw new InvalidOperationException("SkipRnn.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs the tool; returns the exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Program.Main(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>
    /// A labelled set for a fixture model: N sequences of T steps, inputs ~ the sidecar's mean and std with some
    /// smoothness, labels = the float model's own prediction (so float accuracy is 100% by construction).
    /// </summary>
    public static string WriteClassificationSet(string dir, string name, FloatSkipGruModel m, int n, int steps, int seed)
    {
        var rng = new Random(seed);
        int inputs = m.InputSize;
        var x = new double[n * steps * inputs];
        var y = new long[n];
        var reference = new FloatSkipGru(m);
        var g = new double[inputs];
        var step = new double[inputs];
        for (int s = 0; s < n; s++)
        {
            reference.Reset();
            Array.Clear(g);
            for (int t = 0; t < steps; t++)
            {
                for (int j = 0; j < inputs; j++)
                {
                    double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                    g[j] = 0.8 * g[j] + 0.6 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                    step[j] = (m.InputMean?[j] ?? 0) + (m.InputStd?[j] ?? 1) * g[j];
                    x[(s * steps + t) * inputs + j] = step[j];
                }
                double[] norm = FloatSkipGru.Normalize(m, step);
                if (reference.NextStepUpdates) reference.Step(norm); else reference.Step(null);
            }
            y[s] = Array.IndexOf(reference.Outputs, reference.Outputs.Max());
        }
        // float32 like the training recipe's exports: recompute labels on the rounded values would change nothing
        // material, but keep x in float64 so the labels are exactly the float model's.
        byte[] npz = NpzBuilder.Npz(new[]
        {
            ("x", NpzBuilder.Npy(TensorDType.F64, new[] { n, steps, inputs }, x)),
            ("y", NpzBuilder.NpyRaw(NpzBuilder.HeaderDict("<i8", false, new[] { n }), Int64Bytes(y))),
        });
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, npz);
        return path;
    }

    private static byte[] Int64Bytes(long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    public static FloatSkipGruModel Import(string fixture) => ModelImporter.Import(Fixture(fixture)).Model;
}
