using ScottPlot;

namespace SkipRnn.Converter.Streaming;

/// <summary>
/// `stream --plot`: one stretch of one recording as a PNG (ScottPlot, headless), fixed point as the device runs it.
/// Top: the raw input channels. Middle: ũ before each sample, the 0.5 threshold and a mark at every update (the
/// samples the board reads). Bottom: the label against the head's class, with the events the rule fired.
/// </summary>
public static class StreamPlot
{
    public const int Width = 1200, Height = 900;
    private const int LegendWidth = 250;

    /// <summary>What to draw: recording <paramref name="Recording"/>, <paramref name="Seconds"/> from <paramref name="FromSeconds"/>.</summary>
    public sealed record Window(int Recording, double FromSeconds, double Seconds);

    /// <summary>Draws the window and writes the PNG atomically (never half-written).</summary>
    public static void Save(Recording rec, StreamTrace trace, int eventClass, string[] classNames, int periodMicros,
        Window window, string title, string path)
    {
        if (trace.UTilde == null) throw new ArgumentException("the trace has no ũ (only the fixed-point run records it).");
        (int start, int end) = Samples(rec, window, periodMicros);
        double period = periodMicros / 1e6;
        double[] time = Enumerable.Range(0, end - start).Select(i => window.FromSeconds + i * period).ToArray();

        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        Plot signal = multiplot.GetPlot(0), u = multiplot.GetPlot(1), classes = multiplot.GetPlot(2);

        signal.Title(title, size: 14);
        signal.YLabel("raw counts");
        for (int c = 0; c < rec.Inputs; c++)
        {
            double[] ys = new double[end - start];
            for (int t = start; t < end; t++) ys[t - start] = rec.X[(long)t * rec.Inputs + c];
            var line = signal.Add.ScatterLine(time, ys, Palette(c));
            line.LineWidth = 1;
            line.LegendText = $"input {c}";
        }

        u.YLabel("ũ before the sample");
        var uLine = u.Add.ScatterLine(time, Slice(trace.UTilde, start, end, v => v / 32768.0), Colors.OrangeRed);
        uLine.ConnectStyle = ConnectStyle.StepHorizontal;
        uLine.LineWidth = 1.5f;
        uLine.LegendText = "ũ, fixed point";
        var threshold = u.Add.HorizontalLine(0.5, 1, Colors.Gray, LinePattern.Dotted);
        threshold.LegendText = "update when ũ > 0.5";
        double[] updates = Enumerable.Range(start, end - start).Where(t => trace.Updated[t]).Select(t => time[t - start]).ToArray();
        if (updates.Length > 0)
        {
            var marks = u.Add.ScatterPoints(updates, updates.Select(_ => 1.1).ToArray(), Colors.OrangeRed);
            marks.MarkerShape = MarkerShape.VerticalBar;
            marks.MarkerSize = 6;
            marks.LegendText = $"read: {updates.Length} of {end - start}";
        }
        u.Axes.SetLimitsY(-0.05, 1.2);

        classes.YLabel("class");
        classes.XLabel($"time in recording {window.Recording} (s)");
        if (rec.Y != null)
        {
            var label = classes.Add.ScatterLine(time, Slice(rec.Y, start, end, v => v < 0 ? double.NaN : v), Colors.Black);
            label.ConnectStyle = ConnectStyle.StepHorizontal;
            label.LineWidth = 3;
            label.LegendText = "label";
        }
        var head = classes.Add.ScatterLine(time, Slice(trace.Pred, start, end, v => v), Colors.SteelBlue);
        head.ConnectStyle = ConnectStyle.StepHorizontal;
        head.LineWidth = 1.5f;
        head.LegendText = "head's class";
        bool named = false;
        foreach (StreamEvent e in trace.Events)
        {
            long step = rec.Offsets[e.Recording] + e.Step;
            if (e.Recording != window.Recording || step < start || step >= end) continue;
            var v = classes.Add.VerticalLine(time[step - start], 2, Colors.Green, LinePattern.Dashed);
            if (!named) v.LegendText = $"event: {classNames[eventClass]}";
            named = true;
        }
        classes.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            classNames.Select((n, i) => new Tick(i, n)).ToArray());
        classes.Axes.SetLimitsY(-0.5, classNames.Length - 0.5);

        foreach (Plot p in new[] { signal, u, classes })
        {
            p.Axes.SetLimitsX(time[0], time[^1]);
            p.ShowLegend(ScottPlot.Edge.Right);
            p.Layout.Fixed(new PixelPadding(95, LegendWidth, 45, 45));
        }
        using Image image = multiplot.Render(Width, Height);
        SkipRnn.Edge.Host.AtomicFile.WriteAllBytes(path, image.GetImageBytes(ImageFormat.Png));
    }

    /// <summary>The window's sample range in the recording's rows; an error naming the option when it is outside.</summary>
    public static (int Start, int End) Samples(Recording rec, Window window, int periodMicros)
    {
        int recordings = rec.Offsets.Length - 1;
        if (window.Recording < 0 || window.Recording >= recordings)
            throw new ArgumentException($"--plot-recording must be between 0 and {recordings - 1}, not {window.Recording}.");
        if (!(window.Seconds > 0)) throw new ArgumentException($"--plot-seconds must be positive, not {window.Seconds}.");
        int first = rec.Offsets[window.Recording], last = rec.Offsets[window.Recording + 1];
        double length = (last - first) * (periodMicros / 1e6);
        if (!(window.FromSeconds >= 0) || window.FromSeconds >= length)
            throw new ArgumentException($"--plot-from must be between 0 and {length:F1} s (recording {window.Recording}'s length), not {window.FromSeconds}.");
        int start = first + (int)(window.FromSeconds * 1e6 / periodMicros);
        int end = (int)Math.Min(last, start + Math.Ceiling(window.Seconds * 1e6 / periodMicros));
        return (start, Math.Max(end, start + 1));
    }

    private static double[] Slice(int[] values, int start, int end, Func<int, double> f)
    {
        var s = new double[end - start];
        for (int t = start; t < end; t++) s[t - start] = f(values[t]);
        return s;
    }

    private static Color Palette(int i) => new ScottPlot.Palettes.Category10().GetColor(i);
}
