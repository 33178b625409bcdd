using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Converter.Tests.Hostile;
using SkipRnn.Edge.Format;

namespace SkipRnn.Converter.Tests.Fuzz;

/// <summary>One generated input: what it is, the file it becomes, and whether every run of it must be refused (exit 2).</summary>
internal sealed record FuzzCase(int Index, string Kind, string FileName, byte[] Bytes, bool MustRefuse)
{
    public bool IsModelFile => FileName.EndsWith(".skrn", StringComparison.Ordinal);

    /// <summary>A calibration set (given to convert -c with valid weights) rather than weights.</summary>
    public bool IsDataset => Kind.StartsWith("dataset/", StringComparison.Ordinal);
}

/// <summary>
/// Generates case <c>i</c> of a run from seed + i alone, so any failure is rerun by its index. Mutations start from
/// the real fixtures (ra1 as .pt, .safetensors, .npz, and its converted model file) and keep zip CRCs and the model
/// file's CRC right where a kind says so, so the readers' own checks are reached, not just the checksum's. Dataset
/// kinds mutate a calibration set instead, given to convert with valid weights.
/// </summary>
internal sealed class FuzzCorpus
{
    private readonly Dictionary<string, byte[]> _ptEntries, _npzEntries, _datasetEntries;
    private readonly byte[] _pt, _safetensors, _npz, _model;
    private readonly string _safetensorsHeader;
    private readonly byte[] _safetensorsData;
    private readonly int _seed;
    private byte[]? _bomb;

    public static readonly string[] Kinds =
    [
        "pt/pickle", "pt/storage", "pt/zip-bytes", "pt/hostile",
        "safetensors/header", "safetensors/bytes", "safetensors/hostile",
        "npz/npy-header", "npz/entry-bytes", "npz/zip-bytes",
        "skrn/bytes", "skrn/crc-kept",
        "dataset/npy-header", "dataset/entry-bytes",
        "any/tiny",
    ];

    public FuzzCorpus(int seed, byte[] model, byte[] dataset)
    {
        _datasetEntries = Entries(dataset);
        _seed = seed;
        _pt = File.ReadAllBytes(CliHarness.Fixture("ra1.pt"));
        _safetensors = File.ReadAllBytes(CliHarness.Fixture("ra1.safetensors"));
        _npz = File.ReadAllBytes(CliHarness.Fixture("ra1.npz"));
        _model = model;
        _ptEntries = Entries(_pt);
        _npzEntries = Entries(_npz);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(_safetensors);
        _safetensorsHeader = Encoding.UTF8.GetString(_safetensors, 8, headerLength);
        _safetensorsData = _safetensors[(8 + headerLength)..];
    }

    public FuzzCase Case(int index)
    {
        var rng = new Random(HashCode.Combine(_seed, index));
        var m = new Mutator(rng);
        string kind = Kinds[index % Kinds.Length];
        return kind switch
        {
            "pt/pickle" => new(index, kind, "case.pt", Zip(Mutate(_ptEntries, m, e => e.EndsWith("/data.pkl")), stored: true), false),
            "pt/storage" => new(index, kind, "case.pt", Zip(Mutate(_ptEntries, m, e => e.Contains("/data/")), stored: true), false),
            "pt/zip-bytes" => new(index, kind, "case.pt", m.Bytes(_pt), false),
            "pt/hostile" => HostilePt(index, kind, rng),
            "safetensors/header" => new(index, kind, "case.safetensors", Safetensors(m.Text(_safetensorsHeader), _safetensorsData), false),
            "safetensors/bytes" => new(index, kind, "case.safetensors", m.Bytes(_safetensors), false),
            "safetensors/hostile" => HostileSafetensors(index, kind, rng),
            "npz/npy-header" => new(index, kind, "case.npz", Zip(MutateNpyHeader(_npzEntries, m), stored: false), false),
            "npz/entry-bytes" => new(index, kind, "case.npz", Zip(Mutate(_npzEntries, m, _ => true), stored: false), false),
            "npz/zip-bytes" => new(index, kind, "case.npz", m.Bytes(_npz), false),
            "skrn/bytes" => new(index, kind, "case.skrn", m.Bytes(_model), false),
            "skrn/crc-kept" => new(index, kind, "case.skrn", WithCrc(m.Bytes(_model[ModelFileLayout.HeaderSize..])), false),
            "dataset/npy-header" => new(index, kind, "case.npz", Zip(MutateNpyHeader(_datasetEntries, m), stored: false), false),
            "dataset/entry-bytes" => new(index, kind, "case.npz", Zip(Mutate(_datasetEntries, m, _ => true), stored: false), false),
            _ => Tiny(index, kind, rng),
        };
    }

