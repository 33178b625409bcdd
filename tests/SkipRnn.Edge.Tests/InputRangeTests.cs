using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

/// <summary>What the runtime does with raw inputs outside the calibrated range and with input arrays of the wrong length.</summary>
public class InputRangeTests
{
    private static SkipGruModel Model() =>
        Quantizer.Quantize(TestModels.Random(4, GruVariant.ResetAfter, 3, 8, 1, 2, skipBias: 5), TestModels.Options(3));

    [Fact]
    public void Out_of_range_raw_values_are_clamped_to_int16_and_counted()
    {
        InputNormalization norm = Model().Input;
        var x = new short[3];
        int[] raw = { int.MaxValue, 0, int.MinValue };
        Assert.Equal(2, norm.Apply(raw, x));
        Assert.Equal(new short[] { 32767, x[1], -32768 }, x);
        for (int j = 0; j < 3; j++)
        {
            // The unclamped value, exactly (Int128), for the channel in range.
            Int128 v = (Int128)raw[j] * norm.Multiplier[j] + norm.Addend[j];
            if (norm.Shift[j] > 0) v = (v + ((Int128)1 << (norm.Shift[j] - 1))) >> norm.Shift[j];
            Assert.Equal((short)Int128.Clamp(v, -32768, 32767), x[j]);
        }
        Assert.Equal(0, norm.Apply(new int[3], x));
    }

    [Fact]
    public void The_runner_counts_clamped_inputs_per_update_and_clears_them()
    {
        var runner = new SkipGru(Model());
        Assert.True(runner.Step(new[] { int.MaxValue, int.MinValue, 5 }));
        Assert.Equal(2, runner.Counters.ClampedInputs);
        runner.Reset();   // the next step updates whatever the skip gate says
        runner.Step(new[] { 1, 2, int.MaxValue });
        Assert.Equal(3, runner.Counters.ClampedInputs);
        runner.Counters.Clear();
        Assert.Equal(0, runner.Counters.ClampedInputs);
    }

    [Fact]
    public void A_longer_input_array_is_read_up_to_InputSize_and_a_shorter_one_is_refused()
    {
        SkipGruModel m = Model();
        var exact = new SkipGru(m);
        var longer = new SkipGru(m);
        exact.Step(new[] { 100, -200, 300 });
        longer.Step(new[] { 100, -200, 300, int.MaxValue, 7 });   // values past InputSize are ignored
        for (int u = 0; u < m.HiddenSize; u++) Assert.Equal(exact.GetState(0, u), longer.GetState(0, u));
        Assert.Equal(0, longer.Counters.ClampedInputs);
        var e = Assert.Throws<ArgumentException>(() => new SkipGru(m).Step(new[] { 1, 2 }));
        Assert.Contains("3 raw inputs", e.Message);
    }
}

/// <summary>The memory-lean load (no packed layout) runs the reference kernels with the same results.</summary>
public class LeanLoadTests
{
    [Theory]
    [InlineData(GruVariant.ResetAfter, 8)]
    [InlineData(GruVariant.ResetBefore, 8)]
    [InlineData(GruVariant.ResetAfter, 16)]
    [InlineData(GruVariant.ResetBefore, 16)]
    public void A_model_read_without_packing_gives_the_same_states_outputs_and_decisions(GruVariant variant, int bits)
    {
        var f = TestModels.Random(11, variant, 5, 12, 2, 3, skipBias: 0);
        byte[] file = ModelWriter.ToBytes(Quantizer.Quantize(f, TestModels.Options(5, bits)));
        SkipGruModel lean = ModelReader.Read(file, false);
        Assert.Null(lean.Layers[0].Whh.Packed);
        var packed = new SkipGru(ModelReader.Read(file));
        var reference = new SkipGru(lean);
        int updates = 0;
        foreach (int[] raw in TestModels.RawStream(f, 400, 3))
        {
            bool a = packed.Step(raw), b = reference.Step(raw);
            Assert.Equal(a, b);
            if (a) updates++;
            for (int l = 0; l < 2; l++)
                for (int u = 0; u < 12; u++) Assert.Equal(reference.GetState(l, u), packed.GetState(l, u));
            for (int o = 0; o < 3; o++) Assert.Equal(reference.GetOutput(o), packed.GetOutput(o));
        }
        Assert.True(updates is > 20 and < 400, $"{updates} updates: the stream should mix updates and skips");
    }
}
