using SkipRnn.Edge.Host.Audio;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>The C# float64 reference equals features.py (the training recipe's features) on the committed fixture.</summary>
public class FloatLogMelTests
{
    [Fact]
    public void Features_equal_features_py_to_1e_9()
    {
        AudioFixture fx = AudioFixture.Load();
        double[][] f = FloatLogMel.ClipFeatures(fx.Pcm);
        Assert.Equal(24, f.Length);
        Assert.Equal(fx.Features.Length, f.Length * FloatLogMel.Bands);
        double worst = 0;
        for (int t = 0; t < f.Length; t++)
            for (int m = 0; m < FloatLogMel.Bands; m++)
                worst = Math.Max(worst, Math.Abs(f[t][m] - fx.Features[t * FloatLogMel.Bands + m]));
        Assert.True(worst < 1e-9, $"worst |C# − features.py| = {worst:g3}");
        // The fixture spans silence (the floor) to full scale, so the comparison covers the whole range.
        Assert.Contains(fx.Features, v => Math.Abs(v - Math.Log(1e-6)) < 1e-12);
        Assert.Contains(fx.Features, v => v > 8);
    }

    [Fact]
    public void Power_and_mel_stages_equal_features_py()
    {
        AudioFixture fx = AudioFixture.Load();
        double[] p = FloatLogMel.Power(fx.Pcm, 7 * 320);
        double[] e = FloatLogMel.MelEnergies(p);
        double pmax = fx.PowerFrame7.Max(), emax = fx.MelFrame7.Max();
        for (int k = 0; k < p.Length; k++) Assert.True(Math.Abs(p[k] - fx.PowerFrame7[k]) <= 1e-11 * pmax, $"bin {k}");
        for (int m = 0; m < e.Length; m++) Assert.True(Math.Abs(e[m] - fx.MelFrame7[m]) <= 1e-11 * emax, $"band {m}");
    }

    [Fact]
    public void Frame_count_follows_the_definition()
    {
        Assert.Equal(0, FloatLogMel.FrameCount(479));
        Assert.Equal(1, FloatLogMel.FrameCount(480));
        Assert.Equal(1, FloatLogMel.FrameCount(799));
        Assert.Equal(2, FloatLogMel.FrameCount(800));
        Assert.Equal(49, FloatLogMel.FrameCount(16000));
    }
}
