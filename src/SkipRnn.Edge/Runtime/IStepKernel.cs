using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Runtime
{
    /// <summary>
    /// An implementation of the update step outside the managed kernels (for example native code in a custom
    /// firmware, see SkipRnn.Edge.Native), bit-exact with them. <see cref="SkipGru"/> uses one when
    /// <see cref="StepKernels.Factory"/> gives it one at construction; Skip stays managed (it is O(1)).
    /// </summary>
    public interface IStepKernel
    {
        /// <summary>
        /// One update from InputSize raw integers: every layer, the skip gate and the head. Writes each layer's
        /// new state (Q0.15) into state[l], the head outputs with their biases (Q.12) into outputs, and returns
        /// Δũ = σ(W_p s + b_p) in Q0.15. Allocates nothing.
        /// </summary>
        int Update(int[] raw, short[][] state, int[] outputs);

        /// <summary>How many of the last update's raw inputs the input normalization clamped to int16 (as
        /// InputNormalization.Apply counts them).</summary>
        int ClampedInputs { get; }

        /// <summary>Zeroes the kernel's own copy of the state (a new sequence).</summary>
        void Reset();
    }

    /// <summary>
    /// A kernel that also computes the model's inputs from a raw sensor frame (the native audio front end of a custom
    /// firmware): one call per computed frame instead of the managed front end and <see cref="IStepKernel.Update"/>.
    /// The kernel object <see cref="IStepKernelFactory.Open"/> returns may implement it; <see cref="SkipGru.StepFromFrame"/> uses it.
    /// </summary>
    public interface IFrameKernel
    {
        /// <summary>
        /// The inputs computed from <paramref name="frame"/> (written into <paramref name="inputs"/>, InputSize values,
        /// the same integers the managed front end gives) and one update from them, as <see cref="IStepKernel.Update"/>.
        /// Returns Δũ in Q0.15. Allocates nothing.
        /// </summary>
        int UpdateFromFrame(short[] frame, int[] inputs, short[][] state, int[] outputs);

        /// <summary>
        /// <see cref="UpdateFromFrame"/> from raw I2S frames: the frame's samples are slots
        /// <paramref name="first"/>, <paramref name="first"/> + 1, … (wrapping at the end) of <paramref name="slots"/>, a
        /// ring of 8-byte stereo frames as nanoFramework's I2S driver hands them over (32-bit slots, left then right,
        /// little-endian); each sample is its left slot's top 16 bits (bytes 2..3). The ring holds whole frames, at least a
        /// frame's worth. Allocates nothing.
        /// </summary>
        int UpdateFromSlots(byte[] slots, int first, int[] inputs, short[][] state, int[] outputs);
    }

    /// <summary>Makes kernels for models; returns null for a model it cannot run (the runner then stays managed).</summary>
    public interface IStepKernelFactory
    {
        /// <summary>A kernel for <paramref name="model"/>, or null.</summary>
        IStepKernel Open(SkipGruModel model);
    }

    /// <summary>Where an application installs a kernel factory (for example SkipRnn.Edge.Native's, once at start).</summary>
    public static class StepKernels
    {
        /// <summary>The factory every new <see cref="SkipGru"/> asks, or null (the default): managed kernels only.</summary>
        public static IStepKernelFactory Factory { get; set; }
    }
}
