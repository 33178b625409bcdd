using SkipRnn.Edge.Kernels;
using Xunit.Abstractions;

namespace SkipRnn.Edge.Tests;

public class ActivationTests(ITestOutputHelper output)
{
    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    [Fact]
    public void Tables_hold_the_rounded_exact_function_at_every_grid_point()
    {
        for (int i = 0; i < Activation.SigmoidTable.Length; i++)
        {
            double x = (i * (1 << Activation.SigmoidStepBits) - 32768) / 4096.0;
            Assert.Equal(Math.Min(32767, Math.Round(Sigmoid(x) * 32768)), Activation.SigmoidTable[i]);
        }
        for (int i = 0; i < Activation.TanhTable.Length; i++)
        {
            double x = (i * (1 << Activation.TanhStepBits) - 32768) / 4096.0;
            Assert.Equal(Math.Clamp(Math.Round(Math.Tanh(x) * 32768), -32767, 32767), Activation.TanhTable[i]);
        }
        Assert.Equal((65536 >> Activation.SigmoidStepBits) + 1, Activation.SigmoidTable.Length);
        Assert.Equal((65536 >> Activation.TanhStepBits) + 1, Activation.TanhTable.Length);
    }

    [Fact]
    public void Worst_case_error_over_every_q12_input_is_within_2_to_the_minus_11()
    {
        double worstSigmoid = 0, worstTanh = 0;
        int atSigmoid = 0, atTanh = 0;
        // Every Q.12 input from −16 to +16: the grid, between it, and the saturated range beyond ±8.
        for (int x = -65536; x <= 65536; x++)
        {
            double real = x / 4096.0;
            double es = Math.Abs(Activation.Sigmoid(x) / 32768.0 - Sigmoid(real));
            double et = Math.Abs(Activation.Tanh(x) / 32768.0 - Math.Tanh(real));
            if (es > worstSigmoid) { worstSigmoid = es; atSigmoid = x; }
            if (et > worstTanh) { worstTanh = et; atTanh = x; }
        }
        output.WriteLine($"sigmoid worst |error| = {worstSigmoid:E3} = 2^{Math.Log2(worstSigmoid):F2} at x = {atSigmoid / 4096.0}");
        output.WriteLine($"tanh    worst |error| = {worstTanh:E3} = 2^{Math.Log2(worstTanh):F2} at x = {atTanh / 4096.0}");
        Assert.True(worstSigmoid <= Math.Pow(2, -11), $"sigmoid error {worstSigmoid}");
        Assert.True(worstTanh <= Math.Pow(2, -11), $"tanh error {worstTanh}");
    }

    [Fact]
    public void Outputs_are_monotone_and_bounded()
    {
        int prevS = int.MinValue, prevT = int.MinValue;
        for (int x = -40000; x <= 40000; x++)
        {
            int s = Activation.Sigmoid(x), t = Activation.Tanh(x);
            Assert.InRange(s, 0, 32767);
            Assert.InRange(t, -32767, 32767);
            Assert.True(s >= prevS && t >= prevT);
            prevS = s;
            prevT = t;
        }
        Assert.Equal(Activation.Sigmoid(int.MaxValue), Activation.Sigmoid(32767));
        Assert.Equal(Activation.Tanh(int.MinValue), Activation.Tanh(-32768));
    }

    [Fact]
    public void Whole_range_lookups_of_sums_equal_the_scalar_reference_on_every_input()
    {
        // Every Q.12 input and beyond the saturation points on both sides, split into three random parts.
        var rng = new Random(9);
        int[] inputs = Enumerable.Range(-70000, 140001).ToArray();
        int[] b = inputs.Select(_ => rng.Next(-(1 << 19), 1 << 19)).ToArray();
        int[] c = inputs.Select(_ => rng.Next(-(1 << 19), 1 << 19)).ToArray();
        int[] a = inputs.Select((v, i) => v - b[i] - c[i]).ToArray();
        int[] sig = (int[])a.Clone();
        int[] tanh = (int[])a.Clone();
        Activation.SigmoidOfSum(sig, b, c, 0, sig.Length);
        Activation.TanhOfSum(tanh, b, c, 0, tanh.Length);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(Activation.Sigmoid(inputs[i]), sig[i]);
            Assert.Equal(Activation.Tanh(inputs[i]), tanh[i]);
        }
        int[] part = { 1, 2, 3, 4 };
        var zero = new int[4];
        Activation.SigmoidOfSum(part, zero, zero, 1, 3);
        Assert.Equal(new[] { 1, Activation.Sigmoid(2), Activation.Sigmoid(3), 4 }, part);
    }
}
