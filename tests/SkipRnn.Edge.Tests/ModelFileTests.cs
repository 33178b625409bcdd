using System.Buffers.Binary;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.Tests;

public class ModelFileTests
{
    /// <summary>A small 2-layer model with head, class names and self-test vectors: every section present.</summary>
    internal static SkipGruModel SmallModel(GruVariant variant = GruVariant.ResetAfter, int weightBits = 8)
    {
        FloatSkipGruModel f = TestModels.Random(11, variant, inputs: 3, hidden: 5, layers: 2, outputs: 3);
        f.ClassNames = new[] { "idle", "walk", "run" };
        f.SamplePeriodMicros = 20_000;
        var options = TestModels.Options(3, weightBits);
        options.WeightBitsByTensor["skip_gate"] = 16;
        SkipGruModel q = Quantizer.Quantize(f, options);
        return q.WithSelfTest(Quantizer.RecordSelfTest(q, TestModels.RawStream(f, 12, 3)));
    }

    private static byte[] WithFixedCrc(byte[] file)
    {
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(file.AsSpan(ModelFileLayout.HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), crc);
        return file;
    }

    [Theory]
    [InlineData(GruVariant.ResetAfter, 8)]
    [InlineData(GruVariant.ResetBefore, 16)]
    public void Round_trip_preserves_every_field(GruVariant variant, int bits)
    {
        SkipGruModel m = SmallModel(variant, bits);
        byte[] file = ModelWriter.ToBytes(m);
        SkipGruModel r = ModelReader.Read(file);
        Assert.Equal(file, ModelWriter.ToBytes(r));   // every field survives: writing it again gives the same bytes
        Assert.Equal(variant, r.Variant);
        Assert.Equal(2, r.Layers.Length);
        Assert.Equal(new[] { "idle", "walk", "run" }, r.ClassNames);
        Assert.Equal(20_000, r.SamplePeriodMicros);
        Assert.Equal(16, r.SkipGate.WeightBits);
        Assert.Equal(bits, r.Layers[1].Whh.WeightBits);
        Assert.True(SelfTest.Run(r).Passed);
    }

    [Fact]
    public void Device_crc_matches_the_library_crc()
    {
        var rng = new Random(5);
        foreach (int n in new[] { 0, 1, 7, 64, 1000, 4097 })
        {
            var data = new byte[n];
            rng.NextBytes(data);
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(data), Crc32.Compute(data, 0, n));
        }
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8.ToArray(), 0, 9));   // the standard check value
    }

    [Fact]
    public void Every_truncation_is_rejected_with_a_named_field()
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        for (int n = 0; n < file.Length; n++)
        {
            var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(file[..n]));
            Assert.False(string.IsNullOrEmpty(e.Field));
        }
    }

    [Fact]
    public void Every_single_byte_corruption_is_rejected()
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        for (int i = 0; i < file.Length; i++)
        {
            byte[] bad = (byte[])file.Clone();
            bad[i] ^= 0x5A;
            Assert.Throws<ModelFormatException>(() => ModelReader.Read(bad));
        }
    }

    [Theory]
    [InlineData(0, 0x00, "magic")]
    [InlineData(4, 0x02, "version")]
    [InlineData(6, 0x01, "reserved")]
    [InlineData(8, 0x00, "payload_length")]
    public void Header_problems_name_their_field(int offset, byte value, string field)
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        file[offset] = value;
        Assert.Equal(field, Assert.Throws<ModelFormatException>(() => ModelReader.Read(file)).Field);
    }

    [Theory]
    [InlineData(0, 7, "variant")]
    [InlineData(1, 9, "layer_count")]
    [InlineData(1, 1, "skip_gate")]                      // 1 layer declared: layer[1]'s w_ih is read as the skip gate, whose size is wrong
    [InlineData(4, 0xFF, "hidden_size")]
    [InlineData(13, 0x80, "flags")]
    public void Payload_problems_name_their_field_even_with_a_valid_crc(int payloadOffset, byte value, string fieldPrefix)
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        file[ModelFileLayout.HeaderSize + payloadOffset] = value;
        if (payloadOffset == 4) file[ModelFileLayout.HeaderSize + 5] = 0xFF;   // hidden size 65535
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.StartsWith(fieldPrefix, e.Field);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        byte[] longer = new byte[file.Length + 3];
        file.CopyTo(longer, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(longer.AsSpan(8), (uint)(longer.Length - ModelFileLayout.HeaderSize));
        Assert.Equal("payload", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(longer))).Field);
    }

    [Fact]
    public void Random_mutations_with_a_valid_crc_raise_only_the_format_exception()
    {
        // A fuzzer in miniature: the CRC is fixed after every mutation so the structural checks are reached.
        byte[] original = ModelWriter.ToBytes(SmallModel(GruVariant.ResetBefore));
        var rng = new Random(1234);
        int rejected = 0, accepted = 0;
        for (int trial = 0; trial < 20_000; trial++)
        {
            byte[] file = (byte[])original.Clone();
            int edits = rng.Next(1, 4);
            for (int k = 0; k < edits; k++)
                file[ModelFileLayout.HeaderSize + rng.Next(file.Length - ModelFileLayout.HeaderSize)] = (byte)rng.Next(256);
            try
            {
                SkipGruModel m = ModelReader.Read(WithFixedCrc(file));
                // Accepted models must run safely too (a weight or multiplier changed within its range).
                var runner = new SkipGru(m);
                var raw = new int[m.InputSize];
                for (int t = 0; t < 20; t++) runner.Step(raw);
                accepted++;
            }
            catch (ModelFormatException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 1000 && accepted > 1000, $"rejected {rejected}, accepted {accepted}");
    }

    [Fact]
    public void Absurd_sizes_fail_before_any_large_allocation()
    {
        byte[] file = ModelWriter.ToBytes(SmallModel());
        // input_size = 4096, hidden = 1024: the declared tensors would need megabytes the file does not have.
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(ModelFileLayout.HeaderSize + 2), 4096);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(ModelFileLayout.HeaderSize + 4), 1024);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200_000);
    }

    [Fact]
    public void Write_file_is_atomic_and_readable()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        string path = Path.Combine(dir, "model.skrn");
        ModelWriter.WriteFile(SmallModel(), path);
        Assert.Single(Directory.GetFiles(dir));   // no temporary left behind
        Assert.True(SelfTest.Run(ModelReader.Read(File.ReadAllBytes(path))).Passed);
        Directory.Delete(dir, true);
    }
}
