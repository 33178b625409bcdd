using System.Diagnostics;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Generated;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Native;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.NativeCheck
{
    /// <summary>
    /// Runs on nanoCLR: installs the native kernel if the firmware has it, then replays a model's self-test
    /// vectors through a runner (native or managed) and prints what happened. run.sh checks the lines.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            bool installed = NativeKernels.Install();
            Debug.WriteLine("native kernel installed: " + (installed ? "yes" : "no"));
            SkipGruModel model = ModelReader.Read(Ra1Model.Bytes);
            SkipGru runner = new SkipGru(model);
            Debug.WriteLine("runner uses it: " + (runner.UsesStepKernel ? "yes" : "no"));
            Debug.WriteLine(SelfTest.Run(model).ToString());
            Debug.WriteLine("done");
        }
    }
}
