using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Model;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>Shared output: JSON for machines, Spectre.Console for people, one error path with exit code 2.</summary>
public static class CliOutput
{
    /// <summary>JSON as `--json` prints it: indented, enums as names, ±∞ allowed (an exact tensor has infinite SQNR).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Writes <paramref name="value"/> as JSON to standard output as it is serialized (a day-long `simulate` lists
    /// every event of six runs: held whole as a string, its JSON would take more memory than the run).
    /// </summary>
    public static void WriteJson(object value)
    {
        using (var utf8 = new TextWriterStream(Console.Out))
            JsonSerializer.Serialize(utf8, value, value.GetType(), Json);
        Console.Out.WriteLine();
    }

    /// <summary>UTF-8 bytes written to a TextWriter as text (a character split between two writes waits for its rest).</summary>
    private sealed class TextWriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false, true).GetDecoder();
        private readonly char[] _chars = new char[4096];

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                _decoder.Convert(bytes, _chars, false, out int used, out int chars, out _);
                writer.Write(_chars, 0, chars);
                bytes = bytes[used..];
            }
        }

        public override void Flush() => writer.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// Width given to tables and lines when the output is not a terminal: wide enough that nothing wraps, so a
    /// log or a `| grep` sees one row per line (a terminal gets its own width).
    /// </summary>
    public const int PlainWidth = 4096;

    /// <summary>Tests set this to act as if the output were (true) or were not (false) a terminal.</summary>
    internal static bool? TerminalOverride { get; set; }

    /// <summary>
    /// Where people-facing output goes (stderr when --json owns stdout). On a terminal: colours, its width and
    /// live progress. Redirected: no colours, no progress (a log would show a job stopping at 6%), no wrapping.
    /// </summary>
    public static IAnsiConsole Human(bool json)
    {
        TextWriter writer = json ? Console.Error : Console.Out;
        bool terminal = TerminalOverride ?? !(json ? Console.IsErrorRedirected : Console.IsOutputRedirected);
        return ForWriter(writer, terminal);
    }

    /// <summary>A console on <paramref name="writer"/>, for a terminal or for a file/pipe.</summary>
    public static IAnsiConsole ForWriter(TextWriter writer, bool terminal)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = PlainWidth;
        return console;
    }

    /// <summary>
    /// Runs a command body: the one place errors become output. Input problems are one line on stderr and exit code 2;
    /// anything else is a bug, reported as such on one line with exit code 3. No exception escapes as a stack trace,
    /// and text from files is escaped (<see cref="DisplayText"/>) so it cannot drive the terminal.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsInputProblem(e))
        {
            Console.Error.WriteLine("skiprnn: error: " + DisplayText.EscapeLines(e.Message));
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            return InternalError(e);
        }
    }

    /// <summary>One line for an error skiprnn has no message for; exit code 3.</summary>
    public static int InternalError(Exception e)
    {
        string what = e is OutOfMemoryException ? "out of memory" : e.GetType().Name + ": " + e.Message;
        Console.Error.WriteLine($"skiprnn: internal error (a bug in skiprnn, please report it with the command line): {DisplayText.Escape(what, 400)}");
        return ExitCodes.InternalError;
    }

    private static bool IsInputProblem(Exception e) => e is ImportException or DataException or ModelFormatException or ArgumentException
        or IOException or UnauthorizedAccessException or InvalidDataException or JsonException;

    /// <summary>Reads a whole file; a folder, a missing, empty or oversized file is an error naming it.</summary>
    public static byte[] ReadFile(FileInfo file, string what)
    {
        string path = file.FullName;
        if (Directory.Exists(path)) throw new FileNotFoundException($"{path}: the {what} is a folder, not a file.");
        if (!file.Exists) throw new FileNotFoundException($"{path}: the {what} does not exist.");
        if (file.Length == 0) throw new InvalidDataException($"{path}: the {what} is empty (0 bytes).");
        if (file.Length > ImportLimits.MaxFileBytes)
            throw new InvalidDataException($"{path}: the {what} is {file.Length} bytes, more than the {ImportLimits.MaxFileBytes} allowed.");
        return File.ReadAllBytes(path);
    }

    /// <summary>Reads and parses a model file; the device reader's errors are reported with the file's name.</summary>
    public static T ReadModel<T>(FileInfo file, Func<byte[], T> parse)
    {
        byte[] bytes = ReadFile(file, "model file");
        try
        {
            return parse(bytes);
        }
        catch (ModelFormatException e)
        {
            const string Prefix = "Invalid model: ";
            string problem = e.Message.StartsWith(Prefix, StringComparison.Ordinal) ? e.Message[Prefix.Length..] : e.Message;
            throw new InvalidDataException($"{file.FullName}: not a valid model file: {problem}", e);
        }
    }

    /// <summary>Formats a ratio as a percentage with two decimals.</summary>
    public static string Percent(double? v) => v is null || double.IsNaN(v.Value) ? "n/a" : (100 * v.Value).ToString("F2") + "%";

    /// <summary>Formats a value in scientific notation, or n/a.</summary>
    public static string Sci(double? v) => v is null || double.IsNaN(v.Value) ? "n/a" : v.Value.ToString("E3");

    /// <summary>
    /// Adds a row whose strings are shown as they are (tensor names like "layer[0]" are not markup);
    /// pass a <see cref="Spectre.Console.Rendering.IRenderable"/> (e.g. a Markup) for styled cells.
    /// </summary>
    public static void Row(Table table, params object[] cells) =>
        table.AddRow(cells.Select(c => c as Spectre.Console.Rendering.IRenderable ?? new Text(c?.ToString() ?? "")).ToArray());

    /// <summary>Formats a decibel figure, showing exact values as ∞.</summary>
    public static string Db(double v) => double.IsPositiveInfinity(v) ? "∞" : v.ToString("F1");
}
