using System.Diagnostics;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Bench
{
    /// <summary>
    /// The interpreter benchmark's device app. Every Debug.WriteLine starts a phase: run.sh has callgrind dump its
    /// instruction count at each one, so a phase's cost is the count between its line and the next. Phases come in
    /// pairs that differ only in the amount of work (1 vs 2 updates, 100 vs 200 skipped steps, 1000 vs 2000 plain
    /// MACs, a load vs an empty phase), so the fixed cost of the marker itself cancels out.
    /// Built with -define:TIMED, each marker also prints the wall-clock ticks (100 ns) of the phase it ends.
    /// </summary>
    public static class Bench
    {
#if TIMED
        private static long _last = System.DateTime.UtcNow.Ticks;
#endif

        public static void Main()
        {
            Mark("boot-end");
            Mark("empty");
            Mark("empty2");
            short[] w = new short[2000];
            short[] x = new short[2000];
            for (int i = 0; i < w.Length; i++) { w[i] = (short)(i * 37 - 20000); x[i] = (short)(i * 11 - 9000); }
            Mark("plain 1000");
            int a1 = PlainMacs(w, x, 1000);
            Mark("plain 2000");
            int a2 = PlainMacs(w, x, 2000);
            Mark("plain-check " + a1.ToString() + " " + a2.ToString());

            Shipped("adding", ShippedModels.Adding);
            Shipped("frequency", ShippedModels.Frequency);
            Random("6x32", 6, 32);
            Random("40x64", 40, 64);
            Random("40x128", 40, 128);
            // The memory-lean load (no packed layout): the reference kernels, for comparison.
            Mark("40x64-lean build");
            Measure("40x64-lean", RandomModelFile.Build(40, 64, 65536, 42), RawInputs(40, 7), false);
            Measure("adding-lean", ShippedModels.Adding, RawInputs(2, 7), false);
            Mark("bench done");
        }

        /// <summary>The plain loop the kernels are compared with: int16 × int16, int32 accumulator.</summary>
        private static int PlainMacs(short[] w, short[] x, int n)
        {
            int acc = 0;
            for (int i = 0; i < n; i++) acc += w[i] * x[i];
            return acc;
        }

        private static void Shipped(string name, byte[] file)
        {
            Measure(name, file, RawInputs(ModelReader.Read(file).InputSize, 7), true);
        }

        private static void Random(string name, int inputs, int hidden)
        {
            Mark(name + " build");
            byte[] updating = RandomModelFile.Build(inputs, hidden, 65536, 42);   // σ(16) > 0.5: every step updates
            int[] raw = RawInputs(inputs, 7);
            Measure(name, updating, raw, true);
            updating = null;

            Mark(name + " skip-setup");
            byte[] skipping = RandomModelFile.Build(inputs, hidden, -65536, 42);   // σ(−16): the longest skip run
            SkipGru rnn = new SkipGru(ModelReader.Read(skipping));
            skipping = null;
            rnn.Step(raw);
            Mark(name + " skip 100");
            for (int i = 0; i < 100; i++) rnn.Step(null);
            Mark(name + " skip 200");
            for (int i = 0; i < 200; i++) rnn.Step(null);
            Mark(name + " skip-check " + rnn.StepsToSkip.ToString());
        }

        private static void Measure(string name, byte[] file, int[] raw, bool pack)
        {
            Mark(name + " load");
            SkipGru rnn = new SkipGru(ModelReader.Read(file, pack));
            Mark(name + " reset 1");
            rnn.Reset();
            Mark(name + " reset 2");
            rnn.Reset();
            rnn.Reset();
            // Reset first: the first step of a sequence always updates, whatever the model's skip gate says.
            Mark(name + " update 1");
            rnn.Reset();
            rnn.Step(raw);
            Mark(name + " update 2");
            rnn.Reset();
            rnn.Step(raw);
            rnn.Reset();
            rnn.Step(raw);
            Mark(name + " macs " + rnn.Model.MacsPerUpdate.ToString());
            Mark(name + " check " + Checksum(rnn, raw).ToString());
        }

        /// <summary>A hash of states and outputs over a few steps: equal before and after a kernel change.</summary>
        private static int Checksum(SkipGru rnn, int[] raw)
        {
            int h = 17;
            rnn.Reset();
            for (int t = 0; t < 3; t++)
            {
                for (int j = 0; j < raw.Length; j++) raw[j] = raw[j] * 3 + t * 101 - j;
                rnn.Step(raw);
                for (int l = 0; l < rnn.Model.Layers.Length; l++)
                    for (int u = 0; u < rnn.Model.HiddenSize; u++) h = h * 31 + rnn.GetState(l, u);
                for (int o = 0; o < rnn.Model.OutputSize; o++) h = h * 31 + rnn.GetOutput(o);
                h = h * 31 + rnn.StepsToSkip;
            }
            return h;
        }

        private static int[] RawInputs(int n, int seed)
        {
            int[] raw = new int[n];
            int s = seed;
            for (int j = 0; j < n; j++)
            {
                s = s * 1103515245 + 12345;
                raw[j] = ((s >> 8) % 20001);
            }
            return raw;
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
