namespace SkipRnn.Converter.Streaming;

/// <summary>Event detection figures under one rule for detections in unlabelled gaps.</summary>
public sealed record EventScores(double Precision, double Recall, double F1, int FalseAlarms, double FalseAlarmsPerHour);

/// <summary>
/// The motion card's figures for one run over labelled recordings (models/train/motion/events.py computes the same):
/// per-sample accuracy and macro-F1 over labelled samples; transition events matched to labelled event-class runs
/// within ±tolerance samples (each run hit at most once, by the earliest detection); an unmatched detection is
/// "in a gap" when every sample within ±tolerance of it is unlabelled, and is either ignored or counted as a false
/// alarm; latency = detection − run start.
/// </summary>
public sealed record StreamScores(
    int Samples, double Hours, int Updates, double UpdatedShare, double? Accuracy, double? MacroF1,
    int Transitions, int Hits, int Events, EventScores? GapsIgnored, EventScores? GapsCounted, double? MedianLatencyMs,
    double[] UpdateRateByClass, double UnlabelledUpdateRate, long MacsPerSecond)
{
    public static StreamScores Compute(Recording rec, StreamTrace trace, int classes, int eventClass, int tolerance,
        int samplePeriodUs, int macsPerUpdate)
    {
        int n = rec.Samples;
        double seconds = n * (double)(samplePeriodUs > 0 ? samplePeriodUs : 20000) / 1e6;
        int updates = trace.Updated.Count(u => u);
        long macsPerSecond = (long)Math.Round(updates * (double)macsPerUpdate / seconds);
        var rate = new double[classes];
        double unlabelledRate = double.NaN;
        if (rec.Y is not { } y)
            return new StreamScores(n, seconds / 3600, updates, (double)updates / n, null, null, 0, 0, trace.Events.Count,
                null, null, null, rate.Select(_ => double.NaN).ToArray(), unlabelledRate, macsPerSecond);

        int labelled = 0, correct = 0;
        var tp = new int[classes];
        var fp = new int[classes];
        var fn = new int[classes];
        var count = new int[classes];
        var upd = new int[classes];
        int unl = 0, unlUpd = 0;
        for (int t = 0; t < n; t++)
        {
            int c = y[t];
            if (c < 0 || c >= classes)
            {
                unl++;
                if (trace.Updated[t]) unlUpd++;
                continue;
            }
            labelled++;
            count[c]++;
            if (trace.Updated[t]) upd[c]++;
            int p = trace.Pred[t];
            if (p == c) { correct++; tp[c]++; }
            else { fn[c]++; if (p >= 0 && p < classes) fp[p]++; }
        }
        for (int c = 0; c < classes; c++) rate[c] = count[c] > 0 ? (double)upd[c] / count[c] : double.NaN;
        unlabelledRate = unl > 0 ? (double)unlUpd / unl : double.NaN;
        double macro = Enumerable.Range(0, classes)
            .Select(c => tp[c] + fp[c] + fn[c] > 0 ? 2.0 * tp[c] / (2 * tp[c] + fp[c] + fn[c]) : 0.0).Average();

        int transitions = 0, hits = 0, fpLabelled = 0, fpGap = 0;
        var latencies = new List<int>();
        for (int r = 0; r + 1 < rec.Offsets.Length; r++)
        {
            int start = rec.Offsets[r], end = rec.Offsets[r + 1];
            var runs = new List<(int A, int B)>();
            for (int t = start; t < end; t++)
            {
                if (y[t] != eventClass) continue;
                int e = t;
                while (e + 1 < end && y[e + 1] == eventClass) e++;
                runs.Add((t - start, e - start));
                t = e;
            }
            transitions += runs.Count;
            var hit = new bool[runs.Count];
            foreach (StreamEvent ev in trace.Events.Where(ev => ev.Recording == r).OrderBy(ev => ev.Step))
            {
                int d = (int)ev.Step;
                int j = runs.FindIndex(s => s.A - tolerance <= d && d <= s.B + tolerance);
                while (j >= 0 && hit[j]) j = runs.FindIndex(j + 1, s => s.A - tolerance <= d && d <= s.B + tolerance);
                if (j >= 0)
                {
                    hit[j] = true;
                    hits++;
                    latencies.Add(d - runs[j].A);
                    continue;
                }
                bool gap = true;
                for (int t = Math.Max(0, d - tolerance); t < Math.Min(end - start, d + tolerance + 1); t++)
                    if (y[start + t] >= 0) { gap = false; break; }
                if (gap) fpGap++; else fpLabelled++;
            }
        }
        double hours = seconds / 3600;
        EventScores Score(int falseAlarms)
        {
            double p = hits + falseAlarms > 0 ? (double)hits / (hits + falseAlarms) : 0;
            double rc = transitions > 0 ? (double)hits / transitions : 0;
            return new EventScores(p, rc, p + rc > 0 ? 2 * p * rc / (p + rc) : 0, falseAlarms, falseAlarms / hours);
        }
        double? median = null;
        if (latencies.Count > 0)
        {
            latencies.Sort();
            int m = latencies.Count;
            double mid = m % 2 == 1 ? latencies[m / 2] : (latencies[m / 2 - 1] + latencies[m / 2]) / 2.0;
            median = mid * (samplePeriodUs > 0 ? samplePeriodUs : 20000) / 1000.0;
        }
        return new StreamScores(n, hours, updates, (double)updates / n, labelled > 0 ? (double)correct / labelled : null, macro,
            transitions, hits, trace.Events.Count, Score(fpLabelled), Score(fpLabelled + fpGap), median, rate, unlabelledRate, macsPerSecond);
    }
}
