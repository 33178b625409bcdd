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
    /// Write as `skiprnn listen` hands them over, and prints every event (frame, class, confidence in Q15); then the
    /// same stretch through the keyword loop's raw I2S ring (SlotPass).
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
            SlotPass(model);
            Debug.WriteLine("done");
        }

        // The events the detector's last call fired (collected after each call, as KeywordLoop reports them).
        private static void Print(EventList fired, StreamDetector d)
        {
            fired.Clear();
            fired.Collect(d);
            for (int i = 0; i < fired.Count; i++)
                Debug.WriteLine("slot-event " + fired.StepAt(i).ToString() + " " + fired.ClassAt(i).ToString() + " " + fired.ConfidenceAt(i).ToString());
        }

        /// <summary>
        /// The same stretch as KeywordLoop hands it over: each sample into a 512-sample ring of raw I2S frames (the
        /// sample in the left slot's bytes 2..3, the other bytes filled with values that change it if picked), the front
        /// end only counting (Pass), a computed frame through FrameSlots on the native path (unpacked in C) or unpacked
        /// (I2sSlots) and PushWindow on the managed one; skipped spans dropped unread. Prints "slot-event" lines.
        /// </summary>
        private static void SlotPass(SkipGruModel model)
        {
            StreamDetector d = new StreamDetector(model);
            AudioFrontEnd fe = new AudioFrontEnd();
            EventList fired = new EventList(EventRule.MaxClasses);
            byte[] slots = new byte[512 * I2sSlots.BytesPerSample];
            short[] window = new short[AudioFrontEnd.FrameLength];
            int[] x = new int[AudioFrontEnd.Bands];
            long index = 0;   // stream index of the next sample
            int drop = 0;
            for (int k = 0; k < StretchChunks.Count; k++)
            {
                short[] chunk = StretchChunks.Get(k);
                for (int pos = 0; pos < chunk.Length; pos++, index++)
                {
                    if (drop > 0) { drop--; continue; }
                    short v = chunk[pos];
                    int b = (int)(index % 512) * 8;
                    slots[b] = (byte)(0xA5 ^ (int)index);
                    slots[b + 1] = (byte)(0x3C + (int)index);
                    slots[b + 2] = (byte)v;
                    slots[b + 3] = (byte)(v >> 8);
                    slots[b + 4] = 0x77; slots[b + 5] = 0x5B; slots[b + 6] = (byte)index; slots[b + 7] = 0xE1;
                    if (!fe.Pass(1)) continue;
                    int first = (int)((fe.SamplesWritten - AudioFrontEnd.FrameLength) % 512);
                    bool any;
                    if (d.Rnn.UsesFrameKernel) any = fe.PushSlots(d, slots, first, x);
                    else
                    {
                        I2sSlots.Unpack(slots, first, window, 0, window.Length);
                        any = fe.PushWindow(d, window, x);
                    }
                    if (any) Print(fired, d);
                    int skip = d.SamplesToSkip;
                    if (skip > 0)
                    {
                        drop = fe.SkipFrames(skip);
                        if (d.SkipSamples(skip)) Print(fired, d);
                    }
                }
            }
            Debug.WriteLine("slot-computed " + fe.FramesComputed.ToString());
        }
    }
}
