namespace SkipRnn.Edge.Model
{
    /// <summary>
    /// A quantized Skip-GRU, validated: 1–4 stacked GRU layers of one hidden size, the skip gate on the
    /// top layer's state (Δũ = σ(W_p s + b_p)), an optional dense head, the raw-input normalization and
    /// optional metadata and self-test vectors. Immutable after construction; share it between runners.
    /// </summary>
    public sealed class SkipGruModel
    {
        /// <summary>Largest input size a model file may declare.</summary>
        public const int MaxInputSize = 4096;
        /// <summary>Largest hidden size.</summary>
        public const int MaxHiddenSize = 1024;
        /// <summary>Largest number of head outputs.</summary>
        public const int MaxOutputSize = 1024;
        /// <summary>Largest number of stacked layers.</summary>
        public const int MaxLayers = 4;
        /// <summary>Longest class name, in ASCII characters.</summary>
        public const int MaxClassNameLength = 64;

        /// <summary>Where the reset gate acts.</summary>
        public GruVariant Variant { get; private set; }
        /// <summary>The stacked layers, bottom first.</summary>
        public GruLayerWeights[] Layers { get; private set; }
        /// <summary>Raw sensor integers to int16 inputs.</summary>
        public InputNormalization Input { get; private set; }
        /// <summary>W_p: one row over the top layer's state.</summary>
        public QuantizedMatrix SkipGate { get; private set; }
        /// <summary>b_p in Q.12.</summary>
        public int SkipBias { get; private set; }
        /// <summary>Head weights [O × H], or null.</summary>
        public QuantizedMatrix Head { get; private set; }
        /// <summary>Head biases in Q.12, or null.</summary>
        public int[] HeadBias { get; private set; }
        /// <summary>Fractional bits of the normalized int16 input (information for tools).</summary>
        public int InputFracBits { get; private set; }
        /// <summary>Sample period in microseconds, 0 when unknown.</summary>
        public int SamplePeriodMicros { get; private set; }
        /// <summary>One name per output, or null.</summary>
        public string[] ClassNames { get; private set; }
        /// <summary>Self-test vectors, or null.</summary>
        public SelfTestVectors SelfTest { get; private set; }

        /// <summary>
        /// The model file this model was read from (set by <see cref="Format.ModelReader.Read"/>), or null for a
        /// model built in memory. Native kernels load from it; nothing here reads it again.
        /// </summary>
        public byte[] SourceFile { get; internal set; }

        /// <summary>Inputs per step.</summary>
        public int InputSize { get { return Layers[0].InputSize; } }
        /// <summary>Hidden units per layer.</summary>
        public int HiddenSize { get { return Layers[0].HiddenSize; } }
        /// <summary>Head outputs, 0 without a head.</summary>
        public int OutputSize { get { return Head == null ? 0 : Head.Rows; } }

        /// <summary>
        /// Validates every part against the others; throws <see cref="ModelFormatException"/> naming the field.
        /// </summary>
        public SkipGruModel(GruVariant variant, GruLayerWeights[] layers, InputNormalization input,
            QuantizedMatrix skipGate, int skipBias, QuantizedMatrix head, int[] headBias,
            int inputFracBits, int samplePeriodMicros, string[] classNames, SelfTestVectors selfTest)
        {
            if (variant != GruVariant.ResetAfter && variant != GruVariant.ResetBefore)
                throw new ModelFormatException("variant", "must be 0 (reset after) or 1 (reset before)");
            if (layers == null || layers.Length < 1 || layers.Length > MaxLayers)
                throw new ModelFormatException("layer_count", "must be 1.." + MaxLayers.ToString());
            for (int l = 0; l < layers.Length; l++)
                if (layers[l] == null) throw new ModelFormatException("layer[" + l.ToString() + "]", "is missing");
            int h = layers[0].HiddenSize;
            int inputs = layers[0].InputSize;
            if (h > MaxHiddenSize) throw new ModelFormatException("hidden_size", "exceeds " + MaxHiddenSize.ToString());
            if (inputs > MaxInputSize) throw new ModelFormatException("input_size", "exceeds " + MaxInputSize.ToString());
            for (int l = 1; l < layers.Length; l++)
            {
                if (layers[l].HiddenSize != h)
                    throw new ModelFormatException("layer[" + l.ToString() + "]", "hidden size differs from layer 0");
                if (layers[l].InputSize != h)
                    throw new ModelFormatException("layer[" + l.ToString() + "].w_ih", "must take the layer below's " + h.ToString() + " units");
            }
            if (input == null || input.Channels != inputs)
                throw new ModelFormatException("input_norm", "needs one entry per input (" + inputs.ToString() + ")");
            if (skipGate == null || skipGate.Rows != 1 || skipGate.Cols != h)
                throw new ModelFormatException("skip_gate", "must be one row of " + h.ToString() + " weights");
            ModelChecks.Bias("skip_gate.bias", skipBias);
            if (head != null)
            {
                if (head.Cols != h) throw new ModelFormatException("head", "must have " + h.ToString() + " columns");
                if (head.Rows > MaxOutputSize) throw new ModelFormatException("output_size", "exceeds " + MaxOutputSize.ToString());
                ModelChecks.Biases("head.bias", headBias, head.Rows);
            }
            else if (headBias != null)
                throw new ModelFormatException("head.bias", "given without head weights");
            if (inputFracBits < 0 || inputFracBits > 15)
                throw new ModelFormatException("input_frac_bits", "must be 0..15");
            if (samplePeriodMicros < 0)
                throw new ModelFormatException("sample_period_us", "must not be negative");
            int outputs = head == null ? 0 : head.Rows;
            if (classNames != null)
            {
                if (classNames.Length != outputs || outputs == 0)
                    throw new ModelFormatException("class_names", "needs one name per output");
                for (int i = 0; i < classNames.Length; i++)
                    CheckClassName(i, classNames[i]);
            }
            if (selfTest != null)
            {
                int k = selfTest.Steps;
                if (selfTest.RawInputCount != k * inputs)
                    throw new ModelFormatException("self_test.inputs", "needs steps × input_size values");
                if (selfTest.StateCount != k * layers.Length * h)
                    throw new ModelFormatException("self_test.states", "needs steps × layers × hidden values");
                if (selfTest.OutputCount != k * outputs)
                    throw new ModelFormatException("self_test.outputs", "needs steps × output_size values");
            }

            Variant = variant;
            Layers = layers;
            Input = input;
            SkipGate = skipGate;
            SkipBias = skipBias;
            Head = head;
            HeadBias = headBias;
            InputFracBits = inputFracBits;
            SamplePeriodMicros = samplePeriodMicros;
            ClassNames = classNames;
            SelfTest = selfTest;
        }

