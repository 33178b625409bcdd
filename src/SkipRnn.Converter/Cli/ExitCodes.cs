namespace SkipRnn.Converter.Cli;

/// <summary>The tool's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;
    /// <summary>The quantized model fell below a verification floor; no model file was written.</summary>
    public const int VerificationFailed = 1;
    /// <summary>Bad usage or bad input (unreadable, corrupt or inconsistent files).</summary>
    public const int BadInput = 2;
    /// <summary>A bug in skiprnn (an error it has no message for): one line says so; never a stack trace.</summary>
    public const int InternalError = 3;
}
