using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Tests.Builders;

/// <summary>Writes .npy arrays and .npz archives by hand, as numpy.save / numpy.savez lay them out.</summary>
internal static class NpzBuilder
{
    public static string Descr(TensorDType dtype, bool bigEndian = false) =>
        (bigEndian ? ">" : "<") + dtype switch { TensorDType.F16 => "f2", TensorDType.F32 => "f4", _ => "f8" };

    /// <summary>A .npy from C-order values (or, with <paramref name="fortran"/>, values given in Fortran order).</summary>
    public static byte[] Npy(TensorDType dtype, int[] shape, double[] values, bool bigEndian = false, bool fortran = false, int version = 1) =>
        NpyRaw(HeaderDict(Descr(dtype, bigEndian), fortran, shape), Encode.Values(values, dtype, bigEndian), version);

    public static string HeaderDict(string descr, bool fortran, int[] shape)
    {
        string dims = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        return $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {dims}, }}";
    }

    /// <summary>Magic, version, header length, the header padded with spaces and a newline to 64 bytes, data.</summary>
    public static byte[] NpyRaw(string header, byte[] data, int version = 1)
    {
        int lengthSize = version == 1 ? 2 : 4;
        int prefix = 8 + lengthSize;
        int total = (prefix + header.Length + 1 + 63) / 64 * 64;
        string padded = header.PadRight(total - prefix - 1) + "\n";
        var head = Encoding.Latin1.GetBytes(padded);
        var result = new byte[prefix + head.Length + data.Length];
        result[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(result, 1);
        result[6] = (byte)version;
        result[7] = 0;
        if (lengthSize == 2) BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)head.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)head.Length);
        head.CopyTo(result, prefix);
        data.CopyTo(result, prefix + head.Length);
        return result;
    }

    /// <summary>A zip of entries; names get ".npy" appended unless <paramref name="rawNames"/>.</summary>
    public static byte[] Npz(IEnumerable<(string Name, byte[] Npy)> arrays, bool compressed = false, bool rawNames = false)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, npy) in arrays)
            {
                var entry = zip.CreateEntry(rawNames ? name : name + ".npy",
                    compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                using var s = entry.Open();
                s.Write(npy);
            }
        }
        return ms.ToArray();
    }

    public static byte[] FromTensors(IEnumerable<Tensor> tensors, TensorDType dtype = TensorDType.F32) =>
        Npz(tensors.Select(t => (t.Name, Npy(dtype, t.Shape, t.Data))));
}
