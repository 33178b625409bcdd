namespace SkipRnn.Edge.Application
{
    /// <summary>
    /// A microphone stream of int16 PCM (an I2S MEMS microphone such as the INMP441; firmware/keyword/Board). Unlike an
    /// IMU it has no FIFO of its own: the driver's DMA buffer is the FIFO, and it fills only while the microphone is
    /// clocked (<see cref="Start"/>) and the CPU's peripheral clock runs (not in light sleep). A keyword application
    /// puts its audio front end on top of this (PCM hops → feature frames, one model step per frame).
    /// </summary>
    public interface IAudioSource
    {
        /// <summary>PCM samples per second.</summary>
        int SampleRate { get; }
        /// <summary>True while the microphone is clocked and samples arrive.</summary>
        bool Running { get; }
        /// <summary>Clocks the microphone; samples arrive after its start-up time.</summary>
        void Start();
        /// <summary>Stops the clock (the microphone sleeps); buffered samples are dropped.</summary>
        void Stop();
        /// <summary>The next <paramref name="count"/> samples into pcm[offset..], waiting until they have arrived.</summary>
        void Read(short[] pcm, int offset, int count);
        /// <summary>
        /// The next <paramref name="count"/> samples as raw I2S frames into slots[offset..] (8 bytes a sample,
        /// <see cref="SkipRnn.Edge.Audio.I2sSlots"/>: the sample is the left slot's top 16 bits), waiting until they have
        /// arrived. What the keyword loop reads: no per-sample work, the samples are unpacked only for computed frames.
        /// </summary>
        void ReadSlots(byte[] slots, int offset, int count);
        /// <summary>Drops the next <paramref name="count"/> samples, waiting until they have arrived.</summary>
        void Discard(int count);
    }
}
