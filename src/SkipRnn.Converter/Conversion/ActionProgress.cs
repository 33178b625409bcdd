namespace SkipRnn.Converter.Conversion;

/// <summary>
/// An IProgress that reports on the caller's thread, at once (System.Progress posts to the thread pool, so a
/// progress bar would lag behind or miss the last report).
/// </summary>
public sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
