using System;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Native
{
    /// <summary>
    /// Installs the native kernel for every <see cref="SkipGru"/> built afterwards, when the firmware has it:
    /// call <see cref="Install"/> once at start. Runners of models read from a file (<see cref="SkipGruModel.SourceFile"/>)
    /// then update in C, bit-exact with the managed kernels, and keyword models also compute their audio features in C
    /// (<see cref="SkipGru.StepFromFrame"/>); everything else stays managed.
    /// </summary>
    public sealed class NativeKernels : IStepKernelFactory
    {
        private NativeKernels()
        {
        }

        /// <summary>
        /// Probes the firmware once (<c>Version()</c>: nanoCLR throws <c>NotSupportedException</c> when it has no
        /// native code for this assembly) and, when it answers with the expected interface version, sets
        /// <see cref="StepKernels.Factory"/>. Returns whether the native kernel is now in use.
        /// </summary>
        public static bool Install()
        {
            int version;
            try
            {
                version = NativeSkipGru.Version();
            }
            catch (Exception)
            {
                return false;
            }
            if (version != NativeSkipGru.InterfaceVersion) return false;
            StepKernels.Factory = new NativeKernels();
            return true;
        }

        /// <summary>A native runner for the model's file, or null (no file, no free slot, no memory): stay managed.</summary>
        public IStepKernel Open(SkipGruModel model)
        {
            if (model == null || model.SourceFile == null) return null;
            int handle = NativeSkipGru.Open(model.SourceFile);
            return handle < 0 ? null : new NativeStepKernel(handle);
        }
    }

    /// <summary>
    /// One native runner (a handle into the firmware's runner table). As an <see cref="IFrameKernel"/> it computes an
    /// audio frame's features and the update in one interop call, from PCM16 or from raw I2S frames (for a one-layer model; one CopyState per further layer).
    /// </summary>
    internal sealed class NativeStepKernel : IStepKernel, IFrameKernel
    {
        private readonly int _handle;
        private int _clampedInputs;

        public NativeStepKernel(int handle)
        {
            _handle = handle;
        }

        ~NativeStepKernel()
        {
            NativeSkipGru.Close(_handle);
        }

        public int Update(int[] raw, short[][] state, int[] outputs)
        {
            int result = NativeSkipGru.Update(_handle, raw, outputs);
            for (int l = 0; l < state.Length; l++) NativeSkipGru.CopyState(_handle, l, state[l]);
            _clampedInputs = result >> 16;
            return result & 0xFFFF;
        }

        public int UpdateFromFrame(short[] frame, int[] inputs, short[][] state, int[] outputs)
        {
            int result = NativeSkipGru.Frame(_handle, frame, inputs, outputs, state[0]);
            for (int l = 1; l < state.Length; l++) NativeSkipGru.CopyState(_handle, l, state[l]);
            _clampedInputs = result >> 16;
            return result & 0xFFFF;
        }

        public int UpdateFromSlots(byte[] slots, int first, int[] inputs, short[][] state, int[] outputs)
        {
            int result = NativeSkipGru.FrameSlots(_handle, slots, first, inputs, outputs, state[0]);
            for (int l = 1; l < state.Length; l++) NativeSkipGru.CopyState(_handle, l, state[l]);
            _clampedInputs = result >> 16;
            return result & 0xFFFF;
        }

        public int ClampedInputs { get { return _clampedInputs; } }

        public void Reset()
        {
            NativeSkipGru.Reset(_handle);
        }
    }
}
