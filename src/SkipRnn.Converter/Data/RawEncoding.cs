using System.Globalization;

namespace SkipRnn.Converter.Data;

/// <summary>
/// How physical input values become the raw integers the device reads: one LSB (physical value per raw count)
/// per channel, raw = round(value / lsb), like an ADC. The same LSBs go to the quantizer as
/// <c>QuantizerOptions.InputRawScale</c>, which folds them into the device's input normalization.
/// Rounding is half to even, as in <c>Calibration.Run</c>, so calibration sees exactly the device's integers.
/// </summary>
public sealed class RawEncoding
{
    private readonly double[] _lsb;

    private RawEncoding(double[] lsb) => _lsb = lsb;

    /// <summary>Input channels.</summary>
    public int Channels => _lsb.Length;

    /// <summary>Physical value per raw count, per channel (a copy: the encoding is immutable).</summary>
    public double[] Lsb => (double[])_lsb.Clone();

    /// <summary>An encoding with the given LSBs (copied); each must be positive and finite.</summary>
    public static RawEncoding FromLsb(double[] lsb)
    {
        ArgumentNullException.ThrowIfNull(lsb);
        if (lsb.Length < 1) throw new ArgumentException("A raw encoding needs at least one channel.", nameof(lsb));
        for (int j = 0; j < lsb.Length; j++)
            if (!(lsb[j] > 0) || double.IsPositiveInfinity(lsb[j]))
                throw new ArgumentException($"Channel {j}: LSB {lsb[j].ToString("R", CultureInfo.InvariantCulture)} must be positive and finite.", nameof(lsb));
        return new RawEncoding((double[])lsb.Clone());
    }

    /// <summary>
    /// LSBs that give the calibration inputs a <paramref name="bits"/>-bit signed range, like an ADC of that
    /// resolution: lsb = max|x| / (2^(bits−1) − 1) per channel, so the largest calibration value maps to the
    /// largest count. A channel that is always zero gets lsb = 1.
    /// </summary>
    public static RawEncoding FromCalibration(SequenceDataset calib, int bits = 16)
    {
        ArgumentNullException.ThrowIfNull(calib);
        if (bits is < 2 or > 32)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "Raw integers have 2 to 32 bits.");
        double top = Math.Pow(2, bits - 1) - 1;
        double[] lsb = calib.MaxAbsPerChannel();
        for (int j = 0; j < lsb.Length; j++)
        {
            lsb[j] /= top;
            if (!(lsb[j] > 0)) lsb[j] = 1.0; // all zero (or below the smallest double): any LSB encodes it as 0
        }
        return new RawEncoding(lsb);
    }

    /// <summary>The raw integers of one step's physical values, as a new array.</summary>
    public int[] Encode(double[] stepValues)
    {
        ArgumentNullException.ThrowIfNull(stepValues);
        var raw = new int[_lsb.Length];
        Encode(stepValues, raw);
        return raw;
    }

    /// <summary>
    /// Writes the raw integers of one step's physical values into <paramref name="destination"/> (no allocation)
    /// and returns it. A value outside int32 once encoded is an error, never a wrap: the device would read garbage.
    /// </summary>
    public int[] Encode(ReadOnlySpan<double> stepValues, int[] destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (stepValues.Length != _lsb.Length)
            throw new ArgumentException($"{stepValues.Length} values for an encoding of {_lsb.Length} channels.", nameof(stepValues));
        if (destination.Length < _lsb.Length)
            throw new ArgumentException($"The destination holds {destination.Length} values; {_lsb.Length} are needed.", nameof(destination));
        for (int j = 0; j < _lsb.Length; j++)
        {
            double r = Math.Round(stepValues[j] / _lsb[j], MidpointRounding.ToEven);
            if (!(r >= int.MinValue && r <= int.MaxValue))
                throw new ArgumentOutOfRangeException(nameof(stepValues), OutOfRange(stepValues[j], j));
            destination[j] = (int)r;
        }
        return destination;
    }

    /// <summary>
    /// Checks that every value of <paramref name="data"/> encodes to an int32, skipped steps included (a sensor
    /// would saturate there too); the error names the sequence, step, channel and value.
    /// </summary>
    public void CheckRange(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Inputs != _lsb.Length)
            throw new DataException(data.Path, SequenceDataset.XItem,
                $"has {data.Inputs} input channels but the raw encoding has {_lsb.Length}.");
        for (int n = 0; n < data.Count; n++)
            for (int t = 0; t < data.Steps; t++)
            {
                ReadOnlySpan<double> v = data.StepValues(n, t);
                for (int j = 0; j < v.Length; j++)
                {
                    double r = Math.Round(v[j] / _lsb[j], MidpointRounding.ToEven);
                    if (!(r >= int.MinValue && r <= int.MaxValue))
                        throw new DataException(data.Path, SequenceDataset.XItem,
                            $"sequence {n}, step {t}, {OutOfRange(v[j], j)}");
                }
            }
    }

    /// <summary>
    /// Per channel, what the largest |value| of <paramref name="data"/> is in raw counts and how many signed bits
    /// those counts need. A sensor of <paramref name="sensorBits"/> bits saturates at ±(2^(bits−1) − 1) counts.
    /// </summary>
    public IReadOnlyList<RawChannelRange> Ranges(SequenceDataset data, int sensorBits)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Inputs != _lsb.Length)
            throw new DataException(data.Path, SequenceDataset.XItem, $"has {data.Inputs} input channels but the raw encoding has {_lsb.Length}.");
        double[] maxAbs = data.MaxAbsPerChannel();
        double sensorMax = Math.Pow(2, sensorBits - 1) - 1;
        var ranges = new RawChannelRange[_lsb.Length];
        for (int j = 0; j < ranges.Length; j++)
        {
            double counts = Math.Round(maxAbs[j] / _lsb[j], MidpointRounding.ToEven);
            int bits = counts < 1 ? 1 : (int)Math.Ceiling(Math.Log2(counts + 1)) + 1;   // sign bit included
            ranges[j] = new RawChannelRange(j, maxAbs[j], _lsb[j], counts, bits, counts > sensorMax);
        }
        return ranges;
    }

    public override string ToString() =>
        "LSB per channel: " + string.Join(", ", _lsb.Select(l => l.ToString("G6", CultureInfo.InvariantCulture)));

    private string OutOfRange(double value, int channel) =>
        $"channel {channel}: value {value.ToString("R", CultureInfo.InvariantCulture)} is "
        + $"{(value / _lsb[channel]).ToString("G6", CultureInfo.InvariantCulture)} raw counts of LSB "
        + $"{_lsb[channel].ToString("G6", CultureInfo.InvariantCulture)}, outside the int32 range of the raw input.";
}

/// <summary>
/// One input channel of a dataset seen through a raw encoding: its largest |value|, that in raw counts, the
/// signed bits those counts need, and whether a sensor of the stated resolution would saturate on it.
/// </summary>
public sealed record RawChannelRange(int Channel, double MaxAbsValue, double Lsb, double MaxAbsCounts, int BitsNeeded, bool SaturatesSensor);
