using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Export;

/// <summary>
/// The RAM the native kernel (firmware/native) takes for a model: what <c>skrn_arena_bytes</c> returns, its one
/// arena holding the unpacked model and a runner's state. Mirrors the order and 8-byte alignment of
/// <c>skrn_model.c</c>'s allocations; firmware/native's tests compare it with the C function on every traced model.
/// </summary>
public static class NativeArena
{
    public static long Bytes(SkipGruModel m)
    {
        long used = 0;
        void Take(long bytes) => used = ((used + 7) & ~7L) + bytes;
        void Matrix(QuantizedMatrix q)
        {
            Take(4L * q.Rows);                              // multipliers
            Take(q.Rows);                                   // shifts
            Take((long)q.Rows * q.Cols * (q.WeightBits / 8));
        }
        int inputs = m.InputSize, h = m.HiddenSize;
        Take(4L * inputs);                                  // normalization: multipliers, addends, shifts
        Take(8L * inputs);
        Take(inputs);
        foreach (GruLayerWeights l in m.Layers)
        {
            Matrix(l.Wih);
            Matrix(l.Whh);
            Take(12L * h);                                  // b_ih, b_hh, b_ih + b_hh
            Take(12L * h);
            Take(12L * h);
        }
        Matrix(m.SkipGate);
        if (m.Head != null)
        {
            Matrix(m.Head);
            Take(4L * m.OutputSize);
        }
        Take(4L * h * m.Layers.Length);                     // runner: states, input, r ⊙ h, gx, gh, outputs, raw
        Take(4L * inputs);
        Take(4L * h);
        Take(12L * h);
        Take(12L * h);
        Take(4L * Math.Max(m.OutputSize, 1));
        Take(4L * inputs);
        return used;
    }
}
