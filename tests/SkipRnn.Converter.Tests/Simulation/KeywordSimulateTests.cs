using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using SkipRnn.Converter.Audio;
using SkipRnn.Converter.Cli;
using SkipRnn.Edge.Emulator.Simulation;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Simulation;

/// <summary>
/// `skiprnn simulate` on a keyword model: the device's KeywordLoop on the virtual microphone board over a short
/// wav built from the shipped test clips (models/keyword/data/speech_commands_test.npz, byte planes of the first
/// difference), timed by the measured nanoCLR costs: it does not keep up on the interpreter at either end, a
/// hypothetical fast interpreter keeps up without loss, the never-skipping model computes every frame, the events are
/// KeywordLoop's on the same PCM, and bad streams or models are refused naming the file.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class KeywordSimulateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-kwsim-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static string Root => CliHarness.RepoRoot();
    private static string KeywordModel => Path.Combine(Root, "models", "keyword", "model.skrn");
    private static string KeywordGru => Path.Combine(Root, "models", "keyword", "gru", "model.skrn");

    internal static readonly Lazy<short[]> Pcm = new(Build);

    /// <summary>The first 8 test clips, each followed by 0.5 s of quiet (a low, deterministic hiss): about 12 s.</summary>
    private static short[] Build()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(Root, "models", "keyword", "data", "speech_commands_test.npz"));
        var (hi, shape) = NpyBytes(zip, "pcm_delta_hi", "|i1");
        var (lo, _) = NpyBytes(zip, "pcm_delta_lo", "|u1");
        int len = shape[1], clips = 8, gap = 8000;
        var pcm = new List<short>();
        uint seed = 1;
        for (int c = 0; c < clips; c++)
        {
            short s = 0;
            for (int i = 0; i < len; i++)
            {
                short d = (short)((hi[(long)c * len + i] << 8) | lo[(long)c * len + i]);
                s = unchecked((short)(s + d));
                pcm.Add(s);
            }
            for (int i = 0; i < gap; i++)
            {
                seed = seed * 1664525 + 1013904223;
                pcm.Add((short)((int)(seed >> 24) - 128));
            }
        }
        return pcm.ToArray();
    }

    private static (byte[] Data, int[] Shape) NpyBytes(ZipArchive zip, string name, string descr)
    {
        ZipArchiveEntry e = zip.GetEntry(name + ".npy") ?? throw new InvalidDataException(name + " missing");
        using var ms = new MemoryStream();
        using (Stream st = e.Open()) st.CopyTo(ms);
        byte[] b = ms.ToArray();
        int major = b[6];
        int headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        int start = (major == 1 ? 10 : 12) + headerLen;
        string header = Encoding.ASCII.GetString(b, major == 1 ? 10 : 12, headerLen);
        Assert.Contains($"'descr': '{descr}'", header);
        string dims = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        dims = dims[..dims.IndexOf(')')];
        int[] shape = dims.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (b[start..], shape);
    }

    private string Wav(short[] pcm, int rate = 16000, string name = "stream.wav")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, WavReader.Encode(pcm, rate));
        return path;
    }

    private SimulationReport Simulate(string? profile = null, string? policy = null) =>
        SimulateCommand.Simulate(new FileInfo(KeywordModel), new FileInfo(Wav(Pcm.Value)), profile == null ? null : new FileInfo(profile),
            null, null, policy, null, 10);

    [Fact]
    public void Measured_costs_do_not_keep_up_at_either_end_and_samples_are_lost()
    {
        SimulationReport r = Simulate();
        Assert.NotNull(r.Keyword);
        Assert.Equal(KeywordSimulator.HopUs, r.SamplePeriodUs);
        Assert.Equal(1 + (Pcm.Value.Length - 480) / 320, r.Samples);
        Assert.Equal(["fast", "slow"], r.Ends.Select(e => e.End));
        Assert.Contains("models/keyword/model.skrn", r.CostBasis);
        Assert.Contains("gru", r.Keyword!.PlainGruSource);
        foreach (SpeedEnd e in r.Ends)
        {
            VariantResult skip = e.Variants.Single(v => v.Variant == SimVariant.SkipGru);
            // An updated frame (features + 20,800-MAC update) costs far more than the 20 ms hop on the interpreter.
            Assert.True(skip.UpdateUs > 3 * KeywordSimulator.HopUs, $"{e.End}: {skip.UpdateUs} µs per updated frame");
            Assert.False(skip.RealTime.EveryStepFitsPeriod);
            Assert.True(skip.RealTime.SamplesLost > 0, $"{e.End}: no sample lost");
            Assert.False(skip.RealTime.KeptUp);
            Assert.Equal(skip.RealTime.FifoCapacity, skip.RealTime.FifoHighWater);
            // Fallen behind, the loop misses the frames whose windows were overwritten and resumes on the oldest whole one.
            Assert.True(skip.Keyword!.LateSamples > 0 && skip.Keyword.MissedFrames > 0);
            // Every computed frame on its own window, except at the very end: the virtual microphone stops capturing at the
            // recording's last sample while the loop's clock still counts samples lost.
            Assert.InRange(skip.Keyword.MisalignedFrames, 0, 1);
            Assert.True(skip.Keyword.Overflows > 0);
            foreach (VariantResult v in e.Variants)
            {
                Assert.False(v.RealTime.KeptUp, $"{e.End} {v.Variant} kept up");
                DeviceProfile p = DeviceProfile.Default();
                Assert.InRange(v.Energy.AverageMa, p.LightSleepMa + p.MicStandbyMa, p.CpuBusyMa + p.MicActiveMa);
                // The microphone's share of the current is its clocked/standby currents weighted by time.
                Assert.Equal(r.Keyword.MicActiveMa * v.Keyword!.MicOnShare + r.Keyword.MicStandbyMa * (1 - v.Keyword.MicOnShare), v.Energy.SensorAverageMa, 6);
            }
        }
        // The slow end is slower.
        Assert.True(r.Ends[1].Variants[0].UpdateUs > r.Ends[0].Variants[0].UpdateUs);
    }

    [Fact]
    public void The_native_profile_charges_the_native_frame_keeps_up_and_hears_the_same_words()
    {
        string profile = Path.Combine(Root, "firmware", "profiles", "esp32-240mhz-native.json");
        DeviceProfile p = DeviceProfile.Load(profile);
        DeviceProfile.NativePathCosts n = p.Native!;
        SimulationReport r = Simulate(profile);
        Assert.Contains("native path", r.CostBasis);
        SimulationReport reference = RunFast(MicPolicy.SleepThroughSpans);   // an interpreter fast enough to lose nothing
        foreach (SpeedEnd e in r.Ends)
        {
            double c = e.End == "fast" ? n.CCyclesPerX86Fast : n.CCyclesPerX86Slow;
            VariantResult skip = e.Variants.Single(v => v.Variant == SimVariant.SkipGru);
            // One computed frame: the interpreter's glue at the profile's interpreter speed + the C share at the C speed.
            Assert.Equal(Math.Round(n.FrameInterpreterX86 * e.CyclesPerX86 / p.CpuClockMhz + (n.FeaturesCX86 + n.UpdateCX86) * c / p.CpuClockMhz),
                skip.UpdateUs, 0);
            Assert.True(skip.RealTime.KeptUp, $"{e.End}: lost {skip.RealTime.SamplesLost}");
            Assert.Equal(0, skip.RealTime.SamplesLost);
            // Nothing lost: the same events as on a board that is never late.
            VariantResult fast = reference.Ends[0].Variants.Single(v => v.Variant == SimVariant.SkipGru);
            Assert.Equal(fast.Keyword!.Events.Select(x => (x.Frame, x.Class, x.Confidence)),
                skip.Keyword!.Events.Select(x => (x.Frame, x.Class, x.Confidence)));
        }
    }

    private static (SkipGruModel Model, byte[] File) Read(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        return (ModelReader.Read(b), b);
    }

    /// <summary>A hypothetical interpreter 100-300× faster than nanoCLR's measured range.</summary>
    private static DeviceProfile Fast() => DeviceProfile.Default() with { CyclesPerX86Fast = 0.01, CyclesPerX86Slow = 0.03 };

    private static SimulationReport RunFast(MicPolicy policy)
    {
        var (m, f) = Read(KeywordModel);
        var (g, gf) = Read(KeywordGru);
        return KeywordSimulator.Run("model.skrn", m, f, (g, gf, KeywordGru), new PcmArray(Pcm.Value), "test", Fast(), InterpreterCosts.BuiltIn(), policy, null);
    }

    [Theory]
    [InlineData(MicPolicy.KeepClocked)]
    [InlineData(MicPolicy.SleepThroughSpans)]
    public void A_fast_enough_interpreter_keeps_up_and_the_events_are_the_keyword_loops(MicPolicy policy)
    {
        SimulationReport r = RunFast(policy);
        long frames = r.Samples;
        // The device loop on the same PCM, as the board tests run it (cheap frames, its own defaults).
        var board = new KeywordBoard(Pcm.Value, new AudioBoardParameters { UpdateMicros = 500 });
        KeywordLoop? loop = board.RunStream(File.ReadAllBytes(KeywordModel), board.DefaultSettings());
        Assert.NotNull(loop);
        var want = board.Sink.Events.Select(e => (e.SampleIndex, e.Class, e.Confidence)).ToList();
        Assert.NotEmpty(want);
        foreach (SpeedEnd e in r.Ends)
        {
            foreach (VariantResult v in e.Variants)
            {
                Assert.True(v.RealTime.KeptUp, $"{e.End} {v.Variant}: lost {v.RealTime.SamplesLost}");
                Assert.Equal(0, v.RealTime.SamplesLost);
                Assert.Equal(0, v.Keyword!.LateSamples);
                Assert.Equal(0, v.Keyword.MisalignedFrames);
                Assert.Equal(frames, v.Updates + v.SkippedSamples);
                Assert.Equal(frames, v.Keyword.FramesReached);
                Assert.Equal(v.Updates, v.Keyword.FeatureFrames);
            }
            VariantResult skip = e.Variants.Single(v => v.Variant == SimVariant.SkipGru);
            Assert.Equal(want, skip.Keyword!.Events.Select(k => (k.Frame, k.Class, k.Confidence)).ToList());
            Assert.Equal(loop!.Counters.Updates, skip.Updates);
            Assert.True(skip.SkippedSamples > 0);
            // Never skipping: every frame's features and update.
            VariantResult never = e.Variants.Single(v => v.Variant == SimVariant.NeverSkip);
            Assert.Equal(frames, never.Updates);
            Assert.Equal(0, never.SkippedSamples);
            Assert.Equal(1.0, never.UpdatedShare);
            VariantResult gru = e.Variants.Single(v => v.Variant == SimVariant.PlainGru);
            Assert.Equal(frames, gru.Updates);
            // Skipping saves CPU time, hence current, against computing every frame.
            Assert.True(skip.Energy.CpuDuty < never.Energy.CpuDuty);
            Assert.True(skip.Energy.AverageMa < never.Energy.AverageMa);
        }
        if (policy == MicPolicy.KeepClocked)
            Assert.All(r.Ends.SelectMany(e => e.Variants), v => Assert.Equal(1.0, v.Keyword!.MicOnShare, 3));
    }

    [Fact]
    public void A_wav_read_as_a_stream_gives_the_report_of_the_same_samples_in_memory()
    {
        // The measured costs: samples lost, frames missed, the loop resuming on whole windows: every read of the
        // virtual microphone matters. The wav (12 s) spans three of the stream's blocks.
        Assert.True(Pcm.Value.Length > 2 * WavStream.BlockSamples);
        string wav = Wav(Pcm.Value);
        SimulationReport streamed = SimulateCommand.Simulate(new FileInfo(KeywordModel), new FileInfo(wav), null, null, null, null, null, 10);
        var (m, f) = Read(KeywordModel);
        var (g, gf) = Read(KeywordGru);
        SimulationReport held = KeywordSimulator.Run("model.skrn", m, f, (g, gf, KeywordGru), new PcmArray(Pcm.Value),
            $"stream.wav: {Pcm.Value.Length / 16000.0 / 60:F1} min of 16 kHz PCM", DeviceProfile.Default(), InterpreterCosts.BuiltIn(),
            MicPolicy.SleepThroughSpans, null);
        Assert.True(streamed.Ends[0].Variants[0].RealTime.SamplesLost > 0);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(held), System.Text.Json.JsonSerializer.Serialize(streamed));
    }

    [Fact]
    public void The_plain_gru_is_the_shipped_gru_file_with_its_own_measured_update()
    {
        var costs = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "firmware", "profiles", "nanoclr-costs.json")))!;
        JsonNode gru = costs["models"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == "keyword-gru")!;
        JsonNode audio = costs["audio"]!;
        DeviceProfile p = Fast();
        SimulationReport r = RunFast(MicPolicy.KeepClocked);
        VariantResult v = r.Ends[0].Variants.Single(x => x.Variant == SimVariant.PlainGru);
        double x86 = gru["update"]!.GetValue<long>() + audio["frame_computed"]!.GetValue<long>();
        Assert.Equal(Math.Round(x86 * p.CyclesPerX86Fast / p.CpuClockMhz), v.UpdateUs);
    }

    public static TheoryData<string> BadWavs => new() { "stereo", "8khz" };

    [Theory]
    [MemberData(nameof(BadWavs))]
    public void A_stereo_or_8_khz_wav_is_refused_naming_the_file(string kind)
    {
        short[] pcm = Pcm.Value[..16000];
        byte[] bytes = WavReader.Encode(pcm, kind == "8khz" ? 8000 : 16000);
        if (kind == "stereo") BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 2);
        string path = Path.Combine(_dir, kind + ".wav");
        File.WriteAllBytes(path, bytes);
        Exception ex = Assert.ThrowsAny<Exception>(() =>
            SimulateCommand.Simulate(new FileInfo(KeywordModel), new FileInfo(path), null, null, null, null, null, 10));
        Assert.Contains(path, ex.Message);
        Assert.Contains(kind == "8khz" ? "8000" : "channels", ex.Message);
    }

    [Fact]
    public void A_sensor_model_on_a_wav_and_a_keyword_model_on_an_npz_are_refused_naming_the_file()
    {
        string wav = Wav(Pcm.Value[..16000]);
        Exception a = Assert.ThrowsAny<Exception>(() =>
            SimulateCommand.Simulate(new FileInfo(Path.Combine(Root, "models", "motion", "model.skrn")), new FileInfo(wav), null, null, null, null, null, 10));
        Assert.Contains("no audio front end", a.Message);
        Assert.Contains(Path.Combine("motion", "model.skrn"), a.Message);
        string npz = Path.Combine(Root, "models", "motion", "data", "hapt_test_users.npz");
        Exception b = Assert.ThrowsAny<Exception>(() =>
            SimulateCommand.Simulate(new FileInfo(KeywordModel), new FileInfo(npz), null, null, null, null, null, 10));
        Assert.Contains(npz, b.Message);
        Assert.Contains(".wav", b.Message);
    }

    [Fact]
    public void Json_and_plot_work_for_a_keyword_model()
    {
        string wav = Wav(Pcm.Value[..(16000 * 3)], name: "short.wav");
        string png = Path.Combine(_dir, "kw.png");
        var (code, stdout, _) = CliHarness.Run("simulate", KeywordModel, "--stream", wav, "--json", "--plot", png, "--plot-seconds", "2");
        Assert.Equal(0, code);
        JsonNode j = JsonNode.Parse(stdout)!;
        Assert.NotNull(j["keyword"] ?? j["Keyword"]);
        Assert.True(new FileInfo(png).Length > 1000);
    }
}
