using System.Text;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests;

public class NpzReaderTests
{
    private const string Source = "model.npz";

    private static readonly double[] Six = [1.5, -2.25, 0.125, 3.0, -0.5, 1024.0];

    private static ImportException FailsNpy(byte[] npy) =>
        Assert.Throws<ImportException>(() => NpyReader.Parse(npy, "w", Source));

    [Theory]
    [InlineData(TensorDType.F16, false)]
    [InlineData(TensorDType.F32, false)]
    [InlineData(TensorDType.F64, false)]
    [InlineData(TensorDType.F16, true)]
    [InlineData(TensorDType.F32, true)]
    [InlineData(TensorDType.F64, true)]
    public void ReadsFloatArraysOfEitherByteOrder(TensorDType dtype, bool bigEndian)
    {
        var t = NpyReader.Parse(NpzBuilder.Npy(dtype, [2, 3], Six, bigEndian), "w", Source);
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal(Six, t.Data);
        Assert.Equal(dtype, t.SourceDType);
    }

    [Fact]
    public void BigEndianBytesReallyDifferFromLittleEndian()
    {
        // Guards the test above: if the builder ignored the byte order, both would pass trivially.
        var le = NpzBuilder.Npy(TensorDType.F32, [6], Six, bigEndian: false);
        var be = NpzBuilder.Npy(TensorDType.F32, [6], Six, bigEndian: true);
        Assert.NotEqual(le[^24..], be[^24..]);
    }

