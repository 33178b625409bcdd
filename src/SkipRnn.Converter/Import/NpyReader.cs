using System.Buffers.Binary;
using System.Text;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Reads one NumPy .npy array: magic "\x93NUMPY", version, header length (2 bytes in v1,
/// 4 in v2/v3), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>,
/// then the raw elements. Float dtypes of either byte order are read; integer dtypes too when the caller
/// asks (dataset labels; weights stay float-only); Fortran order is transposed to C order.
/// </summary>
public static class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>True when the bytes start with the .npy magic string.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>
    /// Parses one .npy held in memory as the tensor <paramref name="name"/>;
    /// <paramref name="source"/> names the file (or archive) in errors. With <paramref name="allowIntegers"/>,
    /// signed and unsigned integer arrays (1 to 8 bytes) are read too, as long as every value is exact in a double.
    /// <paramref name="maxElements"/> bounds the array's elements (checked from the header, before decoding): the
    /// weights reader passes what remains of its total.
    /// </summary>
    public static Tensor Parse(byte[] npy, string name, string source, bool allowIntegers = false,
        long maxElements = ImportLimits.MaxTensorElements)
    {
        string item = $"array '{name}'";
        if (npy.Length < 10 || !HasMagic(npy))
            throw new ImportException(source, item, "is not a .npy array (the \\x93NUMPY magic is missing).");
        byte major = npy[6];
        int lengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new ImportException(source, item, $"has .npy format version {major}.{npy[7]}; versions 1 to 3 are read."),
        };
        int prefix = 8 + lengthSize;
        if (npy.Length < prefix)
            throw new ImportException(source, item, "is truncated inside its header length.");
        long headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8))
            : BinaryPrimitives.ReadUInt32LittleEndian(npy.AsSpan(8));
        if (headerLength > npy.Length - prefix)
            throw new ImportException(source, item,
                $"header length is {headerLength} bytes but only {npy.Length - prefix} bytes follow: the array is truncated.");
        if (headerLength > ImportLimits.MaxHeaderBytes)
            throw new ImportException(source, item, $"header length {headerLength} is implausibly large.");

        // v1 and v2 headers are latin-1, v3 UTF-8.
        var headerBytes = npy.AsSpan(prefix, (int)headerLength);
        string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var (dtype, bigEndian, fortranOrder, shape) = ParseHeader(header, source, item, allowIntegers);

        long count = ShapeMath.ElementCount(shape, source, item);
        if (count > maxElements)
            throw new ImportException(source, item,
                $"shape {Tensor.FormatShape(shape)} brings the arrays' elements past {ImportLimits.MaxTotalElements} in total.");
        long dataStart = prefix + headerLength;
        long expected = count * ElementDecoder.SizeOf(dtype);
        long actual = npy.Length - dataStart;
        if (actual < expected)
            throw new ImportException(source, item,
                $"shape {Tensor.FormatShape(shape)} needs {expected} data bytes but only {actual} are present: the array is truncated.");
        if (actual > expected)
            throw new ImportException(source, item,
                $"shape {Tensor.FormatShape(shape)} needs {expected} data bytes but {actual} are present: the array is corrupt.");

        long inexact = ElementDecoder.FirstInexactInteger(npy.AsSpan((int)dataStart), dtype, count, bigEndian);
        if (inexact >= 0)
            throw new ImportException(source, item,
                $"element {Tensor.FormatIndex(shape, inexact)} is beyond ±2^53, where a double no longer holds every integer exactly.");
        var data = ElementDecoder.Decode(npy.AsSpan((int)dataStart), dtype, count, bigEndian);
        if (fortranOrder && shape.Length > 1) data = FortranToC(data, shape);
        return new Tensor(name, shape, data, dtype);
    }

    private static (TensorDType DType, bool BigEndian, bool FortranOrder, int[] Shape) ParseHeader(
        string header, string source, string item, bool allowIntegers)
    {
        object? parsed;
        try
        {
            parsed = PythonLiteral.Parse(header.TrimEnd('\n', ' ', '\0'));
        }
        catch (FormatException ex)
        {
            throw new ImportException(source, item, $"header is not a Python dict literal ({DisplayText.Escape(ex.Message.TrimEnd('.'))}).", ex);
        }
        if (parsed is not Dictionary<string, object?> dict)
            throw new ImportException(source, item, "header is not a Python dict.");

        if (!dict.TryGetValue("descr", out var descrValue) || descrValue is not string descr)
            throw new ImportException(source, item,
                descrValue is List<object?> ? "has a structured (record) dtype; only plain float arrays are read."
                                            : "header has no 'descr' string.");
        var (dtype, bigEndian) = ParseDescr(descr, source, item, allowIntegers);

        if (!dict.TryGetValue("fortran_order", out var fortranValue) || fortranValue is not bool fortran)
            throw new ImportException(source, item, "header has no 'fortran_order' True/False.");

        if (!dict.TryGetValue("shape", out var shapeValue) || shapeValue is not List<object?> dims)
            throw new ImportException(source, item, "header has no 'shape' tuple.");
        var shape = new int[dims.Count];
        for (int k = 0; k < dims.Count; k++)
        {
            if (dims[k] is not long d || d < 0 || d > int.MaxValue)
                throw new ImportException(source, item, $"shape entry {k} is not a non-negative 32-bit integer.");
            shape[k] = (int)d;
        }
        return (dtype, bigEndian, fortran, shape);
    }

    /// <summary>'&lt;f4' is little-endian float32, '&gt;f8' big-endian float64, and so on.</summary>
    private static (TensorDType, bool BigEndian) ParseDescr(string descr, string source, string item, bool allowIntegers)
    {
        if (descr.Length >= 3 && descr[0] is '<' or '>' or '=' or '|' && descr[1] == 'f')
        {
            TensorDType? dtype = descr[2..] switch { "2" => TensorDType.F16, "4" => TensorDType.F32, "8" => TensorDType.F64, _ => null };
            // '=' is native order, and every platform NumPy writes on today is little-endian.
            if (dtype is { } dt && descr[0] != '|') return (dt, descr[0] == '>');
        }
        if (allowIntegers && descr.Length == 3 && descr[0] is '<' or '>' or '=' or '|' && descr[1] is 'i' or 'u')
        {
            bool signed = descr[1] == 'i';
            TensorDType? dtype = descr[2] switch
            {
                '1' => signed ? TensorDType.I8 : TensorDType.U8,
                '2' => signed ? TensorDType.I16 : TensorDType.U16,
                '4' => signed ? TensorDType.I32 : TensorDType.U32,
                '8' => signed ? TensorDType.I64 : TensorDType.U64,
                _ => null,
            };
            // '|' (no byte order) is what NumPy writes for one-byte types only.
            if (dtype is { } dt && (descr[0] != '|' || descr[2] == '1')) return (dt, descr[0] == '>');
        }
        string kind = descr.Length >= 2 ? descr[1..] switch
        {
            "f16" or "f12" => "long double",
            ['i', ..] => "signed integer",
            ['u', ..] => "unsigned integer",
            ['b', ..] => "boolean",
            ['c', ..] => "complex",
            ['V', ..] => "void/bfloat16",
            ['O', ..] => "Python object",
            ['U', ..] or ['S', ..] => "string",
            _ => "unsupported",
        } : "unsupported";
        throw new ImportException(source, item, allowIntegers
            ? $"has dtype '{DisplayText.Escape(descr, 40)}' ({kind}); only float16/32/64 ('<f2', '<f4', '<f8') and signed or unsigned integers ('|i1', '<i2', '<i4', '<i8', '|u1', ...; big-endian '>') are read."
            : $"has dtype '{DisplayText.Escape(descr, 40)}' ({kind}); only float16, float32 and float64 ('<f2', '<f4', '<f8' or big-endian '>') are read.");
    }

    /// <summary>Reorders column-major (Fortran) elements into row-major order.</summary>
    private static double[] FortranToC(double[] f, int[] shape)
    {
        var c = new double[f.Length];
        var index = new int[shape.Length];
        for (int flatC = 0; flatC < c.Length; flatC++)
        {
            // Fortran offset of the current multi-index: first dimension varies fastest.
            long flatF = 0, stride = 1;
            for (int k = 0; k < shape.Length; k++)
            {
                flatF += index[k] * stride;
                stride *= shape[k];
            }
            c[flatC] = f[flatF];
            for (int k = shape.Length - 1; k >= 0; k--)
            {
                if (++index[k] < shape[k]) break;
                index[k] = 0;
            }
        }
        return c;
    }
}
