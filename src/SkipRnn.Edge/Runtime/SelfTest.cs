using System;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Runtime
{
    /// <summary>The outcome of replaying a model's self-test vectors: pass, or the first mismatch.</summary>
    public sealed class SelfTestResult
    {
        /// <summary>True when every recorded step matched.</summary>
        public bool Passed { get; private set; }
        /// <summary>Step of the first mismatch (0-based), −1 when passed.</summary>
        public int Step { get; private set; }
        /// <summary>"updated", "state[l][j]" or "output[o]"; null when passed.</summary>
        public string Field { get; private set; }
        /// <summary>Expected value at the mismatch.</summary>
        public int Expected { get; private set; }
        /// <summary>Value the runtime produced.</summary>
        public int Actual { get; private set; }

        internal SelfTestResult(bool passed, int step, string field, int expected, int actual)
        {
            Passed = passed;
            Step = step;
            Field = field;
            Expected = expected;
            Actual = actual;
        }

        /// <summary>One line for a log.</summary>
        public override string ToString()
        {
            if (Passed) return "self-test passed";
            return "self-test failed at step " + Step.ToString() + ", " + Field + ": expected " +
                   Expected.ToString() + ", got " + Actual.ToString();
        }
    }

    /// <summary>Replays a model's embedded self-test vectors on a fresh runner (for example at boot).</summary>
    public static class SelfTest
    {
        /// <summary>
        /// Runs the recorded raw inputs through a new <see cref="SkipGru"/> and compares update flags,
        /// every layer's state and the head outputs after each step. Throws when the model has no vectors.
        /// </summary>
        public static SelfTestResult Run(SkipGruModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            SelfTestVectors v = model.SelfTest;
            if (v == null) throw new ArgumentException("The model carries no self-test vectors.");
            SkipGru runner = new SkipGru(model);
            int inputs = model.InputSize;
            int layers = model.Layers.Length;
            int hidden = model.HiddenSize;
            int outputs = model.OutputSize;
            int[] raw = new int[inputs];
            // The vectors as locals: on the interpreter every property read is a call (the first one decodes them).
            int[] rawInputs = v.RawInputs;
            bool[] expectUpdated = v.Updated;
            short[] expectStates = v.States;
            int[] expectOutputs = v.Outputs;
            for (int t = 0; t < v.Steps; t++)
            {
                Array.Copy(rawInputs, t * inputs, raw, 0, inputs);
                bool updated = runner.Step(raw);
                if (updated != expectUpdated[t])
                    return new SelfTestResult(false, t, "updated", expectUpdated[t] ? 1 : 0, updated ? 1 : 0);
                int s = t * layers * hidden;
                for (int l = 0; l < layers; l++)
                    for (int j = 0; j < hidden; j++, s++)
                        if (runner.GetState(l, j) != expectStates[s])
                            return new SelfTestResult(false, t, "state[" + l.ToString() + "][" + j.ToString() + "]",
                                expectStates[s], runner.GetState(l, j));
                for (int o = 0; o < outputs; o++)
                    if (runner.GetOutput(o) != expectOutputs[t * outputs + o])
                        return new SelfTestResult(false, t, "output[" + o.ToString() + "]",
                            expectOutputs[t * outputs + o], runner.GetOutput(o));
            }
            return new SelfTestResult(true, -1, null, 0, 0);
        }
    }
}
