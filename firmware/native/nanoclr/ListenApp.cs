using System.Diagnostics;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Native;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.NativeCheck
{
    /// <summary>
    /// Runs on nanoCLR: the keyword spotter (native front end and update when the firmware has them, else managed)
    /// over a stretch of PCM embedded in chunk assemblies (StretchChunks, written by listen.sh), 320 samples per
    /// Write as `skiprnn listen` hands them over, and prints every event (frame, class, confidence in Q15).
    /// </summary>
    public static class ListenProgram
    {
        public static void Main()
        {
            bool installed = NativeKernels.Install();
            SkipGruModel model = ModelReader.Read(StretchModel.Bytes());
            KeywordSpotter spotter = new KeywordSpotter(model);
            Debug.WriteLine("native: " + (installed ? "yes" : "no") + ", frame kernel: " + (spotter.Detector.Rnn.UsesFrameKernel ? "yes" : "no"));
            short[] hop = new short[AudioFrontEnd.HopLength];
            for (int k = 0; k < StretchChunks.Count; k++)
            {
                short[] chunk = StretchChunks.Get(k);
                for (int pos = 0; pos < chunk.Length; pos += hop.Length)
                {
                    int n = chunk.Length - pos < hop.Length ? chunk.Length - pos : hop.Length;
                    if (!spotter.Write(chunk, pos, n)) continue;
                    EventList fired = spotter.Fired;
                    for (int i = 0; i < fired.Count; i++)
                        Debug.WriteLine("event " + fired.StepAt(i).ToString() + " " + fired.ClassAt(i).ToString() + " " + fired.ConfidenceAt(i).ToString());
                }
            }
            Debug.WriteLine("computed " + spotter.FrontEnd.FramesComputed.ToString());
            Debug.WriteLine("done");
        }
    }
}
