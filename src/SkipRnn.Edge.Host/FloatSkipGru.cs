using System;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Host
{
    /// <summary>
    /// The float64 yardstick: a Skip-GRU exactly as the frameworks define it (skip-rnn.md), stepping one
    /// normalized input at a time. u_t = 1 exactly when ũ_t &gt; 0.5 (round half to even); a skipped step
    /// copies every layer's state and adds min(Δũ, 1 − ũ) to ũ, where Δũ is that of the unchanged state.
    /// </summary>
    public sealed class FloatSkipGru
    {
        private readonly FloatSkipGruModel _m;
        private readonly double[][] _state;
        private readonly double[] _outputs;
        private readonly double[] _gi, _gh, _rh;
        private double _increment;

        /// <summary>Allocates the state for <paramref name="model"/> and resets it.</summary>
        public FloatSkipGru(FloatSkipGruModel model)
        {
            _m = model ?? throw new ArgumentNullException(nameof(model));
            int h = model.HiddenSize;
            _state = new double[model.Layers.Length][];
            for (int l = 0; l < _state.Length; l++) _state[l] = new double[h];
            _outputs = new double[model.OutputSize];
            _gi = new double[3 * h];
            _gh = new double[3 * h];
            _rh = new double[h];
            Reset();
        }

        /// <summary>
        /// Optional observer of every pre-activation the float model computes on an update: (layer, gate, value)
        /// with gate 0 = r, 1 = z, 2 = the tanh input of n; layer −1 is the skip gate. Calibration uses it to
        /// measure ranges; leave null otherwise.
        /// </summary>
        public Action<int, int, double> OnPreactivation { get; set; }

        /// <summary>ũ for the coming step.</summary>
        public double UpdateProbability { get; private set; }

        /// <summary>Δũ of the current state (from the last update).</summary>
        public double Increment => _increment;

        /// <summary>True when the coming step updates.</summary>
        public bool NextStepUpdates => UpdateProbability > 0.5;

        /// <summary>State of a layer (live array: do not modify).</summary>
        public double[] State(int layer) => _state[layer];

        /// <summary>Head outputs of the current state (live array: do not modify).</summary>
        public double[] Outputs => _outputs;

        /// <summary>
        /// Overwrites a layer's state, e.g. with the fixed-point cell's (dequantized) state, to compare one step
        /// of both cells from the same starting point.
        /// </summary>
        public void SetState(int layer, double[] values)
        {
            if (values.Length != _state[layer].Length) throw new ArgumentException("Wrong state length.", nameof(values));
            values.CopyTo(_state[layer], 0);
        }

        /// <summary>Makes the coming step an update (ũ = 1), as after a reset, keeping the states.</summary>
        public void ForceUpdateNext() => UpdateProbability = 1.0;

        /// <summary>
        /// Steps skipped after the last update: n·Δũ ≤ 0.5 for n = 1, 2, ... (u = 1 exactly when ũ &gt; 0.5).
        /// </summary>
        public int AnnouncedSkips()
        {
            double u = UpdateProbability;
            int n = 0;
            while (u <= 0.5 && n < 1_000_000) { u += Math.Min(_increment, 1.0 - u); n++; }
            return n;
        }

        /// <summary>Zero states, ũ = 1.</summary>
        public void Reset()
        {
            foreach (double[] s in _state) Array.Clear(s);
            Array.Clear(_outputs);
            UpdateProbability = 1.0;
            _increment = 0;
        }

        /// <summary>(raw − mean) / std with the model's input normalization (identity where it has none).</summary>
        public static double[] Normalize(FloatSkipGruModel model, double[] raw)
        {
            var x = new double[raw.Length];
            for (int j = 0; j < raw.Length; j++)
            {
                double mean = model.InputMean?[j] ?? 0.0, std = model.InputStd?[j] ?? 1.0;
                x[j] = (raw[j] - mean) / std;
            }
            return x;
        }

        /// <summary>
        /// One step on a normalized input x (ignored, and may be null, on a skipped step). Returns u_t.
        /// </summary>
        public bool Step(double[] x)
        {
            if (!NextStepUpdates)
            {
                UpdateProbability += Math.Min(_increment, 1.0 - UpdateProbability);
                return false;
            }
            ArgumentNullException.ThrowIfNull(x);
            double[] input = x;
            for (int l = 0; l < _m.Layers.Length; l++)
            {
                UpdateLayer(l, input, _state[l]);
                input = _state[l];
            }
            double skipPreact = Dot(_m.SkipWeight, 0, input) + _m.SkipBias;
            OnPreactivation?.Invoke(-1, 0, skipPreact);
            _increment = Sigmoid(skipPreact);
            UpdateProbability = _increment;
            for (int o = 0; o < _outputs.Length; o++)
                _outputs[o] = Dot(_m.HeadWeight, o * input.Length, input) + _m.HeadBias[o];
            return true;
        }

        /// <summary>The logistic function.</summary>
        public static double Sigmoid(double v) => 1.0 / (1.0 + Math.Exp(-v));

        private void UpdateLayer(int layer, double[] x, double[] h)
        {
            FloatGruLayer w = _m.Layers[layer];
            int n = w.HiddenSize, inputs = w.InputSize;
            for (int r = 0; r < 3 * n; r++)
            {
                _gi[r] = Dot(w.Wih, r * inputs, x) + w.Bih[r];
                if (r < 2 * n || _m.Variant == GruVariant.ResetAfter) _gh[r] = Dot(w.Whh, r * n, h) + w.Bhh[r];
            }
            if (_m.Variant == GruVariant.ResetBefore)
            {
                for (int j = 0; j < n; j++) _rh[j] = Sigmoid(_gi[j] + _gh[j]) * h[j];
                for (int j = 0; j < n; j++) _gh[2 * n + j] = Dot(w.Whh, (2 * n + j) * n, _rh) + w.Bhh[2 * n + j];
            }
            Action<int, int, double> observe = OnPreactivation;
            for (int j = 0; j < n; j++)
            {
                double rPre = _gi[j] + _gh[j], zPre = _gi[n + j] + _gh[n + j];
                double nPre = _m.Variant == GruVariant.ResetAfter
                    ? _gi[2 * n + j] + Sigmoid(rPre) * _gh[2 * n + j]
                    : _gi[2 * n + j] + _gh[2 * n + j];
                if (observe != null)
                {
                    observe(layer, 0, rPre);
                    observe(layer, 1, zPre);
                    observe(layer, 2, nPre);
                }
                double z = Sigmoid(zPre);
                h[j] = z * h[j] + (1.0 - z) * Math.Tanh(nPre);
            }
        }

        private static double Dot(double[] w, int offset, double[] x)
        {
            double s = 0;
            for (int j = 0; j < x.Length; j++) s += w[offset + j] * x[j];
            return s;
        }
    }
}
