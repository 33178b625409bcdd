using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Converter.Tests.Simulation;
using SkipRnn.Edge.Audio;

namespace SkipRnn.Converter.Tests.Audio;

/// <summary>
/// `skiprnn listen` and `skiprnn simulate` on a recording longer than memory should hold: a wav written to a temp
/// folder a block at a time (the 12-s stream of shipped test clips and hiss, repeated), each command run as a child
/// process under /usr/bin/time, its peak resident memory (max RSS) at most 200 MB. Loading the file whole, as the
/// tool once did, takes four bytes a sample (file bytes + samples): 230 MB of arrays for the default hour (the old
/// reader peaked at 309 MB on the 69.7-min test stream), 5.5 GB for 24 hours (refused by its 512 MiB cap).
/// SKIPRNN_LONG_WAV_HOURS sets the length (default 1, the CI case; 24 is the day-long case, run by hand: its figures are in
/// src/SkipRnn.Converter/README.md, "Input limits").
/// </summary>
public sealed class LongRecordingTests(ITestOutputHelper output) : IDisposable
{
    private const long MaxRssBytes = 200_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-long-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static double Hours =>
        double.TryParse(Environment.GetEnvironmentVariable("SKIPRNN_LONG_WAV_HOURS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double h) && h > 0
            ? h : 1;

    private static string KeywordModel => Path.Combine(CliHarness.RepoRoot(), "models", "keyword", "model.skrn");

    /// <summary>A PCM16 mono 16 kHz wav of <paramref name="samples"/> samples: <paramref name="period"/> over and over, written a block at a time.</summary>
    internal static void WriteRepeated(string path, short[] period, long samples)
    {
        long dataBytes = 2 * samples;
        if (dataBytes + 36 > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(samples), "more than a RIFF file holds");
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        byte[] header = SkipRnn.Converter.Audio.WavReader.Encode([], 16000);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + dataBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)dataBytes);
        f.Write(header);
        byte[] block = new byte[2 * period.Length];
        for (int i = 0; i < period.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(block.AsSpan(2 * i), period[i]);
        for (long left = dataBytes; left > 0; left -= block.Length) f.Write(block, 0, (int)Math.Min(block.Length, left));
    }

    /// <summary>Runs the tool as a child process under /usr/bin/time; its exit code, stdout and peak RSS in bytes.</summary>
    private static (int Code, string Out, long PeakRss, double Seconds) RunMeasured(string dir, params string[] args)
    {
        const string time = "/usr/bin/time";
        Assert.True(File.Exists(time), $"{time} is needed to measure the child's peak memory (Debian package 'time'; .ci/run installs it)");
        string report = Path.Combine(dir, $"time-{Guid.NewGuid():N}.txt");
        var start = new ProcessStartInfo(time) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-f", "%M %e", "-o", report, "dotnet", Path.Combine(AppContext.BaseDirectory, "SkipRnn.Converter.dll") }.Concat(args))
            start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{string.Join(' ', args)}: exit {p.ExitCode}: {err.Result}");
        string[] m = File.ReadAllLines(report).Last().Split(' ');
        return (p.ExitCode, stdout, long.Parse(m[0], CultureInfo.InvariantCulture) * 1024, double.Parse(m[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Listen_and_simulate_run_a_long_wav_in_bounded_memory()
    {
        short[] period = KeywordSimulateTests.Pcm.Value;
        long samples = (long)(Hours * 3600 * AudioFrontEnd.SampleRate);
        long frames = 1 + (samples - AudioFrontEnd.FrameLength) / AudioFrontEnd.HopLength;
        string wav = Path.Combine(_dir, "long.wav");
        WriteRepeated(wav, period, samples);
        Assert.Equal(44 + 2 * samples, new FileInfo(wav).Length);

        var listen = RunMeasured(_dir, "listen", KeywordModel, wav, "--json");
        using (JsonDocument j = JsonDocument.Parse(listen.Out))
        {
            JsonElement r = j.RootElement.GetProperty("Recording");
            Assert.Equal(frames, r.GetProperty("Frames").GetInt64());
            Assert.Equal(samples / (double)AudioFrontEnd.SampleRate, r.GetProperty("Seconds").GetDouble(), 6);
            // the words of the repeated clips are heard all the way through: events in the last tenth of the file too
            JsonElement[] events = r.GetProperty("Events").EnumerateArray().ToArray();
            Assert.NotEmpty(events);
            Assert.True(events[^1].GetProperty("Seconds").GetDouble() > 0.9 * Hours * 3600, "no event in the last tenth");
        }
        output.WriteLine($"listen, {Hours} h ({new FileInfo(wav).Length:N0} bytes): peak RSS {listen.PeakRss / 1e6:F1} MB, {listen.Seconds:F0} s");
        Assert.True(listen.PeakRss <= MaxRssBytes, $"listen on {Hours} h: peak RSS {listen.PeakRss:N0} bytes > {MaxRssBytes:N0}");

        var sim = RunMeasured(_dir, "simulate", KeywordModel, "--stream", wav, "--json");
        using (JsonDocument j = JsonDocument.Parse(sim.Out))
        {
            JsonElement r = j.RootElement;
            Assert.Equal(frames, r.GetProperty("Samples").GetInt64());
            Assert.Equal(samples, r.GetProperty("Keyword").GetProperty("PcmSamples").GetInt64());
            foreach (JsonElement end in r.GetProperty("Ends").EnumerateArray())
                foreach (JsonElement v in end.GetProperty("Variants").EnumerateArray())
                {
                    // every run played the file to its end
                    long reached = v.GetProperty("Keyword").GetProperty("FramesReached").GetInt64();
                    Assert.True(reached == frames, $"{end.GetProperty("End")} {v.GetProperty("Variant")}: reached frame {reached} of {frames}");
                }
        }
        output.WriteLine($"simulate, {Hours} h: peak RSS {sim.PeakRss / 1e6:F1} MB, {sim.Seconds:F0} s");
        Assert.True(sim.PeakRss <= MaxRssBytes, $"simulate on {Hours} h: peak RSS {sim.PeakRss:N0} bytes > {MaxRssBytes:N0}");
    }
}
