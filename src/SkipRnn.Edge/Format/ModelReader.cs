using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Kernels;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Format
{
    /// <summary>
    /// Reads and validates a model file (docs/model-format.md). Device code: takes the bytes of a
    /// resource or flash partition. Every problem (wrong magic or version, bad CRC, truncation, absurd
    /// or inconsistent sizes, out-of-range parameters, trailing bytes) raises
    /// <see cref="ModelFormatException"/> naming the field; it never reads outside the array and every
    /// loop is bounded by sizes already checked against the bytes present.
    /// </summary>
    public static class ModelReader
    {
        /// <summary>Parses <paramref name="file"/> into a validated model, with the packed weight layout for speed.</summary>
        public static SkipGruModel Read(byte[] file)
        {
            return Read(file, true);
        }

        /// <summary>
        /// Parses <paramref name="file"/> into a validated model. <paramref name="packWeights"/> false keeps only
        /// the weights as stored (1 or 2 bytes each instead of the packed layout's 4 or 8, see QuantizedMatrix.Packed):
        /// updates then take the reference kernels, with the same results, about 2.6 times the interpreter time.
        /// </summary>
        public static SkipGruModel Read(byte[] file, bool packWeights)
        {
            if (file == null) throw new ModelFormatException("file", "is null");
            ByteCursor header = new ByteCursor(file, 0, file.Length);
            header.Need(ModelFileLayout.HeaderSize, "header");
            if ((uint)header.I32("magic") != ModelFileLayout.Magic)
                throw new ModelFormatException("magic", "is not \"SKRN\": not a SkipRnn Edge model file");
            int version = header.U16("version");
            if (version != ModelFileLayout.Version)
                throw new ModelFormatException("version", "is " + version.ToString() + ", this runtime reads version " +
                    ModelFileLayout.Version.ToString());
            if (header.U16("reserved") != 0) throw new ModelFormatException("reserved", "must be 0");
            uint length = (uint)header.I32("payload_length");
            uint crc = (uint)header.I32("crc32");
            if (length != (uint)(file.Length - ModelFileLayout.HeaderSize))
                throw new ModelFormatException("payload_length", "says " + length.ToString() + " bytes but the file holds " +
                    (file.Length - ModelFileLayout.HeaderSize).ToString() + " (truncated or padded)");
            if (Crc32.Compute(file, ModelFileLayout.HeaderSize, (int)length) != crc)
                throw new ModelFormatException("crc32", "does not match the payload: the file is corrupt");

            SkipGruModel model = ReadPayload(new ByteCursor(file, ModelFileLayout.HeaderSize, file.Length), packWeights);
            model.SourceFile = file;
            return model;
        }

        private static SkipGruModel ReadPayload(ByteCursor c, bool pack)
        {
            GruVariant variant = (GruVariant)c.U8In("variant", 0, 1);
            int layerCount = c.U8In("layer_count", 1, SkipGruModel.MaxLayers);
            int inputs = c.U16In("input_size", 1, SkipGruModel.MaxInputSize);
            int hidden = c.U16In("hidden_size", 1, SkipGruModel.MaxHiddenSize);
            int outputs = c.U16In("output_size", 0, SkipGruModel.MaxOutputSize);
            int period = c.I32In("sample_period_us", 0, int.MaxValue);
            int fracBits = c.U8In("input_frac_bits", 0, 15);
            int flags = c.U8In("flags", 0, ModelFileLayout.FlagClassNames | ModelFileLayout.FlagSelfTest |
                ModelFileLayout.FlagEventRule | ModelFileLayout.FlagFrontEnd);

            InputNormalization norm = ReadInputNormalization(c, inputs);

            GruLayerWeights[] layers = new GruLayerWeights[layerCount];
            for (int l = 0; l < layerCount; l++)
            {
                string name = "layer[" + l.ToString() + "]";
                QuantizedMatrix wih = ReadMatrix(c, name + ".w_ih", 3 * hidden, l == 0 ? inputs : hidden, pack);
                QuantizedMatrix whh = ReadMatrix(c, name + ".w_hh", 3 * hidden, hidden, pack);
                int[] bih = ReadInts(c, name + ".b_ih", 3 * hidden);
                int[] bhh = ReadInts(c, name + ".b_hh", 3 * hidden);
                layers[l] = new GruLayerWeights(name, wih, whh, bih, bhh);
            }

            QuantizedMatrix skipGate = ReadMatrix(c, "skip_gate", 1, hidden, pack);
            int skipBias = c.I32("skip_gate.bias");

            QuantizedMatrix head = null;
            int[] headBias = null;
            if (outputs > 0)
            {
                head = ReadMatrix(c, "head", outputs, hidden, pack);
                headBias = ReadInts(c, "head.bias", outputs);
            }

            string[] classNames = null;
            if ((flags & ModelFileLayout.FlagClassNames) != 0)
            {
                if (outputs == 0) throw new ModelFormatException("flags", "announce class names but the model has no head");
                classNames = ReadClassNames(c, outputs);
            }

            SelfTestVectors selfTest = null;
            if ((flags & ModelFileLayout.FlagSelfTest) != 0)
                selfTest = ReadSelfTest(c, inputs, layerCount * hidden, outputs);

            // ---- optional streaming event rule (flags bit 2) ----
            EventRule eventRule = null;
            if ((flags & ModelFileLayout.FlagEventRule) != 0)
                eventRule = ReadEventRule(c, outputs);

            // ---- optional audio front end (flags bit 3) ----
            FrontEndSpec frontEnd = null;
            if ((flags & ModelFileLayout.FlagFrontEnd) != 0)
                frontEnd = ReadFrontEnd(c, inputs);

            if (c.Remaining != 0)
                throw new ModelFormatException("payload", c.Remaining.ToString() + " unexpected bytes after the last field");

            SkipGruModel model = new SkipGruModel(variant, layers, norm, skipGate, skipBias, head, headBias,
                fracBits, period, classNames, selfTest);
            model.AttachSections(eventRule, frontEnd);
            return model;
        }

        // The front-end section: its own version byte like the event rule's; parameters this runtime does not
        // compute are refused by FrontEndSpec, naming the field.
        private static FrontEndSpec ReadFrontEnd(ByteCursor c, int inputs)
        {
            int version = c.U8("front_end.version");
            if (version != FrontEndSpec.Version)
                throw new ModelFormatException("front_end.version", "is " + version.ToString() +
                    ", this runtime reads front-end version " + FrontEndSpec.Version.ToString());
            int kind = c.U8("front_end.kind");
            int rate = c.I32("front_end.sample_rate");
            int frame = c.U16("front_end.frame_length");
            int hop = c.U16("front_end.hop_length");
            int fft = c.U16("front_end.fft_size");
            int bands = c.U8("front_end.bands");
            int low = c.U16("front_end.low_hz");
            int high = c.U16("front_end.high_hz");
            int floorExp = (sbyte)c.U8("front_end.log_floor_exponent");
            int fracBits = c.U8("front_end.feature_frac_bits");
            FrontEndSpec spec = new FrontEndSpec(kind, rate, frame, hop, fft, bands, low, high, floorExp, fracBits);
            if (bands != inputs)
                throw new ModelFormatException("front_end.bands", "is " + bands.ToString() + " but the model reads " +
                    inputs.ToString() + " inputs per step");
            return spec;
        }

        // The event-rule section: its own version byte, so the rule can grow without a new file version;
        // a version this runtime does not know is refused (never guessed at).
        private static EventRule ReadEventRule(ByteCursor c, int outputs)
        {
            int version = c.U8("event_rule.version");
            if (version != EventRule.Version && version != EventRule.VersionMask && version != EventRule.VersionPerClass)
                throw new ModelFormatException("event_rule.version", "is " + version.ToString() +
                    ", this runtime reads event-rule versions 1 (one class), 2 (class mask) and 3 (thresholds per class, minimum duration)");
            if (version == EventRule.VersionPerClass) return ReadEventRulePerClass(c, outputs);
            int eventClass = 0;
            int mask = 0;
            if (version == EventRule.Version) eventClass = c.U8("event_rule.event_class");
            else mask = c.I32("event_rule.event_mask");
            int shift = c.U8("event_rule.shift");
            int on = c.I32("event_rule.on");
            int off = c.I32("event_rule.off");
            int refractory = c.I32("event_rule.refractory");
            if (version == EventRule.Version) return new EventRule(outputs, eventClass, shift, on, off, refractory);
            if (mask != 0 && (mask & (mask - 1)) == 0)
                throw new ModelFormatException("event_rule.event_mask", "names one class: such a rule is written as version 1");
            return EventRule.ForClasses(outputs, mask, shift, on, off, refractory);
        }

        // Version 3: mask, shift, refractory, min_steps, then (on, off) per event class in ascending class order.
        private static EventRule ReadEventRulePerClass(ByteCursor c, int outputs)
        {
            int mask = c.I32("event_rule.event_mask");
            int shift = c.U8("event_rule.shift");
            int refractory = c.I32("event_rule.refractory");
            int minSteps = c.U16("event_rule.min_steps");
            int count = 0;
            for (int b = 0; b < EventRule.MaxClasses; b++) if (((mask >> b) & 1) != 0) count++;
            if (count == 0) throw new ModelFormatException("event_rule.event_mask", "is 0: at least one event class is needed");
            c.Need(8L * count, "event_rule.thresholds");
            int[] on = new int[count];
            int[] off = new int[count];
            for (int k = 0; k < count; k++)
            {
                on[k] = c.I32("event_rule.on");
                off[k] = c.I32("event_rule.off");
            }
            EventRule r = EventRule.ForClasses(outputs, mask, shift, on, off, refractory, minSteps);
            if (r.SectionVersion != EventRule.VersionPerClass)
                throw new ModelFormatException("event_rule.version", "is 3 but the rule has one threshold pair and min_steps 1: such a rule is written as version " +
                    r.SectionVersion.ToString());
            return r;
        }

        private static InputNormalization ReadInputNormalization(ByteCursor c, int inputs)
        {
            c.Need(13L * inputs, "input_norm");
            int[] multiplier = new int[inputs];
            long[] addend = new long[inputs];
            byte[] shift = new byte[inputs];
            for (int j = 0; j < inputs; j++)
            {
                // Constant field names: the bytes were checked above, so these reads cannot fail (and a name
                // built per channel would cost the interpreter more than the read).
                multiplier[j] = c.I32("input_norm.multiplier");
                addend[j] = c.I64("input_norm.addend");
                shift[j] = (byte)c.U8("input_norm.shift");
            }
            return new InputNormalization(multiplier, addend, shift);
        }

        private static QuantizedMatrix ReadMatrix(ByteCursor c, string name, int rows, int cols, bool pack)
        {
            int bits = c.U8(name + ".weight_bits");
            if (bits != 8 && bits != 16)
                throw new ModelFormatException(name + ".weight_bits", "is " + bits.ToString() + ", must be 8 or 16");
            int storedRows = c.U16(name + ".rows");
            int storedCols = c.U16(name + ".cols");
            if (storedRows != rows || storedCols != cols)
                throw new ModelFormatException(name, "is " + storedRows.ToString() + "×" + storedCols.ToString() +
                    ", the header's sizes require " + rows.ToString() + "×" + cols.ToString());
            int count = rows * cols;   // ≤ 3072 × 4096: fits int
            c.Need(5L * rows + (long)count * (bits / 8), name);

            int[] multiplier = new int[rows];
            c.Int32s(multiplier, 0, rows, name + ".multiplier");
            byte[] shift = c.Bytes(rows, name + ".shift");

            // The weights are read by the matrix itself, straight from the file's bytes (with packing, into the
            // packed layout alone): no intermediate copy.
            int at = c.Position;
            c.Skip(count * (bits / 8));
            return new QuantizedMatrix(name, rows, cols, bits, multiplier, shift, pack, c.Data, at);
        }

        private static int[] ReadInts(ByteCursor c, string name, int count)
        {
            c.Need(4L * count, name);
            int[] v = new int[count];
            c.Int32s(v, 0, count, name);
            return v;
        }

        private static string[] ReadClassNames(ByteCursor c, int outputs)
        {
            string[] names = new string[outputs];
            byte[] d = c.Data;
            for (int o = 0; o < outputs; o++)
            {
                // Field names are built only for an error (a string per name would cost more than reading it).
                int length = c.Remaining < 1 ? -1 : d[c.Position];
                if (length < 1 || length > SkipGruModel.MaxClassNameLength || c.Remaining < 1 + length)
                    return FailClassName(c, o);
                int p = c.Position + 1;
                char[] chars = new char[length];
                for (int i = 0; i < length; i++)
                {
                    int b = d[p + i];
                    if (b < 0x20 || b > 0x7E)
                        throw new ModelFormatException("class_names[" + o.ToString() + "]", "must be printable ASCII");
                    chars[i] = (char)b;
                }
                c.Skip(1 + length);
                names[o] = new string(chars);
            }
            return names;
        }

        // Reads class name o's length and bytes through the checked reads, which throw the error naming the field.
        private static string[] FailClassName(ByteCursor c, int o)
        {
            string field = "class_names[" + o.ToString() + "]";
            int length = c.U8In(field + ".length", 1, SkipGruModel.MaxClassNameLength);
            c.Need(length, field);
            throw new ModelFormatException(field, "is unreadable");   // not reached: one of the reads above throws
        }

        private static SelfTestVectors ReadSelfTest(ByteCursor c, int inputs, int stateCount, int outputs)
        {
            int steps = c.U16In("self_test.steps", 1, ModelFileLayout.MaxSelfTestSteps);
            long perStep = 4L * inputs + 1 + 2L * stateCount + 4L * outputs;
            c.Need(perStep * steps, "self_test");
            // The vectors stay in the file's bytes until the self-test asks for them (SelfTestVectors decodes them
            // then); here only the update flags are checked, so a bad flag is still refused at load.
            byte[] d = c.Data;
            int start = c.Position;
            int flag = start + 4 * inputs;
            int step = (int)perStep;
            for (int t = 0; t < steps; t++, flag += step)
            {
                int u = d[flag];
                if (u > 1) throw new ModelFormatException("self_test.updated", "is " + u.ToString() + ", must be 0..1");
            }
            c.Skip(step * steps);
            return new SelfTestVectors(d, start, steps, inputs, stateCount, outputs);
        }
    }
}
