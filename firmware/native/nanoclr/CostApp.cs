using System.Diagnostics;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Native;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.NativeCheck
{
    /// <summary>
    /// For cost.sh: installs the native kernel if the firmware has it, then runs Updates updates of BenchModel
    /// (every step an update: pending skips are accounted first). cost.sh counts instructions with callgrind for
    /// two values of Updates and divides the difference.
    /// </summary>
    public static class CostProgram
    {
#if UPDATES_MANY
        private const int Updates = 11;
#else
        private const int Updates = 1;
#endif

        public static void Main()
        {
            bool installed = NativeKernels.Install();
            SkipGruModel model = ModelReader.Read(BenchModel.Bytes);
            SkipGru rnn = new SkipGru(model);
            int[] raw = new int[model.InputSize];
            int check = 0;
            for (int t = 0; t < Updates; t++)
            {
                for (int j = 0; j < raw.Length; j++) raw[j] = ((t * 7919 + j * 104729) % 60001) - 30000;
                rnn.Skip(rnn.StepsToSkip);
                rnn.Step(raw);
                check += rnn.GetState(0, 0);
            }
            Debug.WriteLine("native: " + (rnn.UsesStepKernel ? "yes" : "no") + " (installed " + (installed ? "yes" : "no") +
                            "), updates " + rnn.Counters.Updates.ToString() + ", check " + check.ToString());
            Debug.WriteLine("done");
        }
    }
}
