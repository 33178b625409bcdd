using System.Diagnostics;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.MotionBoot
{
    /// <summary>Drops the boot's lines (the firmware writes them to the serial port; here only the markers print).</summary>
    public sealed class QuietSink : IEventSink
    {
        public void Event(long sampleIndex, int eventClass, int confidence, long micros) { }
        public void FifoOverflow(long sampleIndex, long micros) { }
        public void Message(string line) { }
    }

    /// <summary>
    /// The motion app's boot as firmware/motion/Program.cs makes it, without the board: nanoCLR start to Main (the
    /// deployed assemblies loaded), then AppBoot.Start on the shipped motion model (read, self-test, detector).
    /// Built against the device libraries the motion app deploys (motion-boot.sh).
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            Debug.WriteLine("@main");
            int blinks;
            StreamDetector detector = AppBoot.Start(SkipRnn.Motion.MotionModel.Bytes, new QuietSink(), out blinks);
            Debug.WriteLine("@booted " + (detector == null ? "refused" : "ok"));
        }
    }
}
