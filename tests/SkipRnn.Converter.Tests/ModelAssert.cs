using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Tests;

internal static class ModelAssert
{
    /// <summary>Bit-for-bit equal weights and structure.</summary>
    public static void SameWeights(FloatSkipGruModel expected, FloatSkipGruModel actual)
    {
        Assert.Equal(expected.Variant, actual.Variant);
        Assert.Equal(expected.Layers.Length, actual.Layers.Length);
        for (int l = 0; l < expected.Layers.Length; l++)
        {
            var e = expected.Layers[l];
            var a = actual.Layers[l];
            Assert.Equal((e.InputSize, e.HiddenSize), (a.InputSize, a.HiddenSize));
            Assert.Equal(e.Wih, a.Wih);
            Assert.Equal(e.Whh, a.Whh);
            Assert.Equal(e.Bih, a.Bih);
            Assert.Equal(e.Bhh, a.Bhh);
        }
        Assert.Equal(expected.SkipWeight, actual.SkipWeight);
        Assert.Equal(expected.SkipBias, actual.SkipBias);
        Assert.Equal(expected.HeadWeight, actual.HeadWeight);
        Assert.Equal(expected.HeadBias, actual.HeadBias);
    }

    public static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}[{i}]: {actual[i]} differs from {expected[i]} by more than {tolerance}");
    }
}
