using System.Diagnostics;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Native;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.NativeCheck
{
    /// <summary>
    /// Runs on nanoCLR under callgrind (frame-costs.sh): the keyword loop's work per computed frame and per skipped
    /// span as KeywordLoop does it, on whichever path the firmware gives (native: one FrameSlots call per computed frame
    /// on the loop's ring of raw I2S frames; stock: the window unpacked, the managed front end and update). Markers ("@phase") split the count; the script takes differences of
    /// phases that differ only in the amount of work.
    /// </summary>
    public static class FrameCostProgram
    {
        public static void Main()
        {
            bool installed = NativeKernels.Install();
            StreamDetector d = new StreamDetector(ModelReader.Read(FrameCostModel.Bytes()));
            short[] pcm = new short[16000];
            int s = 12345;
            for (int i = 0; i < pcm.Length; i++)   // the synthetic tone + noise of tests/nanoclr/simcosts (never silent)
            {
                s = s * 1103515245 + 12345;
                pcm[i] = (short)(((i * 37) % 200 - 100) * 40 + ((s >> 16) % 500));
            }
            // The loop's ring: the PCM as raw I2S frames (8 bytes a sample, the sample in bytes 2..3), 512 samples.
            byte[] slots = new byte[512 * I2sSlots.BytesPerSample];
            for (int i = 0; i < 512; i++)
            {
                slots[8 * i + 2] = (byte)pcm[i];
                slots[8 * i + 3] = (byte)(pcm[i] >> 8);
            }
            short[] window = new short[AudioFrontEnd.FrameLength];
            AudioFrontEnd fe = new AudioFrontEnd();
            int[] x = new int[AudioFrontEnd.Bands];
            Mark("path " + (installed ? "native" : "managed") + " frame-kernel " + (d.Rnn.UsesFrameKernel ? "yes" : "no"));
            fe.Pass(480);
            long first = 0;
            Frame(fe, d, slots, window, first, x);     // warm-up: first calls resolve methods
            // A computed frame: its hop counted (320 samples: they are in the ring) and the frame (FrameSlots: unpacked in
            // C, features + update + the event rule; managed: the whole window unpacked and PushWindow). The detector is
            // reset first so every frame updates; the resets are measured alone and subtracted.
            Mark("frames 10");
            for (int i = 0; i < 10; i++) { d.Reset(); fe.Pass(320); first += 320; Frame(fe, d, slots, window, first, x); }
            Mark("frames 20");
            for (int i = 0; i < 20; i++) { d.Reset(); fe.Pass(320); first += 320; Frame(fe, d, slots, window, first, x); }
            Mark("resets 10");
            for (int i = 0; i < 10; i++) d.Reset();
            Mark("resets 20");
            for (int i = 0; i < 20; i++) d.Reset();
            // A skipped span: SkipFrames once and the detector's SkipSamples (no native call); the 480-sample write that
            // makes the next frame ready is measured alone and subtracted.
            Mark("spans 100");
            for (int i = 0; i < 100; i++) { fe.SkipFrames(1); d.SkipSamples(0); fe.Pass(480); }
            Mark("spans 200");
            for (int i = 0; i < 200; i++) { fe.SkipFrames(1); d.SkipSamples(0); fe.Pass(480); }
            Mark("writes 100");
            for (int i = 0; i < 100; i++) fe.Pass(480);
            Mark("writes 200");
            for (int i = 0; i < 200; i++) fe.Pass(480);
            Mark("check " + x[0].ToString() + " " + x[39].ToString() + " " + d.Rnn.GetState(0, 0).ToString());
            Mark("done");
        }

        // One computed frame as KeywordLoop makes it (its window starts at stream sample `first`, slot first mod 512).
        private static void Frame(AudioFrontEnd fe, StreamDetector d, byte[] slots, short[] window, long first, int[] x)
        {
            int at = (int)(first % 512);
            if (d.Rnn.UsesFrameKernel)
            {
                fe.PushSlots(d, slots, at, x);
                return;
            }
            I2sSlots.Unpack(slots, at, window, 0, window.Length);
            fe.PushWindow(d, window, x);
        }

        private static void Mark(string phase)
        {
            Debug.WriteLine("@" + phase);
        }
    }
}
