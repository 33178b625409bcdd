using System.Buffers.Binary;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Walks a pickle's opcodes once, in linear time and without building anything, before Razorvine.Pickle runs it:
/// every argument must fit in the bytes that remain, and the stream must stay inside the budgets of
/// <see cref="ImportLimits"/> (opcodes, memo entries, integer size). Razorvine trusts the stream: a ten-million-digit
/// LONG takes it tens of seconds, and a million PUTs a memo of a million entries. What passes here is cheap to run.
/// </summary>
internal static class PickleScanner
{
    private enum Arg
    {
        None,
        Line,          // text up to '\n' (protocol 0 values)
        IntegerLine,   // INT / LONG: decimal text up to '\n'
        TwoLines,      // GLOBAL / INST: module '\n' name '\n'
        Fixed1, Fixed2, Fixed4, Fixed8,
        Length1, Length4, Length8,   // a length, then that many bytes
        Long1, Long4,                // a length, then a two's complement integer of that many bytes
    }

    /// <summary>
    /// Checks <paramref name="pickle"/>; throws <see cref="ImportException"/> naming <paramref name="source"/> and
    /// <paramref name="item"/> with the opcode offset when it is malformed or over budget.
    /// </summary>
    public static void Check(byte[] pickle, string source, string item)
    {
        long opcodes = 0, memo = 0;
        int pos = 0;
        while (true)
        {
            if (pos >= pickle.Length) throw Error(source, item, "ends without a STOP opcode: it is truncated.");
            int at = pos;
            byte op = pickle[pos++];
            if (++opcodes > ImportLimits.MaxPickleOpcodes)
                throw Error(source, item, $"has more than {ImportLimits.MaxPickleOpcodes:N0} opcodes; a state_dict needs far fewer.");
            if (op == (byte)'.') return;   // STOP
            if (IsMemoPut(op) && ++memo > ImportLimits.MaxPickleMemo)
                throw Error(source, item, $"stores more than {ImportLimits.MaxPickleMemo:N0} memo entries (at byte {at}).");
            switch (ArgOf(op))
            {
                case null:
                    throw Error(source, item, $"has opcode 0x{op:X2} at byte {at}, which is not a pickle opcode this reader runs.");
                case Arg.None:
                    break;
                case Arg.Line:
                    pos = LineEnd(pickle, pos, source, item, at);
                    break;
                case Arg.IntegerLine:
                {
                    int end = LineEnd(pickle, pos, source, item, at);
                    int digits = end - 1 - pos;
                    if (digits > ImportLimits.MaxPickleIntegerDigits)
                        throw Error(source, item,
                            $"has an integer of {digits:N0} characters at byte {at}; at most {ImportLimits.MaxPickleIntegerDigits} are read.");
                    pos = end;
                    break;
                }
                case Arg.TwoLines:
                    pos = LineEnd(pickle, LineEnd(pickle, pos, source, item, at), source, item, at);
                    break;
                case Arg.Fixed1: pos = Skip(pickle, pos, 1, source, item, at); break;
                case Arg.Fixed2: pos = Skip(pickle, pos, 2, source, item, at); break;
                case Arg.Fixed4: pos = Skip(pickle, pos, 4, source, item, at); break;
                case Arg.Fixed8: pos = Skip(pickle, pos, 8, source, item, at); break;
                case Arg.Length1 or Arg.Long1:
                {
                    int start = Skip(pickle, pos, 1, source, item, at);
                    long n = pickle[pos];
                    CheckInteger(op, n, source, item, at);
                    pos = Skip(pickle, start, n, source, item, at);
                    break;
                }
                case Arg.Length4 or Arg.Long4:
                {
                    int start = Skip(pickle, pos, 4, source, item, at);
                    // BINSTRING and LONG4 lengths are signed, BINUNICODE and BINBYTES unsigned: read unsigned, a
                    // negative signed length then shows up as more bytes than remain.
                    long n = BinaryPrimitives.ReadUInt32LittleEndian(pickle.AsSpan(pos));
                    CheckInteger(op, n, source, item, at);
                    pos = Skip(pickle, start, n, source, item, at);
                    break;
                }
                case Arg.Length8:
                {
                    int start = Skip(pickle, pos, 8, source, item, at);
                    ulong n = BinaryPrimitives.ReadUInt64LittleEndian(pickle.AsSpan(pos));
                    if (n > (ulong)(pickle.Length - start))
                        throw Error(source, item, $"opcode 0x{op:X2} at byte {at} claims {n} bytes but only {pickle.Length - start} remain.");
                    pos = Skip(pickle, start, (long)n, source, item, at);
                    break;
                }
            }
        }
    }

