using System;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.NanoClrTier.Models;

namespace SkipRnn.NanoClrTier
{
    /// <summary>
    /// The nanoCLR tier's app: the same source runs on nanoCLR and on .NET, and run.sh compares every line.
    /// Lines are grouped by "case NAME" headers; a case with an "UNEXPECTED EXCEPTION" line fails even when both
    /// runtimes agree. The last line is the sentinel "tier: end" (an unhandled exception on nanoCLR ends the
    /// program silently with exit code 0).
    /// Device code: no generics, no floating point, mscorlib only.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            Out.Line("tier: start");
            byte[] small = null;    // a 2-layer model with head and self-test vectors: the corruption and misuse cases
            byte[] noVectors = null;
            byte[] motion = null;   // the shipped motion model: the application-loop case (TierLoopCase.cs)
            byte[] keyword = null;  // the shipped keyword model: the keyword-loop case (TierKeywordCase.cs)
            for (int i = 0; i < TierModels.Count; i++)
            {
                Out.Line("case " + TierModels.Name(i));
                try
                {
                    byte[] bytes = TierModels.Bytes(i);
                    if (TierModels.Name(i).IndexOf("2x3x12") >= 0) small = bytes;
                    if (TierModels.Name(i).IndexOf("1x4x8") >= 0) noVectors = bytes;
                    if (TierModels.Name(i) == "models/motion") motion = bytes;
                    if (TierModels.Name(i) == "models/keyword") keyword = bytes;
                    RunStream(bytes, TierModels.Steps(i), 1000 + i);
                }
                catch (Exception e)
                {
                    Out.Line("UNEXPECTED EXCEPTION " + Describe(e));
                }
            }
            Out.Line("case corrupted files");
            try { Corruptions(small); } catch (Exception e) { Out.Line("UNEXPECTED EXCEPTION " + Describe(e)); }
            Out.Line("case misuse");
            try { Misuse(small, noVectors); } catch (Exception e) { Out.Line("UNEXPECTED EXCEPTION " + Describe(e)); }
            Out.Line("case application loop");
            try { TierLoopCase.Run(motion); } catch (Exception e) { Out.Line("UNEXPECTED EXCEPTION " + Describe(e)); }
            Out.Line("case audio front end");
            try { AudioFrontEndCase(); } catch (Exception e) { Out.Line("UNEXPECTED EXCEPTION " + Describe(e)); }
            Out.Line("case keyword loop");
            try { TierKeywordCase.Run(keyword); } catch (Exception e) { Out.Line("UNEXPECTED EXCEPTION " + Describe(e)); }
            Out.Line("tier: end");
        }

        /// <summary>
        /// The integer audio front end (Audio/) streamed over 1.5 s of a deterministic signal (noise, a square wave whose
        /// level steps from full scale to quiet, digital silence) with a pseudo-random skip schedule that drops the
        /// samples skipped frames do not need: every computed frame's 40 features, and the misuse errors.
        /// </summary>
        private static void AudioFrontEndCase()
        {
            SkipRnn.Edge.Audio.AudioFrontEnd fe = new SkipRnn.Edge.Audio.AudioFrontEnd();
            int[] x = new int[SkipRnn.Edge.Audio.AudioFrontEnd.Bands];
            try { fe.ComputeFrame(x); Out.Line("ComputeFrame before 480 samples accepted"); }
            catch (Exception e) { Out.Line("ComputeFrame before 480 samples: " + Describe(e)); }
            short[] buf = new short[480];
            int pos = 0, rng = 77;
            while (pos < 24000)
            {
                int n = fe.SamplesToNextFrame;
                for (int i = 0; i < n; i++) buf[i] = AudioSample(pos + i, ref rng);
                fe.Write(buf, 0, n);
                pos += n;
                fe.ComputeFrame(x);
                string line = "frame " + ((pos - 480) / 320).ToString() + " r=" + fe.Pipeline.Shift.ToString() + ":";
                for (int m = 0; m < x.Length; m++) line += " " + x[m].ToString();
                Out.Line(line);
                rng = rng * 1103515245 + 12345;
                int skip = (rng >> 16) & 3;
                if (skip > 0)
                {
                    int drop = fe.SkipFrames(skip);
                    for (int i = 0; i < drop; i++) AudioSample(pos + i, ref rng);   // the signal goes on, unread
                    pos += drop;
                }
            }
            Out.Line("frames computed=" + fe.FramesComputed.ToString() + " skipped=" + fe.FramesSkipped.ToString());
        }

        private static short AudioSample(int t, ref int rng)
        {
            rng = rng * 1664525 + 1013904223;
            if (t >= 20000) return 0;                                       // digital silence
            int square = ((t / 20) & 1) == 0 ? 32767 : -32768;              // 400 Hz, full scale
            int level = t < 6000 ? 1 : t < 12000 ? 8 : 512;                 // full scale, −18 dB, −54 dB
            int noise = (rng >> 20) - 2048 + 1;                             // about ±2048
            int v = square / level + noise / (level > 1 ? 16 : 1);
            if (v > 32767) v = 32767;
            if (v < -32768) v = -32768;
            return (short)v;
        }

        /// <summary>Loads a model, replays its self-test, then runs a raw stream mixing updates, skipped steps and bulk skips.</summary>
        private static void RunStream(byte[] bytes, int steps, int seed)
        {
            SkipGruModel m = ModelReader.Read(bytes);
            Out.Line("model " + (m.Variant == GruVariant.ResetAfter ? "reset-after" : "reset-before") + " layers=" +
                m.Layers.Length.ToString() + " inputs=" + m.InputSize.ToString() + " hidden=" + m.HiddenSize.ToString() +
                " outputs=" + m.OutputSize.ToString() + " bytes=" + bytes.Length.ToString() + " macs/update=" + m.MacsPerUpdate.ToString());
            if (m.SelfTest != null) Out.Line(SelfTest.Run(m).ToString());
            else Out.Line("no self-test vectors");

            SkipGru rnn = new SkipGru(m);
            Stream stream = new Stream(m, seed);
            int[] raw = new int[m.InputSize];
            int t = 0;
            int bulk = 0;
            while (t < steps)
            {
                // Every other run of skipped steps goes through Skip(n) at once, the rest step by step.
                if (rnn.StepsToSkip > 1 && (bulk++ & 1) == 0)
                {
                    int n = rnn.StepsToSkip;
                    rnn.Skip(n);
                    Out.Line("t=" + t.ToString() + ".." + (t + n - 1).ToString() + " Skip(" + n.ToString() + ") p=" +
                        rnn.UpdateProbability.ToString() + " left=" + rnn.StepsToSkip.ToString());
                    t += n;
                    continue;
                }
                stream.Next(raw);
                bool updated = rnn.Step(raw);
                Out.Line("t=" + t.ToString() + (updated ? " update" : " skipped") + " p=" + rnn.UpdateProbability.ToString() +
                    " inc=" + rnn.Increment.ToString() + " left=" + rnn.StepsToSkip.ToString() +
                    (updated ? " h=" + StateHash(rnn, m).ToString() + " o=" + Outputs(rnn, m) + " argmax=" + rnn.ArgMax().ToString() : ""));
                t++;
            }
            Out.Line("counts updates=" + rnn.Counters.Updates.ToString() + " skips=" + rnn.Counters.Skips.ToString() +
                " macs=" + rnn.Counters.Macs.ToString() + " lookups=" + rnn.Counters.Lookups.ToString());
            for (int l = 0; l < m.Layers.Length; l++)
            {
                string s = "state[" + l.ToString() + "]";
                for (int j = 0; j < m.HiddenSize; j++) s += " " + rnn.GetState(l, j).ToString();
                Out.Line(s);
            }
        }

        /// <summary>Valid files broken in the ways a deploy can break them: each must fail with the same exception and message.</summary>
        private static void Corruptions(byte[] good)
        {
            Load("null", null);
            Load("empty", new byte[0]);
            Load("header only", Slice(good, ModelFileLayout.HeaderSize));
            Load("truncated by 1", Slice(good, good.Length - 1));
            byte[] b = Copy(good); b[0] ^= 0x20; Load("bad magic", b);
            b = Copy(good); b[4] = 2; Load("version 2", b);
            b = Copy(good); b[6] = 1; Load("reserved set", b);
            b = Copy(good); b[good.Length / 2] ^= 0x01; Load("one bit flipped", b);
            b = Copy(good); b[ModelFileLayout.HeaderSize] = 7; Load("variant 7, CRC fixed", Resign(b));
            b = Copy(good); b[ModelFileLayout.HeaderSize + 1] = 5; Load("5 layers, CRC fixed", Resign(b));
            b = Copy(good); b[ModelFileLayout.HeaderSize + 4] = 0; b[ModelFileLayout.HeaderSize + 5] = 0; Load("hidden 0, CRC fixed", Resign(b));
            int inputs = good[ModelFileLayout.HeaderSize + 2] | (good[ModelFileLayout.HeaderSize + 3] << 8);
            b = Copy(good); b[ModelFileLayout.HeaderSize + 14 + 13 * inputs] = 4; Load("w_ih 4-bit, CRC fixed", Resign(b));
            b = new byte[good.Length + 1]; Array.Copy(good, b, good.Length); Load("one trailing byte, length and CRC fixed", Resign(b));
            // The last byte is the top byte of the last self-test output: a wrong expectation, valid file.
            b = Copy(good); b[good.Length - 1] ^= 0x40;
            SkipGruModel m = ModelReader.Read(Resign(b));
            Out.Line("self-test vectors altered: " + SelfTest.Run(m).ToString());
        }

        /// <summary>Step/Skip/SelfTest misuse: the runtime refuses with the same exception on both.</summary>
        private static void Misuse(byte[] withSelfTest, byte[] withoutSelfTest)
        {
            SkipGruModel m = ModelReader.Read(withSelfTest);
            SkipGru rnn = new SkipGru(m);
            try { rnn.Step(null); Out.Line("Step(null) accepted"); } catch (Exception e) { Out.Line("Step(null): " + Describe(e)); }
            try { rnn.Step(new int[m.InputSize - 1]); Out.Line("Step(short input) accepted"); } catch (Exception e) { Out.Line("Step(short input): " + Describe(e)); }
            try { rnn.Skip(1); Out.Line("Skip(1) before any update accepted"); } catch (Exception e) { Out.Line("Skip(1) before any update: " + Describe(e)); }
            try { rnn.Skip(-1); Out.Line("Skip(-1) accepted"); } catch (Exception e) { Out.Line("Skip(-1): " + Describe(e)); }
            Stream s = new Stream(m, 7);
            int[] raw = new int[m.InputSize];
            int guard = 0;
            while (rnn.StepsToSkip == 0 && guard++ < 200) { s.Next(raw); rnn.Step(raw); }
            Out.Line("after " + guard.ToString() + " updates StepsToSkip=" + rnn.StepsToSkip.ToString());
            int n = rnn.StepsToSkip;
            try { rnn.Skip(n + 1); Out.Line("Skip(StepsToSkip + 1) accepted"); } catch (Exception e) { Out.Line("Skip(StepsToSkip + 1): " + Describe(e)); }
            try { rnn.Miss(1); Out.Line("Miss(1) while skipping accepted"); } catch (Exception e) { Out.Line("Miss(1) while skipping: " + Describe(e)); }
            bool updated = rnn.Step(null);   // a skipped step needs no input
            Out.Line("Step(null) while skipping: updated=" + (updated ? "1" : "0") + " left=" + rnn.StepsToSkip.ToString());
            if (rnn.StepsToSkip > 0) rnn.Skip(rnn.StepsToSkip);
            try { rnn.Miss(-1); Out.Line("Miss(-1) accepted"); } catch (Exception e) { Out.Line("Miss(-1): " + Describe(e)); }
            rnn.Miss(3);   // a lost input: held, the next step still updates
            Out.Line("Miss(3): next needs input=" + (rnn.NextStepNeedsInput ? "1" : "0") + " p=" + rnn.UpdateProbability.ToString() +
                " skips=" + rnn.Counters.Skips.ToString());
            try { new SkipGru(null); Out.Line("new SkipGru(null) accepted"); } catch (Exception e) { Out.Line("new SkipGru(null): " + Describe(e)); }
            try { SelfTest.Run(null); Out.Line("SelfTest.Run(null) accepted"); } catch (Exception e) { Out.Line("SelfTest.Run(null): " + Describe(e)); }
            try { SelfTest.Run(ModelReader.Read(withoutSelfTest)); Out.Line("SelfTest.Run without vectors accepted"); }
            catch (Exception e) { Out.Line("SelfTest.Run without vectors: " + Describe(e)); }
        }

        private static void Load(string what, byte[] file)
        {
            try
            {
                ModelReader.Read(file);
                Out.Line(what + ": loaded");
            }
            catch (Exception e)
            {
                Out.Line(what + ": " + Describe(e));
            }
        }

        /// <summary>Type, message and (for argument errors) parameter name.</summary>
        private static string Describe(Exception e)
        {
            string s = e.GetType().FullName + ": " + e.Message;
            ModelFormatException f = e as ModelFormatException;
            if (f != null) s += " [field " + f.Field + "]";
            return s;
        }

        /// <summary>Rewrites payload_length and crc32 so the header matches a deliberately altered payload.</summary>
        private static byte[] Resign(byte[] b)
        {
            int length = b.Length - ModelFileLayout.HeaderSize;
            PutU32(b, 8, (uint)length);
            PutU32(b, 12, Crc32.Compute(b, ModelFileLayout.HeaderSize, length));
            return b;
        }

        private static void PutU32(byte[] b, int at, uint v)
        {
            b[at] = (byte)v;
            b[at + 1] = (byte)(v >> 8);
            b[at + 2] = (byte)(v >> 16);
            b[at + 3] = (byte)(v >> 24);
        }

        private static byte[] Copy(byte[] b)
        {
            return Slice(b, b.Length);
        }

        private static byte[] Slice(byte[] b, int length)
        {
            byte[] c = new byte[length];
            Array.Copy(b, c, length);
            return c;
        }

        private static uint StateHash(SkipGru rnn, SkipGruModel m)
        {
            uint h = 2166136261;
            for (int l = 0; l < m.Layers.Length; l++)
                for (int j = 0; j < m.HiddenSize; j++)
                    h = (h ^ (ushort)rnn.GetState(l, j)) * 16777619;
            return h;
        }

        private static string Outputs(SkipGru rnn, SkipGruModel m)
        {
            string s = "";
            for (int o = 0; o < m.OutputSize; o++) s += (o == 0 ? "" : ",") + rnn.GetOutput(o).ToString();
            return s;
        }
    }

    /// <summary>
    /// A smooth pseudo-random raw stream in the model's own units: per channel an AR(1) signal (std ≈ 1 after the
    /// model's normalization) around the raw value that normalizes to 0, from integer arithmetic only (xorshift32).
    /// </summary>
    internal sealed class Stream
    {
        private readonly long[] _center;
        private readonly long[] _unit;
        private readonly int[] _g;   // Q8
        private uint _x;

        public Stream(SkipGruModel m, int seed)
        {
            InputNormalization n = m.Input;
            _center = new long[n.Channels];
            _unit = new long[n.Channels];
            _g = new int[n.Channels];
            _x = (uint)seed * 2654435761u | 1;
            for (int j = 0; j < n.Channels; j++)
            {
                // x = (raw · m + a) >> s is the input in Q(frac): raw = −a/m gives 0 and 2^(s+frac)/m raw counts give 1.
                _center[j] = -n.Addend[j] / n.Multiplier[j];
                int bits = n.Shift[j] + m.InputFracBits;
                long unit = bits > 62 ? long.MaxValue / n.Multiplier[j] : (1L << bits) / n.Multiplier[j];
                _unit[j] = unit < 1 ? 1 : unit > (1L << 40) ? 1L << 40 : unit;
            }
        }

        public void Next(int[] raw)
        {
            for (int j = 0; j < raw.Length; j++)
            {
                int e = (int)(Rand() & 0xFFFF) + (int)(Rand() & 0xFFFF) + (int)(Rand() & 0xFFFF) - 98304;   // ≈ N(0, 256²)·128
                _g[j] = (_g[j] * 230 >> 8) + ((e >> 7) * 112 >> 8);
                long v = _center[j] + (_unit[j] * _g[j] >> 8);
                raw[j] = v > int.MaxValue ? int.MaxValue : v < int.MinValue ? int.MinValue : (int)v;
            }
        }

        private uint Rand()
        {
            _x ^= _x << 13;
            _x ^= _x >> 17;
            _x ^= _x << 5;
            return _x;
        }
    }
}
