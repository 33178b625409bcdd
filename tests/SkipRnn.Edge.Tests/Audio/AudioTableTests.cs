using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Host.Audio;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>Every generated table of Audio/AudioTables.cs recomputed from its formula.</summary>
public class AudioTableTests
{
    private static short Q(double x, double scale) => (short)Math.Min(32767, Math.Round(x * scale, MidpointRounding.AwayFromZero));

    private static int Q30(double x) => (int)Math.Round(x * (1 << 30), MidpointRounding.AwayFromZero);

    [Fact]
    public void Window_and_twiddles()
    {
        double[] w = FloatLogMel.Window();
        Assert.Equal(w.Select(Q30), AudioTables.HannQ30);
        Assert.Equal(Enumerable.Range(0, 128).Select(k => Q30(Math.Cos(2 * Math.PI * k / 256))), AudioTables.FftCosQ30);
        Assert.Equal(Enumerable.Range(0, 128).Select(k => Q30(Math.Sin(2 * Math.PI * k / 256))), AudioTables.FftSinQ30);
        Assert.Equal(Enumerable.Range(0, 257).Select(k => Q30(Math.Cos(2 * Math.PI * k / 512))), AudioTables.SplitCosQ30);
        Assert.Equal(Enumerable.Range(0, 257).Select(k => Q30(Math.Sin(2 * Math.PI * k / 512))), AudioTables.SplitSinQ30);
        for (int i = 0; i < 256; i++)
        {
            int r = 0;
            for (int b = 0; b < 8; b++) if ((i >> b & 1) != 0) r |= 1 << (7 - b);
            Assert.Equal(r, AudioTables.BitReverse8[i]);
        }
    }

    [Fact]
    public void Mel_runs_hold_every_nonzero_weight_of_the_float_filterbank()
    {
        double[][] mel = FloatLogMel.MelWeights();
        int i = 0;
        for (int m = 0; m < 40; m++)
        {
            int[] nz = Enumerable.Range(0, 257).Where(k => mel[m][k] > 0).ToArray();
            Assert.Equal(nz[0], AudioTables.MelStart[m]);
            Assert.Equal(nz.Length, AudioTables.MelCount[m]);
            Assert.Equal(nz[^1] - nz[0] + 1, nz.Length);            // one contiguous run
            foreach (int k in nz) Assert.Equal(Q(mel[m][k], 32768), AudioTables.MelWeightsQ15[i++]);
        }
        Assert.Equal(AudioTables.MelWeightsQ15.Length, i);
    }

    [Fact]
    public void Log_tables()
    {
        Assert.Equal(Enumerable.Range(0, 257).Select(i => Q(Math.Log(1 + i / 256.0), 32768)), AudioTables.LnMantissaQ15);
        Assert.Equal(Enumerable.Range(0, 513).Select(i => Q(Math.Log(1 + Math.Exp(-i / 32.0)), 32768)), AudioTables.SoftplusQ15);
        Assert.Equal(LogEnergy.Ln2Q20, (int)Math.Round(Math.Log(2) * (1 << 20)));
        Assert.Equal(LogEnergy.LnFloorQ20, (int)Math.Round(Math.Log(1e-6) * (1 << 20)));
    }
}
