using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Builds the <see cref="FloatSkipGruModel"/> from a mapping: converts each layout to PyTorch's
/// (row-major [3H × I] / [3H × H], rows r, z, n, separate input and recurrent biases) and checks
/// every shape, naming the tensor that does not fit.
/// </summary>
public static class SkipGruAssembler
{
    public static FloatSkipGruModel Build(TensorSet tensors, SkipGruMapping mapping, GruVariant variant)
    {
        var layers = new FloatGruLayer[mapping.Layers.Count];
        for (int l = 0; l < layers.Length; l++)
        {
            var layer = Convert(tensors, mapping.Layers[l], l);
            if (l > 0 && layer.HiddenSize != layers[0].HiddenSize)
                throw Shape(tensors, mapping.Layers[l].TensorNames.First(),
                    $"layer {l} has {layer.HiddenSize} units but layer 0 has {layers[0].HiddenSize}; stacked layers must have the same size.");
            if (l > 0 && layer.InputSize != layers[0].HiddenSize)
                throw Shape(tensors, mapping.Layers[l].TensorNames.First(),
                    $"layer {l} reads {layer.InputSize} inputs but the layer below has {layers[0].HiddenSize} units.");
            layers[l] = layer;
        }
        int h = layers[0].HiddenSize;
        var (skipWeight, skipBias) = Linear(tensors, mapping.SkipGate, h, "skip gate");
        if (skipWeight.Length != h)
            throw Shape(tensors, mapping.SkipGate.Weight, $"the skip gate must output one value, not {skipWeight.Length / h}.");
        if (skipBias.Length != 1)
            throw Shape(tensors, mapping.SkipGate.Bias ?? mapping.SkipGate.Weight, "the skip gate needs exactly one bias value.");

        double[]? headWeight = null, headBias = null;
        if (mapping.Head != null) (headWeight, headBias) = Linear(tensors, mapping.Head, h, "head");

        try
        {
            return new FloatSkipGruModel(variant, layers, skipWeight, skipBias[0], headWeight, headBias);
        }
        catch (ArgumentException ex)
        {
            // The checks above should have caught everything; keep the one error type if not.
            throw new ImportException(tensors.Source, null, ex.Message, ex);
        }
    }

    private static FloatGruLayer Convert(TensorSet tensors, GruLayerSource source, int l) => source switch
    {
        PyTorchGruLayer p => FromPyTorch(tensors, p),
        TfResetBeforeGruLayer t => FromTfResetBefore(tensors, t),
        KerasGruLayer k => FromKeras(tensors, k),
        _ => throw new ImportException(tensors.Source, $"layer {l}", $"unknown layout {source.GetType().Name}."),
    };

    /// <summary>Already the target layout; only shapes to check.</summary>
    private static FloatGruLayer FromPyTorch(TensorSet tensors, PyTorchGruLayer p)
    {
        var whh = Matrix(tensors, p.WeightHh);
        int h = whh.Shape[1];
        if (whh.Shape[0] != 3 * h)
            throw Shape(tensors, p.WeightHh, $"has shape {whh.ShapeText}; weight_hh is [3H, H] (rows r, z, n), so expected [{3 * h}, {h}].");
        var wih = Matrix(tensors, p.WeightIh);
        if (wih.Shape[0] != 3 * h || wih.Shape[1] < 1)
            throw Shape(tensors, p.WeightIh, $"has shape {wih.ShapeText}; expected [{3 * h}, I] to match weight_hh {whh.ShapeText}.");
        return new FloatGruLayer(wih.Shape[1], h, Copy(wih), Copy(whh),
            Vector(tensors, p.BiasIh, 3 * h), Vector(tensors, p.BiasHh, 3 * h));
    }

    /// <summary>
    /// Kernels are [I+H, out] with input rows first: the transpose of a [out, I+H] weight. Gate
    /// columns are r then u (u plays z's role); the candidate gives n, acting on [x, r⊙h]. The single
    /// biases go to the input side and the recurrent biases are zero.
    /// </summary>
    private static FloatGruLayer FromTfResetBefore(TensorSet tensors, TfResetBeforeGruLayer t)
    {
        var cand = Matrix(tensors, t.CandidateKernel);
        int h = cand.Shape[1];
        int i = cand.Shape[0] - h;
        if (i < 1)
            throw Shape(tensors, t.CandidateKernel, $"has shape {cand.ShapeText}; candidate.kernel is [I+H, H] with I ≥ 1.");
        var gates = Matrix(tensors, t.GatesKernel);
        if (!gates.HasShape(i + h, 2 * h))
            throw Shape(tensors, t.GatesKernel, $"has shape {gates.ShapeText}; expected [{i + h}, {2 * h}] (I+H rows, columns r then u) to match candidate.kernel {cand.ShapeText}.");

        var wih = new double[3 * h * i];
        var whh = new double[3 * h * h];
        for (int row = 0; row < h; row++)
        {
            for (int g = 0; g < 2; g++) // r, u→z from the gates kernel
            {
                int col = g * h + row;
                for (int c = 0; c < i; c++) wih[(g * h + row) * i + c] = gates.Data[c * 2 * h + col];
                for (int c = 0; c < h; c++) whh[(g * h + row) * h + c] = gates.Data[(i + c) * 2 * h + col];
            }
            for (int c = 0; c < i; c++) wih[(2 * h + row) * i + c] = cand.Data[c * h + row];
            for (int c = 0; c < h; c++) whh[(2 * h + row) * h + c] = cand.Data[(i + c) * h + row];
        }
        var bih = new double[3 * h];
        Vector(tensors, t.GatesBias, 2 * h).CopyTo(bih, 0);
        Vector(tensors, t.CandidateBias, h).CopyTo(bih, 2 * h);
        return new FloatGruLayer(i, h, wih, whh, bih, new double[3 * h]);
    }

