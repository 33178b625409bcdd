using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

public class AllocationTests
{
    [Theory]
    [InlineData(GruVariant.ResetAfter, 8)]
    [InlineData(GruVariant.ResetBefore, 16)]
    public void Stepping_allocates_nothing_over_100k_steps(GruVariant variant, int bits)
    {
        FloatSkipGruModel f = TestModels.Random(8, variant, 6, 32, 2, 4);
        var runner = new SkipGru(Quantizer.Quantize(f, TestModels.Options(6, bits)));
        int[][] raw = TestModels.RawStream(f, 1000, 1);
        runner.Step(raw[0]);                           // warm up (JIT, statics)
        runner.Skip(runner.StepsToSkip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 100_000; t++)
        {
            runner.Step(raw[t % raw.Length]);
            if (t % 7 == 0) runner.Skip(runner.StepsToSkip);
            if (t % 5000 == 0) runner.Reset();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(runner.Counters.Updates > 1000 && runner.Counters.Skips > 1000);
    }
}
