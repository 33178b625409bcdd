using System.Text.Json;
using SkipRnn.Converter.Audio;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Tests.Audio;

[Collection(SkipRnn.Converter.Tests.Cli.ConsoleCollection.Name)]   // CliHarness swaps Console.Out: never beside another console test
public sealed class ListenCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"skiprnn-listen-{Guid.NewGuid():N}");

    public ListenCommandTests() { Directory.CreateDirectory(_dir); }
    public void Dispose() { Directory.Delete(_dir, recursive: true); }

    private static SkipGruModel Model(bool rule = true)
    {
        var f = new Builders.ReferenceWeights(40, 6, 1, 3, 21).Model(GruVariant.ResetAfter);
        f.ClassNames = ["yes", "no", "_unknown_"];
        SkipGruModel q = Quantizer.Quantize(f, new QuantizerOptions()).WithFrontEnd(FrontEndSpec.LogMel());
        return rule ? q.WithEventRule(new EventRule(3, 0, 2, 16384, 4096, 25)) : q;
    }

    private static short[] Clip(int seed, int n = 16000)
    {
        var rng = new Random(seed);
        double f = 200 + rng.Next(2000);
        return Enumerable.Range(0, n).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * f * i / 16000) * Math.Sin(Math.PI * i / n) + rng.Next(-500, 500))).ToArray();
    }

    private string WriteModel(SkipGruModel m)
    {
        string path = Path.Combine(_dir, "kws.skrn");
        File.WriteAllBytes(path, ModelWriter.ToBytes(m));
        return path;
    }

    /// <summary>The device's streaming path (ring buffer, SkipFrames dropping samples): the head's class after the last frame.</summary>
    private static int StreamedClass(SkipGruModel m, short[] pcm)
    {
        var rnn = new SkipRnn.Edge.Runtime.SkipGru(m);
        var fe = new AudioFrontEnd();
        var x = new int[40];
        int pos = 0;
        while (pos + fe.SamplesToNextFrame <= pcm.Length)
        {
            int n = fe.SamplesToNextFrame;
            fe.Write(pcm, pos, n);
            pos += n;
            fe.ComputeFrame(x);
            rnn.Step(x);
            int k = rnn.StepsToSkip;
            if (k > 0)
            {
                int frames = pcm.Length < 480 ? 0 : 1 + (pcm.Length - 480) / 320;
                int done = (int)(fe.FramesComputed + fe.FramesSkipped);
                k = Math.Min(k, frames - done);
                if (k == 0) break;
                pos += fe.SkipFrames(k);
                rnn.Skip(k);
            }
        }
        return rnn.ArgMax();
    }

    [Fact]
    public void A_labelled_folder_gives_the_confusion_matrix_of_the_device_s_own_predictions()
    {
        SkipGruModel m = Model();
        string model = WriteModel(m);
        string clips = Path.Combine(_dir, "clips");
        var expected = new int[3, 3];
        string[] labels = ["yes", "no", "unknown"];
        for (int i = 0; i < 12; i++)
        {
            string label = labels[i % 3];
            Directory.CreateDirectory(Path.Combine(clips, label));
            short[] pcm = Clip(i);
            File.WriteAllBytes(Path.Combine(clips, label, $"c{i}.wav"), WavReader.Encode(pcm, 16000));
            expected[i % 3, StreamedClass(m, pcm)]++;
        }
        var (code, stdout, stderr) = CliHarness.Run("listen", model, clips, "--json");
        Assert.True(code == ExitCodes.Success, stderr);
        using JsonDocument d = JsonDocument.Parse(stdout);
        JsonElement s = d.RootElement.GetProperty("Scores");
        Assert.Equal(12, s.GetProperty("Labelled").GetInt32());
        int[][] confusion = s.GetProperty("Confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        for (int t = 0; t < 3; t++)
            for (int p = 0; p < 3; p++) Assert.Equal(expected[t, p], confusion[t][p]);
        Assert.Equal(12 * 49, s.GetProperty("Frames").GetInt64());
        Assert.True(s.GetProperty("FramesUpdated").GetInt64() is > 12 and <= 12 * 49);

        // the same as a manifest, and the human table
        File.WriteAllLines(Path.Combine(_dir, "m.csv"), new[] { "path,label" }.Concat(
            Directory.GetFiles(clips, "*.wav", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(_dir, f)},{Path.GetFileName(Path.GetDirectoryName(f))}")));
        (code, stdout, stderr) = CliHarness.Run("listen", model, Path.Combine(_dir, "m.csv"));
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("12 clip(s), 12 labelled", stdout);
        Assert.Contains("recall", stdout);
    }

    [Fact]
    public void A_long_wav_gives_events_with_times()
    {
        string model = WriteModel(Model());
        short[] pcm = Enumerable.Range(0, 8).SelectMany(i => Clip(100 + i)).ToArray();
        string wav = Path.Combine(_dir, "long.wav");
        File.WriteAllBytes(wav, WavReader.Encode(pcm, 16000));
        var (code, stdout, stderr) = CliHarness.Run("listen", model, wav, "--json");
        Assert.True(code == ExitCodes.Success, stderr);
        using JsonDocument d = JsonDocument.Parse(stdout);
        JsonElement r = d.RootElement.GetProperty("Recording");
        Assert.Equal(8.0, r.GetProperty("Seconds").GetDouble(), 6);
        Assert.Equal(1 + (pcm.Length - 480) / 320, r.GetProperty("Frames").GetInt64());
        var spotter = new KeywordSpotter(ModelReader.Read(File.ReadAllBytes(model)));
        spotter.Write(pcm, 0, pcm.Length);
        Assert.Equal(spotter.Events, r.GetProperty("Events").GetArrayLength());
        Assert.True(spotter.Events > 0, "the rule on class 0 should fire on this random model");
    }

    [Fact]
    public void Bad_inputs_are_clear_errors()
    {
        string model = WriteModel(Model());
        string clips = Path.Combine(_dir, "bad");
        Directory.CreateDirectory(Path.Combine(clips, "maybe"));
        File.WriteAllBytes(Path.Combine(clips, "maybe", "a.wav"), WavReader.Encode(Clip(1), 16000));
        var (code, _, stderr) = CliHarness.Run("listen", model, clips);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("is labelled 'maybe', which is not one of the model's classes (yes, no, _unknown_)", stderr);

        File.WriteAllBytes(Path.Combine(clips, "maybe", "a.wav"), WavReader.Encode(Clip(1), 8000));
        Directory.Move(Path.Combine(clips, "maybe"), Path.Combine(clips, "yes"));
        (code, _, stderr) = CliHarness.Run("listen", model, clips);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("a.wav: is sampled at 8000 Hz; the front end needs 16000 Hz", stderr);

        File.WriteAllText(Path.Combine(_dir, "m.csv"), "path,label\nnowhere.wav,yes\n");
        (code, _, stderr) = CliHarness.Run("listen", model, Path.Combine(_dir, "m.csv"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("m.csv: line 2: names nowhere.wav, which does not exist", stderr);

        string plain = Path.Combine(_dir, "plain.skrn");
        File.WriteAllBytes(plain, ModelWriter.ToBytes(Model().WithFrontEnd(null)));
        (code, _, stderr) = CliHarness.Run("listen", plain, clips);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no audio front end", stderr);

        string noRule = WriteModel(Model(rule: false));
        File.WriteAllBytes(Path.Combine(_dir, "l.wav"), WavReader.Encode(Clip(3), 16000));
        (code, _, stderr) = CliHarness.Run("listen", noRule, Path.Combine(_dir, "l.wav"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--event-class", stderr);
    }
}
