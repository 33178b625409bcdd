using System.CommandLine;
using SkipRnn.Converter.Export;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Host;

namespace SkipRnn.Converter.Cli;

/// <summary>`skiprnn export-cs model.skrn -o Model.cs`: the model as a C# byte array for a nanoFramework app.</summary>
public static class ExportCsCommand
{
    /// <summary>What `export-cs --json` prints: the model read, the C# file written, its class and size.</summary>
    public sealed record ExportResult(string Model, string Output, string Namespace, string Class, int ModelBytes);

    public static Command Create()
    {
        var model = new Argument<FileInfo>("model") { Description = "A SkipRnn Edge model file (.skrn)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The C# file to write.", Required = true };
        var ns = new Option<string>("--namespace") { Description = "Namespace of the generated class.", DefaultValueFactory = _ => "SkipRnn.Models" };
        var cls = new Option<string>("--class") { Description = "Name of the generated class.", DefaultValueFactory = _ => "SkipRnnModel" };
        var json = new Option<bool>("--json") { Description = "Print what was written as JSON on stdout." };
        var cmd = new Command("export-cs", "Write a model file as a C# byte array for a nanoFramework app.") { model, output, ns, cls, json };
        cmd.SetAction(p => CliOutput.Guard(() =>
        {
            FileInfo file = p.GetValue(model)!;
            byte[] bytes = CliOutput.ReadFile(file, "Model file");
            ModelReader.Read(bytes);   // refuse to export a file the device would reject
            string source = CSharpExporter.Generate(bytes, p.GetValue(ns)!, p.GetValue(cls)!, file.Name);
            AtomicFile.WriteAllText(p.GetValue(output)!.FullName, source);
            if (p.GetValue(json))
                CliOutput.WriteJson(new ExportResult(file.FullName, p.GetValue(output)!.FullName, p.GetValue(ns)!, p.GetValue(cls)!, bytes.Length));
            else
                Console.Error.WriteLine($"wrote {p.GetValue(output)!.FullName} ({bytes.Length} model bytes)");
            return ExitCodes.Success;
        }));
        return cmd;
    }
}
