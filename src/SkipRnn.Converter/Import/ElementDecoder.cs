using System.Buffers.Binary;

namespace SkipRnn.Converter.Import;

/// <summary>Widens raw little- or big-endian float (or, for datasets, integer) elements to double.</summary>
internal static class ElementDecoder
{
    public static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.I8 or TensorDType.U8 => 1,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 or TensorDType.U16 => 2,
        TensorDType.F32 or TensorDType.I32 or TensorDType.U32 => 4,
        TensorDType.F64 or TensorDType.I64 or TensorDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Decodes <paramref name="count"/> elements from the start of <paramref name="bytes"/>.</summary>
    public static double[] Decode(ReadOnlySpan<byte> bytes, TensorDType dtype, long count, bool bigEndian)
    {
        int size = SizeOf(dtype);
        if (count < 0 || count * size > bytes.Length)
            throw new ArgumentException("Not enough bytes for the requested elements.", nameof(bytes));
        var result = new double[count];
        for (int i = 0; i < result.Length; i++) result[i] = DecodeOne(bytes.Slice(i * size, size), dtype, bigEndian);
        return result;
    }

    /// <summary>Element <paramref name="index"/> of raw elements (for strided views, which read storages in place).</summary>
    public static double DecodeAt(ReadOnlySpan<byte> bytes, long index, TensorDType dtype, bool bigEndian)
    {
        int size = SizeOf(dtype);
        return DecodeOne(bytes.Slice(checked((int)(index * size)), size), dtype, bigEndian);
    }

    private static double DecodeOne(ReadOnlySpan<byte> e, TensorDType dtype, bool bigEndian) =>
        dtype switch
        {
            TensorDType.F16 => (double)BitConverter.UInt16BitsToHalf(Read16(e, bigEndian)),
            // bfloat16 is the upper half of an IEEE single.
            TensorDType.BF16 => BitConverter.Int32BitsToSingle(Read16(e, bigEndian) << 16),
            TensorDType.F32 => BitConverter.Int32BitsToSingle(bigEndian
                ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e)),
            TensorDType.F64 => BitConverter.Int64BitsToDouble(bigEndian
                ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e)),
            TensorDType.I8 => (sbyte)e[0],
            TensorDType.U8 => e[0],
            TensorDType.I16 => (short)Read16(e, bigEndian),
            TensorDType.U16 => Read16(e, bigEndian),
            TensorDType.I32 => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e),
            TensorDType.U32 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e),
            // 64-bit integers beyond ±2^53 would round here; NpyReader refuses them first (FirstInexactInteger).
            TensorDType.I64 => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e),
            TensorDType.U64 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };

    /// <summary>
    /// Index of the first 64-bit integer element beyond ±2^53 (where doubles stop holding every integer), or −1.
    /// Checked on the raw values: 2^53 + 1 would round to 2^53 and pass a check made after widening.
    /// </summary>
    public static long FirstInexactInteger(ReadOnlySpan<byte> bytes, TensorDType dtype, long count, bool bigEndian)
    {
        if (dtype is not (TensorDType.I64 or TensorDType.U64)) return -1;
        const long Exact = 1L << 53;
        for (int i = 0; i < count; i++)
        {
            var e = bytes.Slice(i * 8, 8);
            if (dtype == TensorDType.I64)
            {
                long v = bigEndian ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e);
                if (v > Exact || v < -Exact) return i;
            }
            else if ((bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e)) > Exact)
            {
                return i;
            }
        }
        return -1;
    }

    private static ushort Read16(ReadOnlySpan<byte> e, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e);
}
