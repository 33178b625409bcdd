using System.Text;
using SkipRnn.Converter.Export;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

// Writes, into OUT_DIR, the models the tier app runs (see ../README.md):
//   *.skrn         each model file
//   *.cs           each model as `skiprnn export-cs` writes it (class with ReadBytes(); big models split into parts)
//   TierModels.cs  the index the app walks: name, steps to run, bytes
//   assemblies.txt which sources form which device assembly: "data NAME FILES..." (each under nanoCLR's 64 KiB of
//                  array data) and "app FILES..." (compiled with the app)
// Usage: Generator REPO_ROOT OUT_DIR
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Generator REPO_ROOT OUT_DIR");
    return 2;
}
string repo = args[0], outDir = args[1];
Directory.CreateDirectory(outDir);
const string Ns = "SkipRnn.NanoClrTier.Models";
// Small models share data assemblies up to this many bytes of array data (below the 64,000-byte part size).
const int DataAssemblyBytes = 60_000;

var models = new List<(string Class, string Name, int Steps, byte[] Bytes)>();

// Every shipped model.
foreach (string dir in Directory.GetDirectories(Path.Combine(repo, "models")).OrderBy(d => d, StringComparer.Ordinal))
{
    string file = Path.Combine(dir, "model.skrn");
    if (!File.Exists(file)) continue;
    string name = Path.GetFileName(dir);
    models.Add(("Shipped" + char.ToUpperInvariant(name[0]) + name[1..], "models/" + name, 80, File.ReadAllBytes(file)));
}
if (models.Count == 0) throw new InvalidOperationException("no models/*/model.skrn under " + repo);

// Random models: both variants, 1-4 layers, int8 and int16 weights, with and without head and self-test vectors.
(string Class, GruVariant Variant, int Layers, int Bits, int Inputs, int Hidden, int Outputs, int SelfTestSteps, int Steps)[] random =
[
    ("RandomRa1x8", GruVariant.ResetAfter, 1, 8, 3, 8, 2, 6, 60),
    ("RandomRb1x16", GruVariant.ResetBefore, 1, 16, 4, 8, 0, 0, 60),
    ("RandomRa2x16", GruVariant.ResetAfter, 2, 16, 3, 12, 3, 6, 60),
    ("RandomRb2x8", GruVariant.ResetBefore, 2, 8, 2, 10, 2, 6, 60),
    ("RandomRa3x8", GruVariant.ResetAfter, 3, 8, 5, 8, 1, 6, 60),
    ("RandomRb3x16", GruVariant.ResetBefore, 3, 16, 3, 8, 4, 6, 60),
    ("RandomRa4x16", GruVariant.ResetAfter, 4, 16, 2, 6, 2, 6, 60),
    ("RandomRb4x8", GruVariant.ResetBefore, 4, 8, 3, 8, 3, 6, 60),
    // Over 64 KiB, exported in parts: the benchmark shape 40 x 128 (int8, 32 self-test steps as the benchmark model:
    // 87,725 bytes) and two 64-unit layers (int16).
    ("Big40x128", GruVariant.ResetAfter, 1, 8, 40, 128, 8, 32, 24),
    ("Deep2x64", GruVariant.ResetBefore, 2, 16, 40, 64, 8, 32, 24),
];
int seed = 100;
foreach (var r in random)
{
    FloatSkipGruModel f = RandomModel(++seed, r.Variant, r.Inputs, r.Hidden, r.Layers, r.Outputs);
    var options = new QuantizerOptions { WeightBits = r.Bits, InputRawScale = Enumerable.Repeat(1.0 / 1000, r.Inputs).ToArray() };
    SkipGruModel q = Quantizer.Quantize(f, options);
    if (r.SelfTestSteps > 0) q = q.WithSelfTest(Quantizer.RecordSelfTest(q, RawStream(f, r.SelfTestSteps, seed)));
    string name = $"random {(r.Variant == GruVariant.ResetAfter ? "reset-after" : "reset-before")} {r.Layers}x{r.Inputs}x{r.Hidden} int{r.Bits}";
    models.Add((r.Class, name, r.Steps, ModelWriter.ToBytes(q)));
}

