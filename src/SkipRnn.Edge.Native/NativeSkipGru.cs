using System.Runtime.CompilerServices;

namespace SkipRnn.Edge.Native
{
    /// <summary>
    /// The native methods, implemented in C by firmware/native (interop/ holds the nanoFramework stubs for them).
    /// A firmware without them throws <c>NotSupportedException</c> on the first call (nanoCLR finds no native
    /// handler for a method without IL); <see cref="NativeKernels.Install"/> turns that into "not available".
    /// Changing a signature here changes the assembly's native checksum: regenerate interop/ to match.
    /// </summary>
    internal static class NativeSkipGru
    {
        /// <summary>The interface version this assembly expects from the firmware.
        /// 2: Update's result carries the clamped-input count in its high bits. 3: Frame (the native audio front end).</summary>
        public const int InterfaceVersion = 3;

        /// <summary>The firmware's interface version.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Version();

        /// <summary>
        /// Validates the model file (as ModelReader does) and copies it into native memory with a runner's
        /// state. Returns a handle (≥ 0), or −1 when every runner slot is taken, −2 when memory runs out,
        /// −3 when the file is invalid.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Open(byte[] model);

        /// <summary>
        /// One update from raw (InputSize values); writes the head outputs (with biases) and returns Δũ in Q0.15
        /// (bits 0–15: at most 32768) plus 65536 × the number of raw inputs the normalization clamped (≤ 4096), so
        /// the clamp counter costs no second call.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Update(int handle, int[] raw, int[] outputs);

        /// <summary>
        /// One computed audio frame in one call: the 40 log-mel features of <paramref name="pcm"/>[0..480) (firmware/native's
        /// skrn_audio, bit-exact with the managed LogMelPipeline) into <paramref name="features"/>, then the update from
        /// them as <see cref="Update"/> (same result), and layer 0's new state into <paramref name="state"/>.
        /// The model must read 40 inputs.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Frame(int handle, short[] pcm, int[] features, int[] outputs, short[] state);

        /// <summary>Copies layer <paramref name="layer"/>'s state (Q0.15) into <paramref name="destination"/> (HiddenSize values).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void CopyState(int handle, int layer, short[] destination);

        /// <summary>Zeroes the runner's state.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void Reset(int handle);

        /// <summary>Frees the runner's slot and memory.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void Close(int handle);
    }
}
