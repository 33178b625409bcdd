using System;
using nanoFramework.TestFramework;
using SkipRnn.Edge.Application;

// Device-side tests in nanoFramework.TestFramework's form ([TestClass]/[TestMethod], its Assert), compiled and run on
// nanoCLR by firmware/real-libs/build.py with the framework and its UnitTestLauncher built from their sources (not in
// CI: see firmware/README.md). The assembly is named NFUnitTest, as the launcher loads it.
namespace SkipRnn.DeviceTests
{
    // A bus that hands out stereo frames whose left slot holds the frame number in the top 16 bits.
    internal sealed class RampBus : II2sReceiver
    {
        private int _next;
        public bool Stereo;
        public int Buffer;
        public void Open(int sampleRate, bool stereo, int bufferBytes) { Stereo = stereo; Buffer = bufferBytes; }
        public void Close() { }
        public void Read(byte[] b, int o, int count)
        {
            for (int i = 0; i < count; i += 8)
            {
                b[o + i] = 0; b[o + i + 1] = 0; b[o + i + 2] = (byte)_next; b[o + i + 3] = (byte)(_next >> 8);
                b[o + i + 4] = 0xAA; b[o + i + 5] = 0xAA; b[o + i + 6] = 0xAA; b[o + i + 7] = 0xAA;
                _next++;
            }
        }
    }

    [TestClass]
    public class I2sMicrophoneTests
    {
        [TestMethod]
        public void Opens_the_bus_in_stereo_with_nine_dma_buffers()
        {
            var bus = new RampBus();
            var mic = new I2sMicrophone(bus, 16000, 9);
            mic.Start();
            Assert.IsTrue(bus.Stereo);
            Assert.AreEqual(18432, bus.Buffer);
            Assert.AreEqual(2048, mic.QueuedSamples);
        }

        [TestMethod]
        public void Keeps_the_left_slot_of_every_frame()
        {
            var mic = new I2sMicrophone(new RampBus(), 16000, 9);
            mic.Start();
            var pcm = new short[300];
            mic.Read(pcm, 0, 300);
            for (int i = 0; i < 300; i++) Assert.AreEqual((short)i, pcm[i]);
        }
    }
}