    // ---- torch.save -------------------------------------------------------------------------------

    private FuzzCase HostilePt(int index, string kind, Random rng)
    {
        var storage = new Dictionary<string, byte[]> { ["0"] = new byte[64] };
        byte[] file = rng.Next(13) switch
        {
            0 => HostileFiles.TorchZip(HostileFiles.SelfReferencingList),
            1 => HostileFiles.TorchZip(HostileFiles.SelfContainingDict),
            2 => HostileFiles.TorchZip(HostileFiles.SharedDag(20 + rng.Next(41))),
            3 => HostileFiles.TorchZip(HostileFiles.HugeTextInteger(41 + rng.Next(2_000_000))),
            4 => HostileFiles.ZeroStrideViews(10 + rng.Next(400)),
            5 => HostileFiles.TorchZip(HostileFiles.StateDict(new HostileFiles.View("w", "0", 16, 0, [2, 3],
                [rng.NextInt64(1L << 40, long.MaxValue), rng.NextInt64(1L << 40, long.MaxValue)])), storage),
            6 => HostileFiles.TorchZip(HostileFiles.StateDict(new HostileFiles.View("w", "0", 16, -rng.NextInt64(1, long.MaxValue), [2], [1])), storage),
            7 => HostileFiles.TorchZip(HostileFiles.StateDict(new HostileFiles.View("w", "0", 16, 0,
                Enumerable.Repeat(1L, 17 + rng.Next(100)).ToArray(), Enumerable.Repeat(1L, 17 + rng.Next(100)).ToArray())), storage),
            8 => HostileFiles.TorchZip([0x80, 2, .. "c__builtin__\nbytearray\n"u8, (byte)'J', .. HostileFiles.Int32(rng.Next()), 0x85, (byte)'R', (byte)'.']),
            9 => HostileFiles.TorchZip([0x80, 2, .. "cos\nsystem\n"u8, (byte)'X', 4, 0, 0, 0, .. "true"u8, 0x85, (byte)'R', (byte)'.']),
            10 => HostileFiles.TorchZip(OpcodeSoup(rng)),
            11 => _bomb ??= HostileFiles.DeflateBomb(64L * 1024 * 1024),
            _ => HostileFiles.TorchZip(HostileFiles.StateDict(new HostileFiles.View("w", "0", rng.NextInt64(1L << 26, long.MaxValue), 0, [4], [1])), storage),
        };
        return new(index, kind, "case.pt", file, true);
    }

    /// <summary>PROTO 2 then random bytes: whatever the scan lets through, Razorvine must fail cleanly.</summary>
    private static byte[] OpcodeSoup(Random rng)
    {
        var b = new byte[2 + rng.Next(2, 200)];
        rng.NextBytes(b);
        b[0] = 0x80;
        b[1] = 2;
        b[^1] = (byte)'.';
        return b;
    }

