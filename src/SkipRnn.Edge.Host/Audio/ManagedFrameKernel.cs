using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Host.Audio
{
    /// <summary>
    /// A frame kernel standing in for the custom firmware's native one (SkipRnn.Edge.Native: Frame and FrameSlots): the
    /// managed pipeline computes the features (from PCM16, or from the raw I2S ring through <see cref="I2sSlots.Unpack"/>)
    /// and a managed runner of its own updates, so a host test can check how the runtime, the front end and the keyword
    /// loop route frames to a frame kernel against the managed path. Counts the calls of each kind. Host only.
    /// </summary>
    public sealed class ManagedFrameKernel : IStepKernel, IFrameKernel
    {
        private readonly SkipGru _inner;
        private readonly LogMelPipeline _pipeline = new LogMelPipeline();
        private readonly short[] _frame = new short[AudioFrontEnd.FrameLength];

        /// <summary>A kernel for <paramref name="model"/> (its runner is built with whatever kernel factory is set: none, in a test).</summary>
        public ManagedFrameKernel(SkipGruModel model)
        {
            _inner = new SkipGru(model);
        }

        /// <summary>Updates from inputs (<see cref="IStepKernel.Update"/>), from PCM16 frames, from the raw ring; resets.</summary>
        public int Updates { get; private set; }
        public int FrameUpdates { get; private set; }
        public int SlotUpdates { get; private set; }
        public int Resets { get; private set; }

        public int Update(int[] raw, short[][] state, int[] outputs)
        {
            Updates++;
            return Apply(raw, state, outputs);
        }

        public int UpdateFromFrame(short[] frame, int[] inputs, short[][] state, int[] outputs)
        {
            FrameUpdates++;
            _pipeline.Compute(frame, 0, inputs, 0);
            return Apply(inputs, state, outputs);
        }

        public int UpdateFromSlots(byte[] slots, int first, int[] inputs, short[][] state, int[] outputs)
        {
            SlotUpdates++;
            I2sSlots.Unpack(slots, first, _frame, 0, _frame.Length);
            _pipeline.Compute(_frame, 0, inputs, 0);
            return Apply(inputs, state, outputs);
        }

        private int Apply(int[] raw, short[][] state, int[] outputs)
        {
            _inner.Skip(_inner.StepsToSkip);
            long clampedBefore = _inner.Counters.ClampedInputs;
            _inner.Step(raw);
            ClampedInputs = (int)(_inner.Counters.ClampedInputs - clampedBefore);
            for (int l = 0; l < state.Length; l++) _inner.CopyState(l, state[l]);
            for (int o = 0; o < outputs.Length; o++) outputs[o] = _inner.GetOutput(o);
            return _inner.Increment;
        }

        public int ClampedInputs { get; private set; }

        public void Reset()
        {
            Resets++;
            _inner.Reset();
        }
    }
}
