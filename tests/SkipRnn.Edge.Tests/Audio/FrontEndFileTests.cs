using System.Buffers.Binary;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>The optional, versioned front-end section of the model file (after the event rule).</summary>
public class FrontEndFileTests
{
    private static byte[] WithFixedCrc(byte[] file)
    {
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(file.AsSpan(ModelFileLayout.HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), crc);
        return file;
    }

    /// <summary>A small keyword-shaped model: 40 inputs (the bands), 4 units, 3 classes.</summary>
    internal static SkipGruModel KeywordModel()
    {
        FloatSkipGruModel f = TestModels.Random(13, GruVariant.ResetAfter, inputs: 40, hidden: 4, layers: 1, outputs: 3);
        return Quantizer.Quantize(f, TestModels.Options(40, 8));
    }

    private static byte[] File(bool rule = true)
    {
        SkipGruModel m = KeywordModel();
        if (rule) m = m.WithEventRule(new EventRule(3, 1, 3, 20000, 5000, 25));
        return ModelWriter.ToBytes(m.WithFrontEnd(FrontEndSpec.LogMel()));
    }

    [Fact]
    public void Round_trip_keeps_the_front_end_and_the_event_rule()
    {
        byte[] file = File();
        SkipGruModel r = ModelReader.Read(file);
        Assert.NotNull(r.FrontEnd);
        Assert.Equal((1, 16000, 480, 320, 512, 40, 20, 8000, -6, 10),
            (r.FrontEnd!.Kind, r.FrontEnd.SampleRate, r.FrontEnd.FrameLength, r.FrontEnd.HopLength, r.FrontEnd.FftSize,
             r.FrontEnd.Bands, r.FrontEnd.LowHz, r.FrontEnd.HighHz, r.FrontEnd.LogFloorExponent, r.FrontEnd.FeatureFracBits));
        Assert.NotNull(r.EventRule);
        Assert.Equal(file, ModelWriter.ToBytes(r));
        // the section is the last 19 bytes, after the event rule's 15
        Assert.Equal(ModelWriter.ToBytes(KeywordModel().WithEventRule(r.EventRule)).Length + FrontEndSpec.SectionBytes, file.Length);
        // attaching a self-test or a rule afterwards keeps it
        Assert.NotNull(r.WithEventRule(null).FrontEnd);
        Assert.Equal(8, file[16 + 13] & 8);   // flags bit 3 (the flags byte follows 13 header bytes of the payload)
    }

    [Fact]
    public void Files_without_the_section_load_with_no_front_end()
    {
        Assert.Null(ModelReader.Read(ModelWriter.ToBytes(KeywordModel())).FrontEnd);
        Assert.Null(ModelReader.Read(ModelWriter.ToBytes(ModelFileTests.SmallModel())).FrontEnd);
        // and a section alone (no event rule) reads too
        Assert.NotNull(ModelReader.Read(File(rule: false)).FrontEnd);
    }

    [Theory]
    [InlineData(0, 2, "front_end.version", "reads front-end version 1")]
    [InlineData(1, 2, "front_end.kind", "computes kind 1 (log-mel) only")]
    [InlineData(8, 0x00, "front_end.hop_length", "is 256; this runtime's front end computes 320")]   // low byte of 320 = 0x40 → 256 when 0x00
    [InlineData(12, 32, "front_end.bands", "is 32; this runtime's front end computes 40")]
    [InlineData(17, 0xF9, "front_end.log_floor_exponent", "is -7")]
    [InlineData(18, 12, "front_end.feature_frac_bits", "is 12")]
    public void Unknown_versions_and_parameters_are_refused_naming_the_field(int offset, int value, string field, string text)
    {
        byte[] file = File();
        file[file.Length - FrontEndSpec.SectionBytes + offset] = (byte)value;
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.Equal(field, e.Field);
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void Truncation_and_a_model_of_another_input_size_name_the_field()
    {
        byte[] full = File();
        byte[] cut = full.AsSpan(0, full.Length - 1).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), (uint)(cut.Length - ModelFileLayout.HeaderSize));
        Assert.Equal("front_end.feature_frac_bits", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(cut))).Field);

        var e = Assert.Throws<ModelFormatException>(() => ModelFileTests.SmallModel().WithFrontEnd(FrontEndSpec.LogMel()));
        Assert.Equal("front_end.bands", e.Field);
        Assert.Contains("the model reads 3 inputs", e.Message);
    }

    [Fact]
    public void Every_truncation_and_byte_flip_of_the_section_is_refused_or_read_cleanly()
    {
        byte[] full = File();
        int start = full.Length - FrontEndSpec.SectionBytes;
        for (int n = start; n < full.Length; n++)
        {
            byte[] cut = full.AsSpan(0, n).ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), (uint)(cut.Length - ModelFileLayout.HeaderSize));
            Assert.StartsWith("front_end.", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(cut))).Field);
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] flipped = (byte[])full.Clone();
                flipped[n] ^= (byte)(1 << bit);
                var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(flipped)));
                Assert.StartsWith("front_end.", e.Field);
            }
        }
    }
}
