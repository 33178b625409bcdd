using SkipRnn.Edge.Kernels;

namespace SkipRnn.Edge.Tests;

public class RequantizationTests
{
    [Theory]
    // acc · m · 2^-s, rounded half toward +∞.
    [InlineData(3, 1 << 30, 31, 2)]        // 1.5 → 2
    [InlineData(-3, 1 << 30, 31, -1)]      // −1.5 → −1
    [InlineData(5, 1 << 30, 32, 1)]        // 1.25 → 1
    [InlineData(-5, 1 << 30, 32, -1)]      // −1.25 → −1
    [InlineData(7, 1 << 30, 32, 2)]        // 1.75 → 2
    [InlineData(0, 123456, 20, 0)]
    public void Rounds_half_toward_positive_infinity(long acc, int m, int s, int expected)
    {
        Assert.Equal(expected, Requantization.Requantize(acc, m, s));
    }

    [Fact]
    public void Clamps_to_the_preactivation_limit()
    {
        Assert.Equal(QFormat.PreactLimit, Requantization.Requantize(int.MaxValue, int.MaxValue, 1));
        Assert.Equal(-QFormat.PreactLimit, Requantization.Requantize(int.MinValue, int.MaxValue, 1));
    }

    [Fact]
    public void Matches_exact_rational_rounding_on_random_inputs()
    {
        var rng = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            long acc = rng.NextInt64(-(1L << 31), 1L << 31);
            int m = rng.Next(1 << 30, int.MaxValue);
            int s = rng.Next(31, 62);
            decimal pow = 1;
            for (int k = 0; k < s; k++) pow *= 2;   // exact: double → decimal would round
            decimal exact = Math.Floor((decimal)acc * m / pow + 0.5m);
            decimal clamped = Math.Clamp(exact, -QFormat.PreactLimit, QFormat.PreactLimit);
            Assert.Equal((int)clamped, Requantization.Requantize(acc, m, s));
        }
    }
}
