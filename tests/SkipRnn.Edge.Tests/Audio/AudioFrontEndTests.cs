using Mono.Cecil;
using Mono.Cecil.Cil;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Host.Audio;

namespace SkipRnn.Edge.Tests.Audio;

public class AudioFrontEndTests
{
    private static short[] Clip(int n, int seed) => StageErrorTests.Signal("synthetic vowel + noise", n, seed);

    private static int[] Direct(short[] pcm, int frame)
    {
        var f = new int[40];
        new LogMelPipeline().Compute(pcm, frame * 320, f, 0);
        return f;
    }

    [Fact]
    public void Streaming_in_random_chunks_gives_every_frame_of_the_clip_bit_exactly()
    {
        short[] pcm = Clip(16000, 1);
        var fe = new AudioFrontEnd();
        var rng = new Random(2);
        var x = new int[40];
        int frames = 0;
        for (int pos = 0; pos < pcm.Length;)
        {
            int n = Math.Min(rng.Next(1, 700), pcm.Length - pos);
            n = Math.Min(n, fe.SamplesToNextFrame);       // stop at every frame end
            if (fe.Write(pcm, pos, n))
            {
                fe.ComputeFrame(x);
                Assert.Equal(Direct(pcm, frames), x);
                frames++;
            }
            pos += n;
        }
        Assert.Equal(FloatLogMel.FrameCount(pcm.Length), frames);
        Assert.Equal(frames, fe.FramesComputed);
    }

    [Fact]
    public void Skipped_frames_cost_no_samples_and_the_next_update_sees_its_own_frame()
    {
        short[] pcm = Clip(32000, 3);
        var fe = new AudioFrontEnd();
        var x = new int[40];
        var rng = new Random(4);
        int pos = 0, frame = -1, dropped = 0, computed = 0, skipped = 0;
        while (true)
        {
            int n = fe.SamplesToNextFrame;
            if (pos + n > pcm.Length) break;
            Assert.True(fe.Write(pcm, pos, n));
            pos += n;
            frame = (pos - 480) / 320;
            fe.ComputeFrame(x);
            computed++;
            Assert.Equal(Direct(pcm, frame), x);
            int skip = rng.Next(0, 5);
            skipped += skip;
            if (skip > 0)
            {
                int drop = fe.SkipFrames(skip);
                Assert.Equal(320 * skip - 160, drop);
                Assert.Equal(480, fe.SamplesToNextFrame);
                pos += drop;                                  // those samples are never read
                dropped += drop;
            }
        }
        Assert.True(fe.FramesComputed > 30 && fe.FramesSkipped > 30);
        Assert.Equal(computed, fe.FramesComputed);
        Assert.Equal(skipped, fe.FramesSkipped);
        Assert.True(dropped > 0);
    }

    [Fact]
    public void A_frame_is_never_read_from_samples_it_did_not_receive()
    {
        short[] pcm = Clip(4000, 5);
        var fe = new AudioFrontEnd();
        var x = new int[40];
        Assert.Equal(480, fe.SamplesToNextFrame);
        Assert.Throws<InvalidOperationException>(() => fe.ComputeFrame(x));
        fe.Write(pcm, 0, 480);
        fe.ComputeFrame(x);
        fe.SkipFrames(1);                                     // drops 160 samples
        fe.Write(pcm, 640, 160);                              // 160 fresh samples: not a whole frame
        Assert.False(fe.FrameReady);
        Assert.Throws<InvalidOperationException>(() => fe.ComputeFrame(x));
        Assert.Equal(320, fe.SamplesToNextFrame);
        fe.Write(pcm, 800, 320);
        fe.ComputeFrame(x);
        Assert.Equal(Direct(pcm, 2), x);                      // frame 1 was skipped; frame 2 is [640, 1120)
        Assert.Throws<ArgumentOutOfRangeException>(() => fe.SkipFrames(0));
    }

    [Fact]
    public void Missed_frames_move_the_front_end_to_the_window_after_them()
    {
        // Frames whose samples never arrived (a microphone overrun) are counted as skipped and the next frame is read
        // from a whole new window: frame f's window is [320 f, 320 f + 480), wherever the front end stood before.
        short[] pcm = Clip(8000, 7);
        var x = new int[40];
        var fe = new AudioFrontEnd();
        fe.Write(pcm, 0, 480);
        fe.ComputeFrame(x);                                   // frame 0; 160 samples of frame 1's window are kept
        fe.MissFrames(3);                                     // frames 1..3 lost
        Assert.Equal((4L * 320, 480, 3L), (fe.SamplesWritten, fe.SamplesToNextFrame, fe.FramesSkipped));
        fe.Write(pcm, 4 * 320, 480);
        fe.ComputeFrame(x);
        Assert.Equal(Direct(pcm, 4), x);
        fe.Write(pcm, 5 * 320 + 160, 100);                    // part of frame 5's last hop, then lost anyway
        fe.MissFrames(1);
        Assert.Equal((6L * 320, 480), (fe.SamplesWritten, fe.SamplesToNextFrame));
        fe.Write(pcm, 6 * 320, 480);
        fe.ComputeFrame(x);
        Assert.Equal(Direct(pcm, 6), x);
        Assert.Throws<ArgumentOutOfRangeException>(() => fe.MissFrames(0));
        var ahead = new AudioFrontEnd();
        ahead.Write(pcm, 0, 900);                             // past frame 1's window start: nothing to miss back to
        Assert.Throws<InvalidOperationException>(() => ahead.MissFrames(1));
    }

