namespace SkipRnn.Converter.Import;

internal static class ShapeMath
{
    /// <summary>Product of the dimensions, refusing more than <see cref="ImportLimits.MaxTensorElements"/>.</summary>
    public static long ElementCount(IReadOnlyList<int> shape, string source, string item)
    {
        if (shape.Count > ImportLimits.MaxRank)
            throw new ImportException(source, item, $"has {shape.Count} dimensions, more than {ImportLimits.MaxRank}.");
        if (shape.Contains(0)) return 0;
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ImportException(source, item, $"shape {Tensor.FormatShape(shape)} has a negative dimension.");
            count *= d; // cannot overflow: count <= MaxTensorElements and d < 2^31
            if (count > ImportLimits.MaxTensorElements)
                throw new ImportException(source, item,
                    $"shape {Tensor.FormatShape(shape)} has more than {ImportLimits.MaxTensorElements} elements.");
        }
        return count;
    }
}
