using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace SkipRnn.Converter.Import;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>),
/// then the data buffer, with offsets relative to the buffer's start.
/// Every offset and size is checked before any allocation, so a corrupt file gives a clear error.
/// </summary>
public static class SafetensorsReader
{
    // Names from the safetensors spec that we know but do not read (integers, bools, FP8 and smaller).
    private static readonly HashSet<string> KnownUnsupported = new(StringComparer.Ordinal)
    {
        "BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64",
        "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64",
    };

    public static TensorSet Read(string path) => Parse(FileBytes.ReadAll(path), path);

    /// <summary>Parses a whole safetensors file held in memory; <paramref name="source"/> names it in errors.</summary>
    public static TensorSet Parse(byte[] file, string source)
    {
        if (file.Length < 8)
            throw new ImportException(source, null,
                $"the file is {file.Length} bytes, too short for a safetensors header (an 8-byte length comes first).");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        long available = file.Length - 8;
        if (headerLength > (ulong)available)
            throw new ImportException(source, "header length",
                $"is {headerLength} bytes but only {available} bytes follow it: the file is truncated or not safetensors.");
        if (headerLength > ImportLimits.MaxHeaderBytes)
            throw new ImportException(source, "header length",
                $"is {headerLength} bytes, more than the {ImportLimits.MaxHeaderBytes} allowed.");
        if (headerLength < 2 || file[8] != (byte)'{')
            throw new ImportException(source, "header", "does not start with a JSON object ('{'): not a safetensors file.");

        int dataStart = 8 + (int)headerLength;
        var entries = ParseHeader(file.AsMemory(8, (int)headerLength), source, out var metadata);
        long dataLength = file.Length - dataStart;
        CheckLayout(entries, dataLength, source);

        // Sized from the header before anything is decoded (the layout check above already bounds the bytes).
        long totalElements = 0;
        foreach (var e in entries)
        {
            totalElements += e.Count;
            if (totalElements > ImportLimits.MaxTotalElements)
                throw new ImportException(source, $"tensor '{e.Name}'",
                    $"brings the tensors' elements past {ImportLimits.MaxTotalElements} in total.");
        }

        var tensors = new List<Tensor>(entries.Count);
        foreach (var e in entries)
        {
            var bytes = file.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin));
            tensors.Add(new Tensor(e.Name, e.Shape, ElementDecoder.Decode(bytes, e.DType, e.Count, bigEndian: false), e.DType));
        }
        return new TensorSet(source, TensorFileFormat.Safetensors, tensors, metadata);
    }

    private sealed record Entry(string Name, TensorDType DType, int[] Shape, long Count, ulong Begin, ulong End);

    private static List<Entry> ParseHeader(ReadOnlyMemory<byte> json, string source, out Dictionary<string, string> metadata)
    {
        // JsonDocument checks UTF-8 only lazily, when a string is read: check it all first.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw new ImportException(source, "header", "is not valid UTF-8 text.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new ImportException(source, "header", $"is not valid JSON ({DisplayText.JsonError(ex)}).", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ImportException(source, "header", "is not a JSON object.");
            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                // Names come from the file: escape sequences and control characters are made visible once, here.
                string name = DisplayText.Escape(property.Name);
                // JSON allows repeated keys; a repeated tensor name would make the file ambiguous.
                if (!seen.Add(name))
                    throw new ImportException(source, $"header key '{name}'", "appears more than once.");
                if (name == "__metadata__")
                    ReadMetadata(property.Value, source, metadata);
                else
                    entries.Add(ParseEntry(name, property.Value, source));
            }
            return entries;
        }
    }

    private static void ReadMetadata(JsonElement value, string source, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new ImportException(source, "__metadata__", "must be a JSON object of strings.");
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new ImportException(source, $"__metadata__ field '{DisplayText.Escape(p.Name)}'", "must be a string.");
            metadata[p.Name] = p.Value.GetString()!;
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string source)
    {
        string item = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new ImportException(source, item, "its header entry is not a JSON object.");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new ImportException(source, item, "its header entry has no \"dtype\" string.");
        string dtypeName = dtypeElement.GetString()!;
        TensorDType dtype = dtypeName switch
        {
            "F16" => TensorDType.F16,
            "BF16" => TensorDType.BF16,
            "F32" => TensorDType.F32,
            "F64" => TensorDType.F64,
            _ => throw new ImportException(source, item,
                KnownUnsupported.Contains(dtypeName)
                    ? $"has dtype {DisplayText.Escape(dtypeName)}, which cannot hold trained weights: only F16, BF16, F32 and F64 are read."
                    : $"has unknown dtype '{DisplayText.Escape(dtypeName)}': only F16, BF16, F32 and F64 are read."),
        };

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ImportException(source, item, "its header entry has no \"shape\" array.");
        if (shapeElement.GetArrayLength() > ImportLimits.MaxRank)
            throw new ImportException(source, item, $"has {shapeElement.GetArrayLength()} dimensions, more than {ImportLimits.MaxRank}.");
        var shape = new int[shapeElement.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw new ImportException(source, item, $"shape {DisplayText.Escape(d.GetRawText(), 40)} at position {k} is not a non-negative 32-bit integer.");
            shape[k++] = dim;
        }
        long count = ShapeMath.ElementCount(shape, source, item);

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2)
            throw new ImportException(source, item, "its header entry has no \"data_offsets\" pair [begin, end].");
        if (!offsets[0].TryGetUInt64(out ulong begin) || !offsets[1].TryGetUInt64(out ulong end))
            throw new ImportException(source, item,
                $"data_offsets {DisplayText.Escape(offsets.GetRawText(), 80)} are not non-negative integers.");
        if (end < begin)
            throw new ImportException(source, item, $"data_offsets [{begin}, {end}] end before they begin.");
        ulong expected = (ulong)count * (ulong)ElementDecoder.SizeOf(dtype);
        if (end - begin != expected)
            throw new ImportException(source, item,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes but shape {Tensor.FormatShape(shape)} of {dtype} needs {expected}.");
        return new Entry(name, dtype, shape, count, begin, end);
    }

    /// <summary>
    /// The data buffer must be tiled exactly: tensors contiguous, non-overlapping, starting at 0
    /// and ending at the end of the file (as the reference implementation demands).
    /// </summary>
    private static void CheckLayout(List<Entry> entries, long dataLength, string source)
    {
        ulong position = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            string item = $"tensor '{e.Name}'";
            if (e.Begin < position)
                throw new ImportException(source, item, $"data_offsets [{e.Begin}, {e.End}] overlap the tensor before, which ends at {position}.");
            if (e.Begin > position)
                throw new ImportException(source, item, $"data_offsets [{e.Begin}, {e.End}] leave a gap after byte {position}: tensors must be contiguous.");
            if (e.End > (ulong)dataLength)
                throw new ImportException(source, item,
                    $"data_offsets [{e.Begin}, {e.End}] run past the end of the data ({dataLength} bytes): the file is truncated.");
            position = e.End;
        }
        if (position != (ulong)dataLength)
            throw new ImportException(source, null,
                $"the tensors cover {position} data bytes but the file has {dataLength}: {(ulong)dataLength - position} unexplained bytes at the end.");
    }
}
