namespace SkipRnn.NanoClrTier
{
    /// <summary>The tier app's only output, on nanoCLR: Debug.WriteLine (stdout of the posix nanoCLR; needs -define:DEBUG).</summary>
    internal static class Out
    {
        public static void Line(string text)
        {
            System.Diagnostics.Debug.WriteLine(text);
        }
    }
}
