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

            // The shipped keyword model (models/keyword, int16 weights) on one real test clip, run the way the device
            // runs it (KeywordSpotter's loop without the event rule: a frame's features only when the GRU updates on
            // it, skipped frames' samples dropped unread): 1 vs 2 passes over the clip, each from Reset.
            Mark("kws-load");
            SkipGru kws = new SkipGru(ModelReader.Read(KeywordData.Model()));
            short[] clip = KeywordData.Clip();
            AudioFrontEnd kfe = new AudioFrontEnd();
            Mark("kws-update 1");
            kws.Reset(); kws.Step(x);
            Mark("kws-update 2");
            kws.Reset(); kws.Step(x);
            kws.Reset(); kws.Step(x);
            Mark("kws-reset 1");
            kws.Reset();
            Mark("kws-reset 2");
            kws.Reset();
            kws.Reset();
            Mark("kws-macs " + kws.Model.MacsPerUpdate.ToString());
            Mark("kws-clip 1");
            long updates = KeywordPass(kws, kfe, clip, x);
            Mark("kws-clip 2");
            KeywordPass(kws, kfe, clip, x);
            KeywordPass(kws, kfe, clip, x);
            Mark("kws-check updates " + updates.ToString() + " features computed " + kfe.FramesComputed.ToString() + " class " + Argmax(kws).ToString());
            Mark("audio bench done");
        }

        // One pass over a clip from Reset, hop by hop: the feature frames and updates KeywordSpotter would make.
        private static long KeywordPass(SkipGru rnn, AudioFrontEnd fe, short[] pcm, int[] x)
        {
            rnn.Reset();
            fe.Reset();
            long before = rnn.Counters.Updates;
            int pos = 0, drop = 0;
            while (pos < pcm.Length)
            {
                if (drop > 0)
                {
                    int d = drop < pcm.Length - pos ? drop : pcm.Length - pos;
                    drop -= d;
                    pos += d;
                    continue;
                }
                int n = fe.SamplesToNextFrame;
                if (n > pcm.Length - pos) n = pcm.Length - pos;
                fe.Write(pcm, pos, n);
                pos += n;
                if (!fe.FrameReady) continue;
                fe.ComputeFrame(x);
                rnn.Step(x);
                int skip = rnn.StepsToSkip;
                if (skip > 0)
                {
                    drop = fe.SkipFrames(skip);
                    rnn.Skip(skip);
                }
            }
            return rnn.Counters.Updates - before;
        }

        private static int Argmax(SkipGru rnn)
        {
            int best = 0;
            for (int i = 1; i < rnn.Model.OutputSize; i++) if (rnn.GetOutput(i) > rnn.GetOutput(best)) best = i;
            return best;
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
