using System;
using System.Diagnostics;
using SkipRnn.Edge.Application;

namespace DrainBench
{
    // Stand-ins for Mpu6050Fifo's Discard before and after (ReadFifo's I2C transfer replaced by a managed call that
    // does nothing: the transfer costs the same either way and is not what changed).

    public interface IOld { void Discard(int count); }
    public sealed class OldFifo : IOld
    {
        private int _count = 1 << 30;
        private void ReadFifo() { _count--; }
        public void Discard(int count) { for (int i = 0; i < count; i++) ReadFifo(); }
    }

    public interface INew { int Discard(int count); }
    public sealed class NewFifo : INew
    {
        private int _count = 1 << 30;
        private void ReadFifo() { _count--; }
        public int Discard(int count)
        {
            for (int i = 0; i < count; i++)
            {
                try { ReadFifo(); }
                catch (SensorFaultException) { if (i == 0) throw; return i; }
            }
            return count;
        }
    }

    public static class Program
    {
        private static long _discarded;

        // StreamingLoop.AwaitNeededSample's drain before: one call per sample.
        private static void OldDrain(IOld s, long toDiscard, int available)
        {
            while (toDiscard > 0 && available > 0)
            {
                s.Discard(1);
                _discarded++;
                toDiscard--;
                available--;
            }
        }

        // ... and now: one call per drain.
        private static void NewDrain(INew s, long toDiscard, int available)
        {
            if (toDiscard > 0 && available > 0)
            {
                int want = toDiscard < available ? (int)toDiscard : available;
                int gone = s.Discard(want);
                if (gone < 1 || gone > want) throw new SensorFaultException("x", true, false);
                _discarded += gone;
                toDiscard -= gone;
                available -= gone;
                if (gone < want) throw new SensorFaultException("y", true, false);
            }
        }

        public static void Main()
        {
            IOld o = new OldFifo();
            INew n = new NewFifo();
            OldDrain(o, 10, 10); NewDrain(n, 10, 10);
            Debug.WriteLine("@old 40");
            for (int r = 0; r < 50; r++) OldDrain(o, 40, 85);
            Debug.WriteLine("@old 80");
            for (int r = 0; r < 50; r++) OldDrain(o, 80, 85);
            Debug.WriteLine("@new 40");
            for (int r = 0; r < 50; r++) NewDrain(n, 40, 85);
            Debug.WriteLine("@new 80");
            for (int r = 0; r < 50; r++) NewDrain(n, 80, 85);
            Debug.WriteLine("@end");
        }
    }
}
