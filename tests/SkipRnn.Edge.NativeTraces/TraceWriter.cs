using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Edge.NativeTraces;

/// <summary>One call on the runner: an update-or-skip Step with raw input, Skip(n), or Reset.</summary>
internal readonly record struct TraceEvent(byte Kind, int[]? Raw, int Steps)
{
    public const byte KindStep = 0, KindSkip = 1, KindReset = 2;
    public static TraceEvent Step(int[] raw) => new(KindStep, raw, 0);
    public static TraceEvent Skip(int n) => new(KindSkip, null, n);
    public static TraceEvent Reset() => new(KindReset, null, 0);
}

/// <summary>
/// Runs the managed <see cref="SkipGru"/> through a list of events and writes, after each, everything a runner
/// exposes (firmware/native/tests/trace_format.md): the step's result, ũ, Δũ, StepsToSkip, HasOutput, the
/// counters, every layer's state, the head outputs and ArgMax.
/// </summary>
internal static class TraceWriter
{
    public static void Write(string path, byte[] modelFile, SkipGruModel model, IReadOnlyList<TraceEvent> events)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write("SKTR"u8);
        w.Write(modelFile.Length);
        w.Write(modelFile);
        w.Write((long)model.MacsPerUpdate);
        w.Write(SkipRnn.Converter.Export.NativeArena.Bytes(model));
        w.Write(events.Count);
        var rnn = new SkipGru(model);
        int layers = model.Layers.Length, hidden = model.HiddenSize;
        foreach (TraceEvent e in events)
        {
            w.Write(e.Kind);
            byte result = 0;
            switch (e.Kind)
            {
                case TraceEvent.KindStep:
                    foreach (int v in e.Raw!) w.Write(v);
                    result = rnn.Step(e.Raw) ? (byte)1 : (byte)0;
                    break;
                case TraceEvent.KindSkip:
                    w.Write(e.Steps);
                    rnn.Skip(e.Steps);
                    break;
                default:
                    rnn.Reset();
                    break;
            }
            w.Write(result);
            w.Write(rnn.UpdateProbability);
            w.Write(rnn.Increment);
            w.Write(rnn.StepsToSkip);
            w.Write(rnn.HasOutput ? (byte)1 : (byte)0);
            w.Write(rnn.Counters.Updates);
            w.Write(rnn.Counters.Skips);
            w.Write(rnn.Counters.ClampedInputs);
            for (int l = 0; l < layers; l++)
                for (int j = 0; j < hidden; j++) w.Write(rnn.GetState(l, j));
            for (int o = 0; o < model.OutputSize; o++) w.Write(rnn.GetOutput(o));
            w.Write(rnn.ArgMax());
        }
    }
}
