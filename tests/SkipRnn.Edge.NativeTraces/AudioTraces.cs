using SkipRnn.Converter.Audio;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.NativeTraces;

/// <summary>
/// What the native audio front end must reproduce (firmware/native/tests/trace_format.md): the managed
/// <see cref="LogMelPipeline"/>'s window shift, power shift, band energies and 40 features for frames of random PCM at
/// every loudness, the real clips of tests/fixtures/audio, silence, DC, full-scale square waves and clipped tones;
/// and the front end's constant tables as the managed runtime holds them.
/// </summary>
internal static class AudioTraces
{
    /// <summary>Writes OUTDIR/audio_&lt;case&gt;.trace files and OUTDIR/audio_tables.bin; returns the frame count.</summary>
    public static int Write(string outDir, string repo)
    {
        int frames = 0;
        var rng = new Random(2323);

        // Random PCM at every loudness: uniform in ±2^b for b = 0..15 (the window's shift r runs from −28 to 17),
        // plus full-range uniform values (−32768 included).
        var random = new List<short[]>();
        for (int b = 0; b <= 15; b++)
            for (int i = 0; i < 12; i++) random.Add(Frame(n => (short)rng.Next(-(1 << b), 1 << b)));
        for (int i = 0; i < 40; i++) random.Add(Frame(n => (short)rng.Next(short.MinValue, short.MaxValue + 1)));
        // Sparse frames: one or a few non-zero samples, anywhere (the window's zeros at n = 0 included).
        for (int i = 0; i < 40; i++)
        {
            var f = new short[LogMelPipeline.FrameLength];
            int k = 1 + rng.Next(3);
            for (int j = 0; j < k; j++) f[rng.Next(f.Length)] = (short)rng.Next(short.MinValue, short.MaxValue + 1);
            random.Add(f);
        }
        // Quiet samples only where the window is small (its first and last few): max |x·w| < 2^29, so the window
        // scales up (r ≤ 0, down to −28 for a single 1 at n = 1).
        for (int i = 0; i < 40; i++)
        {
            int edge = 1 + rng.Next(12), amplitude = 1 << rng.Next(12);
            random.Add(Frame(n => n < edge || n > LogMelPipeline.FrameLength - 1 - edge ? (short)rng.Next(-amplitude, amplitude + 1) : (short)0));
        }
        frames += WriteCase(Path.Combine(outDir, "audio_random.trace"), random);

        // The real clips, every frame at the hop, as the keyword loop computes them.
        var clips = new List<short[]>();
        foreach (string wav in Directory.GetFiles(Path.Combine(repo, "tests", "fixtures", "audio", "speech"), "*.wav").Order())
        {
            short[] pcm = WavReader.Read(wav, AudioFrontEnd.SampleRate).Samples;
            for (int s = 0; s + LogMelPipeline.FrameLength <= pcm.Length; s += AudioFrontEnd.HopLength)
                clips.Add(pcm.AsSpan(s, LogMelPipeline.FrameLength).ToArray());
        }
        if (clips.Count < 100) throw new InvalidOperationException($"only {clips.Count} frames in tests/fixtures/audio/speech");
        frames += WriteCase(Path.Combine(outDir, "audio_clips.trace"), clips);

        // Edges: silence, a single LSB, DC at every level that matters, full-scale square waves of many periods
        // (the largest spectra the format allows), clipped tones and a clipped chirp.
        var edges = new List<short[]>
        {
            Frame(n => 0), Frame(n => n == 200 ? (short)1 : (short)0), Frame(n => n == 0 ? short.MinValue : (short)0),
            Frame(n => n == 479 ? short.MaxValue : (short)0),
        };
        foreach (short dc in new short[] { 1, -1, 2, 100, -100, 12345, short.MaxValue, short.MinValue, -32767 })
            edges.Add(Frame(n => dc));
        foreach (int period in new[] { 2, 3, 4, 5, 8, 16, 20, 32, 50, 64, 100, 128, 160, 256, 480, 960 })
            for (int phase = 0; phase < 2; phase++)
                edges.Add(Frame(n => ((n + phase * period / 2) / Math.Max(1, period / 2)) % 2 == 0 ? short.MaxValue : short.MinValue));
        edges.Add(Frame(n => n % 2 == 0 ? short.MinValue : short.MinValue));
        foreach (double gain in new[] { 1.0, 1.5, 4.0, 30.0, 1000.0 })
            foreach (double hz in new[] { 100.0, 997.0, 4000.0, 7999.0 })
                edges.Add(Frame(n => Clip(gain * 32767 * Math.Sin(2 * Math.PI * hz * n / AudioFrontEnd.SampleRate))));
        edges.Add(Frame(n => Clip(8 * 32767 * Math.Sin(2 * Math.PI * (50 + 8 * n) * n / AudioFrontEnd.SampleRate))));
        frames += WriteCase(Path.Combine(outDir, "audio_edges.trace"), edges);

        WriteKeyword(Path.Combine(outDir, "audio_keyword.trace"), File.ReadAllBytes(Path.Combine(repo, "models", "keyword", "model.skrn")),
            clips.Concat(edges).ToList());
        WriteTables(Path.Combine(outDir, "audio_tables.bin"));
        WriteLogCases(Path.Combine(outDir, "audio_log.bin"), rng);
        return frames;
    }

    private static short[] Frame(Func<int, short> sample)
    {
        var f = new short[LogMelPipeline.FrameLength];
        for (int n = 0; n < f.Length; n++) f[n] = sample(n);
        return f;
    }

    private static short Clip(double v) => (short)Math.Clamp(Math.Round(v), short.MinValue, short.MaxValue);

