using SkipRnn.Edge.Emulator.Board;
using SkipRnn.Edge.Runtime;

namespace SkipRnn.Board.Tests;

/// <summary>What the day-long fault runs of both apps share: the fault schedule and the state fingerprint.</summary>
internal static class FaultDays
{
    /// <summary>
    /// <paramref name="perHour"/> faults an hour for <paramref name="hours"/> hours, cycling through
    /// <paramref name="kinds"/>: one in each slot of an hour / perHour, at a seeded random time at least 30 s from the
    /// slot's ends (so faults are at least a minute apart); <paramref name="micros"/> gives each its parameter (a
    /// duration, a byte count) from the same random sequence.
    /// </summary>
    public static List<ScheduledFault> Schedule(BoardFault[] kinds, int perHour, int hours, int seed, Func<BoardFault, Random, long> micros)
    {
        var rng = new Random(seed);
        var faults = new List<ScheduledFault>();
        long slot = 3600_000_000L / perHour;
        for (int i = 0; i < hours * perHour; i++)
        {
            long at = i * slot + 30_000_000 + (long)(rng.NextDouble() * (slot - 60_000_000));
            BoardFault kind = kinds[i % kinds.Length];
            faults.Add(new ScheduledFault(at, kind, micros(kind, rng)));
        }
        return faults;
    }
}

/// <summary>64-bit FNV-1a over a run's state, to compare a faulty run with the clean one update by update.</summary>
internal struct StateHash
{
    private ulong _h;

    public StateHash() => _h = 14695981039346656037UL;

    public readonly ulong Value => _h;

    public void Mix(long v) => _h = (_h ^ (ulong)v) * 1099511628211UL;

    /// <summary>The Skip-GRU's whole state: hidden states (through <paramref name="state"/>), outputs, ũ, its increment, steps to skip.</summary>
    public void Mix(SkipGru rnn, short[] state)
    {
        for (int l = 0; l < rnn.Model.Layers.Length; l++)
        {
            rnn.CopyState(l, state);
            foreach (short s in state) Mix(s);
        }
        for (int o = 0; o < rnn.Model.OutputSize; o++) Mix(rnn.GetOutput(o));
        Mix(rnn.UpdateProbability);
        Mix(rnn.Increment);
        Mix(rnn.StepsToSkip);
    }
}
