using System.Buffers.Binary;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Tests.Streaming;

/// <summary>The optional, versioned event-rule section of the model file.</summary>
public class EventRuleFileTests
{
    private static byte[] WithFixedCrc(byte[] file)
    {
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(file.AsSpan(ModelFileLayout.HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), crc);
        return file;
    }

    private static SkipGruModel WithRule() =>
        ModelFileTests.SmallModel().WithEventRule(new EventRule(3, 2, 4, 20000, 5000, 150));

    [Fact]
    public void Round_trip_keeps_the_rule_and_the_self_test()
    {
        byte[] file = ModelWriter.ToBytes(WithRule());
        SkipGruModel r = ModelReader.Read(file);
        Assert.NotNull(r.EventRule);
        Assert.Equal((2, 4, 20000, 5000, 150), (r.EventRule!.EventClass, r.EventRule.Shift, r.EventRule.On, r.EventRule.Off, r.EventRule.RefractorySteps));
        Assert.NotNull(r.SelfTest);
        Assert.Equal(file, ModelWriter.ToBytes(r));
        // the section is the last 15 bytes: version, class, shift, on, off, refractory
        Assert.Equal(ModelWriter.ToBytes(ModelFileTests.SmallModel()).Length + 15, file.Length);
    }

    [Fact]
    public void A_file_without_the_section_still_loads_with_no_rule()
    {
        SkipGruModel r = ModelReader.Read(ModelWriter.ToBytes(ModelFileTests.SmallModel()));
        Assert.Null(r.EventRule);
        var e = Assert.Throws<ModelFormatException>(() => new StreamDetector(r));
        Assert.Equal("event_rule", e.Field);
    }

    [Fact]
    public void An_unknown_section_version_is_refused_with_a_clear_message()
    {
        byte[] file = ModelWriter.ToBytes(WithRule());
        file[file.Length - 15] = 2;
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.Equal("event_rule.version", e.Field);
        Assert.Contains("reads event-rule version 1", e.Message);
    }

    [Fact]
    public void Out_of_range_values_and_truncation_name_the_field()
    {
        byte[] file = ModelWriter.ToBytes(WithRule());
        file[file.Length - 14] = 3;   // event class 3 of a 3-class head
        Assert.Equal("event_rule.event_class", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file))).Field);

        byte[] full = ModelWriter.ToBytes(WithRule());
        byte[] cut = full.AsSpan(0, full.Length - 4).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), (uint)(cut.Length - ModelFileLayout.HeaderSize));
        Assert.Equal("event_rule.refractory", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(cut))).Field);
    }

    [Fact]
    public void A_rule_for_a_class_outside_the_head_is_refused_when_attached()
    {
        var e = Assert.Throws<ModelFormatException>(() => ModelFileTests.SmallModel().WithEventRule(new EventRule(5, 4, 4, 100, 50, 0)));
        Assert.Equal("event_rule.event_class", e.Field);
    }
}
