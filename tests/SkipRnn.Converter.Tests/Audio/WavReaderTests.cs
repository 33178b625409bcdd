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

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_audio_opened_as_a_stream_is_the_same_error(string what, byte[] file, string problem)
    {
        string path = Temp(file);
        try
        {
            var e = Assert.Throws<DataException>(() => WavReader.Open(path, 16000).Dispose());
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(problem, e.Message);
            _ = what;
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_stream_gives_the_samples_read_whole_across_its_blocks_in_any_order()
    {
        // 2.5 blocks, with a LIST chunk before the data so the data starts at an odd place in the file.
        short[] pcm = Enumerable.Range(0, WavStream.BlockSamples * 5 / 2 + 7).Select(i => (short)(i * 7919 % 65536 - 32768)).ToArray();
        byte[] g = WavReader.Encode(pcm, 16000);
        var b = new List<byte>();
        b.AddRange(g[..36]);
        b.AddRange("LIST"u8.ToArray()); b.AddRange(BitConverter.GetBytes(5u)); b.AddRange(new byte[] { 1, 2, 3, 4, 5, 0 });
        b.AddRange(g[36..]);
        byte[] file = b.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));
        string path = Temp(file);
        try
        {
            Assert.Equal(pcm, WavReader.Read(path, 16000).Samples);
            using WavStream s = WavReader.Open(path, 16000);
            Assert.Equal(pcm.LongLength, s.Length);
            Assert.Equal(16000, s.SampleRate);
            for (long i = 0; i < s.Length; i++)
                if (s[i] != pcm[i]) Assert.Fail($"sample {i}: {s[i]} != {pcm[i]}");
            var hop = new short[320];
            for (long pos = 0; pos < s.Length; pos += 320)
            {
                int n = (int)Math.Min(320, s.Length - pos);
                s.CopyTo(pos, hop, 0, n);
                Assert.True(hop.AsSpan(0, n).SequenceEqual(pcm.AsSpan((int)pos, n)), $"hop at {pos}");
            }
            Assert.Equal(pcm[5], s[5]);                 // back to the first block
            Assert.Equal(pcm[^1], s[s.Length - 1]);
            Assert.Throws<ArgumentOutOfRangeException>(() => s[s.Length]);
            Assert.Throws<ArgumentOutOfRangeException>(() => s.CopyTo(s.Length - 10, hop, 0, 11));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_file_shortened_after_it_was_opened_is_an_error_naming_it()
    {
        short[] pcm = new short[WavStream.BlockSamples * 3];
        string path = Temp(WavReader.Encode(pcm, 16000));
        try
        {
            using WavStream s = WavReader.Open(path, 16000);
            Assert.Equal(0, s[0]);
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) f.SetLength(44 + 2 * (WavStream.BlockSamples + 100));
            var e = Assert.Throws<DataException>(() => s[WavStream.BlockSamples * 2]);
            Assert.StartsWith(path + ": chunk 'data': is truncated", e.Message);
            Assert.Contains("the file ended after", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_clip_read_whole_has_a_size_limit_that_names_the_stream_reading()
    {
        string path = Temp(Good());
        try
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Write)) f.SetLength(WavReader.MaxFileBytes + 2);   // sparse
            var e = Assert.Throws<DataException>(() => WavReader.Read(path, 16000));
            Assert.StartsWith(path + ": the file is", e.Message);
            Assert.Contains("read one long recording as a stream", e.Message);
            using WavStream s = WavReader.Open(path, 16000);    // the header still says 1,600 samples: that is what it holds
            Assert.Equal(Clip.LongLength, s.Length);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void An_empty_file_a_folder_and_a_missing_file_are_named()
    {
        string path = Temp([]);
        try
        {
            Assert.Contains("the file is empty (0 bytes)", Assert.Throws<DataException>(() => WavReader.Read(path, 16000)).Message);
            Assert.Contains("the file is empty (0 bytes)", Assert.Throws<DataException>(() => WavReader.Open(path, 16000)).Message);
        }
        finally { File.Delete(path); }
        Assert.Contains("this is a folder", Assert.Throws<DataException>(() => WavReader.Read(Path.GetTempPath(), 16000)).Message);
        Assert.Contains("this is a folder", Assert.Throws<DataException>(() => WavReader.Open(Path.GetTempPath(), 16000)).Message);
        string missing = Path.Combine(Path.GetTempPath(), $"skiprnn-missing-{Guid.NewGuid():N}.wav");
        foreach (Func<string, int, object> read in new Func<string, int, object>[] { WavReader.Read, WavReader.Open })
        {
            var m = Assert.Throws<DataException>(() => read(missing, 16000));
            Assert.StartsWith(missing, m.Message);
            Assert.Contains("does not exist", m.Message);
        }
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