    /// <summary>Keras: kernels [in, 3H] with gate column blocks z, r, h; reorder to rows r, z, n.</summary>
    private static FloatGruLayer FromKeras(TensorSet tensors, KerasGruLayer k)
    {
        var rec = Matrix(tensors, k.RecurrentKernel);
        int h = rec.Shape[0];
        if (rec.Shape[1] != 3 * h)
            throw Shape(tensors, k.RecurrentKernel, $"has shape {rec.ShapeText}; recurrent_kernel is [H, 3H], so expected [{h}, {3 * h}].");
        var kernel = Matrix(tensors, k.Kernel);
        int i = kernel.Shape[0];
        if (kernel.Shape[1] != 3 * h || i < 1)
            throw Shape(tensors, k.Kernel, $"has shape {kernel.ShapeText}; expected [I, {3 * h}] to match recurrent_kernel {rec.ShapeText}.");

        var wih = new double[3 * h * i];
        var whh = new double[3 * h * h];
        var bih = new double[3 * h];
        var bhh = new double[3 * h];
        double[]? bias = null;
        bool twoBiases = false;
        if (k.Bias != null)
        {
            var b = tensors.Get(k.Bias);
            twoBiases = b.HasShape(2, 3 * h);
            if (!twoBiases && !b.HasShape(3 * h))
                throw Shape(tensors, k.Bias, $"has shape {b.ShapeText}; a Keras GRU bias is [2, {3 * h}] (reset_after) or [{3 * h}].");
            bias = b.Data;
        }
        for (int g = 0; g < 3; g++)
        {
            int block = KerasBlock[g];
            for (int row = 0; row < h; row++)
            {
                int col = block * h + row;
                for (int c = 0; c < i; c++) wih[(g * h + row) * i + c] = kernel.Data[c * 3 * h + col];
                for (int c = 0; c < h; c++) whh[(g * h + row) * h + c] = rec.Data[c * 3 * h + col];
                if (bias == null) continue;
                bih[g * h + row] = bias[col];
                if (twoBiases) bhh[g * h + row] = bias[3 * h + col];
            }
        }
        return new FloatGruLayer(i, h, wih, whh, bih, bhh);
    }

    /// <summary>For PyTorch gate g (r, z, n), the Keras column block (z=0, r=1, h=2).</summary>
    private static readonly int[] KerasBlock = [1, 0, 2];

    /// <summary>Weight as [out × H] row-major (transposing an [H, out] kernel) and its bias (zeros if none).</summary>
    private static (double[] Weight, double[] Bias) Linear(TensorSet tensors, LinearSource source, int h, string part)
    {
        var w = tensors.Get(source.Weight);
        int outputs;
        double[] weight;
        if (w.Rank == 1 && w.ElementCount == h && part == "skip gate")
        {
            outputs = 1; // a bare W_p vector
            weight = Copy(w);
        }
        else if (w.Shape is [int a, int b] && (source.InputMajor ? a : b) == h)
        {
            outputs = source.InputMajor ? b : a;
            weight = source.InputMajor ? Transpose(w.Data, a, b) : Copy(w);
        }
        else
        {
            throw Shape(tensors, source.Weight, $"has shape {w.ShapeText}; the {part} reads the {h}-value state, so expected " +
                (source.InputMajor ? $"[{h}, out] (a kernel)." : $"[out, {h}]."));
        }
        return (weight, Vector(tensors, source.Bias, outputs));
    }

    private static Tensor Matrix(TensorSet tensors, string name)
    {
        var t = tensors.Get(name);
        if (t.Rank != 2 || t.ElementCount == 0)
            throw Shape(tensors, name, $"has shape {t.ShapeText}; expected a non-empty matrix.");
        return t;
    }

    /// <summary>A bias of <paramref name="length"/> values ([n] or [1, n]); zeros when the model has none.</summary>
    private static double[] Vector(TensorSet tensors, string? name, int length)
    {
        if (name == null) return new double[length];
        var t = tensors.Get(name);
        if (t.ElementCount != length || t.Shape.Count(d => d != 1) > 1)
            throw Shape(tensors, name, $"has shape {t.ShapeText}; expected [{length}].");
        return Copy(t);
    }

    private static double[] Copy(Tensor t) => (double[])t.Data.Clone();

    private static double[] Transpose(double[] m, int rows, int cols)
    {
        var r = new double[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                r[j * rows + i] = m[i * cols + j];
        return r;
    }

    private static ImportException Shape(TensorSet tensors, string name, string problem) =>
        new(tensors.Source, $"tensor '{name}'", problem);
}
