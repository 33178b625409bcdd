using System.Globalization;

namespace SkipRnn.Edge.Tests.Audio;

/// <summary>tests/fixtures/audio/logmel_reference.txt (written by models/train/keyword/write_fixture.py from features.py).</summary>
internal sealed class AudioFixture
{
    public short[] Pcm = [];
    public double[] Features = [], PowerFrame7 = [], MelFrame7 = [];

    public static AudioFixture Load()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "tests", "fixtures", "audio", "logmel_reference.txt"));
        var blocks = new Dictionary<string, double[]>();
        for (int i = 0; i < lines.Length;)
        {
            string[] head = lines[i].Split(' ');
            int n = int.Parse(head[1], CultureInfo.InvariantCulture);
            blocks[head[0]] = lines.Skip(i + 1).Take(n).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            i += n + 1;
        }
        return new AudioFixture
        {
            Pcm = blocks["pcm"].Select(v => checked((short)v)).ToArray(),
            Features = blocks["features"],
            PowerFrame7 = blocks["power_frame7"],
            MelFrame7 = blocks["mel_frame7"],
        };
    }
}
