using System;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Host
{
    /// <summary>
    /// One GRU layer's float weights in PyTorch's layout: row-major matrices, gate order r, z, n.
    /// For <see cref="GruVariant.ResetBefore"/> the n rows of <see cref="Whh"/> act on r ⊙ h.
    /// </summary>
    public sealed class FloatGruLayer
    {
        /// <summary>Input size of this layer (the model input for layer 0, the hidden size above).</summary>
        public int InputSize { get; }
        public int HiddenSize { get; }
        /// <summary>[3H × InputSize], row-major.</summary>
        public double[] Wih { get; }
        /// <summary>[3H × H], row-major.</summary>
        public double[] Whh { get; }
        /// <summary>[3H].</summary>
        public double[] Bih { get; }
        /// <summary>[3H].</summary>
        public double[] Bhh { get; }

        public FloatGruLayer(int inputSize, int hiddenSize, double[] wih, double[] whh, double[] bih, double[] bhh)
        {
            if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize));
            if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize));
            Check(wih, 3 * hiddenSize * inputSize, nameof(wih));
            Check(whh, 3 * hiddenSize * hiddenSize, nameof(whh));
            Check(bih, 3 * hiddenSize, nameof(bih));
            Check(bhh, 3 * hiddenSize, nameof(bhh));
            InputSize = inputSize;
            HiddenSize = hiddenSize;
            Wih = wih;
            Whh = whh;
            Bih = bih;
            Bhh = bhh;
        }

        internal static void Check(double[] values, int length, string name)
        {
            if (values == null) throw new ArgumentNullException(name);
            if (values.Length != length)
                throw new ArgumentException($"{name} has {values.Length} values, expected {length}.", name);
            for (int i = 0; i < values.Length; i++)
                if (!double.IsFinite(values[i]))
                    throw new ArgumentException($"{name}[{i}] is {values[i]}: weights must be finite.", name);
        }
    }

    /// <summary>
    /// A trained Skip-GRU in float: stacked GRU layers, the skip gate on the top layer's state,
    /// an optional dense head, and the metadata the device file carries.
    /// </summary>
    public sealed class FloatSkipGruModel
    {
        public GruVariant Variant { get; }
        public FloatGruLayer[] Layers { get; }
        /// <summary>W_p, [H] (acts on the top layer's state).</summary>
        public double[] SkipWeight { get; }
        /// <summary>b_p.</summary>
        public double SkipBias { get; }
        /// <summary>[O × H] row-major, or null when the model has no head.</summary>
        public double[] HeadWeight { get; }
        /// <summary>[O], or null when the model has no head.</summary>
        public double[] HeadBias { get; }

        public int InputSize => Layers[0].InputSize;
        public int HiddenSize => Layers[0].HiddenSize;
        public int OutputSize => HeadBias == null ? 0 : HeadBias.Length;

        /// <summary>The model expects (raw − mean) / std; null means identity.</summary>
        public double[] InputMean { get; set; }
        public double[] InputStd { get; set; }
        /// <summary>Optional class names, one per output.</summary>
        public string[] ClassNames { get; set; }
        /// <summary>Sample period in microseconds, 0 when unknown.</summary>
        public int SamplePeriodMicros { get; set; }

        public FloatSkipGruModel(GruVariant variant, FloatGruLayer[] layers, double[] skipWeight, double skipBias,
            double[] headWeight = null, double[] headBias = null)
        {
            if (layers == null || layers.Length < 1 || layers.Length > 4)
                throw new ArgumentException("A Skip-GRU has 1 to 4 layers.", nameof(layers));
            int h = layers[0].HiddenSize;
            for (int l = 0; l < layers.Length; l++)
            {
                if (layers[l].HiddenSize != h)
                    throw new ArgumentException($"Layer {l} has hidden size {layers[l].HiddenSize}, layer 0 has {h}.", nameof(layers));
                if (l > 0 && layers[l].InputSize != h)
                    throw new ArgumentException($"Layer {l} takes {layers[l].InputSize} inputs but the layer below has {h} units.", nameof(layers));
            }
            FloatGruLayer.Check(skipWeight, h, nameof(skipWeight));
            if (!double.IsFinite(skipBias)) throw new ArgumentException("The skip-gate bias must be finite.", nameof(skipBias));
            if ((headWeight == null) != (headBias == null))
                throw new ArgumentException("Give both head weight and head bias, or neither.");
            if (headBias != null)
            {
                if (headBias.Length < 1) throw new ArgumentException("The head needs at least one output.", nameof(headBias));
                FloatGruLayer.Check(headBias, headBias.Length, nameof(headBias));
                FloatGruLayer.Check(headWeight, headBias.Length * h, nameof(headWeight));
            }
            Variant = variant;
            Layers = layers;
            SkipWeight = skipWeight;
            SkipBias = skipBias;
            HeadWeight = headWeight;
            HeadBias = headBias;
        }
    }
}
