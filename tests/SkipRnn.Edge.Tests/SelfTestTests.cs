using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

public class SelfTestTests
{
    [Theory]
    [InlineData(GruVariant.ResetAfter, 8)]
    [InlineData(GruVariant.ResetBefore, 16)]
    public void Recorded_vectors_replay_exactly(GruVariant variant, int bits)
    {
        SelfTestResult result = SelfTest.Run(ModelFileTests.SmallModel(variant, bits));
        Assert.True(result.Passed, result.ToString());
        Assert.Equal("self-test passed", result.ToString());
    }

    [Fact]
    public void One_corrupted_weight_byte_in_memory_fails_with_the_first_mismatch()
    {
        SkipGruModel m = ModelFileTests.SmallModel();
        // A flipped bit in RAM, in the weights the runner computes with: layer 0's input side has 3 columns, so
        // its layout is the premultiplied one (w · multiplier per row and column); row 0, column 0.
        Assert.Null(m.Layers[0].Wih.Packed);
        m.Layers[0].Wih.Premultiplied![0][0] ^= 1L << 44;
        SelfTestResult result = SelfTest.Run(m);
        Assert.False(result.Passed);
        Assert.Equal(0, result.Step);                      // the first step already differs
        Assert.StartsWith("state[0][", result.Field);      // layer 0's state shows it first
        Assert.NotEqual(result.Expected, result.Actual);
        Assert.Contains("self-test failed at step 0, state[0][", result.ToString());
    }

    [Fact]
    public void A_corrupted_expected_flag_is_reported_as_the_update_field()
    {
        SkipGruModel m = ModelFileTests.SmallModel();
        int t = Array.IndexOf(m.SelfTest!.Updated, false);
        Assert.True(t > 0, "the recorded steps should include a skip");
        m.SelfTest.Updated[t] = true;
        SelfTestResult result = SelfTest.Run(m);
        Assert.Equal((t, "updated", 1, 0), (result.Step, result.Field, result.Expected, result.Actual));
    }

    [Fact]
    public void A_model_without_vectors_cannot_be_self_tested()
    {
        SkipGruModel m = ModelFileTests.SmallModel();
        var bare = new SkipGruModel(m.Variant, m.Layers, m.Input, m.SkipGate, m.SkipBias, m.Head, m.HeadBias,
            m.InputFracBits, m.SamplePeriodMicros, m.ClassNames, null);
        Assert.Throws<ArgumentException>(() => SelfTest.Run(bare));
    }
}