    private static Dictionary<string, byte[]> Entries(byte[] zipFile)
    {
        using var zip = new ZipArchive(new MemoryStream(zipFile), ZipArchiveMode.Read);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            result[e.FullName] = ms.ToArray();
        }
        return result;
    }

    private static Dictionary<string, byte[]> Mutate(Dictionary<string, byte[]> entries, Mutator m, Func<string, bool> which)
    {
        var copy = new Dictionary<string, byte[]>(entries, StringComparer.Ordinal);
        var candidates = copy.Keys.Where(which).ToList();
        string pick = candidates[m.Rng.Next(candidates.Count)];
        copy[pick] = m.Bytes(copy[pick]);
        return copy;
    }

    /// <summary>A zip of the entries with correct CRCs and sizes.</summary>
    private static byte[] Zip(Dictionary<string, byte[]> entries, bool stored)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, stored ? CompressionLevel.NoCompression : CompressionLevel.Fastest).Open();
                s.Write(bytes);
            }
        return ms.ToArray();
    }

    // ---- safetensors and npz --------------------------------------------------------------------

    private static byte[] Safetensors(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private FuzzCase HostileSafetensors(int index, string kind, Random rng)
    {
        string Entry(string name, int offset) =>
            $"{System.Text.Json.JsonSerializer.Serialize(name)}:{{\"dtype\":\"F32\",\"shape\":[3,1],\"data_offsets\":[{offset},{offset + 12}]}}";
        string[] pairs = rng.Next(4) switch
        {
            0 => ["weight_ih_l" + new string('9', 10 + rng.Next(30)), "weight_hh_l" + new string('9', 10 + rng.Next(30))],
            1 => ["weight_ih_l\u0663", "weight_hh_l\u0663"],
            2 => ["\u001b]0;owned\u0007\u001b[2J" + new string('x', rng.Next(5000)), "cells.\u0967.weight_hh\n"],
            _ => ["a", "a"],   // a repeated key
        };
        string header = "{" + string.Join(",", pairs.Select((n, k) => Entry(n, 12 * k))) + "}";
        byte[] file = Safetensors(header, new byte[12 * pairs.Length]);
        if (rng.Next(4) == 0) BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)rng.NextInt64(file.Length, long.MaxValue));
        return new(index, kind, "case.safetensors", file, true);
    }

    private static Dictionary<string, byte[]> MutateNpyHeader(Dictionary<string, byte[]> entries, Mutator m)
    {
        var copy = new Dictionary<string, byte[]>(entries, StringComparer.Ordinal);
        string pick = copy.Keys.ElementAt(m.Rng.Next(copy.Count));
        byte[] npy = copy[pick];
        int length = BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8));
        string header = Encoding.Latin1.GetString(npy, 10, length);
        byte[] mutated = Encoding.Latin1.GetBytes(m.Text(header));
        var result = new byte[10 + mutated.Length + (npy.Length - 10 - length)];
        npy.AsSpan(0, 10).CopyTo(result);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)Math.Min(mutated.Length, ushort.MaxValue));
        mutated.CopyTo(result, 10);
        npy.AsSpan(10 + length).CopyTo(result.AsSpan(10 + mutated.Length));
        copy[pick] = result;
        return copy;
    }

    // ---- model files and the rest ---------------------------------------------------------------

    /// <summary>A model file around <paramref name="payload"/> whose header length and CRC-32 match it.</summary>
    private byte[] WithCrc(byte[] payload)
    {
        var file = new byte[ModelFileLayout.HeaderSize + payload.Length];
        _model.AsSpan(0, ModelFileLayout.HeaderSize).CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), System.IO.Hashing.Crc32.HashToUInt32(payload));
        payload.CopyTo(file, ModelFileLayout.HeaderSize);
        return file;
    }

    private static FuzzCase Tiny(int index, string kind, Random rng)
    {
        var b = new byte[rng.Next(8)];
        rng.NextBytes(b);
        string[] names = ["case.pt", "case.safetensors", "case.npz"];
        return new(index, kind, names[rng.Next(names.Length)], b, true);
    }
}
