using SkipRnn.Converter.Data;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Audio;

/// <summary>Per-class recall and the confusion matrix of a model over labelled clips, with the frames it computed.</summary>
public sealed record ClipScores(string[] Classes, int Clips, int Labelled, double? Accuracy, double?[] Recall, int[][] Confusion,
    int[] ClipsPerPrediction, long Frames, long FramesUpdated)
{
    /// <summary>Share of frames whose features (window, FFT, mel, log) and GRU update were computed.</summary>
    public double UpdatedShare => Frames == 0 ? 0 : (double)FramesUpdated / Frames;
}

/// <summary>An event found in a long recording: the frame it fired on and its time.</summary>
public sealed record KeywordEvent(long Frame, double Seconds, string Class, double Confidence);

/// <summary>What a long recording gave: its events and the frames computed.</summary>
public sealed record LongRecordingResult(string File, double Seconds, long Frames, long FramesUpdated, IReadOnlyList<KeywordEvent> Events)
{
    public double UpdatedShare => Frames == 0 ? 0 : (double)FramesUpdated / Frames;
}

/// <summary>
/// Runs a converted keyword model the way the device does: the integer front end (<see cref="AudioFrontEnd"/>) computes
/// a frame's features only when the Skip-GRU updates on it. A clip's class is the head's class after its last frame
/// (skipped frames keep the last update's output); the Skip-GRU is reset for every clip.
/// </summary>
public static class KeywordRunner
{
    public static string[] ClassNames(SkipGruModel m) =>
        Enumerable.Range(0, m.OutputSize).Select(c => m.ClassNames?[c] ?? "class " + c).ToArray();

    /// <summary>The class index a label names (case-insensitive; surrounding underscores ignored), or an error listing the classes.</summary>
    public static int ClassOf(string label, string[] classes, string clipPath)
    {
        static string Key(string s) => s.Trim().Trim('_').ToLowerInvariant();
        for (int c = 0; c < classes.Length; c++)
            if (Key(classes[c]) == Key(label)) return c;
        throw new DataException(clipPath, null, $"is labelled '{label}', which is not one of the model's classes ({string.Join(", ", classes)}).");
    }

    /// <summary>The clip's predicted class and the frames it updated on.</summary>
    public static (int Class, int Frames, int Updated) Classify(SkipGru rnn, short[] pcm, int[] scratch, LogMelPipeline pipeline)
    {
        int frames = pcm.Length < AudioFrontEnd.FrameLength ? 0 : 1 + (pcm.Length - AudioFrontEnd.FrameLength) / AudioFrontEnd.HopLength;
        rnn.Reset();
        long before = rnn.Counters.Updates;
        for (int t = 0; t < frames; t++)
        {
            if (rnn.StepsToSkip > 0) { rnn.Skip(1); continue; }
            pipeline.Compute(pcm, t * AudioFrontEnd.HopLength, scratch, 0);
            rnn.Step(scratch);
        }
        return (rnn.ArgMax(), frames, (int)(rnn.Counters.Updates - before));
    }

    public static ClipScores ScoreClips(SkipGruModel model, IReadOnlyList<LabelledClip> clips)
    {
        RequireFrontEnd(model);
        string[] classes = ClassNames(model);
        int k = classes.Length;
        var confusion = new int[k][];
        for (int i = 0; i < k; i++) confusion[i] = new int[k];
        var predicted = new int[k];
        var rnn = new SkipGru(model);
        var pipeline = new LogMelPipeline();
        var x = new int[AudioFrontEnd.Bands];
        long frames = 0, updated = 0;
        int labelled = 0, correct = 0;
        foreach (LabelledClip clip in clips)
        {
            int truth = clip.Label == null ? -1 : ClassOf(clip.Label, classes, clip.Path);
            WavAudio a = WavReader.Read(clip.Path, AudioFrontEnd.SampleRate);
            if (a.Samples.Length < AudioFrontEnd.FrameLength)
                throw new DataException(clip.Path, null, $"holds {a.Samples.Length} samples, fewer than one 30 ms frame (480).");
            (int c, int f, int u) = Classify(rnn, a.Samples, x, pipeline);
            frames += f;
            updated += u;
            predicted[c]++;
            if (truth < 0) continue;
            labelled++;
            confusion[truth][c]++;
            if (truth == c) correct++;
        }
        var recall = new double?[k];
        for (int i = 0; i < k; i++)
        {
            int n = confusion[i].Sum();
            recall[i] = n == 0 ? null : (double)confusion[i][i] / n;
        }
        return new ClipScores(classes, clips.Count, labelled, labelled == 0 ? null : (double)correct / labelled, recall, confusion,
            predicted, frames, updated);
    }

    public static LongRecordingResult Listen(SkipGruModel model, string wavPath, int? eventClass)
    {
        RequireFrontEnd(model);
        if (model.EventRule == null)
        {
            if (eventClass is not { } ec)
                throw new ArgumentException("the model has no event rule (convert with a sidecar holding \"event_rule\"); give --event-class to use a default rule.");
            model = model.WithEventRule(new EventRule(model.OutputSize, ec, 2, 16384, 4096, 25));
        }
        string[] classes = ClassNames(model);
        using WavStream a = WavReader.Open(wavPath, AudioFrontEnd.SampleRate);
        var spotter = new KeywordSpotter(model);
        var events = new List<KeywordEvent>();
        var hop = new short[AudioFrontEnd.HopLength];
        for (long pos = 0; pos < a.Length; pos += AudioFrontEnd.HopLength)
        {
            int n = (int)Math.Min(AudioFrontEnd.HopLength, a.Length - pos);
            a.CopyTo(pos, hop, 0, n);
            if (!spotter.Write(hop, 0, n)) continue;
            EventList fired = spotter.Fired;
            for (int i = 0; i < fired.Count; i++)
            {
                long frame = fired.StepAt(i);
                events.Add(new KeywordEvent(frame, (frame * AudioFrontEnd.HopLength + AudioFrontEnd.FrameLength) / (double)AudioFrontEnd.SampleRate,
                    classes[fired.ClassAt(i)], fired.ConfidenceAt(i) / 32768.0));
            }
        }
        // frames of the recording (SkipFrames may have counted skipped frames past its end)
        long total = a.Length < AudioFrontEnd.FrameLength ? 0 : 1 + (a.Length - AudioFrontEnd.FrameLength) / AudioFrontEnd.HopLength;
        return new LongRecordingResult(wavPath, a.Seconds, total, spotter.FrontEnd.FramesComputed, events);
    }

    private static void RequireFrontEnd(SkipGruModel model)
    {
        if (model.FrontEnd == null)
            throw new ArgumentException("the model file has no audio front end: it was not converted from a keyword model (the sidecar's \"front_end\" object).");
        if (model.OutputSize < 1) throw new ArgumentException("the model has no classification head.");
    }
}
