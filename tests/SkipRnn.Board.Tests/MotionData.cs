using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;

namespace SkipRnn.Board.Tests;

/// <summary>The shipped motion model and the five test users' recordings (loaded once).</summary>
internal static class MotionData
{
    private static readonly Lazy<(byte[] File, SkipGruModel Model, Recording Rec)> Loaded = new(() =>
    {
        byte[] file = File.ReadAllBytes(RepoPaths.Motion("model.skrn"));
        SkipGruModel model = ModelReader.Read(file);
        Recording rec = Recording.Read(RepoPaths.Motion(Path.Combine("data", "hapt_test_users.npz")), model.InputSize);
        return (file, model, rec);
    });

    public static byte[] ModelFile => Loaded.Value.File;
    public static SkipGruModel Model => Loaded.Value.Model;
    public static Recording Recording => Loaded.Value.Rec;
    public static int Recordings => Recording.Offsets.Length - 1;

    /// <summary>Recording <paramref name="r"/> alone, as a board replays it (rows of raw counts).</summary>
    public static Recording One(int r)
    {
        Recording all = Recording;
        int start = all.Offsets[r], end = all.Offsets[r + 1], inputs = all.Inputs;
        return new Recording
        {
            Source = all.Source + $"#{r}",
            Inputs = inputs,
            X = all.X[(start * inputs)..(end * inputs)],
            Y = all.Y?[start..end],
            Offsets = [0, end - start],
        };
    }
}
