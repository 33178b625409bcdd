using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Streaming;
using SkipRnn.Edge.Tests.Streaming;

namespace SkipRnn.Board.Tests;

/// <summary>
/// Event-class sets changed the event rule's code; the shipped motion model (one event class, a version-1 section)
/// must give exactly the events of the single-class smoother it had before (<see cref="LegacyEventSmoother"/>) on
/// the five test users' recordings.
/// </summary>
public class MotionRuleTests
{
    [Fact]
    public void The_motion_models_events_are_those_of_the_single_class_rule_bit_for_bit()
    {
        Recording rec = MotionData.Recording;
        EventRule rule = MotionData.Model.EventRule!;
        Assert.Equal(1, rule.EventClassCount);
        StreamTrace trace = StreamRunner.RunFixed(MotionData.Model, rule, rec);
        var legacy = new LegacyEventSmoother(rule, MotionData.Model.OutputSize);
        var want = new List<StreamEvent>();
        for (int r = 0; r + 1 < rec.Offsets.Length; r++)
        {
            legacy.Reset();
            for (int t = rec.Offsets[r]; t < rec.Offsets[r + 1]; t++)
                if (legacy.Observe(trace.Pred[t], 1))
                    want.Add(new StreamEvent(r, legacy.LastEventStep, rule.EventClass, legacy.LastEventConfidence));
        }
        Assert.True(want.Count > 10);
        Assert.Equal(want, trace.Events);
    }
}
