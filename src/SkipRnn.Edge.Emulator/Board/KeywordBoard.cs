#nullable disable
#nullable enable
using System;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Audio;
using SkipRnn.Edge.Streaming;

namespace SkipRnn.Edge.Emulator.Board;

/// <summary>
/// An ESP32 + INMP441 in virtual time, replaying one PCM16 stream, with the device's <see cref="KeywordLoop"/> running
/// on it unchanged. Frame and skip costs advance the clock (through <see cref="ILoopObserver"/>), reads and discards
/// their copy time, sleeps their wake-up latency. It checks that every frame the loop updated on was computed on the stream
/// samples it should (frame t's window is stream samples 320 t … 320 t + 479: <see cref="MisalignedFrames"/>).
/// </summary>
public sealed class KeywordBoard : ILoopObserver
{
    public KeywordBoard(short[] pcm, AudioBoardParameters parameters) : this(new PcmArray(pcm), parameters)
    {
    }

    /// <summary>The board over a stream read as it plays (e.g. a long wav file, in bounded memory).</summary>
    public KeywordBoard(IPcmSamples pcm, AudioBoardParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.UpdateMicros < 0 || parameters.SkipMicros < 0) throw new ArgumentException("update and skip costs must not be negative");
        Parameters = parameters;
        Clock = new VirtualClock();
        Sleep = new VirtualSleep(Clock, parameters.WakeLatencyMicros);
        Mic = new VirtualMicrophone(pcm, Clock, Sleep, parameters);
        if (parameters.BufferSamples < AudioFrontEnd.FrameLength || parameters.BufferSamples % VirtualMicrophone.FramesPerDmaBuffer != 0)
            throw new ArgumentException($"a ready queue of {parameters.BufferSamples} samples: a whole number of {VirtualMicrophone.FramesPerDmaBuffer}-sample DMA buffers, at least a frame");
        Microphone = new I2sMicrophone(Mic, parameters.SampleRate, parameters.BufferSamples / VirtualMicrophone.FramesPerDmaBuffer + 1);
        Source = new MeteredAudioSource(Microphone, Clock, parameters);
        Source.AfterReadSlots = count => _reads[_readsNext++ % _reads.Length] = (Mic.LastReadIndex, count, Mic.LastReadWhole);
        BoardSleep = new MicAwareSleep(Sleep, Mic);
        Sink = new RecordingSink();
        Led = new VirtualLed(Clock);
    }

    public AudioBoardParameters Parameters { get; }
    public VirtualClock Clock { get; }
    public VirtualSleep Sleep { get; }
    /// <summary>The sleep timer the loop gets: refuses light sleep with the microphone clocked.</summary>
    public MicAwareSleep BoardSleep { get; }
    /// <summary>The INMP441 behind the ESP32's I2S driver (DMA queue, frame layout).</summary>
    public VirtualMicrophone Mic { get; }
    /// <summary>The device's microphone class over it (the firmware's, unchanged).</summary>
    public I2sMicrophone Microphone { get; }
    /// <summary>What the loop reads: <see cref="Microphone"/> with its copy costs on the clock.</summary>
    public MeteredAudioSource Source { get; }
    public RecordingSink Sink { get; }
    public VirtualLed Led { get; }
    /// <summary>CPU time of updated frames, µs.</summary>
    public long UpdateCpuMicros { get; private set; }
    /// <summary>CPU time of skipped spans, µs.</summary>
    public long SkipCpuMicros { get; private set; }
    // The last reads into the loop's ring: (stream index of the last sample, samples, consecutive), oldest overwritten.
    private readonly (long Last, int Count, bool Whole)[] _reads = new (long, int, bool)[64];
    private long _readsNext;

    /// <summary>
    /// Frames updated on a window other than the one their index says (must stay 0): the last 480 samples read into the
    /// loop's ring before the update must be stream samples 320 t … 320 t + 479, in order, without a gap.
    /// </summary>
    public long MisalignedFrames { get; private set; }
    /// <summary>The first of them (−1: none).</summary>
    public long FirstMisalignedFrame { get; private set; } = -1;
    /// <summary>Frames updated on a window that holds start-up zeros (must stay 0).</summary>
    public long FramesWithZeros { get; private set; }
    /// <summary>The longest skipped span the loop accounted, frames.</summary>
    public int LongestSpan { get; private set; }
    /// <summary>True when the loop waited for samples past the stream's end.</summary>
    public bool EndedShort { get; private set; }

    /// <summary>Frames in the stream: frame t covers samples [320 t, 320 t + 480).</summary>
    public long Frames => Mic.Samples < AudioFrontEnd.FrameLength ? 0 : 1 + (Mic.Samples - AudioFrontEnd.FrameLength) / AudioFrontEnd.HopLength;

    /// <summary>Loop settings that match this board (its wake-up latency and microphone start-up).</summary>
    public KeywordLoopSettings DefaultSettings() => new()
    {
        WakeLatencyMicros = (int)Parameters.WakeLatencyMicros,
        MicStartupMicros = (int)Parameters.MicStartupMicros,
        BufferSamples = Microphone.QueuedSamples,
        DmaBufferSamples = I2sMicrophone.FramesPerDmaBuffer,
    };

    /// <summary>The loop for <paramref name="detector"/> on this board.</summary>
    public KeywordLoop CreateLoop(StreamDetector detector, KeywordLoopSettings settings) =>
        new(detector, Source, Clock, BoardSleep, Sink, settings, this);

    /// <summary>Boot (self-test included), then the loop over the whole stream. Null if the boot refused.</summary>
    public KeywordLoop? RunStream(byte[] modelFile, KeywordLoopSettings? settings = null)
    {
        StreamDetector? detector = AppBoot.Start(modelFile, Sink, out int blinks);
        if (detector == null)
        {
            AppBoot.ShowRefusal(Led, Sleep, blinks);
            return null;
        }
        KeywordLoop loop = CreateLoop(detector, settings ?? DefaultSettings());
        try
        {
            loop.RunUntil(Frames);
        }
        catch (RecordingEndedException)
        {
            EndedShort = true;
        }
        return loop;
    }

    void ILoopObserver.Updated(long frame)
    {
        if (!WindowIsWhole(frame))
        {
            if (MisalignedFrames == 0) FirstMisalignedFrame = frame;
            MisalignedFrames++;
        }
        if (Mic.LastZeroIndex >= frame * AudioFrontEnd.HopLength) FramesWithZeros++;
        UpdateCpuMicros += Parameters.UpdateMicros;
        Clock.Advance(Parameters.UpdateMicros);
        Mic.Poll();
    }

    // Walks back through the last reads: each must end where the one after it began, the newest on the frame's last sample.
    private bool WindowIsWhole(long frame)
    {
        long expected = frame * AudioFrontEnd.HopLength + AudioFrontEnd.FrameLength - 1;
        int need = AudioFrontEnd.FrameLength;
        for (long k = _readsNext - 1; need > 0; k--)
        {
            if (k < 0 || k <= _readsNext - 1 - _reads.Length) return false;
            var (last, count, whole) = _reads[k % _reads.Length];
            if (last != expected || !whole) return false;
            int take = Math.Min(count, need);
            expected -= take;
            need -= take;
        }
        return true;
    }

    void ILoopObserver.Skipped(int frames)
    {
        if (frames > LongestSpan) LongestSpan = frames;
        SkipCpuMicros += Parameters.SkipMicros;
        Clock.Advance(Parameters.SkipMicros);
        Mic.Poll();
    }
}
