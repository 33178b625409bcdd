using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SkipRnn.Board.Tests;

/// <summary>
/// A short continuous keyword stream built from the shipped files (models/keyword/data/): <see cref="WordClips"/> word
/// clips (the first clips of each word in turn: yes, no, up, …, go, yes, …) and, every seventh clip,
/// <see cref="UnknownClips"/> unknown clips of the test slice (decoded from the byte planes of their first difference), 0.6–1.8 s apart, over the held-out background noise (its six
/// recordings in turn, 3 s segments at −12 dB, every third segment at −30 dB: a quiet room), words at their recorded
/// level, saturated to int16. Deterministic; built once.
/// </summary>
internal static class KeywordData
{
    public const int Rate = 16000;
    public const int WordClips = 24;
    public const int UnknownClips = 4;

    public sealed record Placed(int Start, int Class, int Clip);

    private static readonly Lazy<(short[] Pcm, List<Placed> Placed)> Built = new(Build);

    public static short[] Stream => Built.Value.Pcm;
    public static IReadOnlyList<Placed> Placements => Built.Value.Placed;
    public static string ModelPath(string file = "model.skrn") => Path.Combine(RepoPaths.Root, "models", "keyword", file);

    private static (short[], List<Placed>) Build()
    {
        string dir = Path.Combine(RepoPaths.Root, "models", "keyword", "data");
        sbyte[] y;
        int clips, len;
        var chosen = new List<int>();
        byte[] hi, lo;
        using (var zip = ZipFile.OpenRead(Path.Combine(dir, "speech_commands_test.npz")))
        {
            (y, _) = Npy<sbyte>(zip, "y", 1);
            var next = new int[12];                                    // per class: where to look for its next clip
            for (int k = 0; k < WordClips + UnknownClips; k++)
            {
                int cls = k % 7 == 6 && k / 7 < UnknownClips ? 11 : chosen.Count(i => y[i] < 10) % 10;
                int i = next[cls];
                while (y[i] != cls) i++;
                chosen.Add(i);
                next[cls] = i + 1;
            }
            int[] shape;
            (hi, shape) = NpyBytes(zip, "pcm_delta_hi", "|i1");
            (lo, _) = NpyBytes(zip, "pcm_delta_lo", "|u1");
            clips = shape[0];
            len = shape[1];
        }
        if (clips != y.Length) throw new InvalidDataException("pcm planes and y disagree");
        short[] noise;
        long[] offsets;
        using (var zip = ZipFile.OpenRead(Path.Combine(dir, "noise_heldout.npz")))
        {
            (noise, _) = Npy<short>(zip, "heldout_pcm", 2);
            (offsets, _) = Npy<long>(zip, "heldout_offsets", 8);
        }

        var gaps = new[] { 9600, 16000, 28800, 12800, 22400 };         // 0.6..1.8 s
        int total = 2 * Rate;
        for (int k = 0; k < chosen.Count; k++) total += len + gaps[k % gaps.Length];
        total += 2 * Rate;
        var mix = new int[total];
        int recs = offsets.Length - 1;
        for (int p = 0, seg = 0; p < total; seg++)
        {
            int r = seg % recs, shift = seg % 3 == 2 ? 5 : 2;
            long o = offsets[r] + (seg / recs) * 3 * Rate % (offsets[r + 1] - offsets[r] - 3 * Rate);
            int n = Math.Min(3 * Rate, total - p);
            for (int i = 0; i < n; i++) mix[p + i] = noise[o + i] >> shift;
            p += n;
        }
        var placed = new List<Placed>();
        int at = 2 * Rate;
        for (int k = 0; k < chosen.Count; k++)
        {
            int c = chosen[k];
            short s = 0;
            for (int i = 0; i < len; i++)
            {
                short d = (short)((hi[(long)c * len + i] << 8) | lo[(long)c * len + i]);
                s = unchecked((short)(s + d));                          // the running sum, low 16 bits
                mix[at + i] += s;
            }
            placed.Add(new Placed(at, y[c], c));
            at += len + gaps[k % gaps.Length];
        }
        var pcm = new short[total];
        for (int i = 0; i < total; i++) pcm[i] = (short)Math.Clamp(mix[i], short.MinValue, short.MaxValue);
        return (pcm, placed);
    }

    // A .npy entry: version 1/2 header, C order, the given dtype; the raw little-endian data.
    private static (byte[] Data, int[] Shape) NpyBytes(ZipArchive zip, string name, string descr)
    {
        ZipArchiveEntry e = zip.GetEntry(name + ".npy") ?? throw new InvalidDataException(name + " missing");
        using var ms = new MemoryStream();
        using (Stream s = e.Open()) s.CopyTo(ms);
        byte[] b = ms.GetBuffer();
        int major = b[6];
        int headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        int start = (major == 1 ? 10 : 12) + headerLen;
        string header = Encoding.ASCII.GetString(b, major == 1 ? 10 : 12, headerLen);
        if (!header.Contains($"'descr': '{descr}'") || header.Contains("'fortran_order': True"))
            throw new InvalidDataException($"{name}: unexpected header {header}");
        string dims = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        dims = dims[..dims.IndexOf(')')];
        int[] shape = dims.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        return (b.AsSpan(start, (int)ms.Length - start).ToArray(), shape);
    }

    private static (T[] Data, int[] Shape) Npy<T>(ZipArchive zip, string name, int size) where T : unmanaged
    {
        string descr = size switch { 1 => "|i1", 2 => "<i2", _ => "<i8" };
        var (b, shape) = NpyBytes(zip, name, descr);
        return (System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(b).ToArray(), shape);
    }
}
