using System.Buffers.Binary;
using System.Text;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Tests.Builders;

/// <summary>Writes safetensors bytes by hand, with hooks to corrupt the header or the data.</summary>
internal sealed class SafetensorsBuilder
{
    private readonly List<(string Name, string DType, int[] Shape, byte[] Data)> _tensors = [];
    private readonly Dictionary<string, string> _metadata = [];

    public SafetensorsBuilder Add(string name, TensorDType dtype, int[] shape, params double[] values)
    {
        _tensors.Add((name, dtype.ToString(), shape, Encode.Values(values, dtype)));
        return this;
    }

    public SafetensorsBuilder AddRaw(string name, string dtype, int[] shape, byte[] data)
    {
        _tensors.Add((name, dtype, shape, data));
        return this;
    }

    public SafetensorsBuilder Metadata(string key, string value)
    {
        _metadata[key] = value;
        return this;
    }

    /// <summary>The JSON header the builder would write (offsets in insertion order).</summary>
    public string Header()
    {
        var parts = new List<string>();
        if (_metadata.Count > 0)
            parts.Add("\"__metadata__\":{" + string.Join(",", _metadata.Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")) + "}");
        long offset = 0;
        foreach (var t in _tensors)
        {
            parts.Add($"\"{t.Name}\":{{\"dtype\":\"{t.DType}\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + t.Data.Length}]}}");
            offset += t.Data.Length;
        }
        return "{" + string.Join(",", parts) + "}";
    }

    public byte[] Build() => Build(Header());

    /// <summary>Writes <paramref name="header"/> (padded with spaces to 8 bytes, as the reference writer does) and the data.</summary>
    public byte[] Build(string header)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var data = _tensors.SelectMany(t => t.Data).ToArray();
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        json.CopyTo(file, 8);
        file.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }
}
