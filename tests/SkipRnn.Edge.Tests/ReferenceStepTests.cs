using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// The plain reference step (<see cref="ReferenceSkipGru"/>) against the interpreter-tuned runner (<see cref="SkipGru"/>):
/// update decisions, ũ, Δũ, every layer's state and the head outputs equal after every step. The shipped models on
/// their data: SkipRnn.Converter.Tests' ReferenceStepOnShippedModelsTests.
/// </summary>
public class ReferenceStepTests
{
    public static TheoryData<GruVariant, int, int, int, int, double> Shapes() => new()
    {
        // variant, weight bits, inputs, hidden, layers, weight gain (large: gates and the tanh saturate)
        { GruVariant.ResetAfter, 8, 3, 16, 1, 1.0 },      // inputs premultiplied (≤ 4 columns), int8 pairs
        { GruVariant.ResetBefore, 8, 3, 16, 1, 1.0 },
        { GruVariant.ResetAfter, 16, 6, 32, 2, 1.0 },     // int16: W_hh requantized inside the gate loops (RawRows)
        { GruVariant.ResetBefore, 16, 6, 32, 2, 1.0 },
        { GruVariant.ResetAfter, 8, 12, 37, 3, 3.0 },     // odd hidden: pairs, 32/16/8/4 passes and one-lane leftovers
        { GruVariant.ResetBefore, 16, 12, 37, 3, 3.0 },
        { GruVariant.ResetAfter, 16, 40, 64, 4, 2.0 },
        { GruVariant.ResetBefore, 8, 40, 64, 4, 2.0 },
        { GruVariant.ResetAfter, 8, 1, 5, 2, 6.0 },
        { GruVariant.ResetBefore, 16, 2, 9, 4, 6.0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_reference_step_equals_the_tuned_runner_on_random_models(GruVariant variant, int bits, int inputs,
        int hidden, int layers, double gain)
    {
        int seed = 100 * layers + hidden + bits + (int)variant;
        FloatSkipGruModel f = TestModels.Random(seed, variant, inputs, hidden, layers, 3, weightGain: gain);
        byte[] file = ModelWriter.ToBytes(Quantizer.Quantize(f, TestModels.Options(inputs, bits)));
        int[][] raw = TestModels.RawStream(f, 6000, seed + 1);
        // Every 97th step some channels at the int32 extremes: inputs clamped to int16, pre-activations saturated.
        var rng = new Random(seed + 2);
        for (int t = 96; t < raw.Length; t += 97)
            for (int j = 0; j < inputs; j++)
                if (rng.Next(2) == 0) raw[t][j] = rng.Next(2) == 0 ? int.MaxValue : int.MinValue;
        var resets = new HashSet<int> { 2500, 2501, 4000 };
        // The file as the board reads it (packed from its bytes) and the lean load (the reference kernels in both).
        int updates = StepComparison.AssertSameSteps(ModelReader.Read(file), raw, resets, "packed");
        StepComparison.AssertSameSteps(ModelReader.Read(file, false), raw, resets, "lean");
        Assert.InRange(updates, 100, raw.Length - 100);   // both decisions occur, often
    }

    [Fact]
    public void An_update_without_input_is_refused_and_stepping_allocates_nothing()
    {
        FloatSkipGruModel f = TestModels.Random(9, GruVariant.ResetBefore, 6, 32, 2, 4);
        var reference = new ReferenceSkipGru(ModelReader.Read(ModelWriter.ToBytes(Quantizer.Quantize(f, TestModels.Options(6)))));
        Assert.Throws<ArgumentException>(() => reference.Step(null!));
        Assert.Throws<ArgumentException>(() => reference.Step(new int[5]));
        int[][] raw = TestModels.RawStream(f, 500, 2);
        reference.Step(raw[0]);   // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 20_000; t++)
        {
            reference.Step(raw[t % raw.Length]);
            if (t % 3000 == 0) reference.Reset();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
