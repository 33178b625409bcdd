using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Tests.Builders;

/// <summary>
/// Writes a torch.save zip archive by hand: data.pkl emitted opcode by opcode the way torch's
/// pickler (protocol 2) does for a state_dict, plus one raw storage entry per storage key.
/// </summary>
internal sealed class TorchZipBuilder
{
    private sealed record Storage(string Key, string TypeName, long Numel, byte[] Bytes);

    private sealed record TensorView(string Name, string StorageKey, long Offset, long[] Size, long[] Stride);

    private readonly Dictionary<string, Storage> _storages = [];
    private readonly List<TensorView> _tensors = [];

    public string Archive { get; set; } = "archive";

    /// <summary>"little", "big", or null to omit the byteorder entry (as torch &lt; 1.13 did).</summary>
    public string? ByteOrder { get; set; } = "little";

    /// <summary>Wraps the state_dict in a plain dict {"model": state_dict, "epoch": 3} like a training checkpoint.</summary>
    public bool AsCheckpoint { get; set; }

    public static string StorageType(TensorDType dtype) => dtype switch
    {
        TensorDType.F16 => "HalfStorage",
        TensorDType.BF16 => "BFloat16Storage",
        TensorDType.F32 => "FloatStorage",
        _ => "DoubleStorage",
    };

    public TorchZipBuilder AddStorage(string key, TensorDType dtype, double[] values, bool bigEndian = false) =>
        AddStorageRaw(key, StorageType(dtype), values.Length, Encode.Values(values, dtype, bigEndian));

    public TorchZipBuilder AddStorageRaw(string key, string typeName, long numel, byte[] bytes)
    {
        _storages[key] = new Storage(key, typeName, numel, bytes);
        return this;
    }

    public TorchZipBuilder AddView(string name, string storageKey, long offset, long[] size, long[] stride)
    {
        _tensors.Add(new TensorView(name, storageKey, offset, size, stride));
        return this;
    }

    /// <summary>A contiguous tensor with its own storage (what state_dict() of a fresh module gives).</summary>
    public TorchZipBuilder Add(string name, TensorDType dtype, int[] shape, double[] values, bool bigEndian = false)
    {
        string key = _storages.Count.ToString();
        AddStorage(key, dtype, values, bigEndian);
        var stride = new long[shape.Length];
        long s = 1;
        for (int k = shape.Length - 1; k >= 0; k--) { stride[k] = s; s *= shape[k]; }
        return AddView(name, key, 0, shape.Select(d => (long)d).ToArray(), stride);
    }

    public byte[] Pickle()
    {
        var p = new PickleWriter();
        p.Proto(2);
        if (AsCheckpoint)
        {
            p.EmptyDict();
            p.Mark();
            p.Unicode("epoch");
            p.Int(3);
            p.Unicode("model");
        }
        p.Global("collections", "OrderedDict");
        p.EmptyTuple();
        p.Reduce();
        // Like CPython's pickler: SETITEMS batches of 1000, a lone last item with SETITEM.
        foreach (var batch in _tensors.Chunk(1000))
        {
            if (batch.Length > 1) p.Mark();
            foreach (var t in batch) WriteTensor(p, t);
            if (batch.Length > 1) p.SetItems(); else p.SetItem();
        }
        // state_dict()._metadata arrives through BUILD, as in real files.
        p.EmptyDict();
        p.Unicode("_metadata");
        p.Global("collections", "OrderedDict");
        p.EmptyTuple();
        p.Reduce();
        p.SetItem();
        p.Build();
        if (AsCheckpoint) p.SetItems();
        p.Stop();
        return p.ToArray();
    }

    private void WriteTensor(PickleWriter p, TensorView t)
    {
        var storage = _storages.GetValueOrDefault(t.StorageKey);
        p.Unicode(t.Name);
        p.Global("torch._utils", "_rebuild_tensor_v2");
        p.Mark();
        {
            p.Mark();
            p.Unicode("storage");
            p.Global("torch", storage?.TypeName ?? "FloatStorage");
            p.Unicode(t.StorageKey);
            p.Unicode("cpu");
            p.Int(storage?.Numel ?? 0);
            p.Tuple();
            p.BinPersId();
            p.Int(t.Offset);
            p.Ints(t.Size);
            p.Ints(t.Stride);
            p.False();
            p.Global("collections", "OrderedDict");
            p.EmptyTuple();
            p.Reduce();
        }
        p.Tuple();
        p.Reduce();
    }

    public byte[] Build() => Zip(Pickle());

    /// <summary>The archive around a given data.pkl (to test corrupt pickles).</summary>
    public byte[] Zip(byte[] pickle)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, $"{Archive}/data.pkl", pickle);
            if (ByteOrder != null) Write(zip, $"{Archive}/byteorder", Encoding.ASCII.GetBytes(ByteOrder));
            foreach (var s in _storages.Values) Write(zip, $"{Archive}/data/{s.Key}", s.Bytes);
            Write(zip, $"{Archive}/version", Encoding.ASCII.GetBytes("3\n"));
        }
        return ms.ToArray();
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(bytes);
    }

    /// <summary>The few pickle opcodes torch.save uses.</summary>
    internal sealed class PickleWriter
    {
        private readonly MemoryStream _out = new();

        public void Proto(byte version) { _out.WriteByte(0x80); _out.WriteByte(version); }
        public void Global(string module, string name) { _out.WriteByte((byte)'c'); Ascii($"{module}\n{name}\n"); }
        public void Mark() => _out.WriteByte((byte)'(');
        public void Tuple() => _out.WriteByte((byte)'t');
        public void EmptyTuple() => _out.WriteByte((byte)')');
        public void EmptyDict() => _out.WriteByte((byte)'}');
        public void Reduce() => _out.WriteByte((byte)'R');
        public void Build() => _out.WriteByte((byte)'b');
        public void SetItem() => _out.WriteByte((byte)'s');
        public void SetItems() => _out.WriteByte((byte)'u');
        public void BinPersId() => _out.WriteByte((byte)'Q');
        public void False() => _out.WriteByte(0x89);
        public void Stop() => _out.WriteByte((byte)'.');

        public void Unicode(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            _out.WriteByte((byte)'X');
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
            _out.Write(len);
            _out.Write(bytes);
        }

        public void Int(long v)
        {
            if (v is >= int.MinValue and <= int.MaxValue)
            {
                _out.WriteByte((byte)'J'); // BININT
                Span<byte> b = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
                _out.Write(b);
            }
            else
            {
                _out.WriteByte(0x8a); // LONG1
                _out.WriteByte(8);
                Span<byte> b = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(b, v);
                _out.Write(b);
            }
        }

        public void Ints(long[] values)
        {
            Mark();
            foreach (long v in values) Int(v);
            Tuple();
        }

        public byte[] ToArray() => _out.ToArray();

        private void Ascii(string s) => _out.Write(Encoding.ASCII.GetBytes(s));
    }
}
