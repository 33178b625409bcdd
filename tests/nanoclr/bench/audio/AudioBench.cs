using System.Diagnostics;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Bench
{
    /// <summary>
    /// The audio front end's interpreter benchmark (run-audio.sh): every Debug.WriteLine starts a phase, callgrind
    /// dumps its count at each one, and phases come in pairs that differ only in the amount of work (1 vs 2 frames,
    /// 100 vs 200 skipped hops), so the marker's own cost cancels. Stages are measured one by one on the same frame,
    /// and a 40-input, 64-unit Skip-GRU update (the keyword model's size) next to them.
    /// </summary>
    public static class AudioBench
    {
#if TIMED
        private static long _last = System.DateTime.UtcNow.Ticks;
#endif

        public static void Main()
        {
            Mark("boot-end");
            short[] pcm = new short[16000];
            int s = 12345;
            for (int i = 0; i < pcm.Length; i++)
            {
                s = s * 1103515245 + 12345;
                int noise = ((s >> 8) % 2001) - 1000;                       // ±1000
                int tone = ((i / 16) % 2 == 0) ? 6000 : -6000;               // 500 Hz square
                pcm[i] = (short)(tone + noise);
            }
            int[] x = new int[AudioFrontEnd.Bands];
            LogMelPipeline p = new LogMelPipeline();

            Mark("frame 1");
            p.Compute(pcm, 0, x, 0);
            Mark("frame 2");
            p.Compute(pcm, 320, x, 0);
            p.Compute(pcm, 640, x, 0);
            Mark("frame-check " + Checksum(x).ToString());
            short[] silence = new short[480];
            Mark("silent 1");
            p.Compute(silence, 0, x, 0);
            Mark("silent 2");
            p.Compute(silence, 0, x, 0);
            p.Compute(silence, 0, x, 0);

            // Stages, each 1 vs 2 calls on the same frame.
            long[] products = new long[480];
            int[] y = new int[480];
            int[] re = new int[257];
            int[] im = new int[257];
            long[] power = new long[257];
            long[] energy = new long[40];
            Mark("window 1");
            int r = FrameWindow.Apply(pcm, 0, products, y);
            Mark("window 2");
            FrameWindow.Apply(pcm, 0, products, y);
            FrameWindow.Apply(pcm, 0, products, y);
            Mark("fft 1");
            RealFft512.Transform(y, 480, re, im);
            Mark("fft 2");
            RealFft512.Transform(y, 480, re, im);
            RealFft512.Transform(y, 480, re, im);
            Mark("power 1");
            long maxPower = PowerSpectrum.Compute(re, im, power);
            Mark("power 2");
            PowerSpectrum.Compute(re, im, power);
            PowerSpectrum.Compute(re, im, power);
            int shift = MelFilterbank.PowerShift(maxPower);
            Mark("mel 1");
            MelFilterbank.Apply(power, shift, energy);
            Mark("mel 2");
            MelFilterbank.Apply(power, shift, energy);
            MelFilterbank.Apply(power, shift, energy);
            int e = 87 - 2 * r - shift;
            Mark("log 1");
            for (int m = 0; m < 40; m++) x[m] = LogEnergy.Compute(energy[m], e);
            Mark("log 2");
            for (int m = 0; m < 40; m++) x[m] = LogEnergy.Compute(energy[m], e);
            for (int m = 0; m < 40; m++) x[m] = LogEnergy.Compute(energy[m], e);
            Mark("stages-check " + Checksum(x).ToString());

            // The streaming front end: a computed frame (write one hop + features), a skipped frame (write one hop
            // + SkipFrame), and a dropped run (SkipFrames: no samples written at all).
            AudioFrontEnd fe = new AudioFrontEnd();
            fe.Write(pcm, 0, 480);
            fe.ComputeFrame(x);
            int pos = 480;
            Mark("hop-skip 100");
            for (int i = 0; i < 100; i++) { fe.Write(pcm, pos, 320); fe.SkipFrame(); pos += 320; if (pos > 15000) pos = 480; }
            Mark("hop-skip 200");
            for (int i = 0; i < 200; i++) { fe.Write(pcm, pos, 320); fe.SkipFrame(); pos += 320; if (pos > 15000) pos = 480; }
            Mark("hop-compute 1");
            fe.Write(pcm, pos, 320); fe.ComputeFrame(x);
            Mark("hop-compute 2");
            fe.Write(pcm, pos, 320); fe.ComputeFrame(x);
            fe.Write(pcm, pos, 320); fe.ComputeFrame(x);
            Mark("stream-check " + Checksum(x).ToString());

            // The GRU update beside it: random 40×64 Skip-GRU (8-class head), every step updating.
            SkipGru rnn = new SkipGru(ModelReader.Read(RandomModelFile.Build(40, 64, 65536, 42)));
            Mark("gru 1");
            rnn.Reset(); rnn.Step(x);
            Mark("gru 2");
            rnn.Reset(); rnn.Step(x);
            rnn.Reset(); rnn.Step(x);
            Mark("reset 1");
            rnn.Reset();
            Mark("reset 2");
            rnn.Reset();
            rnn.Reset();
            Mark("gru-macs " + rnn.Model.MacsPerUpdate.ToString());
            Mark("gru skip-setup");
            SkipGru skipping = new SkipGru(ModelReader.Read(RandomModelFile.Build(40, 64, -65536, 42)));
            skipping.Step(x);
            Mark("gru-skip 100");
            for (int i = 0; i < 100; i++) skipping.Step(null);
            Mark("gru-skip 200");
            for (int i = 0; i < 200; i++) skipping.Step(null);
            Mark("audio bench done");
        }

        private static int Checksum(int[] x)
        {
            int h = 17;
            for (int i = 0; i < x.Length; i++) h = h * 31 + x[i];
            return h;
        }

        private static void Mark(string phase)
        {
#if TIMED
            long now = System.DateTime.UtcNow.Ticks;
            Debug.WriteLine("@" + phase + " ticks-of-previous " + (now - _last).ToString());
            _last = System.DateTime.UtcNow.Ticks;
#else
            Debug.WriteLine("@" + phase);
#endif
        }
    }
}