var manifest = new StringBuilder();
var appFiles = new List<string> { "TierModels.cs" };
var group = new List<string>();
int groupBytes = 0, groups = 0;
void Flush()
{
    if (group.Count == 0) return;
    manifest.Append($"data TierData{++groups} {string.Join(' ', group)}\n");
    group.Clear();
    groupBytes = 0;
}
foreach (var m in models)
{
    ModelReader.Read(m.Bytes);   // every model the tier runs is valid for the device
    File.WriteAllBytes(Path.Combine(outDir, m.Class + ".skrn"), m.Bytes);   // for `skiprnn inspect` and benchmarks
    // Deep2x64 is split at the exporter's largest allowed part, so the tier shows that size loads.
    int partBytes = m.Class == "Deep2x64" ? CSharpExporter.MaxPartBytesLimit : CSharpExporter.DefaultMaxPartBytes;
    IReadOnlyList<ExportedFile> files = CSharpExporter.GenerateFiles(m.Bytes, Ns, m.Class, m.Class + ".skrn", partBytes);
    foreach (ExportedFile f in files) File.WriteAllText(Path.Combine(outDir, m.Class + f.Suffix + ".cs"), f.Source);
    if (files.Count == 1)
    {
        if (groupBytes + m.Bytes.Length > DataAssemblyBytes) Flush();
        group.Add(m.Class + ".cs");
        groupBytes += m.Bytes.Length;
    }
    else
    {
        appFiles.Add(m.Class + ".cs");   // joins the parts, holds no array data
        foreach (ExportedFile f in files.Skip(1)) manifest.Append($"data {f.ClassName} {m.Class}{f.Suffix}.cs\n");
    }
    Console.Error.WriteLine($"  {m.Name}: {m.Bytes.Length} bytes" + (files.Count == 1 ? "" : $", parts of {string.Join(" + ", files.Skip(1).Select(f => f.DataBytes))}"));
}
Flush();
manifest.Append($"app {string.Join(' ', appFiles)}\n");
File.WriteAllText(Path.Combine(outDir, "assemblies.txt"), manifest.ToString());

var index = new StringBuilder();
index.Append("// <auto-generated> by tests/nanoclr/tier/Generator: the models the tier app runs. </auto-generated>\n");
index.Append($"namespace {Ns}\n{{\n    internal static class TierModels\n    {{\n");
index.Append($"        public const int Count = {models.Count};\n\n");
index.Append("        public static string Name(int i)\n        {\n            switch (i)\n            {\n");
for (int i = 0; i < models.Count; i++) index.Append($"                case {i}: return \"{models[i].Name}\";\n");
index.Append("                default: return null;\n            }\n        }\n\n");
index.Append("        public static int Steps(int i)\n        {\n            switch (i)\n            {\n");
for (int i = 0; i < models.Count; i++) index.Append($"                case {i}: return {models[i].Steps};\n");
index.Append("                default: return 0;\n            }\n        }\n\n");
index.Append("        public static byte[] Bytes(int i)\n        {\n            switch (i)\n            {\n");
for (int i = 0; i < models.Count; i++) index.Append($"                case {i}: return {models[i].Class}.ReadBytes();\n");
index.Append("                default: return null;\n            }\n        }\n    }\n}\n");
File.WriteAllText(Path.Combine(outDir, "TierModels.cs"), index.ToString());
Console.Error.WriteLine($"generator: {models.Count} models, {groups} shared data assemblies, written to {outDir}");
return 0;

// PyTorch's GRU initialisation (uniform ±1/√H), a strong skip gate so decisions follow the state, and an input
// normalization per channel (as the Edge tests' TestModels).
static FloatSkipGruModel RandomModel(int seed, GruVariant variant, int inputs, int hidden, int layers, int outputs)
{
    var rng = new Random(seed);
    double bound = 1.0 / Math.Sqrt(hidden);
    double[] U(int n) { var a = new double[n]; for (int i = 0; i < n; i++) a[i] = (rng.NextDouble() * 2 - 1) * bound; return a; }
    var ls = new FloatGruLayer[layers];
    for (int l = 0; l < layers; l++)
    {
        int inSize = l == 0 ? inputs : hidden;
        ls[l] = new FloatGruLayer(inSize, hidden, U(3 * hidden * inSize), U(3 * hidden * hidden), U(3 * hidden), U(3 * hidden));
    }
    double[] skipWeight = U(hidden);
    for (int j = 0; j < hidden; j++) skipWeight[j] *= 3.0;
    var m = new FloatSkipGruModel(variant, ls, skipWeight, -1.0, outputs > 0 ? U(outputs * hidden) : null, outputs > 0 ? U(outputs) : null)
    {
        InputMean = new double[inputs],
        InputStd = new double[inputs],
    };
    for (int j = 0; j < inputs; j++)
    {
        m.InputMean[j] = rng.NextDouble() * 4 - 2;
        m.InputStd[j] = 0.5 + rng.NextDouble() * 2;
    }
    return m;
}

// Raw counts (value · 1000) of a smooth random stream around the model's mean, for the self-test vectors.
static int[][] RawStream(FloatSkipGruModel m, int steps, int seed)
{
    var rng = new Random(seed);
    var raw = new int[steps][];
    for (int t = 0; t < steps; t++)
    {
        raw[t] = new int[m.InputSize];
        for (int j = 0; j < m.InputSize; j++)
            raw[t][j] = (int)Math.Round((m.InputMean![j] + m.InputStd![j] * (rng.NextDouble() * 3 - 1.5)) * 1000);
    }
    return raw;
}
