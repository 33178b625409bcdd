using System;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// Raw I2S frames as nanoFramework's ESP32 driver hands them over in stereo with 32-bit slots: 8 bytes a sample,
    /// the left slot (bytes 0..3, little-endian, the microphone's 24-bit data in the top bits) then the right slot
    /// (bytes 4..7, unused by a microphone with L/R low). The PCM16 sample is the left slot's top 16 bits, bytes 2..3.
    /// A keyword loop keeps its samples in a ring of such frames and unpacks only the windows it computes
    /// (firmware/native's skrn_audio_unpack_slots does the same in C).
    /// </summary>
    public static class I2sSlots
    {
        /// <summary>Bytes per sample (one stereo frame of two 32-bit slots).</summary>
        public const int BytesPerSample = 8;

        /// <summary>
        /// The samples of slots <paramref name="first"/> .. + <paramref name="count"/> − 1 of the ring
        /// <paramref name="slots"/> (wrapping at its end) into pcm[offset..]. No allocation.
        /// </summary>
        public static void Unpack(byte[] slots, int first, short[] pcm, int offset, int count)
        {
            if (slots == null) throw new ArgumentNullException("slots");
            if (pcm == null) throw new ArgumentNullException("pcm");
            int ring = slots.Length / BytesPerSample;
            if (first < 0 || first >= ring || count < 0 || count > ring || offset < 0 || offset > pcm.Length - count)
                throw new ArgumentOutOfRangeException("count");
            while (count > 0)
            {
                int run = ring - first;
                if (run > count) run = count;
                int b = first * BytesPerSample + 2;
                int end = offset + run;
                for (int i = offset; i < end; i++)
                {
                    pcm[i] = (short)(slots[b] | (slots[b + 1] << 8));
                    b += BytesPerSample;
                }
                offset = end;
                count -= run;
                first = 0;
            }
        }
    }
}
