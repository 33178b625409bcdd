namespace SkipRnn.NanoClrTier
{
    /// <summary>The tier app's only output, on .NET: the console.</summary>
    internal static class Out
    {
        public static void Line(string text)
        {
            System.Console.WriteLine(text);
        }
    }
}
