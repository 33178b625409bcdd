using System.Buffers.Binary;
using SkipRnn.Converter.Data;

namespace SkipRnn.Converter.Audio;

/// <summary>A wav file's samples: 16-bit PCM, one channel.</summary>
public sealed record WavAudio(string Path, int SampleRate, short[] Samples)
{
    public double Seconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// Reads RIFF/WAVE files for the keyword front end: PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with the PCM
/// subformat), 16 bits, one channel, at the rate the caller requires (16 kHz). Hardened like the other readers: every
/// declared chunk size is checked against what the file holds before any sample is read, and any other file (another
/// rate, stereo, 8-bit, float, a truncated RIFF, an empty file, not RIFF at all) is a <see cref="DataException"/> that
/// names the file and the problem, with the fix where there is one. A clip is read whole (<see cref="Read"/>, at most
/// <see cref="MaxFileBytes"/>); a long recording is opened as a stream (<see cref="Open"/>) of any length a RIFF file
/// can have, read a block at a time.
/// </summary>
public static class WavReader
{
    /// <summary>Largest file <see cref="Read"/> loads whole: 512 MiB, over 4 hours at 16 kHz (<see cref="Open"/> has no such limit).</summary>
    public const long MaxFileBytes = 512L << 20;

    private const string Convert = "convert it first, e.g. sox IN -r 16000 -c 1 -b 16 -e signed-integer OUT.wav";

    /// <summary>Where a file's samples are: its data chunk, checked against the file and the format.</summary>
    internal readonly record struct DataChunk(long Offset, long Bytes, int SampleRate)
    {
        public long Samples => Bytes / 2;
    }

