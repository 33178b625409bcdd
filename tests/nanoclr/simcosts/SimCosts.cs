using System;
using System.Diagnostics;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.SimCosts
{
    /// <summary>
    /// The device app behind `skiprnn simulate`'s interpreter costs (run by measure.sh under callgrind). Every
    /// Debug.WriteLine starts a phase; phases come in pairs that differ only in the amount of work, so each
    /// figure is a difference and the marker's own cost cancels out. What the simulator charges on the target:
    /// loading and self-test (boot), one update as the application makes it (StreamDetector.Push for models with
    /// an event rule, SkipGru.Step otherwise), one skipped span (SkipSamples / Skip), the managed side of one
    /// sensor read (an I2C WriteRead call and the decoding of the bytes), and a whole stretch of real motion data
    /// through the detector (what skipping costs between updates, on real data). The calibration loop (string.Length,
    /// an internal call, ten per iteration) has the shape of the GPIO toggle loop timed on ESP32 boards, from which
    /// the profiles take the interpreter's speed.
    /// </summary>
    public static class SimCosts
    {
        public static void Main()
        {
            Mark("boot-end");
            Mark("empty");
            Mark("empty2");

            string s = "pin";
            Mark("calls 1000");
            int c1 = InternalCalls(s, 100);
            Mark("calls 2000");
            int c2 = InternalCalls(s, 200);
            Mark("calls-check " + c1.ToString() + " " + c2.ToString());

            FakeI2c bus = new FakeI2c();
            int[] frame = new int[6];
            Mark("read 100");
            Reads(bus, frame, 100);
            Mark("read 200");
            Reads(bus, frame, 200);
            Mark("read-check " + frame[0].ToString() + " " + frame[5].ToString());

            Model("adding", ShippedModels.Adding);
            Model("frequency", ShippedModels.Frequency);
            Model("motion", ShippedModels.Motion);
            Model("motion-gru", ShippedModels.MotionGru);
            Model("keyword", KeywordModelBytes.Get());
            Model("keyword-gru", KeywordGruModelBytes.Get());
            Audio();
            Stretch("motion", ShippedModels.Motion);
            Stretch("motion-gru", ShippedModels.MotionGru);
            Mark("simcosts done");
        }

        /// <summary>Ten internal calls per iteration (ldloc, callvirt, pop): the GPIO toggle loop's body.</summary>
        private static int InternalCalls(string s, int n)
        {
            int a = 0;
            for (int i = 0; i < n; i++)
            {
                a = s.Length; a = s.Length; a = s.Length; a = s.Length; a = s.Length;
                a = s.Length; a = s.Length; a = s.Length; a = s.Length; a = s.Length;
            }
            return a;
        }

        /// <summary>One IMU sample: a register write then a 12-byte read (accel + gyro, big-endian int16), decoded.</summary>
        private static void Reads(FakeI2c bus, int[] frame, int n)
        {
            byte[] reg = new byte[1];
            byte[] raw = new byte[12];
            reg[0] = 0x74;   // MPU-6050 FIFO_R_W
            for (int i = 0; i < n; i++)
            {
                bus.WriteRead(reg, raw);
                for (int k = 0; k < 6; k++) frame[k] = (short)((raw[2 * k] << 8) | raw[2 * k + 1]);
            }
        }

        /// <summary>
        /// The keyword loop's front-end work per frame, as KeywordLoop does it: an updated frame counts its hop (320
        /// samples, AudioFrontEnd.Pass: the samples stay in the loop's ring) and computes the 40 features from the window;
        /// a skipped span advances the front end once (SkipFrames). The microphone, through the device's I2sMicrophone
        /// on a stand-in for I2sDevice.Read (the posix nanoCLR has no I2S; the driver's native copy is not counted):
        /// the loop's read (ReadSlots: raw frames into the ring) in calls of 64 and of 256 samples, the window unpacked
        /// for the managed front end (a whole window, and a consecutive one: 160 samples moved, 320 unpacked), a
        /// discard in calls of 64 and 256 samples, and for comparison the read that converts every sample (I2sMicrophone.Read, the boot's probe) and
        /// the read and discard the loop made before the ring (64-frame chunks, the 32 → 16-bit loop inline).
        /// The PCM is a synthetic tone plus noise (the FFT's cost does not depend on the data beyond digital silence).
        /// </summary>
        private static void Audio()
        {
            short[] pcm = new short[16000];
            int s = 12345;
            for (int i = 0; i < pcm.Length; i++)
            {
                s = s * 1103515245 + 12345;
                pcm[i] = (short)(((i * 37) % 200 - 100) * 40 + ((s >> 16) % 500));
            }
            AudioFrontEnd fe = new AudioFrontEnd();
            int[] x = new int[AudioFrontEnd.Bands];
            short[] window = new short[AudioFrontEnd.FrameLength];
            fe.Pass(480);
            int pos = Compute(fe, pcm, 0, window, x);
            Mark("frame-compute 1");
            pos = Compute(fe, pcm, pos, window, x);
            Mark("frame-compute 2");
            pos = Compute(fe, pcm, pos, window, x);
            pos = Compute(fe, pcm, pos, window, x);
            // A skipped span: SkipFrames once, after which the next frame needs a whole window (480 samples).
            Mark("frame-skipspan 100");
            for (int i = 0; i < 100; i++) { fe.SkipFrames(1); fe.Pass(480); }
            Mark("frame-skipspan 200");
            for (int i = 0; i < 200; i++) { fe.SkipFrames(1); fe.Pass(480); }
            Mark("frame-w480 100");
            for (int i = 0; i < 100; i++) fe.Pass(480);
            Mark("frame-w480 200");
            for (int i = 0; i < 200; i++) fe.Pass(480);
            Mark("audio-check " + x[0].ToString() + " " + x[39].ToString() + " " + fe.SamplesWritten.ToString());

            FakeI2s bus = new FakeI2s();
            I2sMicrophone mic = new I2sMicrophone(bus, 16000, 9);
            mic.Start();
            byte[] ring = new byte[512 * I2sSlots.BytesPerSample];
            short[] out16 = new short[2048];
            Mark("mic-slots64 32");
            for (int i = 0; i < 32; i++) mic.ReadSlots(ring, (i & 7) * 512, 64);
            Mark("mic-slots64 64");
            for (int i = 0; i < 64; i++) mic.ReadSlots(ring, (i & 7) * 512, 64);
            Mark("mic-slots256 32");
            for (int i = 0; i < 32; i++) mic.ReadSlots(ring, (i & 1) * 2048, 256);
            Mark("mic-slots256 64");
            for (int i = 0; i < 64; i++) mic.ReadSlots(ring, (i & 1) * 2048, 256);
            Mark("unpack480 10");
            for (int i = 0; i < 10; i++) I2sSlots.Unpack(ring, i * 7, window, 0, 480);
            Mark("unpack480 20");
            for (int i = 0; i < 20; i++) I2sSlots.Unpack(ring, i * 7, window, 0, 480);
            Mark("unpack320 10");
            for (int i = 0; i < 10; i++) { Array.Copy(window, 320, window, 0, 160); I2sSlots.Unpack(ring, i * 7, window, 160, 320); }
            Mark("unpack320 20");
            for (int i = 0; i < 20; i++) { Array.Copy(window, 320, window, 0, 160); I2sSlots.Unpack(ring, i * 7, window, 160, 320); }
            Mark("mic-read 1024");
            mic.Read(out16, 0, 1024);
            Mark("mic-read 2048");
            mic.Read(out16, 0, 2048);
            Mark("mic-before 1024");
            ReadBefore(bus, ring, out16, 1024);
            Mark("mic-before 2048");
            ReadBefore(bus, ring, out16, 2048);
            Mark("mic-discard-before 1024");
            DiscardBefore(bus, ring, 1024);
            Mark("mic-discard-before 2048");
            DiscardBefore(bus, ring, 2048);
            Mark("mic-discard64 32");
            for (int i = 0; i < 32; i++) mic.Discard(64);
            Mark("mic-discard64 64");
            for (int i = 0; i < 64; i++) mic.Discard(64);
            Mark("mic-discard256 32");
            for (int i = 0; i < 32; i++) mic.Discard(256);
            Mark("mic-discard256 64");
            for (int i = 0; i < 64; i++) mic.Discard(256);
            Mark("mic-check " + out16[5].ToString() + " " + window[5].ToString());
        }

        // One computed frame as the loop makes it on the managed path: the hop counted (Pass) and the features of the
        // window (the loop's unpacked copy; here the PCM itself, copied in).
        private static int Compute(AudioFrontEnd fe, short[] pcm, int pos, short[] window, int[] x)
        {
            if (pos + 480 > pcm.Length) pos = 0;
            Array.Copy(pcm, pos, window, 0, 480);
            fe.Pass(320);
            fe.Pipeline.Compute(window, 0, x, 0);
            return pos + 320;
        }

        /// <summary>I2sMicrophone.Read before the raw ring (commit 2a73b32): 64-frame chunks of 8 bytes, the 16 data bits kept inline.</summary>
        /// <summary>I2sMicrophone.Discard before (commit 2a73b32): 64-frame chunk reads.</summary>
        private static void DiscardBefore(FakeI2s bus, byte[] chunk, int count)
        {
            while (count > 0)
            {
                int n = count < 64 ? count : 64;
                bus.Read(chunk, 0, n * 8);
                count -= n;
            }
        }

        private static void ReadBefore(FakeI2s bus, byte[] chunk, short[] pcm, int count)
        {
            int offset = 0;
            while (count > 0)
            {
                int n = count < 64 ? count : 64;
                bus.Read(chunk, 0, n * 8);
                for (int i = 0; i < n; i++)
                {
                    int b = i * 8;
                    pcm[offset + i] = (short)(chunk[b + 2] | (chunk[b + 3] << 8));
                }
                offset += n;
                count -= n;
            }
        }

        private static void Model(string name, byte[] file)
        {
            Mark(name + " load");
            SkipGruModel m = ModelReader.Read(file);
            Mark(name + " selftest");
            bool passed = m.SelfTest == null || SelfTest.Run(m).Passed;
            Mark(name + " construct");
            StreamDetector d = m.EventRule != null ? new StreamDetector(m) : null;
            SkipGru rnn = d != null ? d.Rnn : new SkipGru(m);
            Mark(name + " info selftest " + (passed ? "passed" : "FAILED") + " macs " + m.MacsPerUpdate.ToString()
                 + " detector " + (d != null ? "yes" : "no") + " whh-bits " + m.Layers[0].Whh.WeightBits.ToString());
            int[] raw = RawInputs(m.InputSize, 7);

            Mark(name + " reset 1");
            Reset(d, rnn);
            Mark(name + " reset 2");
            Reset(d, rnn);
            Reset(d, rnn);
            // The first step after Reset always updates.
            Mark(name + " update 1");
            Reset(d, rnn);
            Update(d, rnn, raw);
            Mark(name + " update 2");
            Reset(d, rnn);
            Update(d, rnn, raw);
            Reset(d, rnn);
            Update(d, rnn, raw);
            // A skipped span as the application accounts for it: one SkipSamples / Skip call (0 samples, so any
            // model can make it; the smoother's per-sample work is in the stretch below).
            Mark(name + " span 100");
            for (int i = 0; i < 100; i++) Span(d, rnn);
            Mark(name + " span 200");
            for (int i = 0; i < 200; i++) Span(d, rnn);
            Mark(name + " check " + rnn.GetState(0, 0).ToString() + " " + rnn.StepsToSkip.ToString());
        }

        private static void Reset(StreamDetector d, SkipGru rnn)
        {
            if (d != null) d.Reset(); else rnn.Reset();
        }

        private static void Update(StreamDetector d, SkipGru rnn, int[] raw)
        {
            if (d != null) d.Push(raw); else rnn.Step(raw);
        }

        private static void Span(StreamDetector d, SkipGru rnn)
        {
            if (d != null) d.SkipSamples(0); else rnn.Skip(0);
        }

        /// <summary>
        /// The detector over a stretch of a real test recording, as the board runs it (skipped samples never read).
        /// Two stretches (first half, whole) so the setup cancels; the counts say how many updates and skips each made.
        /// </summary>
        private static void Stretch(string name, byte[] file)
        {
            StreamDetector d = new StreamDetector(ModelReader.Read(file));
            short[] data = MotionStretch.Samples();
            int half = data.Length / 12;
            int[] frame = new int[6];
            Mark(name + " stretch-a");
            long u1 = Run(d, data, half, frame);
            long k1 = d.Rnn.Counters.Skips;
            Mark(name + " stretch-b");
            long u2 = Run(d, data, 2 * half, frame);
            long k2 = d.Rnn.Counters.Skips - k1;
            Mark(name + " stretch-counts " + half.ToString() + " " + u1.ToString() + " " + k1.ToString() + " "
                 + (2 * half).ToString() + " " + u2.ToString() + " " + k2.ToString());
        }

        private static long Run(StreamDetector d, short[] data, int samples, int[] frame)
        {
            d.Reset();
            long updates = 0;
            int t = 0;
            while (t < samples)
            {
                int n = d.SamplesToSkip;
                if (n > 0)
                {
                    if (n > samples - t) n = samples - t;
                    d.SkipSamples(n);
                    t += n;
                    continue;
                }
                int b = 6 * t;
                for (int k = 0; k < 6; k++) frame[k] = data[b + k];
                d.Push(frame);
                updates++;
                t++;
            }
            return updates;
        }

        private static int[] RawInputs(int n, int seed)
        {
            int[] raw = new int[n];
            int s = seed;
            for (int j = 0; j < n; j++)
            {
                s = s * 1103515245 + 12345;
                raw[j] = ((s >> 8) % 2001);
            }
            return raw;
        }

        private static void Mark(string phase)
        {
            Debug.WriteLine("@" + phase);
        }
    }

    /// <summary>
    /// Stands in for System.Device.I2c's I2cDevice.WriteRead (a managed call into the driver): the posix nanoCLR
    /// has no I2C, so the bus time is computed by the simulator from the clock and the byte count, and the
    /// driver's native side is not counted here.
    /// </summary>
    public sealed class FakeI2c
    {
        private int _n;

        public int WriteRead(byte[] write, byte[] read)
        {
            _n++;
            read[0] = (byte)_n;
            return read.Length;
        }
    }

    /// <summary>
    /// Stands in for System.Device.I2s's I2sDevice.Read (a managed call into the driver, which copies from the DMA
    /// buffer natively): the posix nanoCLR has no I2S; the driver's native copy is not counted here.
    /// </summary>
    /// <summary>A stand-in for the I2S bus (firmware/keyword's Inmp441Bus over I2sDevice.Read): one byte touched a call.</summary>
    public sealed class FakeI2s : II2sReceiver
    {
        private int _n;

        public void Open(int sampleRate, bool stereo, int bufferBytes) { }
        public void Close() { }

        public void Read(byte[] buffer, int offset, int count)
        {
            _n++;
            buffer[offset + 2] = (byte)_n;
        }
    }
}
