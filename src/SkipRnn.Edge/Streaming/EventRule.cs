using System;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Streaming
{
    /// <summary>
    /// The constants of the streaming event rule (see <see cref="EventSmoother"/>): which head classes are events
    /// (a set, <see cref="EventMask"/>: bit c for class c, classes 0..31), how fast the per-class vote shares follow
    /// the head (time constant 2^Shift samples), the hysteresis thresholds on an event class's share (Q0.15, 32768 =
    /// every recent sample voted for it) and the refractory period. Every event class has its own armed state and
    /// refractory clock and behaves exactly like the single-class rule. Stored in the model file's optional event-rule
    /// section (docs/model-format.md): version 1 holds one event class, version 2 a class mask, version 3 a class mask
    /// with thresholds per event class and a minimum duration (<see cref="MinSteps"/>: the share must have stayed at or
    /// above the class's On for that many consecutive samples before the class fires).
    /// </summary>
    public sealed class EventRule
    {
        /// <summary>Section layout version of a rule with one event class (written for one class, so such files do not change).</summary>
        public const int Version = 1;
        /// <summary>Section layout version of a rule with a set of event classes (a 32-bit class mask).</summary>
        public const int VersionMask = 2;
        /// <summary>Section layout version of a rule with thresholds per event class and a minimum duration.</summary>
        public const int VersionPerClass = 3;
        /// <summary>Largest minimum duration (samples).</summary>
        public const int MaxMinSteps = 65535;
        /// <summary>Event classes are 0..MaxClasses−1 (one bit each in the mask).</summary>
        public const int MaxClasses = 32;
        /// <summary>Largest smoothing shift (time constant 2^14 samples).</summary>
        public const int MaxShift = 14;
        /// <summary>Q0.15 one: a share of 1.</summary>
        public const int One = 32768;

        /// <summary>The event classes: bit c set when head class c is an event (bit 31 makes the int negative).</summary>
        public int EventMask { get; private set; }
        /// <summary>The lowest event class (the only one for a single-class rule).</summary>
        public int EventClass { get; private set; }
        /// <summary>How many classes are events.</summary>
        public int EventClassCount { get; private set; }
        /// <summary>score += (target − score) &gt;&gt; Shift on every sample.</summary>
        public int Shift { get; private set; }
        /// <summary>An armed class fires when its share reaches this (Q0.15); the lowest event class's when they differ (<see cref="OnOf"/>).</summary>
        public int On { get; private set; }
        /// <summary>After an event a class re-arms only once its share falls below this (Q0.15); the lowest event class's when they differ (<see cref="OffOf"/>).</summary>
        public int Off { get; private set; }
        /// <summary>At least this many samples between two events of the same class.</summary>
        public int RefractorySteps { get; private set; }
        /// <summary>A class fires only once its share has been at or above its On for this many consecutive samples (1: at once).</summary>
        public int MinSteps { get; private set; }
        /// <summary>True when the event classes have different thresholds.</summary>
        public bool PerClassThresholds { get; private set; }
        /// <summary>
        /// The file section version this rule is written with: 1 for one event class, 2 for more with one threshold pair,
        /// 3 when the thresholds differ per class or <see cref="MinSteps"/> is above 1 (so earlier rules keep their bytes).
        /// </summary>
        public int SectionVersion
        {
            get
            {
                if (PerClassThresholds || MinSteps != 1) return VersionPerClass;
                return EventClassCount == 1 ? Version : VersionMask;
            }
        }

        private readonly int[] _on = new int[MaxClasses];   // per class (event classes only)
        private readonly int[] _off = new int[MaxClasses];

        /// <summary>Class <paramref name="cls"/>'s On threshold (Q0.15); 0 for a class that is not an event.</summary>
        public int OnOf(int cls) { return _on[cls]; }
        /// <summary>Class <paramref name="cls"/>'s Off threshold (Q0.15); 0 for a class that is not an event.</summary>
        public int OffOf(int cls) { return _off[cls]; }

        /// <summary>A rule with one event class, validated for a head of <paramref name="classes"/> outputs.</summary>
        public EventRule(int classes, int eventClass, int shift, int on, int off, int refractorySteps)
        {
            if (classes < 1) throw new ModelFormatException("event_rule", "needs a model with a classification head");
            if (eventClass < 0 || eventClass >= classes || eventClass >= MaxClasses)
                throw new ModelFormatException("event_rule.event_class", "is " + eventClass.ToString() + ", the head has " +
                    classes.ToString() + " classes" + (eventClass >= MaxClasses ? " (event classes are 0..31)" : ""));
            Init(1 << eventClass, shift, on, off, refractorySteps);
        }

        private EventRule() { }

        /// <summary>
        /// A rule whose event classes are the set bits of <paramref name="eventMask"/> (bit c: head class c), validated
        /// for a head of <paramref name="classes"/> outputs: the mask must not be empty and must name only classes the head has.
        /// </summary>
        public static EventRule ForClasses(int classes, int eventMask, int shift, int on, int off, int refractorySteps)
        {
            if (classes < 1) throw new ModelFormatException("event_rule", "needs a model with a classification head");
            if (eventMask == 0) throw new ModelFormatException("event_rule.event_mask", "is 0: at least one event class is needed");
            if (classes < MaxClasses && (eventMask >> classes) != 0)
                throw new ModelFormatException("event_rule.event_mask", "is 0x" + Hex(eventMask) + ": it names class " +
                    HighestBit(eventMask).ToString() + ", the head has " + classes.ToString() + " classes (0.." + (classes - 1).ToString() + ")");
            var r = new EventRule();
            r.Init(eventMask, shift, on, off, refractorySteps);
            return r;
        }

        /// <summary>
        /// A rule whose event classes are the set bits of <paramref name="eventMask"/>, each with its own thresholds:
        /// <paramref name="on"/>[k] and <paramref name="off"/>[k] belong to the k-th event class in ascending order (one
        /// entry per set bit), and a minimum duration of <paramref name="minSteps"/> samples (1..65535) at or above On.
        /// </summary>
        public static EventRule ForClasses(int classes, int eventMask, int shift, int[] on, int[] off, int refractorySteps, int minSteps)
        {
            if (on == null) throw new ArgumentNullException("on");
            if (off == null) throw new ArgumentNullException("off");
            EventRule r = ForClasses(classes, eventMask, shift, One, 0, refractorySteps);   // mask, shift, refractory checked; thresholds below
            if (on.Length != r.EventClassCount || off.Length != r.EventClassCount)
                throw new ModelFormatException("event_rule.on", "has " + on.Length.ToString() + " on and " + off.Length.ToString() +
                    " off thresholds, the mask names " + r.EventClassCount.ToString() + " event classes");
            if (minSteps < 1 || minSteps > MaxMinSteps)
                throw new ModelFormatException("event_rule.min_steps", "is " + minSteps.ToString() + ", must be 1.." + MaxMinSteps.ToString());
            int k = 0;
            bool differ = false;
            for (int c = 0; c < MaxClasses; c++)
            {
                if (((eventMask >> c) & 1) == 0) continue;
                CheckThresholds(on[k], off[k], c);
                r._on[c] = on[k];
                r._off[c] = off[k];
                if (on[k] != on[0] || off[k] != off[0]) differ = true;
                k++;
            }
            r.On = r._on[r.EventClass];
            r.Off = r._off[r.EventClass];
            r.MinSteps = minSteps;
            r.PerClassThresholds = differ;
            return r;
        }

        private static void CheckThresholds(int on, int off, int cls)
        {
            string which = cls < 0 ? "" : "[class " + cls.ToString() + "]";
            if (on < 1 || on > One)
                throw new ModelFormatException("event_rule.on" + which, "is " + on.ToString() + ", must be 1..32768");
            if (off < 0 || off > on)
                throw new ModelFormatException("event_rule.off" + which, "is " + off.ToString() + ", must be 0..on (" + on.ToString() + ")");
        }

        /// <summary>True when head class <paramref name="cls"/> is an event class.</summary>
        public bool IsEventClass(int cls)
        {
            return cls >= 0 && cls < MaxClasses && ((EventMask >> cls) & 1) != 0;
        }

        /// <summary>True when every event class is below <paramref name="classes"/> (the rule fits that head).</summary>
        public bool FitsHead(int classes)
        {
            return classes >= MaxClasses || (classes >= 1 && (EventMask >> classes) == 0);
        }

        private void Init(int eventMask, int shift, int on, int off, int refractorySteps)
        {
            if (shift < 0 || shift > MaxShift)
                throw new ModelFormatException("event_rule.shift", "is " + shift.ToString() + ", must be 0.." + MaxShift.ToString());
            CheckThresholds(on, off, -1);
            if (refractorySteps < 0 || refractorySteps > 65535)
                throw new ModelFormatException("event_rule.refractory", "is " + refractorySteps.ToString() + ", must be 0..65535");
            EventMask = eventMask;
            int lowest = -1;
            int count = 0;
            for (int c = 0; c < MaxClasses; c++)
            {
                if (((eventMask >> c) & 1) == 0) continue;
                if (lowest < 0) lowest = c;
                count++;
            }
            EventClass = lowest;
            EventClassCount = count;
            for (int c = 0; c < MaxClasses; c++)
            {
                bool ev = ((eventMask >> c) & 1) != 0;
                _on[c] = ev ? on : 0;
                _off[c] = ev ? off : 0;
            }
            MinSteps = 1;
            PerClassThresholds = false;
            Shift = shift;
            On = on;
            Off = off;
            RefractorySteps = refractorySteps;
        }

        private static int HighestBit(int mask)
        {
            for (int c = MaxClasses - 1; c >= 0; c--)
                if (((mask >> c) & 1) != 0) return c;
            return -1;
        }

        private static string Hex(int v)
        {
            const string digits = "0123456789abcdef";
            char[] s = new char[8];
            for (int i = 7; i >= 0; i--)
            {
                s[i] = digits[v & 15];
                v = (int)((uint)v >> 4);
            }
            return new string(s);
        }
    }
}
