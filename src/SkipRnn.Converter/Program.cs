namespace SkipRnn.Converter;

/// <summary>Placeholder entry point: the command line is written later, on top of SkipRnn.Converter.Import.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("skiprnn: the command line is not implemented yet.");
        return 1;
    }
}
