using System;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Runtime
{
    /// <summary>
    /// Runs a <see cref="SkipGruModel"/> on a stream, one step at a time, integer only.
    /// <para>
    /// After every update the number of coming skipped steps is known (<see cref="StepsToSkip"/>): those
    /// steps need no input and cost O(1), so a board can leave its sensor and CPU idle through them and
    /// then account for them with <see cref="Skip"/>. All buffers are allocated here; stepping allocates nothing.
    /// </para>
    /// </summary>
    public sealed class SkipGru
    {
        private readonly SkipGruModel _model;
        private readonly GruLayerWeights[] _layers;
        private readonly bool _resetBefore;
        private readonly int _hidden;
        private readonly short[][] _state;   // per layer, Q0.15
        private readonly short[] _input;     // normalized input, int16
        private readonly short[] _resetState; // r ⊙ h for the reset-before variant, Q0.15
        private readonly int[] _gx;          // requantized W_ih x, Q.12, 3H
        private readonly int[] _gh;          // requantized W_hh h, Q.12, 3H
        private readonly int[] _skipPreact;  // W_p s, Q.12, 1
        private readonly int[] _outputs;     // head, Q.12
        private readonly int[][] _gateBias;  // per layer: b_ih + b_hh, except b_ih alone on n rows of reset-after
        private readonly long[] _sums;       // the packed kernel's scratch: one accumulator per group of rows
        // The model's parts in fields: on the interpreter every property read is a call.
        private readonly InputNormalization _normalization;
        private readonly QuantizedMatrix _skipGate;
        private readonly int _skipBias;
        private readonly QuantizedMatrix _head;
        private readonly int[] _headBias;
        private readonly OpCounters _counters = new OpCounters();
        private readonly int _macsPerUpdate;
        private readonly int _lookupsPerUpdate;
        private readonly IStepKernel _kernel;  // native update when StepKernels.Factory gave one, else null
        private readonly IFrameKernel _frameKernel;  // the same kernel when it also computes inputs from frames, else null
        private readonly int[] _sigmoidPairs = Activation.SigmoidPairs;
        // Per layer, where W_hh's rows may be requantized inside the gate loops (QuantizedMatrix.RawRows, reset-after
        // only): its multipliers, rounding terms and shifts; else null.
        private readonly long[][] _whhMultiplier;   // widened once: no conversion per row per update
        private readonly long[][] _whhRound;
        private readonly byte[][] _whhShift;

        private int _updateProbability;      // ũ for the coming step, Q0.15 (32768 = 1)
        private int _increment;              // Δũ from the last update, Q0.15, ≥ 11
        private int _stepsToSkip;
        private bool _hasOutput;

        /// <summary>Allocates the runner's state and scratch buffers for <paramref name="model"/>.</summary>
        public SkipGru(SkipGruModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            _model = model;
            _layers = model.Layers;
            _resetBefore = model.Variant == GruVariant.ResetBefore;
            _hidden = model.HiddenSize;
            _state = new short[_layers.Length][];
            for (int l = 0; l < _layers.Length; l++) _state[l] = new short[_hidden];
            _input = new short[model.InputSize];
            _resetState = new short[_hidden];
            _gx = new int[3 * _hidden];
            _gh = new int[3 * _hidden];
            _skipPreact = new int[1];
            _outputs = new int[model.OutputSize];
            _normalization = model.Input;
            _skipGate = model.SkipGate;
            _skipBias = model.SkipBias;
            _head = model.Head;
            _headBias = model.HeadBias;
            _gateBias = new int[_layers.Length][];
            for (int l = 0; l < _layers.Length; l++)
            {
                int[] b = new int[3 * _hidden];
                int[] bih = _layers[l].Bih;
                int[] bhh = _layers[l].Bhh;
                int summed = _resetBefore ? 3 * _hidden : 2 * _hidden;   // reset-after scales b_hn by r: kept apart
                for (int i = 0; i < b.Length; i++) b[i] = i < summed ? bih[i] + bhh[i] : bih[i];
                _gateBias[l] = b;
            }
            _sums = new long[3 * _hidden > model.OutputSize ? 3 * _hidden : model.OutputSize];
            _whhMultiplier = new long[_layers.Length][];
            _whhRound = new long[_layers.Length][];
            _whhShift = new byte[_layers.Length][];
            for (int l = 0; l < _layers.Length; l++)
            {
                QuantizedMatrix whh = _layers[l].Whh;
                if (_resetBefore || !whh.RawRows) continue;
                int[] m = whh.Multiplier;
                long[] wide = new long[m.Length];
                for (int r = 0; r < m.Length; r++) wide[r] = m[r];
                _whhMultiplier[l] = wide;
                _whhRound[l] = whh.RoundTerms;
                _whhShift[l] = whh.Shift;
            }
            _macsPerUpdate = model.MacsPerUpdate;
            _lookupsPerUpdate = model.LookupsPerUpdate;
            // Decided once: a kernel from the installed factory (null factory or null kernel: managed).
            IStepKernelFactory factory = StepKernels.Factory;
            _kernel = factory == null ? null : factory.Open(model);
            _frameKernel = _kernel as IFrameKernel;
            Reset();
        }

        /// <summary>The model this runner executes.</summary>
        public SkipGruModel Model { get { return _model; } }

        /// <summary>True when updates run in the kernel <see cref="StepKernels.Factory"/> provided (bit-exact).</summary>
        public bool UsesStepKernel { get { return _kernel != null; } }

        /// <summary>True when the kernel also computes the inputs from raw frames (<see cref="StepFromFrame"/>).</summary>
        public bool UsesFrameKernel { get { return _frameKernel != null; } }

        /// <summary>Operation counters since construction or the last <see cref="OpCounters.Clear"/>.</summary>
        public OpCounters Counters { get { return _counters; } }

        /// <summary>
        /// How many coming steps will be skipped. Known right after each update; 0 means the next step
        /// updates and needs its input.
        /// </summary>
        public int StepsToSkip { get { return _stepsToSkip; } }

        /// <summary>True when the next step updates the state and so needs its input.</summary>
        public bool NextStepNeedsInput { get { return _stepsToSkip == 0; } }

        /// <summary>ũ for the coming step in Q0.15 (32768 = 1.0); the step updates when it exceeds 16384.</summary>
        public int UpdateProbability { get { return _updateProbability; } }

        /// <summary>Δũ computed at the last update, Q0.15 (at least σ(−8) = 11/32768, so skip runs end).</summary>
        public int Increment { get { return _increment; } }

        /// <summary>True once an update has computed the head outputs.</summary>
        public bool HasOutput { get { return _hasOutput; } }

        /// <summary>
        /// Advances one step. On an update step, reads <paramref name="rawInput"/> (raw sensor integers,
        /// InputSize of them), updates every layer, the skip gate and the head, and returns true.
        /// On a skipped step, ignores <paramref name="rawInput"/> (it may be null) and returns false.
        /// <para>
        /// Out-of-range raw values are clamped, not rejected: a value whose normalized input falls outside int16
        /// enters as −32768 or 32767 (a saturated sensor) and is counted in <see cref="OpCounters.ClampedInputs"/>.
        /// An array longer than InputSize is accepted and only its first InputSize values are read (so a board
        /// can reuse one larger sample buffer); a shorter one, or null on an update step, throws
        /// <see cref="ArgumentException"/>.
        /// </para>
        /// </summary>
        public bool Step(int[] rawInput)
        {
            if (_stepsToSkip > 0)
            {
                Skip(1);
                return false;
            }
            if (rawInput == null || rawInput.Length < _input.Length)
                throw MissingInput(_input.Length);
            Update(rawInput);
            return true;
        }

        /// <summary>
        /// <see cref="Step"/> from a raw frame, when <see cref="UsesFrameKernel"/>: on an update step the kernel computes
        /// the inputs from <paramref name="frame"/> into <paramref name="inputs"/> and updates, in one call (bit-exact with
        /// the managed front end followed by <see cref="Step"/>). Throws <see cref="InvalidOperationException"/> without
        /// a frame kernel.
        /// </summary>
        public bool StepFromFrame(short[] frame, int[] inputs)
        {
            if (SkippedOrFrameReady(frame, inputs)) return false;
            EndUpdate(_frameKernel.UpdateFromFrame(frame, inputs, _state, _outputs), _kernel.ClampedInputs);
            return true;
        }

        /// <summary>
        /// <see cref="StepFromFrame"/> from raw I2S frames (<see cref="IFrameKernel.UpdateFromSlots"/>: the frame's samples
        /// start at slot <paramref name="first"/> of the ring <paramref name="slots"/>), when <see cref="UsesFrameKernel"/>.
        /// </summary>
        public bool StepFromSlots(byte[] slots, int first, int[] inputs)
        {
            if (SkippedOrFrameReady(slots, inputs)) return false;
            EndUpdate(_frameKernel.UpdateFromSlots(slots, first, inputs, _state, _outputs), _kernel.ClampedInputs);
            return true;
        }

        // The start both frame-kernel steps share: a skipped step is accounted (true); otherwise the frame kernel, the raw
        // audio and the inputs' length are checked (false: the caller updates).
        private bool SkippedOrFrameReady(object raw, int[] inputs)
        {
            if (_stepsToSkip > 0)
            {
                Skip(1);
                return true;
            }
            if (_frameKernel == null) throw new InvalidOperationException("no frame kernel: compute the inputs and call Step");
            if (raw == null || inputs == null || inputs.Length < _input.Length)
                throw MissingInput(_input.Length);
            return false;
        }

        /// <summary>
        /// Accounts for <paramref name="steps"/> skipped steps at once, in O(1), without input.
        /// <paramref name="steps"/> must be between 0 and <see cref="StepsToSkip"/>.
        /// </summary>
        public void Skip(int steps)
        {
            if (steps < 0 || steps > _stepsToSkip)
                throw TooManySkips(_stepsToSkip);
            // ũ ← min(ũ + n·Δũ, 1): n steps of ũ + min(Δũ, 1 − ũ). No overflow: n·Δũ ≤ 16384 + Δũ.
            int u = _updateProbability + steps * _increment;
            _updateProbability = u > QFormat.One15 ? QFormat.One15 : u;
            _stepsToSkip -= steps;
            _counters._skips += steps;
        }

        /// <summary>
        /// Accounts for <paramref name="steps"/> steps that needed an update but whose input was lost (a sensor or
        /// microphone buffer overrun): the state and outputs are held as in a skipped step and ũ is left as it is, so
        /// the next step still updates. Only when <see cref="NextStepNeedsInput"/> (otherwise use <see cref="Skip"/>);
        /// counted as skips (no MACs).
        /// </summary>
        public void Miss(int steps)
        {
            if (steps < 0) throw new ArgumentOutOfRangeException("steps", "must not be negative");
            if (_stepsToSkip > 0)
                throw new InvalidOperationException("the next step is skipped anyway: call Skip (StepsToSkip > 0)");
            _counters._skips += steps;
        }

        /// <summary>Starts a new sequence: zero states, ũ = 1 so the first step updates. Counters are kept.</summary>
        public void Reset()
        {
            for (int l = 0; l < _state.Length; l++)
            {
                short[] s = _state[l];
                for (int j = 0; j < s.Length; j++) s[j] = 0;
            }
            for (int o = 0; o < _outputs.Length; o++) _outputs[o] = 0;
            if (_kernel != null) _kernel.Reset();
            _updateProbability = QFormat.One15;
            _increment = 0;
            _stepsToSkip = 0;
            _hasOutput = false;
        }

        /// <summary>State of one unit of one layer, Q0.15.</summary>
        public short GetState(int layer, int unit)
        {
            return _state[layer][unit];
        }

        /// <summary>Copies a layer's state (Q0.15) into <paramref name="destination"/>.</summary>
        public void CopyState(int layer, short[] destination)
        {
            short[] s = _state[layer];
            for (int j = 0; j < s.Length; j++) destination[j] = s[j];
        }

        /// <summary>Head output <paramref name="index"/> in Q.12, as of the last update.</summary>
        public int GetOutput(int index)
        {
            return _outputs[index];
        }

        /// <summary>Index of the largest head output (the first on ties); −1 without a head.</summary>
        public int ArgMax()
        {
            int best = -1;
            for (int o = 0; o < _outputs.Length; o++)
                if (best < 0 || _outputs[o] > _outputs[best]) best = o;
            return best;
        }

        // Exceptions are built outside the step methods, so the step path itself provably allocates nothing.
        private static Exception MissingInput(int inputs)
        {
            return new ArgumentException("An update step needs " + inputs.ToString() + " raw inputs.");
        }

        private static Exception TooManySkips(int allowed)
        {
            return new ArgumentOutOfRangeException("steps", "Only " + allowed.ToString() + " steps can be skipped now.");
        }

        // The step's arithmetic is ReferenceSkipGru's (its helpers name each gate); here it is arranged for the
        // interpreter, whose cost is per IL instruction and about 3,700 x86 instructions per call: one loop per gate
        // range or per unit instead of a call per value, products packed, skip counts in closed form. Tests hold the
        // two equal bit for bit at every step.
        private void Update(int[] rawInput)
        {
            int p;
            int clamped;
            if (_kernel != null)
            {
                // Same bits as the managed path below (IStepKernel); skip bookkeeping and counters stay here.
                p = _kernel.Update(rawInput, _state, _outputs);
                clamped = _kernel.ClampedInputs;
            }
            else
            {
                clamped = _normalization.Apply(rawInput, _input);
                short[] x = _input;
                for (int l = 0; l < _layers.Length; l++)
                {
                    if (_whhMultiplier[l] != null)   // reset-after with RawRows W_hh only
                        UpdateLayerResetAfterRaw(_layers[l], _gateBias[l], x, _state[l], _whhMultiplier[l], _whhRound[l], _whhShift[l]);
                    else if (_resetBefore) UpdateLayerResetBefore(_layers[l], _gateBias[l], x, _state[l]);
                    else UpdateLayerResetAfter(_layers[l], _gateBias[l], x, _state[l]);
                    x = _state[l];
                }

                // Δũ = σ(W_p s + b_p) from the top layer's new state (ReferenceSkipGru.SkipGate), Activation.Sigmoid
                // written out (its two calls would cost more than the lookup). p ≥ σ(−8) = 11/32768, the table's floor.
                _skipGate.Multiply(0, 1, x, _skipPreact, _sums);
                int su = _skipPreact[0] + _skipBias + 32768;
                if ((uint)su > 65535u) su = su < 0 ? 0 : 65535;
                int sp = _sigmoidPairs[su >> Activation.SigmoidStepBits];
                p = (sp >> 16) + (((sp & 0xFFFF) * (su & 0xFF) + 0x80) >> Activation.SigmoidStepBits);

                QuantizedMatrix head = _head;
                if (head != null)
                {
                    head.Multiply(0, _outputs.Length, x, _outputs, _sums);
                    int[] bias = _headBias;
                    for (int o = 0; o < _outputs.Length; o++) _outputs[o] += bias[o];
                }
            }
            EndUpdate(p, clamped);
        }

        // The tail of every update (managed, kernel or frame kernel): ũ for the next step is Δũ = p; the steps with
        // ũ = p, 2p, ... ≤ 0.5 are skipped, so their count is known now (every skip run ends within 1489 steps).
        private void EndUpdate(int p, int clamped)
        {
            _increment = p;
            _updateProbability = p;
            _stepsToSkip = p > QFormat.Half15 ? 0 : (QFormat.Half15 - p) / p + 1;
            _hasOutput = _head != null;
            OpCounters c = _counters;
            c._updates++;
            c._macs += _macsPerUpdate;
            c._lookups += _lookupsPerUpdate;
            c._clampedInputs += clamped;
        }

        // A reset-before layer in place (ReferenceSkipGru.UpdateLayer): r and z by one whole-range loop, r ⊙ h, the
        // candidate's recurrent product over it, the candidate by one loop and the new state by another. All sums stay
        // within int32: each part is within ±2^20.
        private void UpdateLayerResetBefore(GruLayerWeights w, int[] bias, short[] x, short[] h)
        {
            int hidden = _hidden;
            int rz = 2 * hidden;
            int all = 3 * hidden;
            int[] gx = _gx;
            int[] gh = _gh;
            long[] sums = _sums;
            w.Wih.Multiply(0, all, x, gx, sums);
            w.Whh.Multiply(0, rz, h, gh, sums);
            Activation.SigmoidOfSum(gx, bias, gh, 0, rz);
            short[] rh = _resetState;
            for (int j = 0; j < hidden; j++) rh[j] = (short)((gx[j] * h[j] + (1 << 14)) >> 15);
            w.Whh.Multiply(rz, all, rh, gh, sums);
            Activation.TanhOfSum(gx, bias, gh, rz, all);
            for (int j = 0, z = hidden, n = rz; j < hidden; j++, z++, n++)
            {
                int nj = gx[n];
                // z · (h − n) < 2^15 · 2^16: fits int32.
                h[j] = (short)(nj + ((gx[z] * (h[j] - nj) + (1 << 14)) >> 15));
            }
        }

        // A reset-after layer in place: r and z by one whole-range loop, then one loop per unit for the candidate
        // n = tanh(gx_n + b_in + r ⊙ (W_hn h + b_hn)), its tanh (Activation.TanhOfSum written out) and the new state,
        // without storing and reloading each part.
        private void UpdateLayerResetAfter(GruLayerWeights w, int[] bias, short[] x, short[] h)
        {
            int hidden = _hidden;
            int rz = 2 * hidden;
            int[] gx = _gx;
            int[] gh = _gh;
            long[] sums = _sums;
            w.Wih.Multiply(0, 3 * hidden, x, gx, sums);
            w.Whh.Multiply(0, 3 * hidden, h, gh, sums);
            Activation.SigmoidOfSum(gx, bias, gh, 0, rz);
            int[] bhh = w.Bhh;
            int[] e = Activation.TanhPairs;
            for (int j = 0, z = hidden, n = rz; j < hidden; j++, z++, n++)
            {
                // r ⊙ (W_hn h + b_hn): up to 2^15 · 2^20, so the product is taken in int64.
                int rn = (int)(((long)gx[j] * (gh[n] + bhh[n]) + (1 << 14)) >> 15);
                int u = gx[n] + bias[n] + rn + 32768;
                if ((uint)u > 65535u) u = u < 0 ? 0 : 65535;
                int p = e[u >> Activation.TanhStepBits];
                int nj = (p >> 16) + (((p & 0xFFFF) * (u & 0x7F) + 0x40) >> Activation.TanhStepBits);
                // z · (h − n) < 2^15 · 2^16: fits int32.
                h[j] = (short)(nj + ((gx[z] * (h[j] - nj) + (1 << 14)) >> 15));
            }
        }

        // UpdateLayerResetAfter where W_hh's rows are single and never clamp (QuantizedMatrix.RawRows, int16 W_hh): its
        // rows are requantized inside the gate loops, as (int)((acc · m + round) >> s) exactly as MatVec.Packed writes
        // them, instead of by a loop of their own into gh and a reload. The loops are UpdateLayerResetAfter's with
        // that term in place of gh (a per-unit choice between the two would cost every unit).
        private void UpdateLayerResetAfterRaw(GruLayerWeights w, int[] bias, short[] x, short[] h, long[] m, long[] round, byte[] shift)
        {
            int hidden = _hidden;
            int rz = 2 * hidden;
            int[] gx = _gx;
            long[] sums = _sums;
            w.Wih.Multiply(0, 3 * hidden, x, gx, sums);
            w.Whh.Accumulate(h, sums);
            // r and z: σ(gx + b + requantized W_hh h), as Activation.SigmoidOfSum.
            int[] e = Activation.SigmoidPairs;
            for (int k = 0; k < rz; k++)
            {
                int u = gx[k] + bias[k] + (int)((sums[k] * m[k] + round[k]) >> shift[k]) + 32768;
                if ((uint)u > 65535u) u = u < 0 ? 0 : 65535;
                int p = e[u >> Activation.SigmoidStepBits];
                gx[k] = (p >> 16) + (((p & 0xFFFF) * (u & 0xFF) + 0x80) >> Activation.SigmoidStepBits);
            }
            int[] bhh = w.Bhh;
            e = Activation.TanhPairs;
            for (int j = 0, z = hidden, n = rz; j < hidden; j++, z++, n++)
            {
                int ghn = (int)((sums[n] * m[n] + round[n]) >> shift[n]);
                int rn = (int)(((long)gx[j] * (ghn + bhh[n]) + (1 << 14)) >> 15);
                int u = gx[n] + bias[n] + rn + 32768;
                if ((uint)u > 65535u) u = u < 0 ? 0 : 65535;
                int p = e[u >> Activation.TanhStepBits];
                int nj = (p >> 16) + (((p & 0xFFFF) * (u & 0x7F) + 0x40) >> Activation.TanhStepBits);
                h[j] = (short)(nj + ((gx[z] * (h[j] - nj) + (1 << 14)) >> 15));
            }
        }
    }
}
