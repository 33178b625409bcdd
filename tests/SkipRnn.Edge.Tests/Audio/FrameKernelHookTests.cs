using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>
/// The frame hook (IFrameKernel: a native kernel that computes a keyword frame's features and the update in one call,
/// SkipGru.StepFromFrame, AudioFrontEnd.ComputeAndPush). The kernel here is the host's stand-in (ManagedFrameKernel), which
/// computes the features with a LogMelPipeline of its own and updates a second, managed runner, so the routing and bookkeeping can be
/// checked against the managed path: one frame call per computed frame, none per skipped span, the same events. The
/// native Frame call's bit-exactness is firmware/native's (interop_test, audio_test; listen.sh on nanoCLR).
/// </summary>
public class FrameKernelHookTests
{
    private sealed class OnlyFor(SkipGruModel model) : IStepKernelFactory
    {
        public ManagedFrameKernel? Last;
        private bool _opening;

        public IStepKernel? Open(SkipGruModel m)
        {
            if (!ReferenceEquals(m, model) || _opening) return null;
            _opening = true;
            try { return Last = new ManagedFrameKernel(m); }
            finally { _opening = false; }
        }
    }

    private static SkipGruModel Keyword() =>
        ModelReader.Read(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "models", "keyword", "model.skrn")));

    [Fact]
    public void A_spotter_whose_runner_has_a_frame_kernel_calls_it_once_per_computed_frame_and_hears_the_same()
    {
        SkipGruModel model = Keyword();
        var factory = new OnlyFor(model);
        KeywordSpotter hooked, managed;
        lock (typeof(StepKernels))
        {
            StepKernels.Factory = factory;
            try { hooked = new KeywordSpotter(model); }
            finally { StepKernels.Factory = null; }
        }
        managed = new KeywordSpotter(model);
        Assert.True(hooked.Detector.Rnn.UsesFrameKernel);
        Assert.False(managed.Detector.Rnn.UsesFrameKernel);

        var pcm = new List<short>();
        foreach (string w in new[] { "yes", "stop", "up", "off" })
        {
            pcm.AddRange(StageErrorTests.Speech(w));
            pcm.AddRange(new short[8000]);   // digital silence between words: the silent-frame path too
        }
        short[] audio = pcm.ToArray();
        int events = 0;
        for (int pos = 0; pos < audio.Length; pos += 320)
        {
            int n = Math.Min(320, audio.Length - pos);
            bool a = hooked.Write(audio, pos, n), b = managed.Write(audio, pos, n);
            Assert.Equal(b, a);
            Assert.Equal(managed.Fired.Count, hooked.Fired.Count);
            for (int i = 0; i < managed.Fired.Count; i++)
            {
                Assert.Equal(managed.Fired.StepAt(i), hooked.Fired.StepAt(i));
                Assert.Equal(managed.Fired.ClassAt(i), hooked.Fired.ClassAt(i));
                Assert.Equal(managed.Fired.ConfidenceAt(i), hooked.Fired.ConfidenceAt(i));
            }
            events += managed.Fired.Count;
            for (int j = 0; j < model.HiddenSize; j++)
                Assert.Equal(managed.Detector.Rnn.GetState(0, j), hooked.Detector.Rnn.GetState(0, j));
        }
        Assert.Equal(managed.FrontEnd.FramesComputed, hooked.FrontEnd.FramesComputed);
        Assert.Equal(managed.FrontEnd.FramesSkipped, hooked.FrontEnd.FramesSkipped);
        Assert.True(managed.FrontEnd.FramesSkipped > 0, "no skipped span: the skip path was not exercised");
        // One frame call per computed frame, no raw update, nothing per skipped span.
        Assert.Equal(hooked.FrontEnd.FramesComputed, factory.Last!.FrameUpdates);
        Assert.Equal(0, factory.Last.Updates);
        Assert.Equal(managed.Detector.Rnn.Counters.Updates, hooked.Detector.Rnn.Counters.Updates);
        Assert.Equal(managed.Detector.Rnn.Counters.Macs, hooked.Detector.Rnn.Counters.Macs);
        Assert.True(events > 0, "no event on four spoken words: the comparison would be vacuous");
    }

    [Fact]
    public void StepFromFrame_without_a_frame_kernel_is_refused()
    {
        var rnn = new SkipGru(Keyword());
        Assert.False(rnn.UsesFrameKernel);
        Assert.Throws<InvalidOperationException>(() => rnn.StepFromFrame(new short[480], new int[40]));
    }
}