    [Fact]
    public void Silence_gives_the_floor_without_an_FFT()
    {
        var fe = new AudioFrontEnd();
        var x = new int[40];
        fe.Write(new short[480], 0, 480);
        fe.ComputeFrame(x);
        Assert.All(x, v => Assert.Equal((int)Math.Round(1024 * Math.Log(1e-6)), v));
        Assert.Equal(int.MinValue, fe.Pipeline.Shift);
    }

    [Fact]
    public void Integer_features_agree_with_the_float_reference_on_the_fixture()
    {
        AudioFixture fx = AudioFixture.Load();
        var p = new LogMelPipeline();
        var x = new int[40];
        double worst = 0, worstNear = 0;
        for (int t = 0; t < 24; t++)
        {
            p.Compute(fx.Pcm, t * 320, x, 0);
            double top = Enumerable.Range(0, 40).Max(m => fx.Features[t * 40 + m]);
            for (int m = 0; m < 40; m++)
            {
                double f = fx.Features[t * 40 + m], err = Math.Abs(x[m] / 1024.0 - f);
                worst = Math.Max(worst, err);
                if (f >= top - Math.Log(1e6)) worstNear = Math.Max(worstNear, err);   // within 60 dB of the frame's top band
            }
        }
        // Within 60 dB: Q10 rounding and the tables (measured 0.0005); deeper bands, 70+ dB under a full-scale
        // square wave's harmonics, carry the Q30 window's and Q15 mel weights' rounding (measured 0.104).
        Assert.True(worstNear < 0.002, $"worst |int − features.py| within 60 dB = {worstNear:F4} nat");
        Assert.True(worst < 0.15, $"worst |int − features.py| = {worst:F4} nat");
    }

    [Fact]
    public void Computing_and_skipping_frames_allocates_nothing()
    {
        short[] pcm = Clip(64000, 6);
        var fe = new AudioFrontEnd();
        var x = new int[40];
        fe.Write(pcm, 0, 480);
        fe.ComputeFrame(x);                                   // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        int pos = 480;
        for (int i = 0; pos + 480 <= pcm.Length; i++)
        {
            int n = fe.SamplesToNextFrame;
            fe.Write(pcm, pos, n);
            pos += n;
            if (i % 3 == 2) pos += fe.SkipFrames(2);
            else if (i % 3 == 1) fe.SkipFrame();
            else fe.ComputeFrame(x);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(fe.FramesComputed > 30);
    }

    /// <summary>The device build's IL: the per-frame path allocates nothing and calls out only to Array.Copy.</summary>
    [Fact]
    public void The_frame_path_allocates_nothing_in_the_device_build()
    {
        using ModuleDefinition m = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, "device", "SkipRnn.Edge.Audio.dll"));
        TypeDefinition fe = m.GetType("SkipRnn.Edge.Audio.AudioFrontEnd");
        var entries = fe.Methods.Where(x => x.Name is "Write" or "ComputeFrame" or "SkipFrame" or "SkipFrames").ToList();
        Assert.Equal(4, entries.Count);
        var (problems, seen) = HotPathWalk.Run(m, entries,
            t => t.DeclaringType.FullName == "System.Array" && t.Name == "Copy");   // native, allocates nothing
        Assert.Empty(problems);
        Assert.Contains(seen, x => x.DeclaringType.Name == "RealFft512" && x.Name == "ComplexFft256");
        Assert.Contains(seen, x => x.DeclaringType.Name == "LogEnergy");
        Assert.Contains(seen, x => x.DeclaringType.Name == "AudioRingBuffer" && x.Name == "Advance");
    }

    /// <summary>The runtime's FrontEndSpec (which reads and checks the model file's section without the audio library)
    /// states the pipeline this front end computes.</summary>
    [Fact]
    public void The_model_file_front_end_section_states_what_this_front_end_computes()
    {
        Assert.Equal(AudioFrontEnd.SampleRate, FrontEndSpec.LogMelSampleRate);
        Assert.Equal(AudioFrontEnd.FrameLength, FrontEndSpec.LogMelFrameLength);
        Assert.Equal(AudioFrontEnd.HopLength, FrontEndSpec.LogMelHopLength);
        Assert.Equal(RealFft512.Size, FrontEndSpec.LogMelFftSize);
        Assert.Equal(AudioFrontEnd.Bands, FrontEndSpec.LogMelBands);
        Assert.Equal(AudioFrontEnd.FeatureFractionBits, FrontEndSpec.LogMelFeatureFracBits);
    }
}
