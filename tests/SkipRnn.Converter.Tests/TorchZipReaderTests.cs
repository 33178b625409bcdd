using System.Text;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests;

public class TorchZipReaderTests
{
    private const string Source = "model.pt";

    private static readonly double[] Six = [1.5, -2.25, 0.125, 3.0, -0.5, 1024.0];

    private static ImportException Fails(byte[] file) =>
        Assert.Throws<ImportException>(() => TorchZipReader.Parse(file, Source));

    [Theory]
    [InlineData(TensorDType.F16)]
    [InlineData(TensorDType.BF16)]
    [InlineData(TensorDType.F32)]
    [InlineData(TensorDType.F64)]
    public void ReadsEveryFloatStorageType(TensorDType dtype)
    {
        var file = new TorchZipBuilder()
            .Add("cells.0.weight_ih", dtype, [2, 3], Six)
            .Add("skip_gate.bias", dtype, [1], [1.0])
            .Build();

        var set = TorchZipReader.Parse(file, Source);

        Assert.Equal(TensorFileFormat.TorchZip, set.Format);
        Assert.Equal(["cells.0.weight_ih", "skip_gate.bias"], set.Select(t => t.Name)); // state_dict order
        Assert.Equal([2, 3], set[0].Shape);
        Assert.Equal(Six, set[0].Data);
        Assert.Equal(dtype, set[0].SourceDType);
        Assert.Equal([1.0], set[1].Data);
    }

    [Fact]
    public void KeepsTheStateDictOrderEvenWhenItIsNotSorted()
    {
        var names = new[] { "z", "a", "m.weight", "b" };
        var builder = new TorchZipBuilder();
        foreach (var n in names) builder.Add(n, TensorDType.F32, [1], [names.ToList().IndexOf(n)]);
        var set = TorchZipReader.Parse(builder.Build(), Source);
        Assert.Equal(names, set.Select(t => t.Name));
        Assert.Equal([0.0, 1, 2, 3], set.Select(t => t.Data[0]));
    }

    [Fact]
    public void KeepsTheOrderAcrossPicklerBatchesOf1000()
    {
        // 2001 entries: two SETITEMS batches of 1000 and one SETITEM, as CPython writes them.
        var storage = Enumerable.Range(0, 2001).Select(v => (double)v).ToArray();
        var builder = new TorchZipBuilder().AddStorage("0", TensorDType.F32, storage);
        var names = Enumerable.Range(0, 2001).Select(i => $"t{(i * 7919) % 2001}").ToArray();
        for (int i = 0; i < names.Length; i++) builder.AddView(names[i], "0", i, [], []);
        var set = TorchZipReader.Parse(builder.Build(), Source);
        Assert.Equal(names, set.Select(t => t.Name));
        Assert.Equal(storage, set.Select(t => t.Data[0]));
    }

    [Fact]
    public void RespectsStorageOffsetsAndStridesOfSharedStorages()
    {
        // One storage of 12 values 0..11 viewed three ways, as slices and transposes of one tensor would be.
        var storage = Enumerable.Range(0, 12).Select(v => (double)v).ToArray();
        var file = new TorchZipBuilder()
            .AddStorage("0", TensorDType.F32, storage)
            .AddView("whole", "0", 0, [3, 4], [4, 1])
            .AddView("row1", "0", 4, [4], [1])
            .AddView("transposed", "0", 0, [4, 3], [1, 4])
            .AddView("every_other_of_row2", "0", 8, [2], [2])
            .AddView("broadcast", "0", 5, [2, 3], [0, 1])
            .Build();

        var set = TorchZipReader.Parse(file, Source);

        Assert.Equal(storage, set.Get("whole").Data);
        Assert.Equal([4.0, 5, 6, 7], set.Get("row1").Data);
        Assert.Equal([0.0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], set.Get("transposed").Data);
        Assert.Equal([8.0, 10], set.Get("every_other_of_row2").Data);
        Assert.Equal([5.0, 6, 7, 5, 6, 7], set.Get("broadcast").Data);
    }

    [Fact]
    public void ReadsBigEndianArchives()
    {
        var file = new TorchZipBuilder { ByteOrder = "big" }
            .Add("w", TensorDType.F32, [6], Six, bigEndian: true)
            .Add("h", TensorDType.F16, [6], Six, bigEndian: true)
            .Build();
        var set = TorchZipReader.Parse(file, Source);
        Assert.Equal(Six, set.Get("w").Data);
        Assert.Equal(Six, set.Get("h").Data);
    }

