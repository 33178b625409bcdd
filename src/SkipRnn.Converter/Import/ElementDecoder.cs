using System.Buffers.Binary;

namespace SkipRnn.Converter.Import;

/// <summary>Widens raw little- or big-endian float elements to double.</summary>
internal static class ElementDecoder
{
    public static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.F16 or TensorDType.BF16 => 2,
        TensorDType.F32 => 4,
        TensorDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>Decodes <paramref name="count"/> elements from the start of <paramref name="bytes"/>.</summary>
    public static double[] Decode(ReadOnlySpan<byte> bytes, TensorDType dtype, long count, bool bigEndian)
    {
        int size = SizeOf(dtype);
        if (count < 0 || count * size > bytes.Length)
            throw new ArgumentException("Not enough bytes for the requested elements.", nameof(bytes));
        var result = new double[count];
        for (int i = 0; i < result.Length; i++)
        {
            var e = bytes.Slice(i * size, size);
            result[i] = dtype switch
            {
                TensorDType.F16 => (double)BitConverter.UInt16BitsToHalf(Read16(e, bigEndian)),
                // bfloat16 is the upper half of an IEEE single.
                TensorDType.BF16 => BitConverter.Int32BitsToSingle(Read16(e, bigEndian) << 16),
                TensorDType.F32 => BitConverter.Int32BitsToSingle(bigEndian
                    ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e)),
                _ => BitConverter.Int64BitsToDouble(bigEndian
                    ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e)),
            };
        }
        return result;
    }

    private static ushort Read16(ReadOnlySpan<byte> e, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e);
}
