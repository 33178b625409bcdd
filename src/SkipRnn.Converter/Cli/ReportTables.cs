using SkipRnn.Converter.Conversion;
using SkipRnn.Converter.Evaluation;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Quantization;
using Spectre.Console;

namespace SkipRnn.Converter.Cli;

/// <summary>The Spectre.Console tables `convert`, `eval` and `demo` print.</summary>
public static class ReportTables
{
    public static void Calibration(IAnsiConsole c, Calibration cal)
    {
        c.MarkupLine($"[bold]Calibration[/]: {cal.Sequences} sequences; largest normalized input {cal.MaxAbsNormalizedInput:F2} σ " +
                     $"→ input format int16 with {cal.InputFracBits} fractional bits; raw LSB " +
                     Markup.Escape(string.Join(", ", cal.RawLsb.Select(v => v.ToString("G4")))));
        var t = new Table().AddColumns("tensor", "gate", "min", "max", "beyond ±8 (saturates)", "beyond ±128 (clamped)");
        foreach (PreactivationRange p in cal.Preactivations)
            CliOutput.Row(t, p.Tensor, p.Gate, p.Min.ToString("F2"), p.Max.ToString("F2"), CliOutput.Percent(p.SaturatedFraction),
                p.ClampedFraction > 0 ? new Markup($"[red]{CliOutput.Percent(p.ClampedFraction)}[/]") : "0");
        c.Write(t);
    }

    public static void Tensors(IAnsiConsole c, IReadOnlyList<TensorQuality> tensors)
    {
        var t = new Table().AddColumns("tensor", "bits", "shape", "SQNR dB", "max |error|");
        foreach (TensorQuality q in tensors)
            CliOutput.Row(t, q.Tensor, q.Bits.ToString(), $"{q.Rows}×{q.Cols}", CliOutput.Db(q.SqnrDb), q.MaxAbsError.ToString("E2"));
        c.Write(t);
    }

    /// <summary>Float against fixed point on a labelled set: the task metric both ways, updates, agreement, MACs.</summary>
    public static void Evaluation(IAnsiConsole c, EvaluationResult e, string title)
    {
        var t = new Table { Title = new TableTitle(title) }.AddColumns("metric", "float (reference)", "fixed point (device)");
        if (e.Task == ModelTask.Classification)
        {
            CliOutput.Row(t, "accuracy", CliOutput.Percent(e.FloatAccuracy), CliOutput.Percent(e.FixedAccuracy));
        }
        else
        {
            CliOutput.Row(t, "MSE", CliOutput.Sci(e.FloatMse), CliOutput.Sci(e.FixedMse));
            CliOutput.Row(t, "MSE / target variance", CliOutput.Percent(e.FloatMseOverVariance), CliOutput.Percent(e.FixedMseOverVariance));
        }
        CliOutput.Row(t, $"updates per sequence (of {e.StepsPerSequence})", $"{e.FloatUpdatesMean:F1} ± {e.FloatUpdatesStd:F1}",
            $"{e.FixedUpdatesMean:F1} ± {e.FixedUpdatesStd:F1}");
        CliOutput.Row(t, "MACs per sequence (plain GRU: " + e.PlainGruMacsPerSequence.ToString("N0") + ")", "",
            $"{e.FixedMacsPerSequence:N0} ({CliOutput.Percent(e.MacsSaved)} saved)");
        c.Write(t);

        var agree = new Table().AddColumns("float vs fixed", "value");
        CliOutput.Row(agree, "update decisions agreeing", CliOutput.Percent(e.DecisionAgreement));
        CliOutput.Row(agree, "mean |state error|", e.MeanStateError.ToString("E2"));
        if (e.Task == ModelTask.Classification) CliOutput.Row(agree, "predicted class agreeing", CliOutput.Percent(e.ArgmaxAgreement));
        else CliOutput.Row(agree, "mean |output difference|", e.MeanAbsOutputDifference.ToString("E2"));
        c.Write(agree);

        if (e.Task == ModelTask.Classification && e.PerClass is { Count: > 0 })
        {
            var pc = new Table().AddColumns("class", "support", "float recall", "fixed recall");
            foreach (var k in e.PerClass)
                CliOutput.Row(pc, k.Name ?? k.Class.ToString(), k.Support.ToString(), CliOutput.Percent(k.FloatRecall), CliOutput.Percent(k.FixedRecall));
            c.Write(pc);
        }
    }

    /// <summary>
    /// The fixed-point (device) confusion matrix, rows the true class, columns the predicted one; a cell where the
    /// float model's count differs shows it in brackets.
    /// </summary>
    public static void Confusion(IAnsiConsole c, EvaluationResult e)
    {
        if (e.FixedConfusion is not { } fixedM || e.FloatConfusion is not { } floatM) return;
        string Name(int k) => e.PerClass is { } pc && k < pc.Count && pc[k].Name is { } n ? n : k.ToString();
        // Said in a line, not a title: a title wraps to the table's width.
        c.MarkupLine("confusion matrix of the fixed point (the float count in brackets where it differs): rows true class, columns predicted");
        var t = new Table();
        t.AddColumn("true \\ predicted");
        for (int k = 0; k < fixedM.Length; k++) t.AddColumn(new TableColumn(Markup.Escape(Name(k))).RightAligned());
        for (int r = 0; r < fixedM.Length; r++)
            CliOutput.Row(t, new object[] { Name(r) }.Concat(Enumerable.Range(0, fixedM.Length).Select(k =>
                (object)(fixedM[r][k] == floatM[r][k] ? fixedM[r][k].ToString() : $"{fixedM[r][k]} ({floatM[r][k]})"))).ToArray());
        c.Write(t);
    }

    public static void Floors(IAnsiConsole c, IReadOnlyList<FloorCheck> floors)
    {
        var t = new Table().AddColumns("verification floor", "measured", "floor", "");
        foreach (FloorCheck f in floors)
            CliOutput.Row(t, f.Metric, CliOutput.Percent(f.Value), "≥ " + CliOutput.Percent(f.Floor), f.Passed ? new Markup("[green]pass[/]") : new Markup("[red]FAIL[/]"));
        c.Write(t);
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar fed (done, total) (on stderr in JSON mode), on a terminal
    /// only: redirected, a progress line would be the last thing a log shows of a job that did finish.
    /// </summary>
    public static T WithProgress<T>(IAnsiConsole c, string label, Func<IProgress<(int Done, int Total)>, T> work)
    {
        if (!c.Profile.Capabilities.Interactive) return work(new ActionProgress<(int Done, int Total)>(_ => { }));
        T result = default!;
        c.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask(label);
                result = work(new ActionProgress<(int Done, int Total)>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                }));
            });
        return result;
    }
}
