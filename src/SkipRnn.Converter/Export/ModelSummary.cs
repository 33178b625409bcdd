using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Export;

/// <summary>One quantized tensor as `inspect` shows it.</summary>
public sealed record TensorSummary(string Name, int Bits, int Rows, int Cols, int MultiplierMin, int MultiplierMax,
    int ShiftMin, int ShiftMax, int StoredBytes);

/// <summary>
/// What a model file costs on the device: flash (the file), RAM (the parsed model's arrays plus a runner's
/// state and scratch; and, for a firmware with the native kernel, its one arena), and compute per update and per
/// skipped step.
/// </summary>
public sealed record ModelSummary(
    string Variant, int Layers, int Inputs, int Hidden, int Outputs, int SamplePeriodMicros, int InputFracBits,
    string[]? ClassNames, int SelfTestSteps, int FlashBytes, int ModelRamBytes, int RunnerRamBytes,
    int MacsPerUpdate, int LookupsPerUpdate, int MacsPerSkip, int LookupsPerSkip, IReadOnlyList<TensorSummary> Tensors,
    long NativeArenaBytes)
{
    /// <summary>Summarizes a model read from <paramref name="file"/>'s bytes.</summary>
    public static ModelSummary Of(SkipGruModel m, int fileBytes)
    {
        var tensors = new List<TensorSummary>();
        void Add(QuantizedMatrix q) => tensors.Add(new TensorSummary(q.Name, q.WeightBits, q.Rows, q.Cols,
            q.Multiplier.Min(), q.Multiplier.Max(), q.Shift.Min(), q.Shift.Max(), q.StoredBytes));
        int modelRam = m.Input.Channels * 13;   // normalization arrays
        foreach (GruLayerWeights l in m.Layers)
        {
            Add(l.Wih);
            Add(l.Whh);
            modelRam += 2 * l.Bih.Length * 4;
        }
        Add(m.SkipGate);
        if (m.Head != null) { Add(m.Head); modelRam += m.HeadBias.Length * 4; }
        // Stored weights stay in RAM only where no packed layout replaced them (the reader keeps no copy of a packed
        // matrix's weights); multipliers and shifts always.
        foreach (QuantizedMatrix q in m.Layers.SelectMany(l => new[] { l.Wih, l.Whh }).Append(m.SkipGate).Append(m.Head).OfType<QuantizedMatrix>())
            modelRam += (q.Packed == null ? q.Rows * q.Cols * q.WeightBits / 8 : 0) + q.Rows * 5;
        // The runner's layout, built at load (PackedWeights): one long per column per group of rows (two int8
        // rows or one row), or for a matrix of at most 4 columns one long per weight (w · multiplier), and the
        // rounding term per row.
        foreach (QuantizedMatrix q in m.Layers.SelectMany(l => new[] { l.Wih, l.Whh }).Append(m.SkipGate).Append(m.Head).OfType<QuantizedMatrix>())
            modelRam += (q.Packed == null ? 0 : q.Packed.GroupCount * q.Cols * 8)
                + (q.Premultiplied == null ? 0 : q.Rows * q.Cols * 8) + q.Rows * 8;
        if (m.SelfTest != null)   // parsed vectors stay in RAM with the model (drop them after the boot check to free it)
            modelRam += m.SelfTest.RawInputs.Length * 4 + m.SelfTest.Updated.Length + m.SelfTest.States.Length * 2 + m.SelfTest.Outputs.Length * 4;

        int h = m.HiddenSize;
        // SkipGru's buffers: states (int16 per layer), input (int16), r ⊙ h (int16), two 3H int32 scratch rows,
        // the skip pre-activation and the outputs (int32), the kernel's int64 accumulators and the summed gate
        // biases (3H int32 per layer).
        int runnerRam = m.Layers.Length * h * 2 + m.InputSize * 2 + h * 2 + 2 * 3 * h * 4 + 4 + m.OutputSize * 4
            + Math.Max(3 * h, m.OutputSize) * 8 + m.Layers.Length * 3 * h * 4;
        // A reset-after layer whose W_hh rows the runner requantizes in its gate loops (single-row groups, clamp
        // proved a no-op: int16 W_hh) keeps those rows' multipliers widened to int64.
        if (m.Variant == GruVariant.ResetAfter)
            runnerRam += m.Layers.Count(l => l.Whh.Packed != null && l.Whh.Packed.AllSingle && l.Whh.NeverClamps) * 3 * h * 8;

        return new ModelSummary(m.Variant.ToString(), m.Layers.Length, m.InputSize, h, m.OutputSize,
            m.SamplePeriodMicros, m.InputFracBits, m.ClassNames, m.SelfTest?.Steps ?? 0, fileBytes, modelRam, runnerRam,
            m.MacsPerUpdate, m.LookupsPerUpdate, 0, 0, tensors, NativeArena.Bytes(m));
    }

    /// <summary>Each input's raw encoding, as `inspect` shows it (empty where the summary was made without it).</summary>
    public IReadOnlyList<RawInputChannel> RawInputs { get; init; } = Array.Empty<RawInputChannel>();

    /// <summary>Reads and summarizes a model file.</summary>
    public static ModelSummary Read(byte[] file) => Of(ModelReader.Read(file), file.Length);
}
