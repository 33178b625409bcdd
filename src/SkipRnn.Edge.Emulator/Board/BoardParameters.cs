#nullable disable
#nullable enable
namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// The virtual board's physical parameters (µs). The defaults describe an ESP32 DevKit with an MPU-6050 on I2C at
/// 400 kHz; each says where it comes from. <see cref="UpdateMicros"/> has no default: it is what the model costs on
/// the target (from the interpreter measurements; `skiprnn simulate` feeds it).
/// </summary>
public sealed class BoardParameters
{
    /// <summary>The sensor's sample period.</summary>
    public required int SamplePeriodMicros { get; init; }
    /// <summary>CPU time of one model update (read excluded). May be changed between steps.</summary>
    public required long UpdateMicros { get; set; }
    /// <summary>CPU time of accounting one skipped span (O(1): SkipSamples + the event rule once settled).</summary>
    public long SkipMicros { get; set; } = 100;
    /// <summary>MPU-6050 FIFO: 1024 bytes hold 85 whole six-axis samples of 12 bytes (datasheet / register map, FIFO).</summary>
    public int FifoCapacity { get; init; } = 85;
    /// <summary>Reading one sample out of the FIFO: FIFO_COUNT + 12 data bytes at 400 kHz ≈ 19 bytes × 9 bits ≈ 430 µs (estimate).</summary>
    public long ReadMicros { get; init; } = 430;
    /// <summary>Dropping one sample: the same 12-byte FIFO read, without the count read (estimate).</summary>
    public long DiscardMicros { get; init; } = 300;
    /// <summary>Light-sleep wake-up overhead on top of the timer (ESP-IDF sleep code: about 250–350 µs).</summary>
    public long WakeLatencyMicros { get; init; } = 350;
    /// <summary>
    /// How far the sensor's sample clock is off the board's, in parts per million (positive: it samples slower).
    /// MPU-6050: its internal oscillator is specified to ±1 % over temperature (datasheet), ±2 % is a pessimistic test.
    /// </summary>
    public int SensorClockPpm { get; init; }
    /// <summary>Sensor power-up to first sample (MPU-6050 datasheet: gyroscope start-up 30 ms typical).</summary>
    public long SensorStartupMicros { get; init; } = 30000;
}
