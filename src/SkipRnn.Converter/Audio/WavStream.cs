using SkipRnn.Converter.Data;
using SkipRnn.Edge.Emulator.Board;

namespace SkipRnn.Converter.Audio;

/// <summary>
/// A long wav recording read as it is used (<see cref="WavReader.Open"/>): its header checked, its samples read from
/// the file one block of <see cref="BlockSamples"/> at a time, so memory stays the same for a minute or a day of
/// audio. Samples are asked for in increasing order (the virtual microphone, <c>listen</c>'s hops); going back reads
/// the block again. A file that turns out shorter than its header said is a <see cref="DataException"/> naming it.
/// </summary>
public sealed class WavStream : IPcmSamples, IDisposable
{
    /// <summary>Samples held at a time: 64 Ki (128 KiB, 4 s at 16 kHz).</summary>
    public const int BlockSamples = 1 << 16;

    private readonly FileStream _file;
    private readonly WavReader.DataChunk _data;
    private readonly short[] _block = new short[BlockSamples];
    private long _blockStart;
    private int _blockCount;

    internal WavStream(string path, FileStream file, WavReader.DataChunk data)
    {
        Path = path;
        _file = file;
        _data = data;
    }

    public string Path { get; }
    public int SampleRate => _data.SampleRate;
    /// <summary>Samples in the data chunk.</summary>
    public long Length => _data.Samples;
    public double Seconds => (double)Length / SampleRate;

    public short this[long index]
    {
        get
        {
            long at = index - _blockStart;
            if ((ulong)at >= (ulong)_blockCount) at = Load(index);
            return _block[at];
        }
    }

    /// <summary>Samples [first, first + count) into dst[offset..].</summary>
    public void CopyTo(long first, short[] dst, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(dst);
        if (offset < 0 || count < 0 || offset > dst.Length - count || first < 0 || first > Length - count)
            throw new ArgumentOutOfRangeException(nameof(count));
        while (count > 0)
        {
            long at = first - _blockStart;
            if ((ulong)at >= (ulong)_blockCount) at = Load(first);
            int n = (int)Math.Min(count, _blockCount - at);
            Array.Copy(_block, at, dst, offset, n);
            first += n;
            offset += n;
            count -= n;
        }
    }

    // Reads the block holding sample index; returns index's place in it.
    private long Load(long index)
    {
        if ((ulong)index >= (ulong)Length) throw new ArgumentOutOfRangeException(nameof(index), $"sample {index} of a stream of {Length}");
        long start = index / BlockSamples * BlockSamples;
        int count = (int)Math.Min(BlockSamples, Length - start);
        _blockCount = 0;     // a failed read leaves no stale block behind
        try
        {
            WavReader.ReadSamples(_file, _data, start, _block, 0, count, Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException(Path, null, $"cannot read the file ({ex.Message.TrimEnd('.')}).", ex);
        }
        _blockStart = start;
        _blockCount = count;
        return index - start;
    }

    public void Dispose() => _file.Dispose();
}
