using System;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Runtime
{
    /// <summary>
    /// The Skip-GRU step written plainly, one helper per gate: the arithmetic <see cref="SkipGru"/> does, which is this
    /// rearranged for the interpreter (fused loops, packed weights, the skip count in closed form). Tests hold the two
    /// equal bit for bit at every step. Per layer, gates r, z, n (Q formats: docs/fixed-point.md):
    /// <code>
    /// r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
    /// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     reset-before: tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
    /// h ← n + z ⊙ (h − n)
    /// </code>
    /// then from the top layer's state Δũ = σ(W_p h + b_p) and the head y = W_o h + b_o. A step updates when ũ &gt; 0.5;
    /// ũ becomes Δũ after an update and min(ũ + Δũ, 1) after a skipped step. Reads the stored weights (a packed matrix
    /// decodes a copy once, here); allocates nothing per step; slow on the interpreter (a call per unit and gate).
    /// </summary>
    public sealed class ReferenceSkipGru
    {
        private readonly SkipGruModel _model;
        private readonly bool _resetBefore;
        private readonly int _hidden;
        private readonly short[][] _state;     // per layer, Q0.15
        private readonly short[] _input;       // normalized input, int16
        private readonly int[] _gx, _gh;       // W_ih x and W_hh h (or W_hn (r ⊙ h)) requantized, Q.12, 3H each
        private readonly int[] _r, _z;         // gates, Q0.15
        private readonly short[] _resetState;  // r ⊙ h, reset-before only
        private readonly int[] _skip = new int[1];
        private readonly int[] _outputs;       // head, Q.12
        private int _updateProbability;        // ũ of the coming step, Q0.15
        private int _increment;                // Δũ of the last update, Q0.15

        /// <summary>Allocates the state and scratch arrays for <paramref name="model"/>.</summary>
        public ReferenceSkipGru(SkipGruModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            _model = model;
            _resetBefore = model.Variant == GruVariant.ResetBefore;
            _hidden = model.HiddenSize;
            _state = new short[model.Layers.Length][];
            for (int l = 0; l < _state.Length; l++)
            {
                _state[l] = new short[_hidden];
                StoredWeights(model.Layers[l].Wih);
                StoredWeights(model.Layers[l].Whh);
            }
            StoredWeights(model.SkipGate);
            if (model.Head != null) StoredWeights(model.Head);
            _input = new short[model.InputSize];
            _gx = new int[3 * _hidden];
            _gh = new int[3 * _hidden];
            _r = new int[_hidden];
            _z = new int[_hidden];
            _resetState = new short[_hidden];
            _outputs = new int[model.OutputSize];
            Reset();
        }

        /// <summary>ũ of the coming step, Q0.15 (32768 = 1).</summary>
        public int UpdateProbability { get { return _updateProbability; } }

        /// <summary>Δũ of the last update, Q0.15.</summary>
        public int Increment { get { return _increment; } }

        /// <summary>State of one unit of one layer, Q0.15.</summary>
        public short GetState(int layer, int unit) { return _state[layer][unit]; }

        /// <summary>Head output <paramref name="index"/>, Q.12, as of the last update.</summary>
        public int GetOutput(int index) { return _outputs[index]; }

        /// <summary>Zero states and outputs, ũ = 1: the next step updates.</summary>
        public void Reset()
        {
            for (int l = 0; l < _state.Length; l++) Array.Clear(_state[l], 0, _hidden);
            Array.Clear(_outputs, 0, _outputs.Length);
            _updateProbability = QFormat.One15;
            _increment = 0;
        }

        /// <summary>One step: updates (reading InputSize raw values) and returns true when ũ &gt; 0.5, else skips.</summary>
        public bool Step(int[] rawInput)
        {
            if (_updateProbability <= QFormat.Half15)
            {
                _updateProbability = SkippedStepProbability(_updateProbability, _increment);
                return false;
            }
            if (rawInput == null || rawInput.Length < _input.Length) throw new ArgumentException("an update needs InputSize raw inputs");
            _model.Input.Apply(rawInput, _input);
            short[] x = _input;
            for (int l = 0; l < _state.Length; l++)
            {
                UpdateLayer(_model.Layers[l], x, _state[l]);
                x = _state[l];
            }
            _increment = SkipGate(x);
            _updateProbability = _increment;
            Head(x);
            return true;
        }

        private void UpdateLayer(GruLayerWeights w, short[] x, short[] h)
        {
            int hidden = _hidden;
            w.Wih.Multiply(0, 3 * hidden, x, _gx);
            w.Whh.Multiply(0, 2 * hidden, h, _gh);
            for (int j = 0; j < hidden; j++)
            {
                _r[j] = ResetGate(w, j);
                _z[j] = UpdateGate(w, j);
            }
            if (_resetBefore)
            {
                for (int j = 0; j < hidden; j++) _resetState[j] = (short)ScaleQ15(_r[j], h[j]);
                w.Whh.Multiply(2 * hidden, 3 * hidden, _resetState, _gh);
            }
            else w.Whh.Multiply(2 * hidden, 3 * hidden, h, _gh);
            for (int j = 0; j < hidden; j++) h[j] = NewState(h[j], _z[j], Candidate(w, j));
        }

        private int ResetGate(GruLayerWeights w, int j)
        {
            return Activation.Sigmoid(_gx[j] + w.Bih[j] + _gh[j] + w.Bhh[j]);
        }

        private int UpdateGate(GruLayerWeights w, int j)
        {
            int k = _hidden + j;
            return Activation.Sigmoid(_gx[k] + w.Bih[k] + _gh[k] + w.Bhh[k]);
        }

        private int Candidate(GruLayerWeights w, int j)
        {
            int k = 2 * _hidden + j;
            int recurrent = _gh[k] + w.Bhh[k];   // W_hn h + b_hn, or W_hn (r ⊙ h) + b_hn
            if (!_resetBefore) recurrent = ScaleQ15(_r[j], recurrent);
            return Activation.Tanh(_gx[k] + w.Bih[k] + recurrent);
        }

        // h ← z·h + (1 − z)·n, written n + z·(h − n).
        private static short NewState(int h, int z, int n) { return (short)(n + ScaleQ15(z, h - n)); }

        // Δũ = σ(W_p h + b_p): at least σ(−8) = 11/32768 (the table's floor), so every run of skips ends.
        private int SkipGate(short[] h)
        {
            _model.SkipGate.Multiply(0, 1, h, _skip);
            return Activation.Sigmoid(_skip[0] + _model.SkipBias);
        }

        private static int SkippedStepProbability(int u, int increment)
        {
            return u + increment > QFormat.One15 ? QFormat.One15 : u + increment;
        }

        private void Head(short[] h)
        {
            if (_model.Head == null) return;
            _model.Head.Multiply(0, _outputs.Length, h, _outputs);
            for (int o = 0; o < _outputs.Length; o++) _outputs[o] += _model.HeadBias[o];
        }

        // q · v / 2^15 rounded half up, q in Q0.15: the gates' products.
        private static int ScaleQ15(int q, int v) { return (int)(((long)q * v + (1 << 14)) >> 15); }

        // The reference kernels read the stored weights; a packed matrix decodes them on first use: here, not in a step.
        private static void StoredWeights(QuantizedMatrix m)
        {
            if (m.Weights8 == null && m.Weights16 == null) throw new InvalidOperationException(m.Name + ": no stored weights");
        }
    }
}
