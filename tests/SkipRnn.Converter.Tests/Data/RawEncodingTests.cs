using SkipRnn.Converter.Data;
using SkipRnn.Converter.Tests.Builders;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Data;

public class RawEncodingTests
{
    [Fact]
    public void RoundsEachChannelToTheNearestCountOfItsLsbHalvesToEven()
    {
        var enc = RawEncoding.FromLsb([0.5, 0.25]);
        // channel 0: v / 0.5; channel 1: v / 0.25. Ties go to the even count, as Calibration.Run rounds.
        Assert.Equal([0, 2], enc.Encode([0.25, 0.625]));      // 0.5 → 0, 2.5 → 2
        Assert.Equal([2, 4], enc.Encode([0.75, 0.875]));      // 1.5 → 2, 3.5 → 4
        Assert.Equal([-2, -1], enc.Encode([-0.75, -0.3]));    // −1.5 → −2, −1.2 → −1
        Assert.Equal([7, -40], enc.Encode([3.6, -10.0]));     // 7.2 → 7
    }

    [Fact]
    public void TheBufferOverloadFillsTheCallersArrayWithoutAllocating()
    {
        var enc = RawEncoding.FromLsb([0.5, 0.25, 2]);
        var buffer = new int[3];
        double[] values = [1, 1, 1];
        Assert.Same(buffer, enc.Encode(values, buffer));
        Assert.Equal([2, 4, 0], buffer);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 1000; k++) enc.Encode(values, buffer);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void OutOfInt32RangeIsAnErrorNamingTheValueAndChannelNotAWrap()
    {
        var enc = RawEncoding.FromLsb([1, 0.5]);
        Assert.Equal([int.MaxValue, int.MinValue], enc.Encode([int.MaxValue, int.MinValue * 0.5]));

        var above = Assert.Throws<ArgumentOutOfRangeException>(() => enc.Encode([0, 1073741824.0]));   // 2^31 counts
        Assert.Contains("channel 1", above.Message);
        Assert.Contains("1073741824", above.Message);
        var below = Assert.Throws<ArgumentOutOfRangeException>(() => enc.Encode([-2147483649.0, 0]));
        Assert.Contains("channel 0", below.Message);
        Assert.Contains("-2147483649", below.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => enc.Encode([double.NaN, 0]));
        Assert.Throws<ArgumentException>(() => enc.Encode([1.0]));                       // wrong channel count
        Assert.Throws<ArgumentException>(() => enc.Encode([1.0, 2.0], new int[1]));      // short buffer
    }

    [Fact]
    public void CheckRangeNamesTheFileSequenceStepAndChannel()
    {
        double[] x = new double[2 * 3 * 2];
        x[1 * 6 + 2 * 2 + 1] = 1e12;    // sequence 1, step 2, channel 1
        var data = SequenceDataset.ForClassification("d.npz", x, 2, 3, 2, [0, 1]);
        var e = Assert.Throws<DataException>(() => RawEncoding.FromLsb([1, 1]).CheckRange(data));
        Assert.Equal("d.npz", e.File);
        Assert.Equal("array 'x'", e.Item);
        Assert.Contains("sequence 1, step 2, channel 1: value 1000000000000", e.Message);
        RawEncoding.FromLsb([1, 1000]).CheckRange(data);   // 10^9 counts: fits
    }

    [Theory]
    [InlineData(16, 32767)]
    [InlineData(8, 127)]
    [InlineData(12, 2047)]
    [InlineData(32, 2147483647)]
    public void FromCalibrationGivesTheLargestValueTheLargestCount(int bits, int top)
    {
        // Channel 0 peaks at +2.5, channel 1 at −8 (magnitude counts), channel 2 is always zero.
        double[] x = [1, -8, 0, 2.5, 3, 0, -0.5, 0.25, 0];   // 1 sequence × 3 steps × 3 channels
        var data = SequenceDataset.ForClassification("calib.npz", x, 1, 3, 3, [0]);
        var enc = RawEncoding.FromCalibration(data, bits);
        Assert.Equal([2.5 / top, 8.0 / top, 1.0], enc.Lsb);
        Assert.Equal([top, -top, 0], enc.Encode([2.5, -8, 0]));
        Assert.Equal([-top, top, 5], enc.Encode([-2.5, 8, 5]));
    }

    [Fact]
    public void RefusesBadBitsAndLsbs()
    {
        var data = SequenceDataset.ForClassification("calib.npz", [1.0], 1, 1, 1, [0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => RawEncoding.FromCalibration(data, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawEncoding.FromCalibration(data, 33));
        foreach (double bad in new[] { 0.0, -1.0, double.NaN, double.PositiveInfinity })
            Assert.Contains("Channel 1", Assert.Throws<ArgumentException>(() => RawEncoding.FromLsb([1, bad])).Message);
        Assert.Throws<ArgumentException>(() => RawEncoding.FromLsb([]));
    }

    [Fact]
    public void TheEncodingIsImmutable()
    {
        double[] lsb = [0.5];
        var enc = RawEncoding.FromLsb(lsb);
        lsb[0] = 99;
        enc.Lsb[0] = 99;
        Assert.Equal([0.5], enc.Lsb);
        Assert.Equal([4], enc.Encode([2.0]));
    }

    [Fact]
    public void MeansWhatTheQuantizersInputRawScaleMeans()
    {
        // The device's normalization folded from the same LSBs must turn Encode(x) into ≈ (x − mean) / std · 2^F.
        var model = new ReferenceWeights(3, 8, 1, 4, seed: 3).Model(GruVariant.ResetAfter);
        model.InputMean = [1.774, -0.562, 1.139];
        model.InputStd = [1.978, 1.236, 2.807];
        var enc = RawEncoding.FromLsb([0.001, 0.0005, 0.02]);
        var norm = Quantizer.InputNormalizationFor(model, new QuantizerOptions { InputRawScale = enc.Lsb, InputFracBits = 11 });
        var random = new Random(11);
        var x = new short[3];
        for (int k = 0; k < 1000; k++)
        {
            double[] physical = [random.NextDouble() * 10 - 5, random.NextDouble() * 6 - 3, random.NextDouble() * 20 - 10];
            norm.Apply(enc.Encode(physical), x);
            double[] expected = FloatSkipGru.Normalize(model, physical);
            for (int j = 0; j < 3; j++)
            {
                // Raw rounding moves x by at most lsb/2, i.e. lsb / (2·std) normalized units, plus one count.
                double tolerance = enc.Lsb[j] / (2 * model.InputStd[j]) * 2048 + 1;
                Assert.InRange(x[j] - expected[j] * 2048, -tolerance, tolerance);
            }
        }
    }
}
