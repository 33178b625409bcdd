using System.CommandLine;
using SkipRnn.Converter.Cli;

namespace SkipRnn.Converter;

/// <summary>
/// `skiprnn`: turns trained Skip-GRU weights into a fixed-point model file for the device, and proves with
/// numbers how close the device will be to the float model.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("skiprnn: import, quantize, verify and export Skip-GRU models for SkipRnn Edge.");
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(StreamCommand.Create());

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("skiprnn: " + error.Message);
            Console.Error.WriteLine("Try 'skiprnn --help'.");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }
}
