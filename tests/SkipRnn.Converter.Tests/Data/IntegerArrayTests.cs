using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests.Data;

/// <summary>The import layer's integer arrays: read exactly for datasets, still refused in weights files.</summary>
public class IntegerArrayTests
{
    private const long TwoTo53 = 1L << 53;

    [Theory]
    [InlineData("|i1", TensorDType.I8, -128L, 127L)]
    [InlineData("|u1", TensorDType.U8, 0L, 255L)]
    [InlineData("<i2", TensorDType.I16, -32768L, 32767L)]
    [InlineData(">i2", TensorDType.I16, -32768L, 32767L)]
    [InlineData("<u2", TensorDType.U16, 0L, 65535L)]
    [InlineData("<i4", TensorDType.I32, -2147483648L, 2147483647L)]
    [InlineData(">u4", TensorDType.U32, 0L, 4294967295L)]
    [InlineData("<i8", TensorDType.I64, -TwoTo53, TwoTo53)]
    [InlineData(">i8", TensorDType.I64, -TwoTo53, TwoTo53)]
    [InlineData("<u8", TensorDType.U64, 0L, TwoTo53)]
    public void ReadsEveryIntegerWidthExactlyWhenAsked(string descr, TensorDType dtype, long min, long max)
    {
        var t = NpyReader.Parse(DatasetNpz.IntNpy(descr, [4], [min, max, 0, 1]), "y", "d.npz", allowIntegers: true);
        Assert.Equal(dtype, t.SourceDType);
        Assert.True(t.IsInteger);
        Assert.Equal([min, max, 0.0, 1.0], t.Data);
    }

    [Theory]
    [InlineData("<i8", -1)]
    [InlineData("<u8", 1)]
    public void RefusesSixtyFourBitValuesADoubleCannotHold(string descr, int sign)
    {
        var e = Assert.Throws<ImportException>(() =>
            NpyReader.Parse(DatasetNpz.IntNpy(descr, [2], [0, sign * (TwoTo53 + 1)]), "y", "d.npz", allowIntegers: true));
        Assert.Equal("array 'y'", e.Item);
        Assert.Contains("[1]", e.Message);
        Assert.Contains("2^53", e.Message);
    }

    [Fact]
    public void RefusesMultiByteIntegersWithoutAByteOrder()
    {
        var e = Assert.Throws<ImportException>(() =>
            NpyReader.Parse(DatasetNpz.IntNpy("|i4", [1], [1]), "y", "d.npz", allowIntegers: true));
        Assert.Contains("'|i4'", e.Message);
    }

    [Fact]
    public void WeightsFilesStillRefuseIntegerArrays()
    {
        var npz = NpzBuilder.Npz([("cells.0.weight_ih", DatasetNpz.IntNpy("<i8", [2], [1, 2]))]);
        var viaNpz = Assert.Throws<ImportException>(() => NpzReader.Parse(npz, "w.npz"));
        Assert.Contains("signed integer", viaNpz.Message);
        Assert.Contains("only float16, float32 and float64", viaNpz.Message);
        Assert.Throws<ImportException>(() => TensorFile.Parse(npz, "w.npz"));
        Assert.Throws<ImportException>(() => NpyReader.Parse(DatasetNpz.IntNpy("|u1", [1], [1]), "w", "w.npy"));
    }
}
