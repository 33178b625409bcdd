using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SkipRnn.Converter.Tests.Hostile;

/// <summary>
/// Crafted inputs of the kind issue 9 found: tiny torch.save archives whose pickle or views make a naive reader hang
/// or allocate gigabytes, written byte by byte (no PyTorch needed). Shared by the regression tests and the fuzzer.
/// </summary>
internal static class HostileFiles
{
    /// <summary>A torch.save zip around <paramref name="pickle"/> with the given storages (stored, or deflated).</summary>
    public static byte[] TorchZip(byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null, bool deflate = false)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "archive/data.pkl", pickle, CompressionLevel.NoCompression);
            Write(zip, "archive/byteorder", Encoding.ASCII.GetBytes("little"), CompressionLevel.NoCompression);
            foreach (var (key, bytes) in storages ?? new Dictionary<string, byte[]>())
                Write(zip, "archive/data/" + key, bytes, deflate ? CompressionLevel.SmallestSize : CompressionLevel.NoCompression);
        }
        return ms.ToArray();
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes, CompressionLevel level)
    {
        using var s = zip.CreateEntry(name, level).Open();
        s.Write(bytes);
    }

    /// <summary>L = [L, L]: EMPTY_LIST, BINPUT 0, MARK, BINGET 0, BINGET 0, APPENDS, STOP.</summary>
    public static readonly byte[] SelfReferencingList = [(byte)']', (byte)'q', 0, (byte)'(', (byte)'h', 0, (byte)'h', 0, (byte)'e', (byte)'.'];

    /// <summary>d = {}; d["a"] = d.</summary>
    public static readonly byte[] SelfContainingDict =
        [(byte)'}', (byte)'q', 0, (byte)'X', 1, 0, 0, 0, (byte)'a', (byte)'h', 0, (byte)'s', (byte)'.'];

    /// <summary>L0 = [], L(k) = [L(k−1), L(k−1)]: 2^depth paths through a few hundred bytes.</summary>
    public static byte[] SharedDag(int depth)
    {
        var p = new List<byte> { 0x80, 2, (byte)']', (byte)'r' };
        p.AddRange(Int32(0));
        for (int k = 1; k <= depth; k++)
        {
            p.Add((byte)'(');
            p.Add((byte)'j'); p.AddRange(Int32(k - 1));
            p.Add((byte)'j'); p.AddRange(Int32(k - 1));
            p.Add((byte)'l');
            p.Add((byte)'r'); p.AddRange(Int32(k));
        }
        p.Add((byte)'.');
        return p.ToArray();
    }

    /// <summary>A protocol-0 LONG of <paramref name="digits"/> decimal digits.</summary>
    public static byte[] HugeTextInteger(int digits)
    {
        var p = new byte[digits + 4];
        p[0] = (byte)'L';
        p.AsSpan(1, digits).Fill((byte)'9');
        p[^3] = (byte)'L';
        p[^2] = (byte)'\n';
        p[^1] = (byte)'.';
        return p;
    }

    /// <summary>One tensor entry of a state_dict: name → _rebuild_tensor_v2(storage, offset, size, stride, ...).</summary>
    public sealed record View(string Name, string Key, long Numel, long Offset, long[] Size, long[] Stride, string Storage = "FloatStorage");

    /// <summary>OrderedDict of the views, as torch.save's protocol-2 pickle spells it.</summary>
    public static byte[] StateDict(params View[] views)
    {
        var p = new List<byte> { 0x80, 2 };
        p.AddRange(Ascii("ccollections\nOrderedDict\n)R("));
        foreach (var v in views)
        {
            p.AddRange(Unicode(v.Name));
            p.AddRange(Ascii("ctorch._utils\n_rebuild_tensor_v2\n(("));
            p.AddRange(Unicode("storage"));
            p.AddRange(Ascii($"ctorch\n{v.Storage}\n"));
            p.AddRange(Unicode(v.Key));
            p.AddRange(Unicode("cpu"));
            p.AddRange(Int(v.Numel));
            p.AddRange(Ascii("tQ"));
            p.AddRange(Int(v.Offset));
            p.Add((byte)'(');
            foreach (long s in v.Size) p.AddRange(Int(s));
            p.AddRange(Ascii("t("));
            foreach (long s in v.Stride) p.AddRange(Int(s));
            p.AddRange(Ascii("t\u0089ccollections\nOrderedDict\n)RtR"));
        }
        p.AddRange(Ascii("u."));
        return p.ToArray();
    }

    /// <summary>Many [4096, 8192] views with zero strides over one 4-element storage: 4.6 KB asking for gigabytes.</summary>
    public static byte[] ZeroStrideViews(int count) =>
        TorchZip(StateDict(Enumerable.Range(0, count).Select(i => new View($"v{i}", "0", 4, 0, [4096, 8192], [0, 0])).ToArray()),
            new Dictionary<string, byte[]> { ["0"] = new byte[16] });

    /// <summary>A deflated storage of <paramref name="elements"/> zero halves behind a 4-element view: a few hundred KB that inflate far.</summary>
    public static byte[] DeflateBomb(long elements) =>
        TorchZip(StateDict(new View("w", "0", elements, 0, [4], [1], "HalfStorage")),
            new Dictionary<string, byte[]> { ["0"] = new byte[elements * 2] }, deflate: true);

    /// <summary>A [2, 3] view whose strides make offset + Σ (size − 1) · stride wrap int64 back into range.</summary>
    public static byte[] WrappingStrides() =>
        TorchZip(StateDict(new View("w", "0", 16, 0, [2, 3], [1L << 62, 1L << 62])),
            new Dictionary<string, byte[]> { ["0"] = new byte[64] });

    public static byte[] Int32(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        return b;
    }

    private static byte[] Int(long v)
    {
        if (v is >= int.MinValue and <= int.MaxValue) return [(byte)'J', .. Int32((int)v)];
        var b = new byte[10];
        b[0] = 0x8a;
        b[1] = 8;
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(2), v);
        return b;
    }

    private static byte[] Unicode(string s)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        return [(byte)'X', .. Int32(utf8.Length), .. utf8];
    }

    private static byte[] Ascii(string s) => Encoding.Latin1.GetBytes(s);
}
