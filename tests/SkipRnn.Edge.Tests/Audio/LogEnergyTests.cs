using SkipRnn.Edge.Audio;

namespace SkipRnn.Edge.Tests.Audio;

public class LogEnergyTests
{
    [Fact]
    public void Is_within_0_6_output_steps_of_the_exact_log_over_every_scale()
    {
        var rng = new Random(5);
        double worst = 0;
        for (int trial = 0; trial < 200_000; trial++)
        {
            long energy = trial < 64 ? 1L << (trial % 63) : (long)Math.Pow(2, rng.NextDouble() * 48.5);
            if (trial % 97 == 0) energy += rng.Next(0, 3);          // values next to powers of two
            int exponent = rng.Next(25, 84);                           // 57 − 2r for r in [−13, 16]
            double exact = 1024 * Math.Log(energy * Math.Pow(2, -exponent) + 1e-6);
            worst = Math.Max(worst, Math.Abs(LogEnergy.Compute(energy, exponent) - exact));
        }
        // 0.5 from rounding to Q10, the rest from the Q15 tables and their interpolation (below 1e−4 nat = 0.1 step).
        Assert.True(worst <= 0.6, $"worst {worst:F4} Q10 steps");
    }

    [Fact]
    public void Zero_energy_gives_the_floor_and_the_floor_is_added_near_it()
    {
        Assert.Equal((int)Math.Round(1024 * Math.Log(1e-6)), LogEnergy.Compute(0, 40));
        Assert.Equal(LogEnergy.FloorFeature, LogEnergy.Compute(0, 83));
        // E = F exactly: ln(2F). 1e−6 · 2^60 ≈ 1 152 921 504 607.
        long e = 1_152_921_504_607;
        Assert.InRange(LogEnergy.Compute(e, 60) - 1024 * Math.Log(2e-6), -0.6, 0.6);
    }
}
