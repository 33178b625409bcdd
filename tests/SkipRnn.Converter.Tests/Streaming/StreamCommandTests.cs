using System.Text.Json;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Streaming;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Converter.Tests.Streaming;

/// <summary>
/// The shipped motion model (models/motion/) on the shipped test-user slice, as `skiprnn stream` runs it: the
/// device's StreamDetector against the float64 reference, and skipped spans given in one call against stepping
/// sample by sample. Plus the recording reader's and the sidecar rule's errors.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class StreamCommandTests
{
    private static string Motion(string file) => Path.Combine(CliHarness.RepoRoot(), "models", "motion", file);
    private static string Slice => Path.Combine(CliHarness.RepoRoot(), "models", "motion", "data", "hapt_test_users.npz");

    [Fact]
    public void Fixed_point_detector_stays_within_one_point_of_the_float_reference_on_the_shipped_slice()
    {
        var r = StreamCommand.Evaluate(new FileInfo(Motion("model.skrn")), new FileInfo(Slice), new FileInfo(Motion("model.safetensors")), 50, null);
        Assert.True(r.Rule.FromModelFile);
        Assert.Equal(10, r.Recordings);
        Assert.NotNull(r.Float);
        Assert.InRange(Math.Abs(r.Fixed.Accuracy!.Value - r.Float!.Accuracy!.Value), 0, 0.01);
        Assert.InRange(Math.Abs(r.Fixed.UpdatedShare - r.Float.UpdatedShare), 0, 0.01);
        Assert.InRange(Math.Abs(r.Fixed.GapsIgnored!.F1 - r.Float.GapsIgnored!.F1), 0, 0.05);
        Assert.True(r.Fixed.Transitions > 50, $"{r.Fixed.Transitions} labelled transitions");
        Assert.True(r.Fixed.Hits > 0);
    }

    [Fact]
    public void Skipped_spans_in_one_call_give_the_same_events_as_sample_by_sample()
    {
        SkipGruModel q = ModelReader.Read(File.ReadAllBytes(Motion("model.skrn")));
        Recording rec = Recording.Read(Slice, q.InputSize);
        var bulk = StreamRunner.RunFixed(q, q.EventRule!, rec);
        // sample by sample: SkipSamples(1) for each skipped sample
        var d = new StreamDetector(q);
        var frame = new int[q.InputSize];
        var events = new List<(int, long)>();
        int updates = 0;
        for (int r = 0; r + 1 < rec.Offsets.Length; r++)
        {
            d.Reset();
            for (int t = rec.Offsets[r]; t < rec.Offsets[r + 1]; t++)
            {
                bool fired;
                if (d.SamplesToSkip > 0) fired = d.SkipSamples(1);
                else
                {
                    Array.Copy(rec.X, (long)t * q.InputSize, frame, 0, q.InputSize);
                    fired = d.Push(frame);
                    updates++;
                }
                Assert.Equal(bulk.Pred[t], d.HeadClass);
                if (fired) events.Add((r, d.LastEventStep));
            }
        }
        Assert.Equal(bulk.Events.Select(e => (e.Recording, e.Step)).ToList(), events);
        Assert.Equal(bulk.Updated.Count(u => u), updates);
        Assert.True(events.Count > 10);
    }

    [Fact]
    public void The_command_prints_events_updates_and_scores_for_a_labelled_csv()
    {
        SkipGruModel q = ModelReader.Read(File.ReadAllBytes(Motion("model.skrn")));
        Recording rec = Recording.Read(Slice, q.InputSize);
        string dir = Directory.CreateTempSubdirectory("skiprnn-stream-").FullName;
        try
        {
            string csv = Path.Combine(dir, "rec.csv");
            var lines = new List<string> { "ax,ay,az,gx,gy,gz,class" };
            for (int t = 0; t < rec.Offsets[1]; t++)
                lines.Add(string.Join(",", Enumerable.Range(0, 6).Select(j => rec.X[t * 6 + j])) + "," + rec.Y![t]);
            File.WriteAllLines(csv, lines);
            var (code, stdout, stderr) = CliHarness.Run("stream", Motion("model.skrn"), csv, "--json");
            Assert.True(code == ExitCodes.Success, stderr);
            using var doc = JsonDocument.Parse(stdout);
            var f = doc.RootElement.GetProperty("Fixed");
            Assert.Equal(rec.Offsets[1], f.GetProperty("Samples").GetInt32());
            Assert.InRange(f.GetProperty("UpdatedShare").GetDouble(), 0.0, 1.0);
            Assert.True(f.GetProperty("Accuracy").GetDouble() > 0.5);
            (code, stdout, stderr) = CliHarness.Run("stream", Motion("model.skrn"), csv);
            Assert.True(code == ExitCodes.Success, stderr);
            Assert.Contains("samples updated", stdout);
            Assert.Contains("event P / R / F1, gaps ignored", stdout);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("1,2,3,4,5\n", "line 1", "has 5 values")]
    [InlineData("1,2,3,4,5,6\n1,2,3,4,5,6,0\n", "line 2", "earlier lines have 6")]
    [InlineData("1,2,3,4,5,6\n1,2,x,4,5,6\n", "line 2", "'x'")]
    [InlineData("1,2,3,4,5,6,-2\n", "line 1", "negative")]
    [InlineData("ax,ay,az,gx,gy,gz\n", null, "no samples")]
    public void Bad_csv_recordings_name_the_file_and_line(string text, string? where, string problem)
    {
        string path = Path.Combine(Path.GetTempPath(), $"skiprnn-bad-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        try
        {
            var e = Assert.Throws<DataException>(() => Recording.Read(path, 6));
            Assert.Contains(path, e.Message);
            if (where != null) Assert.Contains(where, e.Message);
            Assert.Contains(problem, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_model_without_a_rule_needs_an_event_class()
    {
        string adding = Path.Combine(CliHarness.RepoRoot(), "models", "frequency", "model.skrn");
        var (code, _, stderr) = CliHarness.Run("stream", adding, Slice);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no event rule", stderr + "");
    }

    [Theory]
    [InlineData("{\"event_rule\": {\"version\": 2, \"event_class\": 6, \"shift\": 4, \"on\": 100, \"off\": 50, \"refractory\": 0}}", "event_rule.version", "version 1")]
    [InlineData("{\"event_rule\": {\"version\": 1, \"shift\": 4, \"on\": 100, \"off\": 50, \"refractory\": 0}}", "event_rule.event_class", "missing")]
    [InlineData("{\"event_rule\": {\"version\": 1, \"event_class\": 6, \"shift\": 4, \"on\": 100, \"off\": 500, \"refractory\": 0}}", "event_rule.off", "must be 0..on")]
    [InlineData("{\"event_rule\": [1]}", "event_rule", "must be an object")]
    public void A_bad_sidecar_rule_names_the_field(string json, string field, string problem)
    {
        var e = Assert.Throws<ImportException>(() => EventRuleSidecar.Parse(json, "m.json", 7));
        Assert.Contains(field, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Null(EventRuleSidecar.Parse("{\"event_rule\": null}", "m.json", 7));
        Assert.Null(EventRuleSidecar.Parse("{}", "m.json", 7));
    }

    private static readonly string[] KeywordNames = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "silence", "unknown"];

    [Fact]
    public void A_keyword_rule_makes_every_named_word_an_event_class()
    {
        EventRule r = EventRuleSidecar.Parse("{\"keyword_rule\": {\"shift\": 3, \"on\": 32440, \"off\": 8110, \"refractory\": 25}}", "m.json", 12, KeywordNames)!;
        Assert.Equal((0x3ff, 10, 3, 32440, 8110, 25, EventRule.VersionMask),
            (r.EventMask, r.EventClassCount, r.Shift, r.On, r.Off, r.RefractorySteps, r.SectionVersion));
        // the words need not come first
        string[] shuffled = ["silence", "yes", "unknown", "no"];
        Assert.Equal(0b1010, EventRuleSidecar.Parse("{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 50, \"refractory\": 0}}", "m.json", 4, shuffled)!.EventMask);
    }

    [Fact]
    public void A_keyword_rule_with_thresholds_per_word_and_min_frames_is_version_3()
    {
        EventRule r = EventRuleSidecar.Parse("{\"keyword_rule\": {\"shift\": 3, \"on\": [100, 200], \"off\": 50, \"refractory\": 7, \"min_frames\": 3}}",
            "m.json", 4, ["silence", "yes", "unknown", "no"])!;
        Assert.Equal((0b1010, 100, 50, 200, 50, 3, 7, EventRule.VersionPerClass),
            (r.EventMask, r.OnOf(1), r.OffOf(1), r.OnOf(3), r.OffOf(3), r.MinSteps, r.RefractorySteps, r.SectionVersion));
        // one threshold, min_frames 1: the plain version 2 rule
        Assert.Equal(EventRule.VersionMask, EventRuleSidecar.Parse("{\"keyword_rule\": {\"shift\": 3, \"on\": [100, 100], \"off\": [50, 50], \"refractory\": 0, \"min_frames\": 1}}",
            "m.json", 4, ["silence", "yes", "unknown", "no"])!.SectionVersion);
    }

    [Theory]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": [100, 200, 300], \"off\": 50, \"refractory\": 0}}", "keyword_rule.on", "one per word class (2)")]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": [100, \"x\"], \"off\": 50, \"refractory\": 0}}", "keyword_rule.on[1]", "must be an integer")]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": [100, 40], \"off\": 50, \"refractory\": 0}}", "keyword_rule.off[class 3]", "must be 0..on")]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 50, \"refractory\": 0, \"min_frames\": 0}}", "keyword_rule.min_frames", "must be 1..65535")]
    public void A_bad_per_word_keyword_rule_names_the_field(string json, string field, string problem)
    {
        var e = Assert.Throws<ImportException>(() => EventRuleSidecar.Parse(json, "m.json", 4, ["silence", "yes", "unknown", "no"]));
        Assert.Contains(field, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 500, \"refractory\": 0}}", "keyword_rule.off", "must be 0..on")]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 50}}", "keyword_rule.refractory", "missing")]
    [InlineData("{\"keyword_rule\": {\"shift\": 15, \"on\": 100, \"off\": 50, \"refractory\": 0}}", "keyword_rule.shift", "must be 0..14")]
    [InlineData("{\"keyword_rule\": 3}", "keyword_rule", "must be an object")]
    [InlineData("{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 50, \"refractory\": 0}, \"event_rule\": {\"version\": 1, \"event_class\": 1, \"shift\": 4, \"on\": 100, \"off\": 50, \"refractory\": 0}}", "'event_rule' and 'keyword_rule'", "both present")]
    public void A_bad_keyword_rule_names_the_field(string json, string field, string problem)
    {
        var e = Assert.Throws<ImportException>(() => EventRuleSidecar.Parse(json, "m.json", 12, KeywordNames));
        Assert.Contains(field, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_keyword_rule_needs_class_names_and_two_words()
    {
        const string json = "{\"keyword_rule\": {\"shift\": 3, \"on\": 100, \"off\": 50, \"refractory\": 0}}";
        Assert.Contains("needs the sidecar's class_names", Assert.Throws<ImportException>(() => EventRuleSidecar.Parse(json, "m.json", 12, null)).Message);
        Assert.Contains("at least two word classes", Assert.Throws<ImportException>(() =>
            EventRuleSidecar.Parse(json, "m.json", 3, ["yes", "silence", "unknown"])).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gru")]
    public void The_shipped_keyword_models_carry_the_ten_word_rule_of_their_sidecar(string dir)
    {
        string folder = Path.Combine(CliHarness.RepoRoot(), "models", "keyword", dir);
        byte[] file = File.ReadAllBytes(Path.Combine(folder, "model.skrn"));
        var m = SkipRnn.Edge.Format.ModelReader.Read(file);
        EventRule r = m.EventRule!, want = EventRuleSidecar.Read(Path.Combine(folder, "model.json"), m.OutputSize, m.ClassNames)!;
        Assert.Equal((0x3ff, want.Shift, want.RefractorySteps, want.MinSteps, want.SectionVersion),
            (r.EventMask, r.Shift, r.RefractorySteps, r.MinSteps, r.SectionVersion));
        for (int c = 0; c < 10; c++) Assert.Equal((want.OnOf(c), want.OffOf(c)), (r.OnOf(c), r.OffOf(c)));
        // int16 weights and the front end; the rule's section: version 2 (a class mask, 18 bytes) or version 3 (per-word
        // thresholds: 12 + 8 bytes per word), as the sidecar asks
        Assert.Equal(r.SectionVersion == EventRule.VersionPerClass ? 56_697 : 56_623, file.Length);
        Assert.StartsWith("events: yes no up down left right on off stop go (section version " + r.SectionVersion + "); shift " + r.Shift +
            (r.SectionVersion == EventRule.VersionPerClass ? ", on/off per class: yes " + r.OnOf(0) + "/" + r.OffOf(0) : ", on " + r.On + ", off " + r.Off),
            InspectCommand.RuleText(m));
    }
}
