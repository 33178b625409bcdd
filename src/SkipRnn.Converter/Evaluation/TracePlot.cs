using ScottPlot;

namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// A <see cref="SequenceTrace"/> as a PNG (ScottPlot, rendered headless by SkiaSharp): above, ũ per step for
/// both models with the 0.5 threshold and a mark at every update; below, the head outputs as of each step,
/// with the sequence's target or label.
/// </summary>
public static class TracePlot
{
    public const int Width = 1100, Height = 700;
    private const int LegendWidth = 230;

    /// <summary>Writes the picture to <paramref name="path"/> (through a temporary file: never half-written).</summary>
    public static void Save(SequenceTrace trace, string path, string title)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Plot u = multiplot.GetPlot(0), outputs = multiplot.GetPlot(1);
        double[] steps = Enumerable.Range(0, trace.Steps).Select(t => (double)t).ToArray();
        Color floatColor = Colors.SteelBlue, fixedColor = Colors.OrangeRed;

        u.Title(title);
        u.YLabel("ũ before the step");
        u.XLabel("step");
        AddStepLine(u, steps, trace.FloatU, floatColor, "float ũ", LinePattern.Solid);
        AddStepLine(u, steps, trace.FixedU, fixedColor, "fixed ũ", LinePattern.Dashed);
        var threshold = u.Add.HorizontalLine(0.5, 1, Colors.Gray, LinePattern.Dotted);
        threshold.LegendText = "update when ũ > 0.5";
        AddUpdateMarks(u, trace.FloatUpdate, 1.08, floatColor, $"float updates ({trace.FloatUpdate.Count(b => b)})");
        AddUpdateMarks(u, trace.FixedUpdate, 1.14, fixedColor, $"fixed updates ({trace.FixedUpdate.Count(b => b)})");
        u.Axes.SetLimitsY(-0.05, 1.2);
        u.ShowLegend(ScottPlot.Edge.Right);

        outputs.YLabel("head output");
        outputs.XLabel("step");
        for (int o = 0; o < trace.Outputs; o++)
        {
            string name = trace.ClassNames is { } names && names.Length == trace.Outputs ? names[o] : $"output {o}";
            Color c = trace.Outputs == 1 ? fixedColor : Palette(o);
            AddStepLine(outputs, steps, Column(trace.FixedOutputs, trace.Outputs, o), c, $"{name} fixed", LinePattern.Solid);
            AddStepLine(outputs, steps, Column(trace.FloatOutputs, trace.Outputs, o), trace.Outputs == 1 ? floatColor : c, $"{name} float", LinePattern.Dashed);
        }
        if (trace.Target is { } target)
            for (int o = 0; o < target.Length; o++)
            {
                var line = outputs.Add.HorizontalLine(target[o], 1, Colors.Black, LinePattern.Dotted);
                line.LegendText = target.Length == 1 ? "target" : $"target {o}";
            }
        if (trace.Label is int label)
            outputs.Title("label: " + (trace.ClassNames is { } n && label < n.Length ? $"{n[label]} ({label})" : label.ToString()), size: 12);
        outputs.ShowLegend(ScottPlot.Edge.Right);
        // Legends beside the data, never over it; one fixed frame for both, so a step lines up above and below.
        foreach (Plot p in new[] { u, outputs }) p.Layout.Fixed(new PixelPadding(80, LegendWidth, 55, 45));

        string temp = path + ".tmp";
        try
        {
            multiplot.SavePng(temp, Width, Height);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void AddStepLine(Plot plot, double[] xs, double[] ys, Color color, string label, LinePattern pattern)
    {
        var s = plot.Add.ScatterLine(xs, ys, color);
        s.ConnectStyle = ConnectStyle.StepHorizontal;
        s.LinePattern = pattern;
        s.LineWidth = 1.5f;
        s.LegendText = label;
    }

    private static void AddUpdateMarks(Plot plot, bool[] updates, double y, Color color, string label)
    {
        double[] xs = Enumerable.Range(0, updates.Length).Where(t => updates[t]).Select(t => (double)t).ToArray();
        if (xs.Length == 0) return;
        var marks = plot.Add.ScatterPoints(xs, xs.Select(_ => y).ToArray(), color);
        marks.MarkerShape = MarkerShape.FilledCircle;
        marks.MarkerSize = 5;
        marks.LegendText = label;
    }

    private static double[] Column(double[] values, int width, int column)
    {
        var c = new double[values.Length / width];
        for (int t = 0; t < c.Length; t++) c[t] = values[t * width + column];
        return c;
    }

    private static Color Palette(int i) => new ScottPlot.Palettes.Category10().GetColor(i);
}
