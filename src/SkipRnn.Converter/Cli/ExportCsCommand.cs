using System.CommandLine;
using SkipRnn.Converter.Export;
using SkipRnn.Converter.Files;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `skiprnn export-cs model.skrn -o Model.cs`: the model as C# byte arrays for a nanoFramework app. A model larger
/// than one part (64,000 bytes by default) is split: Model.cs joins Model.Part1.cs, Model.Part2.cs…, each of which
/// must go into its own assembly (nanoCLR's 64 KiB of array data per assembly; see CSharpExporter).
/// </summary>
public static class ExportCsCommand
{
    /// <summary>What `export-cs --json` prints: the model read, the C# file written, its class and size, and the
    /// part files beside it (empty when the model fits one file).</summary>
    public sealed record ExportResult(string Model, string Output, string Namespace, string Class, int ModelBytes, string[] Parts);

    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A SkipRnn Edge model file (.skrn)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The C# file to write (parts go beside it as NAME.Part1.cs, ...).", Required = true };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated class.", DefaultValueFactory = _ => "SkipRnn.Models" };
        var cls = new Option<string>("--class") { Description = "Name of the generated class.", DefaultValueFactory = _ => "SkipRnnModel" };
        var partBytes = new Option<int>("--max-part-bytes")
        {
            Description = $"Largest byte array per file; a larger model is split into parts, one assembly each (1..{CSharpExporter.MaxPartBytesLimit}: nanoCLR's 64 KiB per assembly).",
            DefaultValueFactory = _ => CSharpExporter.DefaultMaxPartBytes,
        };
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON on stdout." };
        var cmd = new Command("export-cs", "Write a model file as C# byte arrays for a nanoFramework app.") { model, output, ns, cls, partBytes, json };
        cmd.SetAction(p => CliOutput.Guard(() =>
        {
            FileInfo file = p.GetValue(model)!;
            var inputs = new[] { new NamedPath("model file", file.FullName) };
            OutputPaths.Check(inputs, new[] { new NamedPath("output (-o)", p.GetValue(output)!.FullName) });
            byte[] bytes = CliOutput.ReadModel(file, b => { ModelReader.Read(b); return b; });   // refuse a file the device would reject
            IReadOnlyList<ExportedFile> files = CSharpExporter.GenerateFiles(bytes, p.GetValue(ns)!, p.GetValue(cls)!, file.Name, p.GetValue(partBytes));
            string main = p.GetValue(output)!.FullName;
            string stem = main.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) ? main[..^3] : main;
            string PathOf(ExportedFile f) => f.Suffix.Length == 0 ? main : stem + f.Suffix + ".cs";
            if (files.Count > 1)   // the parts' names are known only now: none may be an input either
                OutputPaths.Check(inputs, files.Select(f => new NamedPath("output (-o, part)", PathOf(f))).ToArray());
            // Every file is generated before any is written; each is written atomically.
            foreach (ExportedFile f in files)
                AtomicFile.WriteAllText(PathOf(f), f.Source);
            if (p.GetValue(json))
                CliOutput.WriteJson(new ExportResult(file.FullName, main, p.GetValue(ns)!, p.GetValue(cls)!, bytes.Length,
                    files.Skip(1).Select(PathOf).ToArray()));
            else if (files.Count == 1)
                Console.Error.WriteLine($"wrote {main} ({bytes.Length} model bytes)");
            else
            {
                Console.Error.WriteLine($"wrote {main} and {files.Count - 1} parts ({bytes.Length} model bytes): nanoCLR loads at most " +
                    "about 64 KiB of array data per assembly, so build each part into its own class library and reference them all from the app:");
                foreach (ExportedFile f in files.Skip(1))
                    Console.Error.WriteLine($"  {stem + f.Suffix}.cs  (class {f.ClassName}, {f.DataBytes} bytes)");
                Console.Error.WriteLine($"load with ModelReader.Read({p.GetValue(cls)}.ReadBytes()); peak RAM while joining: {bytes.Length} + {files.Skip(1).Max(f => f.DataBytes)} bytes");
            }
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