    [Fact]
    public void TreatsAMissingByteOrderEntryAsLittleEndian()
    {
        var file = new TorchZipBuilder { ByteOrder = null, Archive = "ra1" }.Add("w", TensorDType.F64, [6], Six).Build();
        Assert.Equal(Six, TorchZipReader.Parse(file, Source).Get("w").Data);
    }

    [Fact]
    public void RefusesAnUnknownByteOrder()
    {
        var e = Fails(new TorchZipBuilder { ByteOrder = "middle" }.Add("w", TensorDType.F32, [1], [1]).Build());
        Assert.Equal("archive/byteorder", e.Item);
        Assert.Contains("'middle'", e.Message);
    }

    [Fact]
    public void FlattensCheckpointsIntoDottedNames()
    {
        var file = new TorchZipBuilder { AsCheckpoint = true }.Add("rnn.weight_ih_l0", TensorDType.F32, [6], Six).Build();
        var set = TorchZipReader.Parse(file, Source);
        Assert.Equal(["model.rnn.weight_ih_l0"], set.Select(t => t.Name));
        Assert.Equal(Six, set[0].Data);
    }

    [Fact]
    public void RefusesLegacyPickleFilesWithAResaveHint()
    {
        // torch's legacy format starts with a protocol-2 pickle of its magic number.
        var legacy = new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e };
        var e = Fails(legacy);
        Assert.Contains("legacy", e.Message);
        Assert.Contains("torch.save", e.Message);
        Assert.Contains("zip", e.Message);
        Assert.Equal(e.Message, Assert.Throws<ImportException>(() => TensorFile.Parse(legacy, Source)).Message);
    }

    [Fact]
    public void ReadsSafetensorsWhoseHeaderLengthLooksLikeAPickleOpcode()
    {
        // A 640-byte (padded) JSON header: the file starts 0x80 0x02, as a protocol-2 pickle does.
        var b = new SafetensorsBuilder().Add("w", TensorDType.F32, [6], Six);
        b.Metadata("pad", new string('x', 640 - 2 - b.Header().Length - "\"__metadata__\":{\"pad\":\"\"},".Length + 2));
        byte[] file = b.Build();
        Assert.Equal(0x80, file[0]);
        Assert.Equal(0x02, file[1]);
        var set = TensorFile.Parse(file, Source);
        Assert.Equal(Six, set.Single().Data);
    }

    [Fact]
    public void RefusesNonFloatStoragesByName()
    {
        var file = new TorchZipBuilder()
            .AddStorageRaw("0", "LongStorage", 1, new byte[8])
            .AddView("num_batches_tracked", "0", 0, [], [])
            .Build();
        var e = Fails(file);
        Assert.Equal("tensor 'num_batches_tracked'", e.Item);
        Assert.Contains("torch.LongStorage", e.Message);
    }

    [Fact]
    public void RefusesAMissingStorage()
    {
        var file = new TorchZipBuilder()
            .AddView("w", "7", 0, [2], [1])
            .Build();
        var e = Fails(file);
        Assert.Contains("'archive/data/7' is missing", e.Message);
    }

    [Fact]
    public void RefusesAStorageWhoseSizeDisagreesWithItsNumel()
    {
        var file = new TorchZipBuilder()
            .AddStorageRaw("0", "FloatStorage", 6, new byte[20])
            .AddView("w", "0", 0, [6], [1])
            .Build();
        var e = Fails(file);
        Assert.Equal("tensor 'w'", e.Item);
        Assert.Contains("20 bytes but 6 F32 elements need 24", e.Message);
    }

    [Theory]
    [InlineData(0L, new long[] { 7 }, new long[] { 1 }, "reaches element 6")]
    [InlineData(5L, new long[] { 2 }, new long[] { 1 }, "reaches element 6")]
    [InlineData(0L, new long[] { 2, 3 }, new long[] { 3, 2 }, "reaches element 7")]
    [InlineData(-1L, new long[] { 2 }, new long[] { 1 }, "offset -1")]
    [InlineData(0L, new long[] { 2 }, new long[] { -1 }, "negative")]
    [InlineData(0L, new long[] { 2, 2 }, new long[] { 1 }, "2 sizes but 1 strides")]
    [InlineData(0L, new long[] { 1L << 40 }, new long[] { 0 }, "out of range")]
    public void RefusesViewsOutsideTheirStorage(long offset, long[] size, long[] stride, string expected)
    {
        var file = new TorchZipBuilder()
            .AddStorage("0", TensorDType.F32, Six)
            .AddView("w", "0", offset, size, stride)
            .Build();
        var e = Fails(file);
        Assert.Equal("tensor 'w'", e.Item);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefusesArchivesWithoutDataPkl()
    {
        var npz = NpzBuilder.Npz([("w", NpzBuilder.Npy(TensorDType.F32, [1], [1]))]);
        Assert.Contains("no <archive>/data.pkl", Fails(npz).Message);
    }

    [Fact]
    public void RefusesTorchScriptArchives()
    {
        var file = NpzBuilder.Npz([("model/constants.pkl", new byte[] { 0x80, 2, (byte)')', (byte)'.' }), ("model/code/x.py", [])], rawNames: true);
        Assert.Contains("TorchScript", Fails(file).Message);
        Assert.Contains("TorchScript", Assert.Throws<ImportException>(() => TensorFile.Parse(file, Source)).Message);
    }

    [Fact]
    public void RefusesPicklesThatAreNotStateDicts()
    {
        var builder = new TorchZipBuilder();
        // A pickled nn.Module reconstructs through copyreg with arguments: not a state_dict.
        var p = new TorchZipBuilder.PickleWriter();
        p.Proto(2);
        p.Global("copyreg", "_reconstructor");
        p.Mark();
        p.Global("__main__", "SkipGRU");
        p.Global("torch.nn.modules.module", "Module");
        p.Tuple();
        p.Reduce();
        p.Stop();
        var e = Fails(builder.Zip(p.ToArray()));
        Assert.Equal("archive/data.pkl", e.Item);
        Assert.Contains("state_dict", e.Message);

        var empty = new TorchZipBuilder.PickleWriter();
        empty.Proto(2);
        empty.EmptyDict();
        empty.Stop();
        Assert.Contains("holds no tensors", Fails(builder.Zip(empty.ToArray())).Message);
    }

    [Fact]
    public void RefusesNaNNamingTheTensorAndIndex()
    {
        var values = (double[])Six.Clone();
        values[3] = double.NaN;
        var e = Fails(new TorchZipBuilder().Add("head.weight", TensorDType.BF16, [2, 3], values).Build());
        Assert.Equal("tensor 'head.weight'", e.Item);
        Assert.Contains("[1, 0]", e.Message);
    }

    [Fact]
    public void NeverThrowsAnythingButImportExceptionOnCorruptPickles()
    {
        var builder = new TorchZipBuilder()
            .Add("a", TensorDType.F32, [2, 3], Six)
            .Add("b", TensorDType.F16, [3], [1, 2, 3]);
        var pickle = builder.Pickle();
        var random = new Random(7);
        int refused = 0;
        for (int trial = 0; trial < 1500; trial++)
        {
            var p = (byte[])pickle.Clone();
            for (int f = random.Next(1, 3); f > 0; f--) p[random.Next(p.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) p = p[..random.Next(p.Length)];
            try
            {
                TorchZipReader.Parse(builder.Zip(p), Source);
            }
            catch (ImportException e)
            {
                Assert.StartsWith(Source + ": ", e.Message);
                refused++;
            }
        }
        Assert.True(refused > 500, $"only {refused} corrupt pickles were refused");
    }

    [Fact]
    public void NeverThrowsAnythingButImportExceptionOnCorruptArchives()
    {
        var good = new TorchZipBuilder().Add("a", TensorDType.F32, [2, 3], Six).Build();
        var random = new Random(8);
        for (int trial = 0; trial < 1000; trial++)
        {
            var file = (byte[])good.Clone();
            for (int f = random.Next(1, 4); f > 0; f--) file[random.Next(file.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) file = file[..random.Next(file.Length)];
            try
            {
                TensorFile.Parse(file, Source);
            }
            catch (ImportException e)
            {
                Assert.StartsWith(Source + ": ", e.Message);
            }
        }
    }

    [Fact]
    public void TensorFileDispatchesOnContentNotExtension()
    {
        var pt = new TorchZipBuilder().Add("w", TensorDType.F32, [1], [2]).Build();
        var npz = NpzBuilder.Npz([("w", NpzBuilder.Npy(TensorDType.F32, [1], [3]))]);
        var st = new SafetensorsBuilder().Add("w", TensorDType.F32, [1], 4).Build();
        Assert.Equal(TensorFileFormat.TorchZip, TensorFile.Parse(pt, "x.bin").Format);
        Assert.Equal(TensorFileFormat.Npz, TensorFile.Parse(npz, "x.bin").Format);
        Assert.Equal(TensorFileFormat.Safetensors, TensorFile.Parse(st, "x.bin").Format);
        var single = Assert.Throws<ImportException>(() => TensorFile.Parse(NpzBuilder.Npy(TensorDType.F32, [1], [1]), "w.npy"));
        Assert.Contains("numpy.savez", single.Message);
        var text = Assert.Throws<ImportException>(() => TensorFile.Parse(Encoding.ASCII.GetBytes("just some text here"), "w.txt"));
        Assert.Contains("not safetensors", text.Message);
    }
}