        /// <summary>Multiply-accumulates one update step performs (all layers, skip gate, head).</summary>
        public int MacsPerUpdate
        {
            get
            {
                int macs = SkipGate.Cols + (Head == null ? 0 : Head.Rows * Head.Cols);
                for (int l = 0; l < Layers.Length; l++)
                    macs += Layers[l].Wih.Rows * Layers[l].Wih.Cols + Layers[l].Whh.Rows * Layers[l].Whh.Cols;
                return macs;
            }
        }

        /// <summary>Table lookups one update step performs: r, z, n per unit and layer, plus the skip gate.</summary>
        public int LookupsPerUpdate
        {
            get { return Layers.Length * 3 * HiddenSize + 1; }
        }

        /// <summary>The same model carrying <paramref name="selfTest"/> (validated against its sizes).</summary>
        public SkipGruModel WithSelfTest(SelfTestVectors selfTest)
        {
            SkipGruModel m = new SkipGruModel(Variant, Layers, Input, SkipGate, SkipBias, Head, HeadBias,
                InputFracBits, SamplePeriodMicros, ClassNames, selfTest);
            m.EventRule = EventRule;
            m.FrontEnd = FrontEnd;
            return m;
        }

        // ---- optional streaming event rule (Streaming/, docs/model-format.md "Event rule") ----

        /// <summary>The streaming event rule stored with the model, or null (older files have none).</summary>
        public Streaming.EventRule EventRule { get; private set; }

        /// <summary>The same model carrying <paramref name="rule"/> (null removes it).</summary>
        public SkipGruModel WithEventRule(Streaming.EventRule rule)
        {
            SkipGruModel m = WithSelfTest(SelfTest);
            m.AttachSections(rule, FrontEnd);
            return m;
        }

        /// <summary>
        /// Sets the optional sections after checking them against this model: the event rule's classes must lie in
        /// the head, the front end's bands must be the inputs. The model reader calls it on the model it has just
        /// built (no copy validated again); <see cref="WithEventRule"/> and <see cref="WithFrontEnd"/> on a copy.
        /// </summary>
        internal void AttachSections(Streaming.EventRule rule, SkipRnn.Edge.Audio.FrontEndSpec frontEnd)
        {
            if (rule != null && !rule.FitsHead(OutputSize))
                throw new ModelFormatException("event_rule.event_class", "is outside the model's head");
            if (frontEnd != null && frontEnd.Bands != InputSize)
                throw new ModelFormatException("front_end.bands", "is " + frontEnd.Bands.ToString() + " but the model reads " +
                    InputSize.ToString() + " inputs per step");
            EventRule = rule;
            FrontEnd = frontEnd;
        }

        // ---- optional audio front end (Audio/, docs/model-format.md "Front end") ----

        /// <summary>The audio front end the model was trained on, or null (a model fed raw sensor values).</summary>
        public SkipRnn.Edge.Audio.FrontEndSpec FrontEnd { get; private set; }

        /// <summary>The same model carrying <paramref name="frontEnd"/> (null removes it); its bands must be the model's inputs.</summary>
        public SkipGruModel WithFrontEnd(SkipRnn.Edge.Audio.FrontEndSpec frontEnd)
        {
            SkipGruModel m = WithSelfTest(SelfTest);
            m.AttachSections(EventRule, frontEnd);
            return m;
        }

        private static void CheckClassName(int index, string name)
        {
            // The field name is built only for the error: a string per name costs the interpreter more than the check.
            if (name == null || name.Length < 1 || name.Length > MaxClassNameLength)
                throw new ModelFormatException("class_names[" + index.ToString() + "]",
                    "must be 1.." + MaxClassNameLength.ToString() + " characters");
            for (int c = 0; c < name.Length; c++)
                if (name[c] < ' ' || name[c] > '~')
                    throw new ModelFormatException("class_names[" + index.ToString() + "]", "must be printable ASCII");
        }
    }
}