    /// <summary>A clip, read whole.</summary>
    public static WavAudio Read(string path, int requiredSampleRate)
    {
        using FileStream file = OpenFile(path);
        if (file.Length > MaxFileBytes)
            throw new DataException(path, null,
                $"the file is {file.Length} bytes, more than the {MaxFileBytes} a clip may have here (listen and simulate read one long recording as a stream, at any length).");
        try
        {
            DataChunk data = Header(file, file.Length, path, requiredSampleRate);
            var samples = new short[data.Samples];
            ReadSamples(file, data, 0, samples, 0, samples.Length, path);
            return new WavAudio(path, data.SampleRate, samples);
        }
        catch (IOException ex)
        {
            throw new DataException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    /// <summary>A long recording as a stream: the header is checked now, the samples are read as they are asked for.</summary>
    public static WavStream Open(string path, int requiredSampleRate)
    {
        FileStream file = OpenFile(path);
        try
        {
            return new WavStream(path, file, Header(file, file.Length, path, requiredSampleRate));
        }
        catch (IOException ex)
        {
            file.Dispose();
            throw new DataException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            if (Directory.Exists(path)) throw new DataException(path, null, "this is a folder, not a wav file.");
            var info = new FileInfo(path);
            if (!info.Exists) throw new DataException(path, null, "the wav file does not exist.");
            if (info.Length == 0) throw new DataException(path, null, "the file is empty (0 bytes).");
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException(path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
    }

    public static WavAudio Parse(byte[] file, string source, int requiredSampleRate)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var stream = new MemoryStream(file, writable: false);
        DataChunk data = Header(stream, file.Length, source, requiredSampleRate);
        var samples = new short[data.Samples];
        ReadSamples(stream, data, 0, samples, 0, samples.Length, source);
        return new WavAudio(source, data.SampleRate, samples);
    }

    /// <summary>Walks the chunks up to the data chunk (reading only the format chunk) and checks every size on the way.</summary>
    private static DataChunk Header(Stream file, long length, string source, int requiredSampleRate)
    {
        if (length == 0) throw new DataException(source, null, "the file is empty (0 bytes).");
        Span<byte> head = stackalloc byte[40];
        int got = ReadAt(file, 0, head[..(int)Math.Min(12, length)]);
        if (got >= 4 && got < 12 && Tag(head, 0, "RIFF"))
            throw new DataException(source, null, $"is truncated: {length} bytes, shorter than a RIFF/WAVE header (12).");
        if (got < 12 || !Tag(head, 0, "RIFF") || !Tag(head, 8, "WAVE"))
            throw new DataException(source, null, got >= 4 && Tag(head, 0, "RIFF")
                ? "is a RIFF file but not WAVE audio."
                : "is not a wav file (no RIFF/WAVE header).");
        long riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        if (riffEnd > length)
            throw new DataException(source, null,
                $"is truncated: the RIFF header declares {riffEnd} bytes but the file has {length}.");

        int channels = 0, rate = 0, bits = 0, format = 0;
        bool haveFormat = false;
        long pos = 12;
        while (pos + 8 <= riffEnd)
        {
            ReadAt(file, pos, head[..8]);
            string id = System.Text.Encoding.ASCII.GetString(head[..4]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            long body = pos + 8;
            if (body + size > riffEnd)
                throw new DataException(source, $"chunk '{Printable(id)}'",
                    $"is truncated: it declares {size} bytes but only {riffEnd - body} remain.");
            if (id == "fmt ")
            {
                if (size < 16) throw new DataException(source, "chunk 'fmt '", $"has {size} bytes; a PCM format chunk has at least 16.");
                Span<byte> f = head[..(int)Math.Min(size, 40)];
                ReadAt(file, body, f);
                format = BinaryPrimitives.ReadUInt16LittleEndian(f);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
                rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(f[4..]));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
                if (format == 0xFFFE && size >= 40)
                    format = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]);   // the subformat GUID's first two bytes
                haveFormat = true;
            }
            else if (id == "data")
            {
                if (!haveFormat) throw new DataException(source, null, "has its data chunk before the format chunk.");
                CheckFormat(source, format, channels, rate, bits, requiredSampleRate);
                if (size % 2 != 0)
                    throw new DataException(source, "chunk 'data'", $"has {size} bytes, not a whole number of 16-bit samples.");
                if (size == 0) throw new DataException(source, "chunk 'data'", "holds no samples.");
                return new DataChunk(body, size, rate);
            }
            pos = body + size + (size & 1);     // chunks are padded to an even length
        }
        throw new DataException(source, null, haveFormat ? "has no data chunk." : "has no format chunk.");
    }

    // Fills buffer from the stream at offset; the caller has checked that the bytes exist, so fewer is a file that
    // changed under the reader (returned as the count for the header's first read only).
    private static int ReadAt(Stream file, long offset, Span<byte> buffer)
    {
        file.Position = offset;
        return file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    }

    /// <summary>
    /// Samples [first, first + count) of the data chunk into dst[offset..]. A file that ends before them (shortened
    /// after its header was read) is an error naming it.
    /// </summary>
    internal static void ReadSamples(Stream file, DataChunk data, long first, short[] dst, int offset, int count, string source)
    {
        if (first < 0 || count < 0 || first + count > data.Samples) throw new ArgumentOutOfRangeException(nameof(count));
        Span<byte> bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(dst.AsSpan(offset, count));
        int got = ReadAt(file, data.Offset + 2 * first, bytes);
        if (got < bytes.Length)
            throw new DataException(source, "chunk 'data'",
                $"is truncated: it declares {data.Bytes} bytes but the file ended after {2 * first + got} of them (was it shortened while being read?).");
        if (!BitConverter.IsLittleEndian)
            for (int i = offset; i < offset + count; i++) dst[i] = BinaryPrimitives.ReverseEndianness(dst[i]);
    }

    private static void CheckFormat(string source, int format, int channels, int rate, int bits, int requiredRate)
    {
        if (format == 3) throw new DataException(source, null, $"holds 32-bit float samples; the front end reads 16-bit PCM: {Convert}.");
        if (format != 1) throw new DataException(source, null, $"has audio format {format}, not PCM (1): {Convert}.");
        if (channels != 1) throw new DataException(source, null, $"has {channels} channels; the front end reads mono: {Convert}.");
        if (bits != 16) throw new DataException(source, null, $"has {bits}-bit samples; the front end reads 16-bit: {Convert}.");
        if (rate != requiredRate)
            throw new DataException(source, null, $"is sampled at {rate} Hz; the front end needs {requiredRate} Hz: {Convert}.");
    }

    private static bool Tag(ReadOnlySpan<byte> b, int at, string tag) =>
        b[at] == tag[0] && b[at + 1] == tag[1] && b[at + 2] == tag[2] && b[at + 3] == tag[3];

    private static string Printable(string id) =>
        new(id.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    /// <summary>A PCM16 mono wav file's bytes (for tests and for writing derived clips).</summary>
    public static byte[] Encode(short[] samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int dataBytes = checked(samples.Length * 2);
        var b = new byte[44 + dataBytes];
        void Put(int at, string s) { for (int i = 0; i < 4; i++) b[at + i] = (byte)s[i]; }
        Put(0, "RIFF"); BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)(36 + dataBytes)); Put(8, "WAVE");
        Put(12, "fmt "); BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), 1); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), (uint)(sampleRate * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), 2); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), 16);
        Put(36, "data"); BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40), (uint)dataBytes);
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44 + 2 * i), samples[i]);
        return b;
    }
}