    // "SKAF", i32 frames, per frame: 480 × i16 PCM, i32 shift, i32 power shift, 40 × i64 energy, 40 × i32 features.
    private static int WriteCase(string path, List<short[]> frames)
    {
        var pipeline = new LogMelPipeline();
        var features = new int[LogMelPipeline.Bands];
        using var w = new BinaryWriter(File.Create(path));
        w.Write("SKAF"u8);
        w.Write(frames.Count);
        foreach (short[] f in frames)
        {
            pipeline.Compute(f, 0, features, 0);
            foreach (short s in f) w.Write(s);
            w.Write(pipeline.Shift);
            w.Write(pipeline.Shift == int.MinValue ? 0 : pipeline.PowerShift);   // a silent frame leaves it unset
            foreach (long e in pipeline.Energy) w.Write(e);
            foreach (int v in features) w.Write(v);
        }
        return frames.Count;
    }

    // The shipped keyword model updating on every frame (its skip count spent first: an update does not depend on ũ),
    // as the interop's Frame call must reproduce it: "SKAK", i32 model length, the model file, i32 frames, then per
    // frame 480 × i16 PCM, 40 × i32 features, i32 Δũ, i32 clamped inputs, O × i32 outputs, H × i16 layer-0 state.
    private static void WriteKeyword(string path, byte[] file, List<short[]> frames)
    {
        SkipGruModel model = ModelReader.Read(file);
        if (model.InputSize != LogMelPipeline.Bands || model.Layers.Length != 1)
            throw new InvalidOperationException("models/keyword is expected to read 40 features in one layer");
        var rnn = new SkipGru(model);
        var pipeline = new LogMelPipeline();
        var features = new int[LogMelPipeline.Bands];
        var state = new short[model.HiddenSize];
        using var w = new BinaryWriter(File.Create(path));
        w.Write("SKAK"u8);
        w.Write(file.Length);
        w.Write(file);
        w.Write(frames.Count);
        foreach (short[] f in frames)
        {
            pipeline.Compute(f, 0, features, 0);
            rnn.Skip(rnn.StepsToSkip);
            long clampedBefore = rnn.Counters.ClampedInputs;
            if (!rnn.Step(features)) throw new InvalidOperationException("expected an update");
            foreach (short s in f) w.Write(s);
            foreach (int v in features) w.Write(v);
            w.Write(rnn.Increment);
            w.Write((int)(rnn.Counters.ClampedInputs - clampedBefore));
            for (int o = 0; o < model.OutputSize; o++) w.Write(rnn.GetOutput(o));
            rnn.CopyState(0, state);
            foreach (short s in state) w.Write(s);
        }
    }

    // "SKAL", i32 count, per case: i64 energy, i32 exponent, i32 LogEnergy.Compute: every top bit, random mantissas,
    // the whole exponent range the function accepts (wider than the pipeline's 33..143), and the floor's crossing.
    private static void WriteLogCases(string path, Random rng)
    {
        var cases = new List<(long Energy, int Exponent)> { (0, 50), (-1, 50), (long.MinValue, 0), (long.MaxValue, -64), (long.MaxValue, 160), (1, 160), (1, -64) };
        for (int b = 0; b < 63; b++)
            for (int i = 0; i < 24; i++)
            {
                long e = (1L << b) | (b == 0 ? 0 : rng.NextInt64(1L << b));
                cases.Add((e, rng.Next(-64, 161)));
            }
        for (int i = 0; i < 4000; i++) cases.Add((rng.NextInt64(1, long.MaxValue) >> rng.Next(63), rng.Next(-64, 161)));
        using var w = new BinaryWriter(File.Create(path));
        w.Write("SKAL"u8);
        w.Write(cases.Count);
        foreach (var (e, x) in cases)
        {
            w.Write(e);
            w.Write(x);
            w.Write(LogEnergy.Compute(e, x));
        }
    }

    // "SKAT", i32 tables, per table: u8 name length, name, i32 count, count × i64.
    private static void WriteTables(string path)
    {
        var tables = new (string Name, long[] Values)[]
        {
            ("HannQ30", AudioTables.HannQ30.Select(v => (long)v).ToArray()),
            ("FftCosQ30", AudioTables.FftCosQ30.Select(v => (long)v).ToArray()),
            ("FftSinQ30", AudioTables.FftSinQ30.Select(v => (long)v).ToArray()),
            ("SplitCosQ30", AudioTables.SplitCosQ30.Select(v => (long)v).ToArray()),
            ("SplitSinQ30", AudioTables.SplitSinQ30.Select(v => (long)v).ToArray()),
            ("BitReverse8", AudioTables.BitReverse8.Select(v => (long)v).ToArray()),
            ("MelStart", AudioTables.MelStart.Select(v => (long)v).ToArray()),
            ("MelCount", AudioTables.MelCount.Select(v => (long)v).ToArray()),
            ("MelWeightsQ15", AudioTables.MelWeightsQ15.Select(v => (long)v).ToArray()),
            ("LnMantissaQ15", AudioTables.LnMantissaQ15.Select(v => (long)v).ToArray()),
            ("SoftplusQ15", AudioTables.SoftplusQ15.Select(v => (long)v).ToArray()),
        };
        using var w = new BinaryWriter(File.Create(path));
        w.Write("SKAT"u8);
        w.Write(tables.Length);
        foreach (var (name, values) in tables)
        {
            w.Write((byte)name.Length);
            w.Write(System.Text.Encoding.ASCII.GetBytes(name));
            w.Write(values.Length);
            foreach (long v in values) w.Write(v);
        }
    }
}