    private static void CheckInteger(byte op, long bytes, string source, string item, int at)
    {
        if (ArgOf(op) is Arg.Long1 or Arg.Long4 && bytes > ImportLimits.MaxPickleIntegerBytes)
            throw Error(source, item,
                $"has an integer of {bytes:N0} bytes at byte {at}; at most {ImportLimits.MaxPickleIntegerBytes} are read.");
    }

    private static bool IsMemoPut(byte op) => op is (byte)'p' or (byte)'q' or (byte)'r' or 0x94;

    /// <summary>The argument layout of each opcode Razorvine runs (pickletools' table, protocols 0–5 less EXT*, NEXT_BUFFER).</summary>
    private static Arg? ArgOf(byte op) => op switch
    {
        (byte)'(' or (byte)'0' or (byte)'1' or (byte)'2' or (byte)'N' or (byte)'Q' or (byte)'R' or (byte)'a' or (byte)'b'
            or (byte)'d' or (byte)'}' or (byte)'e' or (byte)'l' or (byte)']' or (byte)'o' or (byte)'s' or (byte)'t'
            or (byte)')' or (byte)'u' => Arg.None,
        0x81 or 0x85 or 0x86 or 0x87 or 0x88 or 0x89 or 0x8f or 0x90 or 0x91 or 0x92 or 0x93 or 0x94 or 0x98 => Arg.None,
        (byte)'I' or (byte)'L' => Arg.IntegerLine,
        (byte)'F' or (byte)'P' or (byte)'S' or (byte)'V' or (byte)'g' or (byte)'p' => Arg.Line,
        (byte)'c' or (byte)'i' => Arg.TwoLines,
        (byte)'K' or (byte)'h' or (byte)'q' or 0x80 => Arg.Fixed1,
        (byte)'M' => Arg.Fixed2,
        (byte)'J' or (byte)'j' or (byte)'r' => Arg.Fixed4,
        (byte)'G' or 0x95 => Arg.Fixed8,
        (byte)'U' or (byte)'C' or 0x8c => Arg.Length1,
        (byte)'T' or (byte)'X' or (byte)'B' => Arg.Length4,
        0x8d or 0x8e or 0x96 => Arg.Length8,
        0x8a => Arg.Long1,
        0x8b => Arg.Long4,
        _ => null,
    };

    /// <summary>The position after the '\n' that ends the line starting at <paramref name="pos"/>.</summary>
    private static int LineEnd(byte[] pickle, int pos, string source, string item, int at)
    {
        int nl = Array.IndexOf(pickle, (byte)'\n', pos);
        if (nl < 0) throw Error(source, item, $"opcode at byte {at} has no end of line: the pickle is truncated.");
        return nl + 1;
    }

    private static int Skip(byte[] pickle, int pos, long n, string source, string item, int at)
    {
        if (n > pickle.Length - pos)
            throw Error(source, item, $"opcode at byte {at} needs {n} more bytes but only {pickle.Length - pos} remain: the pickle is truncated.");
        return pos + (int)n;
    }

    private static ImportException Error(string source, string item, string problem) => new(source, item, problem);
}
