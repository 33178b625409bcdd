using SkipRnn.Edge.Audio;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>
/// I2sSlots.Unpack (the keyword loop's managed path, and I2sMicrophone.Read): the sample is the left slot's top 16 bits
/// of each 8-byte stereo frame; the other six bytes are filled with values that change the result if picked.
/// </summary>
public class I2sSlotsTests
{
    private static (byte[] Slots, short[] Pcm) Ring(int samples)
    {
        var rng = new Random(5);
        var slots = new byte[samples * I2sSlots.BytesPerSample];
        var pcm = new short[samples];
        rng.NextBytes(slots);
        for (int i = 0; i < samples; i++)
        {
            pcm[i] = (short)rng.Next(short.MinValue, short.MaxValue + 1);
            slots[8 * i + 2] = (byte)pcm[i];
            slots[8 * i + 3] = (byte)(pcm[i] >> 8);
        }
        return (slots, pcm);
    }

    [Theory]
    [InlineData(0, 480)]
    [InlineData(100, 480)]
    [InlineData(511, 480)]
    [InlineData(33, 1)]
    [InlineData(300, 512)]
    public void Unpack_takes_bytes_2_and_3_of_each_frame_and_wraps_at_the_ring_end(int first, int count)
    {
        var (slots, pcm) = Ring(512);
        var got = new short[count + 7];
        I2sSlots.Unpack(slots, first, got, 7, count);
        for (int i = 0; i < count; i++) Assert.Equal(pcm[(first + i) % 512], got[7 + i]);
        Assert.All(got.Take(7), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Unpack_refuses_what_is_outside_the_ring_or_the_destination()
    {
        var (slots, _) = Ring(512);
        Assert.Throws<ArgumentOutOfRangeException>(() => I2sSlots.Unpack(slots, 512, new short[480], 0, 480));
        Assert.Throws<ArgumentOutOfRangeException>(() => I2sSlots.Unpack(slots, -1, new short[480], 0, 480));
        Assert.Throws<ArgumentOutOfRangeException>(() => I2sSlots.Unpack(slots, 0, new short[480], 1, 480));
        Assert.Throws<ArgumentOutOfRangeException>(() => I2sSlots.Unpack(slots, 0, new short[600], 0, 513));
        Assert.Throws<ArgumentNullException>(() => I2sSlots.Unpack(null!, 0, new short[480], 0, 480));
    }

    [Fact]
    public void A_front_end_counted_by_Pass_has_its_frames_ready_where_one_fed_by_Write_does()
    {
        var (_, pcm) = Ring(4000);
        var written = new AudioFrontEnd();
        var passed = new AudioFrontEnd();
        var a = new int[AudioFrontEnd.Bands];
        var window = new short[AudioFrontEnd.FrameLength];
        int pos = 0, frames = 0;
        while (pos + 320 <= pcm.Length)
        {
            int n = written.SamplesToNextFrame;
            if (pos + n > pcm.Length) break;
            bool ready = written.Write(pcm, pos, n);
            Assert.Equal(ready, passed.Pass(n));
            pos += n;
            Assert.Equal(written.SamplesWritten, passed.SamplesWritten);
            if (!ready) continue;
            written.ComputeFrame(a);
            Array.Copy(pcm, pos - 480, window, 0, 480);
            var b = new int[AudioFrontEnd.Bands];
            new LogMelPipeline().Compute(window, 0, b, 0);
            Assert.Equal(a, b);
            frames++;
        }
        Assert.True(frames >= 10);
    }
}
