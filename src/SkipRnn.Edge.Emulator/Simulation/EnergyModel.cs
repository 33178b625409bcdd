namespace SkipRnn.Edge.Emulator.Simulation;

/// <summary>
/// Where a run's time went on the virtual board (µs). The CPU is in exactly one state at a time, so the CPU parts
/// add up to <see cref="TotalUs"/>; the sensor is on for <see cref="SensorOnUs"/> of it, at its sleep current otherwise.
/// </summary>
public sealed record TimeBreakdown(
    /// <summary>Wall time of the run.</summary>
    double TotalUs,
    /// <summary>Interpreter running: updates, skipped spans, the managed side of sensor reads and discards.</summary>
    double ComputeUs,
    /// <summary>Awake, waiting on an I2C transfer.</summary>
    double BusUs,
    /// <summary>Awake, idle (waits shorter than the break-even time).</summary>
    double IdleUs,
    /// <summary>Waking from light sleep.</summary>
    double WakeUs,
    /// <summary>In light sleep.</summary>
    double SleepUs,
    /// <summary>Sensor powered.</summary>
    double SensorOnUs);

/// <summary>Average current, energy and battery life of a <see cref="TimeBreakdown"/> on a profile.</summary>
public sealed record EnergyResult(
    double CpuDuty, double AwakeShare, double SleepShare,
    double CpuAverageMa, double SensorAverageMa, double AverageMa,
    double EnergyPerHourJ, double BatteryHours, double BatteryDays);

public static class EnergyModel
{
    /// <summary>
    /// Charge = Σ current × time per state; average current = charge / total time; energy per hour = average current
    /// × battery voltage × 3600 s (a linear regulator passes the board's current through); battery life = capacity /
    /// average current. Throws if the parts do not add up to the total (a bookkeeping bug, never silently).
    /// </summary>
    public static EnergyResult Compute(TimeBreakdown t, DeviceProfile p)
    {
        if (!(t.TotalUs > 0)) throw new ArgumentException($"a run of {t.TotalUs} µs has no time to average over.");
        double parts = t.ComputeUs + t.BusUs + t.IdleUs + t.WakeUs + t.SleepUs;
        foreach (var (name, v) in new[] { ("compute", t.ComputeUs), ("bus", t.BusUs), ("idle", t.IdleUs), ("wake", t.WakeUs), ("sleep", t.SleepUs), ("sensor on", t.SensorOnUs) })
            if (v < 0 || !double.IsFinite(v)) throw new InvalidOperationException($"time accounting: {name} time is {v} µs.");
        if (Math.Abs(parts - t.TotalUs) > 1e-6 * t.TotalUs + 1)
            throw new InvalidOperationException($"time accounting: the CPU's states add up to {parts} µs, the run took {t.TotalUs} µs.");
        if (t.SensorOnUs > t.TotalUs + 1) throw new InvalidOperationException($"time accounting: the sensor was on {t.SensorOnUs} µs of {t.TotalUs}.");
        double cpuCharge = t.ComputeUs * p.CpuBusyMa + (t.BusUs + t.IdleUs) * p.CpuIdleMa + t.WakeUs * p.WakeCurrentMa + t.SleepUs * p.LightSleepMa;
        double sensorOn = Math.Min(t.SensorOnUs, t.TotalUs);
        double sensorCharge = sensorOn * p.SensorActiveMa + (t.TotalUs - sensorOn) * p.SensorSleepMa;
        double cpuMa = cpuCharge / t.TotalUs, sensorMa = sensorCharge / t.TotalUs, avg = cpuMa + sensorMa;
        double hours = avg > 0 ? p.BatteryCapacityMah / avg : double.PositiveInfinity;
        return new EnergyResult(
            CpuDuty: t.ComputeUs / t.TotalUs,
            AwakeShare: 1 - t.SleepUs / t.TotalUs,
            SleepShare: t.SleepUs / t.TotalUs,
            CpuAverageMa: cpuMa, SensorAverageMa: sensorMa, AverageMa: avg,
            EnergyPerHourJ: avg / 1000 * p.BatteryVoltageV * 3600,
            BatteryHours: hours, BatteryDays: hours / 24);
    }
}
