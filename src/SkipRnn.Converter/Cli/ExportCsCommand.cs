using System.CommandLine;
using SkipRnn.Converter.Export;
using SkipRnn.Converter.Files;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Cli;

/// <summary>`skiprnn export-cs model.skrn -o Model.cs`: the model as a C# byte array for a nanoFramework app.</summary>
public static class ExportCsCommand
{
    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A SkipRnn Edge model file (.skrn)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The C# file to write.", Required = true };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated class.", DefaultValueFactory = _ => "SkipRnn.Models" };
        var cls = new Option<string>("--class") { Description = "Name of the generated class.", DefaultValueFactory = _ => "SkipRnnModel" };
        var cmd = new Command("export-cs", "Write a model file as a C# byte array for a nanoFramework app.") { model, output, ns, cls };
        cmd.SetAction(p => CliOutput.Guard(() =>
        {
            FileInfo file = p.GetValue(model)!;
            OutputPaths.Check(new[] { new NamedPath("model file", file.FullName) }, new[] { new NamedPath("output (-o)", p.GetValue(output)!.FullName) });
            byte[] bytes = CliOutput.ReadModel(file, b => { ModelReader.Read(b); return b; });   // refuse a file the device would reject
            string source = CSharpExporter.Generate(bytes, p.GetValue(ns)!, p.GetValue(cls)!, file.Name);
            AtomicFile.WriteAllText(p.GetValue(output)!.FullName, source);
            Console.Error.WriteLine($"wrote {p.GetValue(output)!.FullName} ({bytes.Length} model bytes)");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
