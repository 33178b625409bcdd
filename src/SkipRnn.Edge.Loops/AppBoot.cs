using System;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Runtime;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Application
{
    /// <summary>
    /// Boot: read the model, replay its self-test, build the detector; or refuse, with one serial line that says
    /// why and an LED code the user can count without a cable (<see cref="ShowRefusal"/>).
    /// </summary>
    public static class AppBoot
    {
        /// <summary>LED blinks: the model file is unreadable or invalid.</summary>
        public const int BlinksBadModel = 2;
        /// <summary>LED blinks: the model carries no self-test, or its self-test failed on this runtime.</summary>
        public const int BlinksSelfTest = 3;
        /// <summary>LED blinks: the model has no event rule (nothing to report).</summary>
        public const int BlinksNoEventRule = 4;

        /// <summary>
        /// The detector for <paramref name="modelBytes"/> after a passed self-test, or null after telling
        /// <paramref name="sink"/> why; <paramref name="refusalBlinks"/> is then the LED code (0 on success).
        /// Never throws for a bad model.
        /// </summary>
        public static StreamDetector Start(byte[] modelBytes, IEventSink sink, out int refusalBlinks)
        {
            if (sink == null) throw new ArgumentNullException("sink");
            refusalBlinks = 0;
            SkipGruModel model;
            try
            {
                if (modelBytes == null) throw new ArgumentNullException("modelBytes");
                model = ModelReader.Read(modelBytes);
            }
            catch (Exception e)
            {
                sink.Message("skiprnn: REFUSED: model rejected: " + e.Message);
                refusalBlinks = BlinksBadModel;
                return null;
            }
            sink.Message("skiprnn: model " + model.InputSize.ToString() + " inputs, " + model.Layers.Length.ToString() + " x " +
                model.HiddenSize.ToString() + " units, " + model.OutputSize.ToString() + " classes, sample period " +
                model.SamplePeriodMicros.ToString() + " us");
            if (model.SelfTest == null)
            {
                sink.Message("skiprnn: REFUSED: the model carries no self-test vectors (convert it with them)");
                refusalBlinks = BlinksSelfTest;
                return null;
            }
            SelfTestResult result = SelfTest.Run(model);
            if (!result.Passed)
            {
                sink.Message("skiprnn: REFUSED: " + result.ToString());
                refusalBlinks = BlinksSelfTest;
                return null;
            }
            sink.Message("skiprnn: self-test passed (" + model.SelfTest.Steps.ToString() + " steps)");
            if (model.EventRule == null)
            {
                sink.Message("skiprnn: REFUSED: the model has no event rule (skiprnn convert writes it from the sidecar)");
                refusalBlinks = BlinksNoEventRule;
                return null;
            }
            return new StreamDetector(model);
        }

        /// <summary>
        /// One cycle of the refusal pattern: <paramref name="blinks"/> flashes of 200 ms on / 200 ms off, then
        /// 1.2 s dark. A refusing board repeats it forever.
        /// </summary>
        public static void ShowRefusal(IStatusLed led, ISleepTimer sleep, int blinks)
        {
            if (led == null) throw new ArgumentNullException("led");
            if (sleep == null) throw new ArgumentNullException("sleep");
            for (int i = 0; i < blinks; i++)
            {
                led.Set(true);
                sleep.Idle(200000);
                led.Set(false);
                sleep.Idle(200000);
            }
            sleep.Idle(1200000);
        }
    }
}
