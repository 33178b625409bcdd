using System.Buffers.Binary;
using SkipRnn.Converter.Audio;
using SkipRnn.Converter.Data;

namespace SkipRnn.Converter.Tests.Audio;

public class WavReaderTests
{
    private static readonly short[] Clip = Enumerable.Range(0, 1600).Select(i => (short)(i * 37 % 20000 - 10000)).ToArray();

    private static byte[] Good() => WavReader.Encode(Clip, 16000);

    private static byte[] With(Action<byte[]> edit, byte[]? start = null)
    {
        byte[] b = start ?? Good();
        edit(b);
        return b;
    }

    private static string Temp(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"skiprnn-wav-{Guid.NewGuid():N}.wav");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Reads_a_pcm16_mono_16k_file()
    {
        string path = Temp(Good());
        try
        {
            WavAudio a = WavReader.Read(path, 16000);
            Assert.Equal(Clip, a.Samples);
            Assert.Equal(16000, a.SampleRate);
            Assert.Equal(0.1, a.Seconds, 9);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Skips_unknown_chunks_with_odd_sizes()
    {
        // fmt, then a 3-byte LIST chunk (padded to 4), then data.
        byte[] g = Good();
        var b = new List<byte>();
        b.AddRange(g[..36]);
        b.AddRange("LIST"u8.ToArray()); b.AddRange(BitConverter.GetBytes(3u)); b.AddRange(new byte[] { 1, 2, 3, 0 });
        b.AddRange(g[36..]);
        byte[] file = b.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        Assert.Equal(Clip, WavReader.Parse(file, "x.wav", 16000).Samples);
    }

    public static IEnumerable<object[]> Bad()
    {
        yield return ["wrong sample rate", With(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), 44100)), "sampled at 44100 Hz; the front end needs 16000 Hz"];
        yield return ["stereo", With(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), 2)), "has 2 channels; the front end reads mono"];
        yield return ["8-bit", With(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), 8)), "has 8-bit samples"];
        yield return ["float", With(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), 3)), "32-bit float samples"];
        yield return ["a-law", With(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), 6)), "audio format 6, not PCM"];
        yield return ["truncated RIFF", Good()[..1000], "is truncated: the RIFF header declares 3244 bytes but the file has 1000"];
        yield return ["truncated data chunk", With(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 1000), Good()[..1008]), "chunk 'data': is truncated: it declares 3200 bytes but only 964 remain"];
        yield return ["header only", Good()[..10], "is truncated: 10 bytes, shorter than a RIFF/WAVE header"];
        yield return ["not RIFF", "hello, this is text and not audio at all"u8.ToArray(), "is not a wav file (no RIFF/WAVE header)"];
        yield return ["RIFF but not WAVE", With(b => b[8] = (byte)'A'), "is a RIFF file but not WAVE audio"];
        yield return ["no data chunk", With(b => b[36] = (byte)'D'), "has no data chunk"];
        yield return ["odd data size", With(b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), 3199); }), "not a whole number of 16-bit samples"];
        yield return ["empty data", With(b => { BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), 36); BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), 0); }, Good()[..44]), "holds no samples"];
        yield return ["short fmt chunk", With(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), 8)), "a PCM format chunk has at least 16"];
    }

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_audio_is_a_clear_error_naming_the_file(string what, byte[] file, string problem)
    {
        string path = Temp(file);
        try
        {
            var e = Assert.Throws<DataException>(() => WavReader.Read(path, 16000));
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(problem, e.Message);
            _ = what;
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void An_empty_file_a_folder_and_a_missing_file_are_named()
    {
        string path = Temp([]);
        try { Assert.Contains("the file is empty (0 bytes)", Assert.Throws<DataException>(() => WavReader.Read(path, 16000)).Message); }
        finally { File.Delete(path); }
        Assert.Contains("this is a folder", Assert.Throws<DataException>(() => WavReader.Read(Path.GetTempPath(), 16000)).Message);
        string missing = Path.Combine(Path.GetTempPath(), $"skiprnn-missing-{Guid.NewGuid():N}.wav");
        var m = Assert.Throws<DataException>(() => WavReader.Read(missing, 16000));
        Assert.StartsWith(missing, m.Message);
        Assert.Contains("does not exist", m.Message);
    }

    [Fact]
    public void Random_corruption_never_crashes()
    {
        var rng = new Random(11);
        byte[] good = Good();
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] b = (byte[])good.Clone();
            int n = rng.Next(1, 6);
            for (int i = 0; i < n; i++) b[rng.Next(0, 48)] = (byte)rng.Next(256);
            if (rng.Next(4) == 0) b = b[..rng.Next(0, b.Length)];
            try { WavReader.Parse(b, "fuzz.wav", 16000); }
            catch (DataException e) { Assert.StartsWith("fuzz.wav: ", e.Message); }
        }
    }
}
