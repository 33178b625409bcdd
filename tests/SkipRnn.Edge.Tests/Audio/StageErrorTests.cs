using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Host.Audio;
using Xunit.Abstractions;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>
/// The integer pipeline's error against the float64 reference, stage by stage (window, FFT, power, mel, log), on
/// tones, noise, a chirp, a synthetic vowel and quiet signals. Figures go to the test output
/// (dotnet test --filter StageError --logger "console;verbosity=detailed") and into docs/audio-front-end.md.
/// Errors of the linear stages are relative to the frame's largest value of that stage (block floating point
/// keeps a relative precision), the window's to the frame's largest input sample; the log error is in nats, over bands within 60 dB of the frame's strongest band
/// and over all bands.
/// </summary>
public class StageErrorTests
{
    private readonly ITestOutputHelper _out;
    public StageErrorTests(ITestOutputHelper output) { _out = output; }

    internal static short[] Signal(string name, int n, int seed)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = new double[n];
        switch (name)
        {
            case "tone 440 Hz, -6 dBFS": for (int i = 0; i < n; i++) x[i] = 16384 * Math.Sin(2 * Math.PI * 440 * i / 16000); break;
            case "tone 3 kHz, -40 dBFS": for (int i = 0; i < n; i++) x[i] = 328 * Math.Sin(2 * Math.PI * 3000 * i / 16000); break;
            case "white noise, -20 dBFS": for (int i = 0; i < n; i++) x[i] = 3277 * Gauss(); break;
            case "white noise, -70 dBFS": for (int i = 0; i < n; i++) x[i] = 10 * Gauss(); break;
            case "chirp 50 Hz-7.9 kHz, -3 dBFS":
                for (int i = 0; i < n; i++) { double t = i / 16000.0, T = n / 16000.0; x[i] = 23000 * Math.Sin(2 * Math.PI * (50 * t + (7850 / (2 * T)) * t * t)); }
                break;
            case "synthetic vowel + noise":
            {
                // 120 Hz pulse train through formant resonators at 700, 1200, 2600 Hz, slow amplitude modulation,
                // plus -50 dBFS noise: a speech-like spectrum with 40+ dB between formants and valleys.
                double[] f = [700, 1200, 2600], bw = [80, 90, 120];
                var y1 = new double[3]; var y2 = new double[3];
                for (int i = 0; i < n; i++)
                {
                    double s = i % 133 == 0 ? 1.0 : 0.0;
                    for (int k = 0; k < 3; k++)
                    {
                        double r = Math.Exp(-Math.PI * bw[k] / 16000), c = 2 * r * Math.Cos(2 * Math.PI * f[k] / 16000);
                        double y = s + c * y1[k] - r * r * y2[k];
                        y2[k] = y1[k]; y1[k] = y;
                        s = y * (1 - r);
                    }
                    x[i] = 6000 * s * (0.6 + 0.4 * Math.Sin(2 * Math.PI * 3 * i / 16000)) + 100 * Gauss();
                }
                break;
            }
            default: throw new ArgumentException(name);
        }
        return x.Select(v => (short)Math.Clamp(Math.Round(v), -32768, 32767)).ToArray();
    }

    public static readonly string[] Signals =
    [
        "tone 440 Hz, -6 dBFS", "tone 3 kHz, -40 dBFS", "white noise, -20 dBFS", "white noise, -70 dBFS",
        "chirp 50 Hz-7.9 kHz, -3 dBFS", "synthetic vowel + noise",
    ];

    internal sealed class Stats
    {
        public double Window, Fft, Power, Mel, LogNear, LogAll, LogMeanNear, Log40;
        public int Frames, NearCount;
    }

    internal static Stats Measure(short[] pcm)
    {
        var p = new LogMelPipeline();
        var feat = new int[40];
        var s = new Stats();
        double logSumNear = 0;
        for (int t = 0; t < FloatLogMel.FrameCount(pcm.Length); t++)
        {
            int off = t * 320;
            p.Compute(pcm, off, feat, 0);
            int r = p.Shift;
            double[] w = FloatLogMel.Windowed(pcm, off);
            var re = new double[257]; var im = new double[257];
            FloatLogMel.Spectrum(w, re, im);
            double[] pw = new double[257];
            for (int k = 0; k < 257; k++) pw[k] = re[k] * re[k] + im[k] * im[k];
            double[] e = FloatLogMel.MelEnergies(pw);
            s.Frames++;
            if (r != int.MinValue)
            {
                double ws = Math.Pow(2, -(45 - r)), fs = Math.Pow(2, -(36 - r)), ps = Math.Pow(2, -(72 - 2 * r)), es = Math.Pow(2, -(87 - 2 * r - p.PowerShift));
                double xmax = 0, pmax = pw.Max(), emax = e.Max();
                for (int k = 0; k < 257; k++) xmax = Math.Max(xmax, Math.Sqrt(pw[k]));
                // The window stage against the frame's peak input sample (a quiet frame whose loudest sample sits
                // where the window is near 0 would make "relative to the peak product" meaningless).
                double xpeak = 0;
                for (int n = 0; n < 480; n++) xpeak = Math.Max(xpeak, Math.Abs(pcm[off + n] / 32768.0));
                for (int n = 0; n < 480; n++) s.Window = Math.Max(s.Window, Math.Abs(p.Windowed[n] * ws - w[n]) / xpeak);
                for (int k = 0; k < 257; k++)
                {
                    double d = Math.Max(Math.Abs(p.SpectrumReal[k] * fs - re[k]), Math.Abs(p.SpectrumImaginary[k] * fs - im[k]));
                    s.Fft = Math.Max(s.Fft, d / xmax);
                    s.Power = Math.Max(s.Power, Math.Abs(p.Power[k] * ps - pw[k]) / pmax);
                }
                for (int m = 0; m < 40; m++)
                {
                    s.Mel = Math.Max(s.Mel, Math.Abs(p.Energy[m] * es - e[m]) / emax);
                    double err = Math.Abs(feat[m] / 1024.0 - Math.Log(e[m] + 1e-6));
                    s.LogAll = Math.Max(s.LogAll, err);
                    if (e[m] >= emax * 1e-4) s.Log40 = Math.Max(s.Log40, err);
                    if (e[m] >= emax * 1e-6) { s.LogNear = Math.Max(s.LogNear, err); logSumNear += err; s.NearCount++; }
                }
            }
            else
            {
                for (int m = 0; m < 40; m++) s.LogAll = Math.Max(s.LogAll, Math.Abs(feat[m] / 1024.0 - Math.Log(e[m] + 1e-6)));
            }
        }
        s.LogMeanNear = s.NearCount > 0 ? logSumNear / s.NearCount : 0;
        return s;
    }

    /// <summary>PCM16 samples of a committed 16 kHz mono wav (tests/fixtures/audio/speech, Speech Commands, CC BY 4.0).</summary>
    internal static short[] Speech(string word)
    {
        byte[] b = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "fixtures", "audio", "speech", word + ".wav"));
        Assert.Equal("data", System.Text.Encoding.ASCII.GetString(b, 36, 4));
        int n = BitConverter.ToInt32(b, 40) / 2;
        return Enumerable.Range(0, n).Select(i => BitConverter.ToInt16(b, 44 + 2 * i)).ToArray();
    }

    [Fact]
    public void Each_stage_stays_within_its_bound_on_real_speech()
    {
        _out.WriteLine("| Speech Commands clip | window | FFT | power | mel | log, bands within 40 dB (max) | log, within 60 dB (max / mean) | log, all bands (max) |");
        _out.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (string word in new[] { "yes", "off", "up", "stop" })
        {
            short[] pcm = Speech(word);
            Assert.Equal(16000, pcm.Length);
            Stats s = Measure(pcm);
            _out.WriteLine($"| {word} | {s.Window:0.0e0} | {s.Fft:0.0e0} | {s.Power:0.0e0} | {s.Mel:0.0e0} | {s.Log40:0.0000} | {s.LogNear:0.0000} / {s.LogMeanNear:0.00000} | {s.LogAll:0.000} |");
            Assert.True(s.Window <= 1.0 / (1 << 28), $"{word}: window {s.Window:g3}");
            Assert.True(s.Fft <= 2e-6, $"{word}: FFT {s.Fft:g3}");
            Assert.True(s.Power <= 2e-6, $"{word}: power {s.Power:g3}");
            Assert.True(s.Mel <= 5e-5, $"{word}: mel {s.Mel:g3}");
            Assert.True(s.LogNear <= 0.002, $"{word}: log {s.LogNear:g3}");
            // bands 60 dB and more under the frame's strongest (near the 1e-6 floor): measured up to 0.04 nat
            Assert.True(s.LogAll <= 0.1, $"{word}: log over all bands {s.LogAll:g3}");
        }
    }

    [Fact]
    public void Each_stage_stays_within_its_bound_on_real_ish_signals()
    {
        _out.WriteLine("| signal | window | FFT | power | mel | log, bands within 40 dB (max) | log, within 60 dB (max / mean) | log, all bands (max) |");
        _out.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (string name in Signals)
        {
            Stats s = Measure(Signal(name, 16000, 3));
            _out.WriteLine($"| {name} | {s.Window:0.0e0} | {s.Fft:0.0e0} | {s.Power:0.0e0} | {s.Mel:0.0e0} | {s.Log40:0.0000} | {s.LogNear:0.0000} / {s.LogMeanNear:0.00000} | {s.LogAll:0.000} |");
            // Bounds (relative to the stage's largest value in the frame): window (relative to the largest input
            // sample), the Q30 table's rounding 2^−31 plus one rounding of y at ≥ 2^28: 2^−28; FFT, 8.5 LSB (RealFftTests) of outputs that reach ≥ 2^20 on these
            // signals: 2e−6, and power the same; mel, the Q15 weights' rounding (2^−16 of each weight) on top: 5e−5;
            // log within 60 dB of the frame's strongest band: Q10 rounding (0.0005) plus the tables (1e−4): 0.002.
            Assert.True(s.Window <= 1.0 / (1 << 28), $"{name}: window {s.Window:g3}");
            Assert.True(s.Fft <= 2e-6, $"{name}: FFT {s.Fft:g3}");
            Assert.True(s.Power <= 2e-6, $"{name}: power {s.Power:g3}");
            Assert.True(s.Mel <= 5e-5, $"{name}: mel {s.Mel:g3}");
            Assert.True(s.LogNear <= 0.002, $"{name}: log {s.LogNear:g3}");
        }
    }
}
