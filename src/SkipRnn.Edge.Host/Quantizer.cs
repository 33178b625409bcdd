using System;
using System.Collections.Generic;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Host
{
    /// <summary>Choices the quantizer takes from its caller (the converter sets them from calibration).</summary>
    public sealed class QuantizerOptions
    {
        /// <summary>
        /// Fractional bits of the normalized int16 input: 11 covers ±16 standard deviations at 2^−11 resolution.
        /// </summary>
        public int InputFracBits { get; set; } = 11;

        /// <summary>
        /// Physical value of one raw count per input channel (e.g. g per LSB); null means raw integers are
        /// the physical values. The model consumes (raw · scale − mean) / std.
        /// </summary>
        public double[] InputRawScale { get; set; }

        /// <summary>Weight width of the GRU matrices and the head unless named in <see cref="WeightBitsByTensor"/>: 8 or 16.</summary>
        public int WeightBits { get; set; } = 8;

        /// <summary>
        /// Weight width of the skip gate, 16 by default: it is one row of H weights (no cost to speak of), and
        /// its precision decides every skip count. Measured on random models: int8 gates agree on 98.2–100% of
        /// one-step decisions, int16 gates on 99.6–100%.
        /// </summary>
        public int SkipGateWeightBits { get; set; } = 16;

        /// <summary>Per-tensor weight width, by field name ("layer[0].w_hh", "skip_gate", "head").</summary>
        public Dictionary<string, int> WeightBitsByTensor { get; } = new();

        /// <summary>Width for the named tensor.</summary>
        public int BitsFor(string tensor) =>
            WeightBitsByTensor.TryGetValue(tensor, out int b) ? b : tensor == "skip_gate" ? SkipGateWeightBits : WeightBits;
    }

    /// <summary>
    /// Post-training quantization of a float Skip-GRU to the integer runtime's formats
    /// (docs/fixed-point.md): symmetric per-row weight scales, Q.12 biases, requantization multipliers
    /// folded from weight and input scales, and the raw-input normalization folded into one
    /// multiply-add-shift per channel.
    /// </summary>
    public static class Quantizer
    {
        /// <summary>Quantizes <paramref name="m"/>; the result is validated by the model's constructor.</summary>
        public static SkipGruModel Quantize(FloatSkipGruModel m, QuantizerOptions options)
        {
            ArgumentNullException.ThrowIfNull(m);
            options ??= new QuantizerOptions();
            if (options.InputFracBits is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(options), "InputFracBits must be 0..15.");
            double inputScale = Math.Pow(2, -options.InputFracBits);
            double stateScale = Math.Pow(2, -QFormat.StateFracBits);

            var layers = new GruLayerWeights[m.Layers.Length];
            for (int l = 0; l < layers.Length; l++)
            {
                FloatGruLayer f = m.Layers[l];
                string name = $"layer[{l}]";
                int rows = 3 * f.HiddenSize;
                QuantizedMatrix wih = QuantizeMatrix(name + ".w_ih", f.Wih, rows, f.InputSize,
                    options.BitsFor(name + ".w_ih"), l == 0 ? inputScale : stateScale);
                QuantizedMatrix whh = QuantizeMatrix(name + ".w_hh", f.Whh, rows, f.HiddenSize,
                    options.BitsFor(name + ".w_hh"), stateScale);
                layers[l] = new GruLayerWeights(name, wih, whh, ToQ12(f.Bih), ToQ12(f.Bhh));
            }
            QuantizedMatrix skip = QuantizeMatrix("skip_gate", m.SkipWeight, 1, m.HiddenSize, options.BitsFor("skip_gate"), stateScale);
            QuantizedMatrix head = m.HeadWeight == null ? null
                : QuantizeMatrix("head", m.HeadWeight, m.OutputSize, m.HiddenSize, options.BitsFor("head"), stateScale);

            return new SkipGruModel(m.Variant, layers, InputNormalizationFor(m, options), skip, ToQ12(m.SkipBias),
                head, m.HeadBias == null ? null : ToQ12(m.HeadBias), options.InputFracBits,
                m.SamplePeriodMicros, m.ClassNames, null);
        }

        /// <summary>
        /// raw → round(((raw · lsb − mean) / std) · 2^F) as multiplier, addend, shift per channel.
        /// </summary>
        public static InputNormalization InputNormalizationFor(FloatSkipGruModel m, QuantizerOptions options)
        {
            int n = m.InputSize;
            var multiplier = new int[n];
            var addend = new long[n];
            var shift = new byte[n];
            double one = Math.Pow(2, options.InputFracBits);
            for (int j = 0; j < n; j++)
            {
                double lsb = options.InputRawScale?[j] ?? 1.0;
                double mean = m.InputMean?[j] ?? 0.0, std = m.InputStd?[j] ?? 1.0;
                if (!(lsb > 0) || !(std > 0) || !double.IsFinite(mean) || double.IsInfinity(lsb) || double.IsInfinity(std))
                    throw new ArgumentException($"Input {j}: raw scale {lsb} and std {std} must be positive and finite, mean {mean} finite.");
                double k = lsb * one / std;                     // int16 counts per raw count
                (multiplier[j], shift[j]) = ChooseMultiplier(k, 0, maxShift: 62, minShift: 0, worstAcc: 1L << 31);
                double a = -mean / lsb * multiplier[j];         // the mean in raw counts, times the multiplier
                if (Math.Abs(a) > InputNormalization.MaxAddend)
                    throw new ArgumentException($"Input {j}: mean {mean} is too far from zero in raw counts for the fixed-point normalization.");
                addend[j] = (long)Math.Round(a);
            }
            return new InputNormalization(multiplier, addend, shift);
        }

        /// <summary>
        /// Symmetric per-row quantization of a row-major [rows × cols] matrix whose input has the given scale
        /// (value per integer count). Row r: scale_r = max|w_r| / (2^(bits−1) − 1); requantization to Q.12
        /// multiplies by scale_r · inputScale · 4096.
        /// </summary>
        public static QuantizedMatrix QuantizeMatrix(string name, double[] w, int rows, int cols, int bits, double inputScale)
        {
            if (bits != 8 && bits != 16) throw new ArgumentException($"{name}: weight bits must be 8 or 16, not {bits}.");
            if (w.Length != rows * cols) throw new ArgumentException($"{name}: {w.Length} weights for a {rows}×{cols} matrix.");
            int qmax = bits == 8 ? 127 : 32767;
            var w8 = bits == 8 ? new sbyte[w.Length] : null;
            var w16 = bits == 16 ? new short[w.Length] : null;
            var multiplier = new int[rows];
            var shift = new byte[rows];
            for (int r = 0; r < rows; r++)
            {
                double maxAbs = 0;
                for (int j = 0; j < cols; j++)
                {
                    double v = w[r * cols + j];
                    if (!double.IsFinite(v)) throw new ArgumentException($"{name}[{r},{j}] is {v}: weights must be finite.");
                    maxAbs = Math.Max(maxAbs, Math.Abs(v));
                }
                if (maxAbs == 0) { multiplier[r] = 0; shift[r] = 1; continue; }
                double scale = maxAbs / qmax;
                long sumAbs = 0;
                for (int j = 0; j < cols; j++)
                {
                    int q = (int)Math.Clamp(Math.Round(w[r * cols + j] / scale, MidpointRounding.AwayFromZero), -qmax, qmax);
                    sumAbs += Math.Abs(q);
                    if (w8 != null) w8[r * cols + j] = (sbyte)q; else w16![r * cols + j] = (short)q;
                }
                (multiplier[r], shift[r]) = ChooseMultiplier(scale * inputScale * QFormat.One12, r, maxShift: 62, minShift: 1,
                    worstAcc: sumAbs * QuantizedMatrix.MaxInputMagnitude, name: name);
            }
            return new QuantizedMatrix(name, rows, cols, w8, w16, multiplier, shift);
        }

        /// <summary>
        /// Represents real k &gt; 0 as M · 2^−S with M &lt; 2^31 as precise as possible, such that
        /// worstAcc · M + 2^(S−1) fits in int64 (so requantization never wraps).
        /// </summary>
        public static (int multiplier, byte shift) ChooseMultiplier(double k, int row, int maxShift, int minShift, long worstAcc, string name = "input")
        {
            if (!(k > 0) || double.IsInfinity(k)) throw new ArgumentException($"{name} row {row}: multiplier {k} must be positive and finite.");
            int s = 30 - (int)Math.Floor(Math.Log2(k));           // puts k · 2^s in [2^30, 2^31)
            if (s > maxShift) s = maxShift;
            if (s < minShift) throw new ArgumentException($"{name} row {row}: scale {k} is too large for fixed point.");
            long m = (long)Math.Round(k * Math.Pow(2, s));
            while (m >= 1L << 31 || (m > 0 && worstAcc > (long.MaxValue - (1L << Math.Max(s - 1, 0))) / m))
            {
                if (s <= minShift) throw new ArgumentException($"{name} row {row}: cannot choose a multiplier that avoids int64 overflow.");
                s--;
                m = (long)Math.Round(k * Math.Pow(2, s));
            }
            return ((int)m, (byte)s);
        }

        /// <summary>round(v · 4096), clamped to ±PreactLimit.</summary>
        public static int ToQ12(double v) =>
            (int)Math.Clamp(Math.Round(v * QFormat.One12, MidpointRounding.AwayFromZero), -QFormat.PreactLimit, QFormat.PreactLimit);

        /// <summary>Element-wise <see cref="ToQ12(double)"/>.</summary>
        public static int[] ToQ12(double[] v)
        {
            var q = new int[v.Length];
            for (int i = 0; i < v.Length; i++) q[i] = ToQ12(v[i]);
            return q;
        }

        /// <summary>
        /// Runs <paramref name="model"/> on <paramref name="rawSteps"/> and records self-test vectors
        /// (update flags, every layer's state, head outputs after each step).
        /// </summary>
        public static SelfTestVectors RecordSelfTest(SkipGruModel model, int[][] rawSteps)
        {
            var runner = new Runtime.SkipGru(model);
            int k = rawSteps.Length, inputs = model.InputSize, layers = model.Layers.Length, h = model.HiddenSize, o = model.OutputSize;
            var raw = new int[k * inputs];
            var updated = new bool[k];
            var states = new short[k * layers * h];
            var outputs = new int[k * o];
            for (int t = 0; t < k; t++)
            {
                Array.Copy(rawSteps[t], 0, raw, t * inputs, inputs);
                updated[t] = runner.Step(rawSteps[t]);
                for (int l = 0; l < layers; l++)
                    for (int j = 0; j < h; j++) states[(t * layers + l) * h + j] = runner.GetState(l, j);
                for (int i = 0; i < o; i++) outputs[t * o + i] = runner.GetOutput(i);
            }
            return new SelfTestVectors(k, raw, updated, states, outputs);
        }
    }
}
