using SkipRnn.Edge.Host;
using SkipRnn.Edge.Host.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// The hook through which a native kernel runs the update (StepKernels.Factory, decided once at construction).
/// The kernel here is the host's recording stand-in (ManagedFrameKernel) that runs a second, managed runner, so the hook's bookkeeping (ũ, skip
/// counts, outputs, counters, Reset) can be checked against the plain managed path; the native kernel's own
/// bit-exactness is checked by firmware/native's GoogleTest suite against managed traces.
/// </summary>
public class StepKernelHookTests
{
    // Opens kernels only for one model instance, so runners other tests build in parallel stay managed.
    private sealed class OnlyFor(SkipGruModel model) : IStepKernelFactory
    {
        public ManagedFrameKernel? Last;
        private bool _opening;   // the stand-in's own inner runner must stay managed

        public IStepKernel? Open(SkipGruModel m)
        {
            if (!ReferenceEquals(m, model) || _opening) return null;
            _opening = true;
            try { return Last = new ManagedFrameKernel(m); }
            finally { _opening = false; }
        }
    }

    private static SkipGruModel Model() =>
        Quantizer.Quantize(TestModels.Random(31, GruVariant.ResetBefore, 3, 12, 2, 4, skipBias: -1.0), TestModels.Options(3));

    [Fact]
    public void A_runner_with_a_kernel_shows_the_same_steps_as_a_managed_one()
    {
        SkipGruModel model = Model();
        var factory = new OnlyFor(model);
        SkipGru withKernel, managed;
        lock (typeof(StepKernels))
        {
            StepKernels.Factory = factory;
            try { withKernel = new SkipGru(model); }
            finally { StepKernels.Factory = null; }
        }
        managed = new SkipGru(model);
        Assert.True(withKernel.UsesStepKernel);
        Assert.False(managed.UsesStepKernel);

        int[][] raw = TestModels.RawStream(TestModels.Random(31, GruVariant.ResetBefore, 3, 12, 2, 4), 400, 5);
        for (int t = 0; t < raw.Length; t += 3) raw[t][t % 3] = t % 2 == 0 ? int.MaxValue : int.MinValue;   // saturated sensor
        int skipped = 0;
        for (int t = 0; t < raw.Length; t++)
        {
            if (t == 250) { withKernel.Reset(); managed.Reset(); }
            bool a = withKernel.Step(raw[t]), b = managed.Step(raw[t]);
            Assert.Equal(b, a);
            if (!a) skipped++;
            Assert.Equal(managed.UpdateProbability, withKernel.UpdateProbability);
            Assert.Equal(managed.StepsToSkip, withKernel.StepsToSkip);
            Assert.Equal(managed.HasOutput, withKernel.HasOutput);
            for (int l = 0; l < 2; l++)
                for (int j = 0; j < 12; j++) Assert.Equal(managed.GetState(l, j), withKernel.GetState(l, j));
            for (int o = 0; o < 4; o++) Assert.Equal(managed.GetOutput(o), withKernel.GetOutput(o));
        }
        Assert.InRange(skipped, 1, raw.Length - 1);   // both paths exercised
        Assert.Equal(managed.Counters.Updates, factory.Last!.Updates);
        Assert.Equal(managed.Counters.Macs, withKernel.Counters.Macs);
        Assert.True(managed.Counters.ClampedInputs > 0);
        Assert.Equal(managed.Counters.ClampedInputs, withKernel.Counters.ClampedInputs);   // counted by the kernel
        Assert.Equal(2, factory.Last.Resets);          // construction and t = 250
    }

    [Fact]
    public void A_factory_that_declines_leaves_the_runner_managed()
    {
        SkipGruModel model = Model();
        lock (typeof(StepKernels))
        {
            StepKernels.Factory = new OnlyFor(Model());   // another instance: declines this one
            try { Assert.False(new SkipGru(model).UsesStepKernel); }
            finally { StepKernels.Factory = null; }
        }
    }
}
