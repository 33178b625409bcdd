using ScottPlot;
using SkipRnn.Edge.Emulator.Simulation;

namespace SkipRnn.Converter.Cli;

/// <summary>
/// `simulate --plot`: one PNG (ScottPlot, headless). Top: ũ over the first seconds of the Skip-GRU run, a mark at
/// every update and every event. Middle: the board's current (CPU state + sensor) over the same time, at both ends
/// of the interpreter-speed range. Bottom: average current of every variant at both ends.
/// </summary>
public static class SimulationPlot
{
    public const int Width = 1200, Height = 950;
    private const int LegendWidth = 240;

    public static void Save(SimulationReport report, SimTrace trace, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        Plot u = multiplot.GetPlot(0), current = multiplot.GetPlot(1), bars = multiplot.GetPlot(2);
        double horizonS = trace.HorizonUs / 1e6;
        Color fast = Colors.SteelBlue, slow = Colors.OrangeRed;

        SimTrace.Run? first = trace.Ends.GetValueOrDefault("fast") ?? trace.Ends.Values.FirstOrDefault();
        u.Title($"{report.Model}: Skip-GRU on the virtual board, first {horizonS:G4} s of the stream, both ends of the interpreter speed", size: 14);
        u.YLabel("ũ after the step");
        u.XLabel("time (s)");
        foreach (var (name, run, color) in Runs(trace, fast, slow))
        {
            if (run.U.Count > 0)
            {
                var line = u.Add.ScatterLine(run.U.Select(p => p.Micros / 1e6).ToArray(), run.U.Select(p => p.U).ToArray(), color);
                line.ConnectStyle = ConnectStyle.StepHorizontal;
                line.LegendText = $"ũ, {name} end";
                line.LineWidth = 1.5f;
            }
            double y = name == "fast" ? 1.08 : 1.14;
            if (run.Updates.Count > 0)
            {
                var marks = u.Add.ScatterPoints(run.Updates.Select(p => p.Micros / 1e6).ToArray(), run.Updates.Select(_ => y).ToArray(), color);
                marks.MarkerShape = MarkerShape.FilledCircle;
                marks.MarkerSize = 4;
                marks.LegendText = $"updates, {name} ({run.Updates.Count})";
            }
            if (run.Events.Count > 0)
            {
                var ev = u.Add.ScatterPoints(run.Events.Select(p => p.Micros / 1e6).ToArray(), run.Events.Select(_ => 1.22).ToArray(), Colors.Black);
                ev.MarkerShape = name == "fast" ? MarkerShape.FilledTriangleUp : MarkerShape.OpenTriangleUp;
                ev.MarkerSize = 9;
                ev.LegendText = $"events, {name} ({run.Events.Count})";
            }
        }
        var threshold = u.Add.HorizontalLine(0.5, 1, Colors.Gray, LinePattern.Dotted);
        threshold.LegendText = "update when ũ > 0.5";
        u.Axes.SetLimits(0, horizonS, -0.05, 1.3);
        u.ShowLegend(ScottPlot.Edge.Right);

        current.YLabel("board current (mA)");
        current.XLabel("time (s)");
        foreach (var (name, run, color) in Runs(trace, fast, slow))
        {
            var (xs, ys) = CurrentSteps(run);
            if (xs.Length == 0) continue;
            var line = current.Add.ScatterLine(xs, ys, color);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LegendText = $"{name} end";
            line.LinePattern = name == "fast" ? LinePattern.Solid : LinePattern.Dashed;
        }
        current.Axes.SetLimitsX(0, horizonS);
        current.ShowLegend(ScottPlot.Edge.Right);

        bars.Title("average current over the whole stream (CPU + sensor)", size: 13);
        bars.YLabel("mA");
        var ticks = new List<Tick>();
        int k = 0;
        foreach (SimVariant v in Enum.GetValues<SimVariant>())
        {
            int i = 0;
            foreach (SpeedEnd e in report.Ends)
            {
                VariantResult r = e.Variants.First(x => x.Variant == v);
                double x = k * 3 + i;
                var bar = bars.Add.Bar(new Bar { Position = x, Value = r.Energy.AverageMa, FillColor = e.End == "fast" ? fast : slow, Label = $"{r.Energy.AverageMa:F1}" });
                i++;
            }
            ticks.Add(new Tick(k * 3 + 0.5, SimulateCommand.Name(v)));
            k++;
        }
        bars.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        bars.Axes.Margins(bottom: 0, top: 0.2);
        bars.Legend.ManualItems.Add(new LegendItem { LabelText = "fast end", FillColor = fast });
        bars.Legend.ManualItems.Add(new LegendItem { LabelText = "slow end", FillColor = slow });
        bars.ShowLegend(ScottPlot.Edge.Right);
        foreach (Plot p in new[] { u, current, bars }) p.Layout.Fixed(new PixelPadding(80, LegendWidth, 55, 45));

        // Rendered in memory, then written atomically: a failed or killed run never leaves a half-written PNG.
        using Image image = multiplot.Render(Width, Height);
        SkipRnn.Edge.Host.AtomicFile.WriteAllBytes(path, image.GetImageBytes(ImageFormat.Png));
    }

    private static IEnumerable<(string Name, SimTrace.Run Run, Color Color)> Runs(SimTrace trace, Color fast, Color slow)
    {
        foreach (var (name, run) in trace.Ends) yield return (name, run, name == "fast" ? fast : slow);
    }

    /// <summary>The board's current as steps: every CPU segment's current plus the sensor's (on or asleep) at its start.</summary>
    private static (double[] X, double[] Y) CurrentSteps(SimTrace.Run run)
    {
        var segs = run.Cpu.Where(s => s.Start < run.HorizonUs).OrderBy(s => s.Start).ToList();
        var sw = run.SensorSwitches.OrderBy(s => s.Micros).ToList();
        var xs = new List<double>();
        var ys = new List<double>();
        int j = 0;
        bool on = true;
        foreach (var s in segs)
        {
            while (j < sw.Count && sw[j].Micros <= s.Start) on = sw[j++].On;
            xs.Add(s.Start / 1e6);
            ys.Add(s.Ma + (on ? run.SensorOnMa : run.SensorOffMa));
        }
        if (segs.Count > 0)
        {
            xs.Add(segs[^1].End / 1e6);
            ys.Add(ys[^1]);
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
