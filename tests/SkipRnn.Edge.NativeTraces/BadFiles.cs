using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.NativeTraces;

/// <summary>
/// Corrupt model files and the field the managed reader names for each ("" when it accepts the file):
/// truncations, byte changes with the CRC left stale, and byte changes with the CRC recomputed (so the field
/// checks behind it are reached). The native reader must name the same field.
/// </summary>
internal static class BadFiles
{
    /// <summary>
    /// <paramref name="count"/> corruptions of small random models (some with class names, self-test vectors or an
    /// event rule), then <paramref name="tailCount"/> of the shipped keyword model (<paramref name="keywordFile"/>)
    /// changed in its last 32 bytes: the event-rule and front-end sections.
    /// </summary>
    public static int Write(string path, int count, byte[] keywordFile, int tailCount)
    {
        var rng = new Random(77);
        var bases = new List<byte[]>();
        int i = 0;
        foreach (ModelShape s in ModelShape.Catalogue())
        {
            if (s.Hidden > 17 || s.Inputs > 13 || i++ % 3 != 0) continue;
            SkipGruModel m = RandomModels.Create(rng, s);
            if (rng.Next(2) == 0) m = RandomModels.WithSelfTest(m, rng, 3);
            if (m.OutputSize > 0 && rng.Next(2) == 0)
                m = new SkipGruModel(m.Variant, m.Layers, m.Input, m.SkipGate, m.SkipBias, m.Head, m.HeadBias,
                    m.InputFracBits, m.SamplePeriodMicros,
                    Enumerable.Range(0, m.OutputSize).Select(o => "class " + o).ToArray(), m.SelfTest);
            if (m.OutputSize > 1 && rng.Next(2) == 0)
                m = m.WithEventRule(rng.Next(2) == 0
                    ? new SkipRnn.Edge.Streaming.EventRule(m.OutputSize, rng.Next(m.OutputSize), 4, 16384, 4096, 10)
                    : SkipRnn.Edge.Streaming.EventRule.ForClasses(m.OutputSize, (1 << m.OutputSize) - 2, 4, 16384, 4096, 10));
            bases.Add(ModelWriter.ToBytes(m));
        }

        using var w = new BinaryWriter(File.Create(path));
        w.Write(count + tailCount);
        for (int c = 0; c < count + tailCount; c++)
        {
            bool tail = c >= count;
            byte[] file = (byte[])(tail ? keywordFile : bases[rng.Next(bases.Count)]).Clone();
            int kind = rng.Next(10);
            if (tail)
            {
                byte[] values = { 0x00, 0xFF, 0x80, 0x7F, 0x01, 0x02, 0x03, 0x28, (byte)rng.Next(256) };
                for (int k = 1 + rng.Next(2); k > 0; k--) file[file.Length - 1 - rng.Next(32)] = values[rng.Next(values.Length)];
                if (rng.Next(8) == 0) file = file.AsSpan(0, file.Length - 1 - rng.Next(32)).ToArray();
                FixPayloadLength(file);
                FixCrc(file);
            }
            else if (kind == 0)
                file = file.AsSpan(0, rng.Next(file.Length)).ToArray();
            else
            {
                int changes = 1 + rng.Next(3);
                for (int k = 0; k < changes; k++)
                {
                    int at = kind == 1 ? rng.Next(Math.Min(16, file.Length)) : rng.Next(16, file.Length);
                    byte[] values = { 0x00, 0xFF, 0x80, 0x7F, 0x01, 0x3F, 0x40, (byte)rng.Next(256) };
                    file[at] = values[rng.Next(values.Length)];
                }
                if (kind >= 3) FixCrc(file);
            }
            string field;
            try
            {
                ModelReader.Read(file);
                field = "";
            }
            catch (ModelFormatException e)
            {
                field = e.Field;
            }
            w.Write(file.Length);
            w.Write(file);
            byte[] f = System.Text.Encoding.ASCII.GetBytes(field);
            w.Write((byte)f.Length);
            w.Write(f);
        }
        return count + tailCount;
    }

    private static void FixPayloadLength(byte[] file)
    {
        if (file.Length >= 16) BitConverter.GetBytes(file.Length - 16).CopyTo(file, 8);
    }

    private static void FixCrc(byte[] file)
    {
        if (file.Length < 16) return;
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(file.AsSpan(16));
        BitConverter.GetBytes(crc).CopyTo(file, 12);
    }
}
