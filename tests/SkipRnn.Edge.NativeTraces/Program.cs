using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.NativeTraces;
using SkipRnn.Edge.Runtime;

// Usage: SkipRnn.Edge.NativeTraces OUTDIR [REPO_ROOT]
// Writes OUTDIR/random_NNN.trace, OUTDIR/shipped_<name>.trace, OUTDIR/selftest_NNN.skrn, OUTDIR/bad.cases and the audio
// front end's OUTDIR/audio_*.trace, audio_tables.bin, audio_log.bin
// (formats: firmware/native/tests/trace_format.md). Deterministic: fixed seeds.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: SkipRnn.Edge.NativeTraces OUTDIR [REPO_ROOT]");
    return 2;
}
string outDir = args[0];
string repo = args.Length > 1 ? args[1] : Directory.GetCurrentDirectory();
Directory.CreateDirectory(outDir);

int randomCount = 0;
foreach (ModelShape shape in ModelShape.Catalogue())
{
    var rng = new Random(1000 + randomCount);
    SkipGruModel model = RandomModels.Create(rng, shape);
    byte[] file = ModelWriter.ToBytes(model);
    TraceWriter.Write(Path.Combine(outDir, $"random_{randomCount:D3}.trace"), file, model,
        RandomModels.Events(rng, model, shape.Steps));
    randomCount++;
}

// Models carrying self-test vectors recorded by the managed runtime, for skrn_self_test.
int selfTests = 0;
foreach (ModelShape shape in ModelShape.Catalogue().Where((_, i) => i % 5 == 0))
{
    var rng = new Random(5000 + selfTests);
    SkipGruModel model = RandomModels.WithSelfTest(RandomModels.Create(rng, shape), rng, 40);
    if (!SelfTest.Run(model).Passed) throw new InvalidOperationException("managed self-test failed on its own vectors");
    File.WriteAllBytes(Path.Combine(outDir, $"selftest_{selfTests:D3}.skrn"), ModelWriter.ToBytes(model));
    selfTests++;
}

// The shipped models on (the first sequences of) their test streams, raw integers as the converter encodes them.
int shipped = 0;
foreach (string name in new[] { "adding", "frequency" })
{
    string dir = Path.Combine(repo, "models", name);
    byte[] file = File.ReadAllBytes(Path.Combine(dir, "model.skrn"));
    SkipGruModel model = ModelReader.Read(file);
    ImportResult import = ModelImporter.Import(Path.Combine(dir, "model.safetensors"), ImportOptions.Default);
    RawEncoding encoding = ConversionPipeline.EncodingOf(model, import.Model);
    SequenceDataset set = SequenceDataset.Read(Path.Combine(dir, "test.npz"));
    var events = new List<TraceEvent>();
    int sequences = Math.Min(set.Count, 64);
    for (int n = 0; n < sequences; n++)
    {
        events.Add(TraceEvent.Reset());
        double[] x = set.Sequence(n);
        for (int t = 0; t < set.Steps; t++)
            events.Add(TraceEvent.Step(encoding.Encode(x.AsSpan(t * set.Inputs, set.Inputs), new int[set.Inputs])));
    }
    TraceWriter.Write(Path.Combine(outDir, $"shipped_{name}.trace"), file, model, events);
    shipped += events.Count;
}

int bad = BadFiles.Write(Path.Combine(outDir, "bad.cases"), 3000,
    File.ReadAllBytes(Path.Combine(repo, "models", "keyword", "model.skrn")), 400);
int audioFrames = AudioTraces.Write(outDir, repo);
Console.WriteLine($"traces: {randomCount} random models, {selfTests} self-test models, {shipped} shipped-model events, {bad} corrupt files, {audioFrames} audio frames -> {outDir}");
return 0;