    [Fact]
    public void TransposesFortranOrderToCOrder()
    {
        // C order [[0, 1, 2], [3, 4, 5]] is stored column by column as 0, 3, 1, 4, 2, 5.
        var t = NpyReader.Parse(NpzBuilder.Npy(TensorDType.F32, [2, 3], [0, 3, 1, 4, 2, 5], fortran: true), "w", Source);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], t.Data);

        // 3-D: element (i, j, k) of shape (2, 3, 2) sits at i + 2j + 6k in Fortran order.
        var c = Enumerable.Range(0, 12).Select(v => (double)v).ToArray();
        var f = new double[12];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 2; k++)
                    f[i + 2 * j + 6 * k] = c[i * 6 + j * 2 + k];
        Assert.Equal(c, NpyReader.Parse(NpzBuilder.Npy(TensorDType.F64, [2, 3, 2], f, fortran: true), "w", Source).Data);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsVersion2And3Headers(int version)
    {
        var t = NpyReader.Parse(NpzBuilder.Npy(TensorDType.F32, [3, 2], Six, version: version), "w", Source);
        Assert.Equal([3, 2], t.Shape);
        Assert.Equal(Six, t.Data);
    }

    [Fact]
    public void ReadsScalarsAndEmptyArrays()
    {
        var scalar = NpyReader.Parse(NpzBuilder.NpyRaw("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
            Encode.Values([7.25], TensorDType.F64)), "b", Source);
        Assert.Empty(scalar.Shape);
        Assert.Equal([7.25], scalar.Data);
        var empty = NpyReader.Parse(NpzBuilder.Npy(TensorDType.F32, [0, 4], []), "e", Source);
        Assert.Equal([0, 4], empty.Shape);
    }

    [Theory]
    [InlineData("<i8", "signed integer")]
    [InlineData("|u1", "unsigned integer")]
    [InlineData("|b1", "boolean")]
    [InlineData("<c8", "complex")]
    [InlineData("<f16", "long double")]
    [InlineData("|O", "Python object")]
    [InlineData("<U5", "string")]
    public void RefusesOtherDTypesByName(string descr, string kind)
    {
        var e = FailsNpy(NpzBuilder.NpyRaw($"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1,), }}", new byte[16]));
        Assert.Equal("array 'w'", e.Item);
        Assert.Contains($"'{descr}'", e.Message);
        Assert.Contains(kind, e.Message);
    }

    [Fact]
    public void RefusesStructuredDTypes()
    {
        var e = FailsNpy(NpzBuilder.NpyRaw("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]));
        Assert.Contains("structured", e.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "not a Python dict literal")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", "fortran_order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "'shape'")]
    [InlineData("{'fortran_order': False, 'shape': (2,), }", "'descr'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "non-negative")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", "non-negative 32-bit")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f8'}", "appears twice")]
    [InlineData("[1, 2]", "not a Python dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((2,),),),),),),),),),),),),),),),),),), }", "nesting too deep")]
    [InlineData("{'descr': '<f4', 'fortran_order': Fals, 'shape': (2,), }", "unexpected character")]
    public void RefusesCorruptHeaders(string header, string expected)
    {
        var e = FailsNpy(NpzBuilder.NpyRaw(header, new byte[8]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefusesTruncatedAndOverlongData()
    {
        var npy = NpzBuilder.Npy(TensorDType.F32, [2, 3], Six);
        Assert.Contains("truncated", FailsNpy(npy[..^1]).Message);
        Assert.Contains("corrupt", FailsNpy([.. npy, 0, 0, 0, 0]).Message);
        Assert.Contains("magic", FailsNpy(Encoding.ASCII.GetBytes("not numpy at all")).Message);
    }

    [Fact]
    public void RefusesHeaderLengthsPastTheEnd()
    {
        var npy = NpzBuilder.Npy(TensorDType.F32, [2], [1, 2]);
        npy[8] = 0xff;
        npy[9] = 0xff;
        Assert.Contains("header length is 65535", FailsNpy(npy).Message);
        var v2 = NpzBuilder.Npy(TensorDType.F32, [2], [1, 2], version: 2);
        v2[8] = v2[9] = v2[10] = v2[11] = 0xff;
        Assert.Contains("header length is 4294967295", FailsNpy(v2).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsStoredAndCompressedArchives(bool compressed)
    {
        var npz = NpzBuilder.Npz([
            ("gru/kernel", NpzBuilder.Npy(TensorDType.F32, [2, 3], Six)),
            ("gru/bias", NpzBuilder.Npy(TensorDType.F64, [3], [0.5, 0.25, 0.125])),
        ], compressed);

        var set = NpzReader.Parse(npz, Source);

        Assert.Equal(TensorFileFormat.Npz, set.Format);
        Assert.Equal(["gru/kernel", "gru/bias"], set.Select(t => t.Name));
        Assert.Equal(Six, set.Get("gru/kernel").Data);
        Assert.Equal([0.5, 0.25, 0.125], set.Get("gru/bias").Data);
    }

    [Fact]
    public void RefusesEntriesThatAreNotArrays()
    {
        var npz = NpzBuilder.Npz([("readme.txt", Encoding.ASCII.GetBytes("hi"))], rawNames: true);
        var e = Assert.Throws<ImportException>(() => NpzReader.Parse(npz, Source));
        Assert.Contains("'readme.txt'", e.Message);
        Assert.Contains("not a .npy", e.Message);
    }

    [Fact]
    public void RefusesEmptyAndCorruptArchives()
    {
        Assert.Contains("no arrays", Assert.Throws<ImportException>(() => NpzReader.Parse(NpzBuilder.Npz([]), Source)).Message);
        var npz = NpzBuilder.Npz([("w", NpzBuilder.Npy(TensorDType.F32, [2, 3], Six))]);
        var e = Assert.Throws<ImportException>(() => NpzReader.Parse(npz[..(npz.Length / 2)], Source));
        Assert.Contains("corrupt or truncated", e.Message);
    }

    [Theory]
    [InlineData(100u, "corrupt")]
    [InlineData(0x7fffffffu, "bytes in total once inflated")]
    public void RefusesEntriesWhoseDirectorySizeLies(uint extra, string expected)
    {
        var npz = NpzBuilder.Npz([("w", NpzBuilder.Npy(TensorDType.F32, [2, 3], Six))]);
        // Patch the uncompressed size in the local header (offset 22) and the central directory (offset 24).
        int local = IndexOf(npz, [0x50, 0x4b, 0x03, 0x04]);
        int central = IndexOf(npz, [0x50, 0x4b, 0x01, 0x02]);
        uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(npz.AsSpan(central + 24));
        uint claimed = extra == 0x7fffffffu ? extra : size + extra;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(npz.AsSpan(local + 22), claimed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(npz.AsSpan(central + 24), claimed);
        var e = Assert.Throws<ImportException>(() => NpzReader.Parse(npz, Source));
        Assert.Contains(expected, e.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    [Fact]
    public void RefusesNaNNamingTheArrayAndIndex()
    {
        var values = (double[])Six.Clone();
        values[5] = double.NaN;
        var npz = NpzBuilder.Npz([("cells.0.weight_hh", NpzBuilder.Npy(TensorDType.F32, [2, 3], values))]);
        var e = Assert.Throws<ImportException>(() => NpzReader.Parse(npz, Source));
        Assert.Equal("tensor 'cells.0.weight_hh'", e.Item);
        Assert.Contains("[1, 2]", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void NeverThrowsAnythingButImportExceptionOnRandomCorruption()
    {
        var good = NpzBuilder.Npz([
            ("a", NpzBuilder.Npy(TensorDType.F32, [2, 3], Six)),
            ("b", NpzBuilder.Npy(TensorDType.F16, [3], [1, 2, 3])),
        ], compressed: true);
        var random = new Random(99);
        for (int trial = 0; trial < 1000; trial++)
        {
            var file = (byte[])good.Clone();
            for (int f = random.Next(1, 4); f > 0; f--) file[random.Next(file.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) file = file[..random.Next(file.Length)];
            try
            {
                NpzReader.Parse(file, Source);
            }
            catch (ImportException e)
            {
                Assert.StartsWith(Source + ": ", e.Message);
            }
        }
    }
}
