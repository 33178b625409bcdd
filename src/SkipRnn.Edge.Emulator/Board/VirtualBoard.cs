#nullable disable
#nullable enable
using System;
using System.Collections.Generic;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Model;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// An ESP32 + FIFO sensor in virtual time, replaying one recording, with the device's <see cref="StreamingLoop"/>
/// running on it unchanged. Update and skip costs advance the clock (through <see cref="ILoopObserver"/>), sensor
/// reads and discards cost their I2C time, sleeps their wake-up latency. It checks that every sample the loop
/// updated on is the recording sample it meant (<see cref="MisalignedReads"/>).
/// </summary>
public sealed class VirtualBoard : ILoopObserver
{
    public VirtualBoard(int[] recording, int frameSize, BoardParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.SamplePeriodMicros < 1) throw new ArgumentException($"sample period {parameters.SamplePeriodMicros} µs: must be at least 1");
        if (parameters.UpdateMicros < 0 || parameters.SkipMicros < 0) throw new ArgumentException("update and skip costs must not be negative");
        if (parameters.SensorClockPpm <= -100_000 || parameters.SensorClockPpm >= 100_000)
            throw new ArgumentException($"sensor clock error {parameters.SensorClockPpm} ppm: must be within ±10 %");
        Parameters = parameters;
        Clock = new VirtualClock();
        Sensor = new ReplaySensor(recording, frameSize, Clock, parameters);
        Sleep = new VirtualSleep(Clock, parameters.WakeLatencyMicros, () => Sensor.Exhausted);
        Sink = new RecordingSink();
        Led = new VirtualLed(Clock);
    }

    public BoardParameters Parameters { get; }
    public VirtualClock Clock { get; }
    public ReplaySensor Sensor { get; }
    public VirtualSleep Sleep { get; }
    public RecordingSink Sink { get; }
    public VirtualLed Led { get; }
    /// <summary>A further observer told of every update and skip after the board (e.g. a simulator's trace); may be null.</summary>
    public ILoopObserver? Next { get; set; }
    /// <summary>CPU time spent in model updates, µs.</summary>
    public long UpdateCpuMicros { get; private set; }
    /// <summary>CPU time spent accounting skipped spans, µs.</summary>
    public long SkipCpuMicros { get; private set; }
    /// <summary>True when the run stopped because the loop waited for samples the recording no longer had (samples lost).</summary>
    public bool EndedShort { get; private set; }
    /// <summary>
    /// Updates on a sample read since the last update that is not the one the loop's step count says (a wrong
    /// schedule; must stay 0).
    /// </summary>
    public long MisalignedReads { get; private set; }
    /// <summary>Updates with no sample read since the last one (the loop repeated a sample over a loss: LossPolicy.RepeatLastSample).</summary>
    public long RepeatedUpdates { get; private set; }
    private long _readsAtLastUpdate;

    /// <summary>The loop for <paramref name="detector"/> on this board, with the board's timing in its settings.</summary>
    public StreamingLoop CreateLoop(StreamDetector detector, LoopSettings settings) =>
        new(detector, Sensor, Clock, Sleep, Sink, settings, this);

    /// <summary>Loop settings that match this board: its period, wake-up latency and sensor start-up.</summary>
    public LoopSettings DefaultSettings() => new(Parameters.SamplePeriodMicros)
    {
        WakeLatencyMicros = (int)Parameters.WakeLatencyMicros,
        SensorStartupMicros = (int)Parameters.SensorStartupMicros,
    };

    /// <summary>Runs the model over the whole recording: boot (self-test included), then the loop. Null loop if the boot refused.</summary>
    public StreamingLoop? RunRecording(byte[] modelFile, LoopSettings? settings = null)
    {
        StreamDetector? detector = AppBoot.Start(modelFile, Sink, out int blinks);
        if (detector == null)
        {
            AppBoot.ShowRefusal(Led, Sleep, blinks);
            return null;
        }
        StreamingLoop loop = CreateLoop(detector, settings ?? DefaultSettings());
        try
        {
            loop.RunUntil(Sensor.Samples);
        }
        catch (RecordingEndedException)
        {
            EndedShort = true;
        }
        return loop;
    }

    void ILoopObserver.Updated(long sampleIndex)
    {
        if (Sensor.Reads == _readsAtLastUpdate) RepeatedUpdates++;
        else if (Sensor.LastReadIndex != sampleIndex) MisalignedReads++;
        _readsAtLastUpdate = Sensor.Reads;
        UpdateCpuMicros += Parameters.UpdateMicros;
        Clock.Advance(Parameters.UpdateMicros);
        Next?.Updated(sampleIndex);
    }

    void ILoopObserver.Skipped(int samples)
    {
        SkipCpuMicros += Parameters.SkipMicros;
        Clock.Advance(Parameters.SkipMicros);
        Next?.Skipped(samples);
    }
}
