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
        file[file.Length - 15] = 4;
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.Equal("event_rule.version", e.Field);
        Assert.Contains("reads event-rule versions 1 (one class), 2 (class mask) and 3 (thresholds per class, minimum duration)", e.Message);
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

    // ---- version 2: a set of event classes ----

    private static SkipGruModel WithMask(int mask) =>
        ModelFileTests.SmallModel().WithEventRule(EventRule.ForClasses(3, mask, 3, 20000, 5000, 25));

    [Fact]
    public void A_rule_with_several_classes_is_written_as_version_2_with_the_mask_and_round_trips()
    {
        byte[] file = ModelWriter.ToBytes(WithMask(0b101));
        // version, mask (i32), shift, on, off, refractory: 18 bytes
        Assert.Equal(ModelWriter.ToBytes(ModelFileTests.SmallModel()).Length + 18, file.Length);
        Assert.Equal(EventRule.VersionMask, file[file.Length - 18]);
        Assert.Equal(0b101, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 17)));
        EventRule r = ModelReader.Read(file).EventRule!;
        Assert.Equal((0b101, 0, 2, 3, 20000, 5000, 25), (r.EventMask, r.EventClass, r.EventClassCount, r.Shift, r.On, r.Off, r.RefractorySteps));
        Assert.True(r.IsEventClass(2) && !r.IsEventClass(1) && !r.IsEventClass(-1) && !r.IsEventClass(40));
        Assert.Equal(file, ModelWriter.ToBytes(ModelReader.Read(file)));
    }

    private static SkipGruModel WithPerClass(int[] on, int[] off, int minSteps) =>
        ModelFileTests.SmallModel().WithEventRule(EventRule.ForClasses(3, 0b101, 3, on, off, 25, minSteps));

    [Fact]
    public void A_rule_with_thresholds_per_class_and_a_minimum_duration_is_written_as_version_3_and_round_trips()
    {
        byte[] file = ModelWriter.ToBytes(WithPerClass([20000, 30000], [5000, 7000], 6));
        // version, mask (i32), shift, refractory (i32), min_steps (u16), then (on, off) i32 per event class: 12 + 2 * 8 bytes
        Assert.Equal(ModelWriter.ToBytes(ModelFileTests.SmallModel()).Length + 28, file.Length);
        Assert.Equal(EventRule.VersionPerClass, file[file.Length - 28]);
        EventRule r = ModelReader.Read(file).EventRule!;
        Assert.Equal((0b101, 2, 3, 25, 6), (r.EventMask, r.EventClassCount, r.Shift, r.RefractorySteps, r.MinSteps));
        Assert.Equal((20000, 5000, 30000, 7000, 0, 0), (r.OnOf(0), r.OffOf(0), r.OnOf(2), r.OffOf(2), r.OnOf(1), r.OffOf(1)));
        Assert.True(r.PerClassThresholds);
        Assert.Equal(file, ModelWriter.ToBytes(ModelReader.Read(file)));
        // one threshold pair but a minimum duration above 1: still version 3
        byte[] same = ModelWriter.ToBytes(WithPerClass([20000, 20000], [5000, 5000], 2));
        Assert.Equal(EventRule.VersionPerClass, same[same.Length - 28]);
        Assert.False(ModelReader.Read(same).EventRule!.PerClassThresholds);
    }

    [Fact]
    public void A_per_class_rule_equal_to_a_plain_one_keeps_version_2_and_its_bytes()
    {
        byte[] plain = ModelWriter.ToBytes(WithMask(0b101));
        Assert.Equal(plain, ModelWriter.ToBytes(WithPerClass([20000, 20000], [5000, 5000], 1)));
    }

    [Fact]
    public void Bad_version_3_sections_are_refused_naming_the_field()
    {
        byte[] good = ModelWriter.ToBytes(WithPerClass([20000, 30000], [5000, 7000], 6));
        int at = good.Length - 28;
        byte[] f = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(at + 10), 0);                 // min_steps 0
        Assert.Equal("event_rule.min_steps", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(f))).Field);
        f = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(at + 20), 32769);              // class 2's on
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(f)));
        Assert.Equal("event_rule.on[class 2]", e.Field);
        Assert.Contains("must be 1..32768", e.Message);
        f = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(at + 16), 20001);              // class 0's off above its on
        Assert.Equal("event_rule.off[class 0]", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(f))).Field);
        byte[] cut = good.AsSpan(0, good.Length - 4).ToArray();                           // the last off missing
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), (uint)(cut.Length - ModelFileLayout.HeaderSize));
        Assert.Equal("event_rule.thresholds", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(cut))).Field);
        // a version 3 section holding a plain rule (one threshold pair, min_steps 1) has another encoding: refused
        byte[] plain = ModelWriter.ToBytes(WithPerClass([20000, 20000], [5000, 5000], 2));
        BinaryPrimitives.WriteUInt16LittleEndian(plain.AsSpan(plain.Length - 18), 1);
        Assert.Contains("written as version 2", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(plain))).Message);
    }

    [Fact]
    public void A_per_class_rule_needs_one_threshold_pair_per_event_class()
    {
        var e = Assert.Throws<ModelFormatException>(() => EventRule.ForClasses(12, 0b111, 3, [1, 2], [0, 0], 0, 1));
        Assert.Contains("the mask names 3 event classes", e.Message);
        Assert.Equal("event_rule.min_steps", Assert.Throws<ModelFormatException>(() => EventRule.ForClasses(12, 0b11, 3, [1, 2], [0, 0], 0, 65536)).Field);
    }

    [Fact]
    public void A_one_class_rule_is_still_written_as_version_1_so_single_class_files_do_not_change()
    {
        byte[] viaMask = ModelWriter.ToBytes(WithMask(0b100));
        Assert.Equal(ModelWriter.ToBytes(ModelFileTests.SmallModel().WithEventRule(new EventRule(3, 2, 3, 20000, 5000, 25))), viaMask);
        Assert.Equal(EventRule.Version, viaMask[viaMask.Length - 15]);
    }

    [Fact]
    public void The_shipped_motion_model_file_is_read_and_rewritten_byte_for_byte()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "models", "motion", "model.skrn"));
        SkipGruModel m = ModelReader.Read(file);
        Assert.Equal((1, 1 << 6, 1), (m.EventRule!.SectionVersion, m.EventRule.EventMask, m.EventRule.EventClassCount));
        Assert.Equal(file, ModelWriter.ToBytes(m));
    }

    [Theory]
    [InlineData(0, "is 0: at least one event class is needed")]
    [InlineData(0b1001, "is 0x00000009: it names class 3, the head has 3 classes (0..2)")]
    [InlineData(unchecked((int)0x80000001), "is 0x80000001: it names class 31, the head has 3 classes (0..2)")]
    [InlineData(0b010, "names one class: such a rule is written as version 1")]
    public void A_bad_mask_in_the_file_is_refused_with_a_clear_message(int mask, string message)
    {
        byte[] file = ModelWriter.ToBytes(WithMask(0b011));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(file.Length - 17), mask);
        var e = Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file)));
        Assert.Equal("event_rule.event_mask", e.Field);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_truncated_version_2_section_and_out_of_range_constants_name_the_field()
    {
        byte[] full = ModelWriter.ToBytes(WithMask(0b011));
        byte[] cut = full.AsSpan(0, full.Length - 15).ToArray();     // version and two bytes of the mask left
        BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(8), (uint)(cut.Length - ModelFileLayout.HeaderSize));
        Assert.Equal("event_rule.event_mask", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(cut))).Field);

        byte[] file = ModelWriter.ToBytes(WithMask(0b011));
        file[file.Length - 13] = 15;                                  // shift
        Assert.Equal("event_rule.shift", Assert.Throws<ModelFormatException>(() => ModelReader.Read(WithFixedCrc(file))).Field);
    }

    [Fact]
    public void A_mask_naming_a_class_outside_the_head_is_refused_when_built_or_attached()
    {
        Assert.Equal("event_rule.event_mask", Assert.Throws<ModelFormatException>(() => EventRule.ForClasses(12, 1 << 12, 3, 100, 50, 0)).Field);
        var wide = EventRule.ForClasses(12, 0x3ff, 3, 100, 50, 0);     // the ten keyword classes
        Assert.Equal((10, 0), (wide.EventClassCount, wide.EventClass));
        Assert.Equal("event_rule.event_class", Assert.Throws<ModelFormatException>(() => ModelFileTests.SmallModel().WithEventRule(wide)).Field);
        Assert.True(EventRule.ForClasses(40, unchecked((int)0x80000000), 3, 100, 50, 0).IsEventClass(31));
    }
}
