namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// One quantized GRU layer: W_ih [3H × I] and W_hh [3H × H] (gate order r, z, n) with
    /// Q.12 biases b_ih, b_hh [3H]. For <see cref="GruVariant.ResetBefore"/> the n rows of W_hh act on r ⊙ h.
    /// </summary>
    public sealed class GruLayerWeights
    {
        /// <summary>Input-side weights, 3H rows.</summary>
        public QuantizedMatrix Wih { get; private set; }
        /// <summary>Recurrent weights, 3H rows, H columns.</summary>
        public QuantizedMatrix Whh { get; private set; }
        /// <summary>Input-side biases in Q.12, 3H values.</summary>
        public int[] Bih { get; private set; }
        /// <summary>Recurrent-side biases in Q.12, 3H values.</summary>
        public int[] Bhh { get; private set; }

        /// <summary>Hidden units.</summary>
        public int HiddenSize { get { return Whh.Cols; } }
        /// <summary>Inputs of this layer.</summary>
        public int InputSize { get { return Wih.Cols; } }

        /// <summary>Validates shapes and bias ranges; <paramref name="name"/> prefixes error fields.</summary>
        public GruLayerWeights(string name, QuantizedMatrix wih, QuantizedMatrix whh, int[] bih, int[] bhh)
        {
            if (wih == null || whh == null) throw new ModelFormatException(name, "needs both weight matrices");
            int h = whh.Cols;
            if (whh.Rows != 3 * h) throw new ModelFormatException(name + ".w_hh", "must have 3 × hidden rows");
            if (wih.Rows != 3 * h) throw new ModelFormatException(name + ".w_ih", "must have 3 × hidden rows");
            ModelChecks.Biases(name + ".b_ih", bih, 3 * h);
            ModelChecks.Biases(name + ".b_hh", bhh, 3 * h);
            Wih = wih;
            Whh = whh;
            Bih = bih;
            Bhh = bhh;
        }
    }
}
