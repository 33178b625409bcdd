using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Streaming
{
    /// <summary>
    /// The constants of the streaming event rule (see <see cref="EventSmoother"/>): which head class is the event,
    /// how fast the per-class vote shares follow the head (time constant 2^Shift samples), the hysteresis
    /// thresholds on the event class's share (Q0.15, 32768 = every recent sample voted for it) and the
    /// refractory period. Stored in the model file's optional event-rule section (docs/model-format.md).
    /// </summary>
    public sealed class EventRule
    {
        /// <summary>The section layout version this runtime reads and writes.</summary>
        public const int Version = 1;
        /// <summary>Largest smoothing shift (time constant 2^14 samples).</summary>
        public const int MaxShift = 14;
        /// <summary>Q0.15 one: a share of 1.</summary>
        public const int One = 32768;

        /// <summary>Head class whose rising share is an event.</summary>
        public int EventClass { get; private set; }
        /// <summary>score += (target − score) &gt;&gt; Shift on every sample.</summary>
        public int Shift { get; private set; }
        /// <summary>An armed rule fires when the event share reaches this (Q0.15).</summary>
        public int On { get; private set; }
        /// <summary>After an event the rule re-arms only once the share falls below this (Q0.15).</summary>
        public int Off { get; private set; }
        /// <summary>At least this many samples between two events.</summary>
        public int RefractorySteps { get; private set; }

        /// <summary>Validates the constants for a head of <paramref name="classes"/> outputs.</summary>
        public EventRule(int classes, int eventClass, int shift, int on, int off, int refractorySteps)
        {
            if (classes < 1) throw new ModelFormatException("event_rule", "needs a model with a classification head");
            if (eventClass < 0 || eventClass >= classes)
                throw new ModelFormatException("event_rule.event_class", "is " + eventClass.ToString() + ", the head has " +
                    classes.ToString() + " classes");
            if (shift < 0 || shift > MaxShift)
                throw new ModelFormatException("event_rule.shift", "is " + shift.ToString() + ", must be 0.." + MaxShift.ToString());
            if (on < 1 || on > One)
                throw new ModelFormatException("event_rule.on", "is " + on.ToString() + ", must be 1..32768");
            if (off < 0 || off > on)
                throw new ModelFormatException("event_rule.off", "is " + off.ToString() + ", must be 0..on (" + on.ToString() + ")");
            if (refractorySteps < 0 || refractorySteps > 65535)
                throw new ModelFormatException("event_rule.refractory", "is " + refractorySteps.ToString() + ", must be 0..65535");
            EventClass = eventClass;
            Shift = shift;
            On = on;
            Off = off;
            RefractorySteps = refractorySteps;
        }
    }
}
