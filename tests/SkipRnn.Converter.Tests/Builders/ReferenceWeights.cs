using SkipRnn.Converter.Import;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Tests.Builders;

/// <summary>
/// A random Skip-GRU in the target layout, and the same weights written out the way each framework
/// stores them. The conversions here go the opposite way from the importer's (target → source),
/// so a round trip checks the importer's index arithmetic against independent code.
/// </summary>
internal sealed class ReferenceWeights
{
    public int I { get; }
    public int H { get; }
    public int O { get; }
    public FloatGruLayer[] Layers { get; }
    public double[] SkipWeight { get; }
    public double SkipBias { get; }
    public double[] HeadWeight { get; }
    public double[] HeadBias { get; }

    /// <param name="zeroRecurrentBias">TF and Keras reset_after=False have no recurrent bias.</param>
    public ReferenceWeights(int inputs, int hidden, int layers, int outputs, int seed, bool zeroRecurrentBias = false)
    {
        var random = new Random(seed);
        double[] Values(int n) => Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 2 - 1, 6)).ToArray();
        I = inputs;
        H = hidden;
        O = outputs;
        Layers = new FloatGruLayer[layers];
        for (int l = 0; l < layers; l++)
        {
            int inSize = l == 0 ? inputs : hidden;
            Layers[l] = new FloatGruLayer(inSize, hidden, Values(3 * hidden * inSize), Values(3 * hidden * hidden),
                Values(3 * hidden), zeroRecurrentBias ? new double[3 * hidden] : Values(3 * hidden));
        }
        SkipWeight = Values(hidden);
        SkipBias = Values(1)[0];
        HeadWeight = Values(outputs * hidden);
        HeadBias = Values(outputs);
    }

    public FloatSkipGruModel Model(GruVariant variant, bool head = true) =>
        new(variant, Layers, SkipWeight, SkipBias, head ? HeadWeight : null, head ? HeadBias : null);

    public static Tensor T(string name, int[] shape, double[] data) => new(name, shape, data, TensorDType.F32);

    public static TensorSet Set(IEnumerable<Tensor> tensors) => new("test.safetensors", TensorFileFormat.Safetensors, tensors);

    /// <summary>nn.GRUCell per layer: "{scope(l)}weight_ih" etc.</summary>
    public IEnumerable<Tensor> TorchCells(Func<int, string> scope)
    {
        for (int l = 0; l < Layers.Length; l++)
        {
            var w = Layers[l];
            yield return T(scope(l) + "weight_ih", [3 * H, w.InputSize], w.Wih);
            yield return T(scope(l) + "weight_hh", [3 * H, H], w.Whh);
            yield return T(scope(l) + "bias_ih", [3 * H], w.Bih);
            yield return T(scope(l) + "bias_hh", [3 * H], w.Bhh);
        }
    }

    /// <summary>One nn.GRU: "{prefix}weight_ih_l{k}" etc.</summary>
    public IEnumerable<Tensor> NnGru(string prefix)
    {
        for (int l = 0; l < Layers.Length; l++)
        {
            var w = Layers[l];
            yield return T($"{prefix}weight_ih_l{l}", [3 * H, w.InputSize], w.Wih);
            yield return T($"{prefix}weight_hh_l{l}", [3 * H, H], w.Whh);
            yield return T($"{prefix}bias_ih_l{l}", [3 * H], w.Bih);
            yield return T($"{prefix}bias_hh_l{l}", [3 * H], w.Bhh);
        }
    }

    /// <summary>The paper's TF cell: gates kernel [I+H, 2H] (columns r, u), candidate kernel [I+H, H].</summary>
    public IEnumerable<Tensor> TfCells(Func<int, string> scope, string kernel = "kernel", string bias = "bias", string sep = ".")
    {
        for (int l = 0; l < Layers.Length; l++)
        {
            var w = Layers[l];
            int i = w.InputSize, rows = i + H;
            var gates = new double[rows * 2 * H];
            var cand = new double[rows * H];
            for (int j = 0; j < H; j++)
            {
                for (int g = 0; g < 2; g++)
                {
                    for (int c = 0; c < i; c++) gates[c * 2 * H + g * H + j] = w.Wih[(g * H + j) * i + c];
                    for (int c = 0; c < H; c++) gates[(i + c) * 2 * H + g * H + j] = w.Whh[(g * H + j) * H + c];
                }
                for (int c = 0; c < i; c++) cand[c * H + j] = w.Wih[(2 * H + j) * i + c];
                for (int c = 0; c < H; c++) cand[(i + c) * H + j] = w.Whh[(2 * H + j) * H + c];
            }
            yield return T($"{scope(l)}gates{sep}{kernel}", [rows, 2 * H], gates);
            yield return T($"{scope(l)}gates{sep}{bias}", [2 * H], w.Bih[..(2 * H)]);
            yield return T($"{scope(l)}candidate{sep}{kernel}", [rows, H], cand);
            yield return T($"{scope(l)}candidate{sep}{bias}", [H], w.Bih[(2 * H)..]);
        }
    }

    /// <summary>Keras: kernels [in, 3H] with column blocks z, r, h; bias [2, 3H] or (single) [3H].</summary>
    public IEnumerable<Tensor> Keras(Func<int, string> scope, bool singleBias = false)
    {
        int[] blockOf = [1, 0, 2]; // r → block 1, z → block 0, n → block 2
        for (int l = 0; l < Layers.Length; l++)
        {
            var w = Layers[l];
            int i = w.InputSize, cols = 3 * H;
            var kernel = new double[i * cols];
            var rec = new double[H * cols];
            var bias = new double[2 * cols];
            for (int g = 0; g < 3; g++)
                for (int j = 0; j < H; j++)
                {
                    int col = blockOf[g] * H + j;
                    for (int c = 0; c < i; c++) kernel[c * cols + col] = w.Wih[(g * H + j) * i + c];
                    for (int c = 0; c < H; c++) rec[c * cols + col] = w.Whh[(g * H + j) * H + c];
                    bias[col] = w.Bih[g * H + j];
                    bias[cols + col] = w.Bhh[g * H + j];
                }
            yield return T(scope(l) + "kernel", [i, cols], kernel);
            yield return T(scope(l) + "recurrent_kernel", [H, cols], rec);
            yield return singleBias ? T(scope(l) + "bias", [cols], bias[..cols]) : T(scope(l) + "bias", [2, cols], bias);
        }
    }

    /// <summary>A PyTorch linear: weight [out, H], bias [out].</summary>
    public IEnumerable<Tensor> TorchLinear(string scope, bool skip)
    {
        yield return T(scope + "weight", skip ? [1, H] : [O, H], skip ? SkipWeight : HeadWeight);
        yield return T(scope + "bias", skip ? [1] : [O], skip ? [SkipBias] : HeadBias);
    }

    /// <summary>A TF/Keras dense: kernel [H, out] (the transpose), bias [out].</summary>
    public IEnumerable<Tensor> KerasLinear(string scope, bool skip, string kernel = "kernel", string bias = "bias")
    {
        int outs = skip ? 1 : O;
        var w = skip ? SkipWeight : HeadWeight;
        var k = new double[H * outs];
        for (int o = 0; o < outs; o++)
            for (int j = 0; j < H; j++)
                k[j * outs + o] = w[o * H + j];
        yield return T(scope + kernel, [H, outs], k);
        yield return T(scope + bias, [outs], skip ? [SkipBias] : HeadBias);
    }
}
