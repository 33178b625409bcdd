using System.CommandLine;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Import;

namespace SkipRnn.Converter;

/// <summary>
/// `skiprnn`: turns trained Skip-GRU weights into a fixed-point model file for the device, and proves with
/// numbers how close the device will be to the float model.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (Exception e)
        {
            // The commands guard their own bodies (CliOutput.Guard); this catches what happens around them.
            return CliOutput.InternalError(e);
        }
    }

    private static int Run(string[] args)
    {
        // A Command named "skiprnn" rather than RootCommand, whose name is the assembly's (SkipRnn.Converter):
        // help and usage show the command the user types. Help and --version are what RootCommand would add.
        var root = new Command("skiprnn", "Import, quantize, verify and export Skip-GRU models for SkipRnn Edge.")
        {
            new System.CommandLine.Help.HelpOption(), new VersionOption(),
        };
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(StreamCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(ListenCommand.Create());

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("skiprnn: " + DisplayText.Escape(error.Message, 400));
            Console.Error.WriteLine("Try 'skiprnn --help'.");
            return ExitCodes.BadInput;
        }
        return parse.Invoke();
    }
}
