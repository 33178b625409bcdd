using System.Buffers.Binary;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter.Tests.Builders;

/// <summary>Encodes doubles into raw element bytes, the inverse of what the readers decode.</summary>
internal static class Encode
{
    public static int SizeOf(TensorDType dtype) => dtype switch
    {
        TensorDType.F16 or TensorDType.BF16 => 2,
        TensorDType.F32 => 4,
        _ => 8,
    };

    public static byte[] Values(IReadOnlyList<double> values, TensorDType dtype, bool bigEndian = false)
    {
        int size = SizeOf(dtype);
        var bytes = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            switch (dtype)
            {
                case TensorDType.F16:
                    Write16(span, BitConverter.HalfToUInt16Bits((Half)values[i]), bigEndian);
                    break;
                case TensorDType.BF16:
                    // Truncation; tests only use values that bfloat16 holds exactly.
                    Write16(span, (ushort)(BitConverter.SingleToUInt32Bits((float)values[i]) >> 16), bigEndian);
                    break;
                case TensorDType.F32:
                    uint f = BitConverter.SingleToUInt32Bits((float)values[i]);
                    if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, f); else BinaryPrimitives.WriteUInt32LittleEndian(span, f);
                    break;
                default:
                    ulong d = BitConverter.DoubleToUInt64Bits(values[i]);
                    if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(span, d); else BinaryPrimitives.WriteUInt64LittleEndian(span, d);
                    break;
            }
        }
        return bytes;
    }

    private static void Write16(Span<byte> span, ushort v, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(span, v); else BinaryPrimitives.WriteUInt16LittleEndian(span, v);
    }
}
