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
    /// span as KeywordLoop does it, on whichever path the firmware gives (native: one Frame call per computed frame;
    /// stock: the managed front end and update). Markers ("@phase") split the count; the script takes differences of
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
            AudioFrontEnd fe = new AudioFrontEnd();
            int[] x = new int[AudioFrontEnd.Bands];
            Mark("path " + (installed ? "native" : "managed") + " frame-kernel " + (d.Rnn.UsesFrameKernel ? "yes" : "no"));
            int pos = Write(fe, pcm, 0, 480);
            fe.ComputeAndPush(d, x);                 // warm-up: first calls resolve methods
            // A computed frame: its hop written (320 samples) and ComputeAndPush (features + update + the event rule).
            // The detector is reset first so every frame updates; the resets are measured alone and subtracted.
            Mark("frames 10");
            for (int i = 0; i < 10; i++) { d.Reset(); pos = Write(fe, pcm, pos, 320); fe.ComputeAndPush(d, x); }
            Mark("frames 20");
            for (int i = 0; i < 20; i++) { d.Reset(); pos = Write(fe, pcm, pos, 320); fe.ComputeAndPush(d, x); }
            Mark("resets 10");
            for (int i = 0; i < 10; i++) d.Reset();
            Mark("resets 20");
            for (int i = 0; i < 20; i++) d.Reset();
            // A skipped span: SkipFrames once and the detector's SkipSamples (no native call); the 480-sample write that
            // makes the next frame ready is measured alone and subtracted.
            Mark("spans 100");
            for (int i = 0; i < 100; i++) { fe.SkipFrames(1); d.SkipSamples(0); pos = Write(fe, pcm, pos, 480); }
            Mark("spans 200");
            for (int i = 0; i < 200; i++) { fe.SkipFrames(1); d.SkipSamples(0); pos = Write(fe, pcm, pos, 480); }
            Mark("writes 100");
            for (int i = 0; i < 100; i++) pos = Write(fe, pcm, pos, 480);
            Mark("writes 200");
            for (int i = 0; i < 200; i++) pos = Write(fe, pcm, pos, 480);
            Mark("check " + x[0].ToString() + " " + x[39].ToString() + " " + d.Rnn.GetState(0, 0).ToString());
            Mark("done");
        }

        private static int Write(AudioFrontEnd fe, short[] pcm, int pos, int n)
        {
            if (pos + n > pcm.Length) pos = 0;
            fe.Write(pcm, pos, n);
            return pos + n;
        }

        private static void Mark(string phase)
        {
            Debug.WriteLine("@" + phase);
        }
    }
}
