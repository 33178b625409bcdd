#nullable enable
using System;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// The sound a <see cref="VirtualMicrophone"/> plays: PCM16 samples by stream index, asked for in increasing order
/// (a run that starts again goes back to 0). Held in memory (<see cref="PcmArray"/>) or read from a file as the
/// microphone goes (the converter's wav stream), so a day-long recording needs no day of memory.
/// </summary>
public interface IPcmSamples
{
    /// <summary>Samples in the stream.</summary>
    long Length { get; }
    /// <summary>Sample <paramref name="index"/> (0 ≤ index &lt; <see cref="Length"/>).</summary>
    short this[long index] { get; }
}

/// <summary>A PCM16 stream held in an array.</summary>
public sealed class PcmArray(short[] pcm) : IPcmSamples
{
    private readonly short[] _pcm = pcm ?? throw new ArgumentNullException(nameof(pcm));
    public long Length => _pcm.Length;
    public short this[long index] => _pcm[index];
}
