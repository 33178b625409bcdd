using SkipRnn.Edge.Application;
using SkipRnn.Edge.Emulator.Board;

namespace SkipRnn.Board.Tests;

/// <summary>
/// The virtual I2S driver (Host/Board/VirtualMicrophone.cs) against what nanoFramework's ESP32 I2S driver and ESP-IDF's
/// legacy driver do (firmware/README.md cites the sources), and the device's <see cref="I2sMicrophone"/> on it. The
/// stream is a ramp (sample i has value i), so every value read names the sample it came from.
/// </summary>
public class I2sDriverModelTests
{
    private static (VirtualClock Clock, VirtualMicrophone Mic) Board(int samples = 64_000)
    {
        var pcm = new short[samples];
        for (int i = 0; i < samples; i++) pcm[i] = (short)i;
        var clock = new VirtualClock();
        var sleep = new VirtualSleep(clock, 0);
        return (clock, new VirtualMicrophone(pcm, clock, sleep, new AudioBoardParameters { UpdateMicros = 0, MicStartupMicros = 0 }));
    }

    private static int Left(byte[] b, int at) => (short)(b[at + 2] | (b[at + 3] << 8));

    [Fact]
    public void In_mono_the_driver_returns_every_other_sample_and_in_stereo_every_sample()
    {
        // OnlyLeft: the DMA stores 4-byte frames but Read maps 8 DMA bytes to one 4-byte app sample (bytes 4..7).
        var (_, mono) = Board();
        mono.Open(16000, false, 8192);
        var b = new byte[256 * 4];
        mono.Read(b, 0, b.Length);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => 2 * i + 1), Enumerable.Range(0, 256).Select(i => Left(b, 4 * i)));
        Assert.Equal(8, mono.DmaBuffers);        // 8192 / (256 × 4)

        // RightLeft: 8-byte frames, the left slot first in what Read returns.
        var (_, stereo) = Board();
        stereo.Open(16000, true, 8192);
        var s = new byte[256 * 8];
        stereo.Read(s, 0, s.Length);
        Assert.Equal(Enumerable.Range(0, 256), Enumerable.Range(0, 256).Select(i => Left(s, 8 * i)));
        Assert.All(Enumerable.Range(0, 256), i => Assert.Equal(0, Left(s, 8 * i + 4)));
        Assert.Equal(4, stereo.DmaBuffers);      // 8192 / (256 × 8): the same bytes hold half the samples
    }

    [Fact]
    public void The_queue_holds_buffers_minus_one_and_drops_the_oldest_whole_buffer_unannounced()
    {
        var (clock, bus) = Board();
        var mic = new I2sMicrophone(bus, 16000, 9);
        Assert.Equal((18_432, 2048), (mic.BufferBytes, mic.QueuedSamples));
        mic.Start();
        var pcm = new short[1];
        // 8 buffers complete in 128 ms: all held, nothing lost.
        clock.Advance(128_000);
        bus.Poll();
        Assert.Equal(0, bus.LostToOverflow);
        mic.Read(pcm, 0, 1);
        Assert.Equal(0, pcm[0]);
        // The reader holds buffer 0 and buffers 1..8 fill the queue of 8. When buffer 8 completes the DMA goes on
        // into ring slot 0: the unread rest of buffer 0 (255 samples) is written over. When buffer 9 completes with
        // the queue full, buffer 1 is dropped whole. Read tells nothing: after buffer 0 it goes on at sample 512.
        clock.Advance(16_000);
        bus.Poll();
        Assert.Equal(255, bus.LostToOverflow);
        clock.Advance(16_000);
        bus.Poll();
        Assert.Equal(255 + 256, bus.LostToOverflow);
        mic.Discard(255);
        mic.Read(pcm, 0, 1);
        Assert.Equal(512, pcm[0]);
    }

    [Fact]
    public void A_read_waits_for_a_whole_dma_buffer()
    {
        var (clock, bus) = Board();
        var mic = new I2sMicrophone(bus, 16000, 9);
        mic.Start();
        var pcm = new short[1];
        mic.Read(pcm, 0, 1);
        Assert.Equal(16_000, clock.NowMicros);     // 256 samples at 16 kHz, not one
    }

    [Fact]
    public void A_buffer_size_that_gives_fewer_than_two_dma_buffers_is_refused_as_the_driver_install_would()
    {
        var (_, bus) = Board();
        Assert.Throws<ArgumentException>(() => bus.Open(16000, true, 2047));
    }
}
