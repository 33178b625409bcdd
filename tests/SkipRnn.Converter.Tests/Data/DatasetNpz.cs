using System.Buffers.Binary;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests.Data;

/// <summary>Dataset .npz files written the way numpy.savez lays them out, including integer label arrays.</summary>
internal static class DatasetNpz
{
    /// <summary>An integer .npy; <paramref name="descr"/> is NumPy's, e.g. "&lt;i8", "|u1", "&gt;i4".</summary>
    public static byte[] IntNpy(string descr, int[] shape, IReadOnlyList<long> values)
    {
        int size = descr[2] - '0';
        bool big = descr[0] == '>';
        var data = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            var span = data.AsSpan(i * size, size);
            ulong v = unchecked((ulong)values[i]);
            switch (size)
            {
                case 1: span[0] = (byte)v; break;
                case 2: if (big) BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v); break;
                case 4: if (big) BinaryPrimitives.WriteUInt32BigEndian(span, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)v); break;
                default: if (big) BinaryPrimitives.WriteUInt64BigEndian(span, v); else BinaryPrimitives.WriteUInt64LittleEndian(span, v); break;
            }
        }
        return NpzBuilder.NpyRaw(NpzBuilder.HeaderDict(descr, false, shape), data);
    }

    public static byte[] FloatNpy(int[] shape, double[] values, TensorDType dtype = TensorDType.F32) =>
        NpzBuilder.Npy(dtype, shape, values);

    /// <summary>A classification dataset: x float [N, T, I], y int64 [N] (the recipe's layout).</summary>
    public static byte[] Classification(double[] x, int n, int t, int i, long[] labels, TensorDType xType = TensorDType.F32,
        string labelDescr = "<i8") =>
        NpzBuilder.Npz([("x", FloatNpy([n, t, i], x, xType)), ("y", IntNpy(labelDescr, [labels.Length], labels))]);

    /// <summary>A regression dataset: x float [N, T, I], y float [N] (width 1) or [N, width].</summary>
    public static byte[] Regression(double[] x, int n, int t, int i, double[] y, int width, bool flatY = false,
        TensorDType xType = TensorDType.F32, TensorDType yType = TensorDType.F32) =>
        NpzBuilder.Npz([("x", FloatNpy([n, t, i], x, xType)),
            ("y", FloatNpy(flatY ? [y.Length] : [y.Length / width, width], y, yType))]);

    /// <summary>0, 0.5, 1, ...: values every float type holds exactly.</summary>
    public static double[] Ramp(int count, double step = 0.5) => Enumerable.Range(0, count).Select(k => k * step - 3).ToArray();
}
