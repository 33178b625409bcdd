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
        /// 2: Update's result carries the clamped-input count in its high bits. 3: Frame (the native audio front end).
        /// 4: FrameSlots (the frame taken from a ring of raw I2S frames, unpacked in C).</summary>
        public const int InterfaceVersion = 4;

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

        /// <summary>
        /// <see cref="Frame"/> from raw I2S frames: the 480 samples whose first is slot <paramref name="first"/> of
        /// <paramref name="slots"/>, a ring of 8-byte stereo frames as I2sDevice.Read hands them over (each sample the
        /// left slot's top 16 bits, bytes 2..3; wrapping at the end), unpacked in C, then as <see cref="Frame"/>.
        /// The ring must be whole frames, at least 480 of them.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FrameSlots(int handle, byte[] slots, int first, int[] features, int[] outputs, short[] state);

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
