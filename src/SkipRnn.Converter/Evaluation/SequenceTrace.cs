using System.Globalization;
using System.Text;
using SkipRnn.Converter.Data;
using SkipRnn.Converter.Import;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Converter.Evaluation;

/// <summary>
/// One sequence run step by step through the float reference and the fixed-point runner, exactly as
/// <see cref="Evaluator"/> runs it (same <see cref="PairedRunner"/>): per step the ũ that decided the step,
/// whether it updated, and the head outputs as of that step (held over skipped steps), for both models.
/// </summary>
public sealed class SequenceTrace
{
    /// <summary>The sequence's index in its dataset.</summary>
    public int Sequence { get; }
    /// <summary>Steps traced (the dataset's T).</summary>
    public int Steps => FloatU.Length;
    /// <summary>Head outputs per step.</summary>
    public int Outputs { get; }
    /// <summary>ũ before each step (the step updates when it exceeds 0.5), float reference.</summary>
    public double[] FloatU { get; }
    /// <summary>ũ before each step, fixed point (Q0.15 / 32768).</summary>
    public double[] FixedU { get; }
    public bool[] FloatUpdate { get; }
    public bool[] FixedUpdate { get; }
    /// <summary>Head outputs after each step, [step × Outputs], float reference.</summary>
    public double[] FloatOutputs { get; }
    /// <summary>Head outputs after each step, [step × Outputs], fixed point dequantized from Q.12.</summary>
    public double[] FixedOutputs { get; }
    /// <summary>The sequence's class label (classification) or null.</summary>
    public int? Label { get; }
    /// <summary>The sequence's regression targets, or null.</summary>
    public double[]? Target { get; }
    /// <summary>Class names from the model, when it has them.</summary>
    public string[]? ClassNames { get; }

    private SequenceTrace(int sequence, int steps, int outputs, int? label, double[]? target, string[]? classNames)
    {
        Sequence = sequence;
        Outputs = outputs;
        FloatU = new double[steps];
        FixedU = new double[steps];
        FloatUpdate = new bool[steps];
        FixedUpdate = new bool[steps];
        FloatOutputs = new double[steps * outputs];
        FixedOutputs = new double[steps * outputs];
        Label = label;
        Target = target;
        ClassNames = classNames;
    }

    /// <summary>Runs sequence <paramref name="sequence"/> of <paramref name="data"/> on both models and records every step.</summary>
    public static SequenceTrace Record(FloatSkipGruModel floatModel, SkipGruModel fixedModel, RawEncoding encoding,
        SequenceDataset data, int sequence)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (sequence < 0 || sequence >= data.Count)
            throw new ArgumentException($"--sequence {sequence}: {data.Path} holds sequences 0 to {data.Count - 1}.");
        encoding.CheckRange(data);
        int outputs = floatModel.OutputSize;
        var trace = new SequenceTrace(sequence, data.Steps, outputs,
            data.Task == ModelTask.Classification ? data.Label(sequence) : null,
            data.Task == ModelTask.Regression ? data.Target(sequence) : null, floatModel.ClassNames);
        var runner = new PairedRunner(floatModel, fixedModel, encoding);
        runner.AfterStep = (t, floatU, fixedU, floatUpdated, fixedUpdated) =>
        {
            trace.FloatU[t] = floatU;
            trace.FixedU[t] = fixedU;
            trace.FloatUpdate[t] = floatUpdated;
            trace.FixedUpdate[t] = fixedUpdated;
            for (int o = 0; o < outputs; o++)
            {
                trace.FloatOutputs[t * outputs + o] = runner.FloatOutputs[o];
                trace.FixedOutputs[t * outputs + o] = runner.CurrentFixedOutput(o);
            }
        };
        runner.Run(data, sequence);
        return trace;
    }

    /// <summary>The column names of <see cref="ToCsv"/>.</summary>
    public IEnumerable<string> Columns()
    {
        yield return "step";
        yield return "float_u";
        yield return "fixed_u";
        yield return "float_update";
        yield return "fixed_update";
        for (int o = 0; o < Outputs; o++) yield return $"float_out{o}";
        for (int o = 0; o < Outputs; o++) yield return $"fixed_out{o}";
    }

    /// <summary>
    /// CSV, one row per step: step, ũ before it (float, fixed), whether it updated (1/0), then each model's
    /// head outputs as of that step. Numbers round-trip (invariant culture, "R").
    /// </summary>
    public string ToCsv()
    {
        var s = new StringBuilder();
        s.AppendLine(string.Join(",", Columns()));
        for (int t = 0; t < Steps; t++)
        {
            s.Append(t.ToString(CultureInfo.InvariantCulture)).Append(',')
             .Append(R(FloatU[t])).Append(',').Append(R(FixedU[t])).Append(',')
             .Append(FloatUpdate[t] ? '1' : '0').Append(',').Append(FixedUpdate[t] ? '1' : '0');
            for (int o = 0; o < Outputs; o++) s.Append(',').Append(R(FloatOutputs[t * Outputs + o]));
            for (int o = 0; o < Outputs; o++) s.Append(',').Append(R(FixedOutputs[t * Outputs + o]));
            s.AppendLine();
        }
        return s.ToString();
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
