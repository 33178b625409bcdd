using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// The audio front end a model was trained on, stored in the model file's optional front-end section
    /// (docs/model-format.md): the pipeline's kind and every parameter of it. This runtime computes one pipeline,
    /// log-mel version 1 (docs/audio-front-end.md); a file that asks for anything else is refused with the field
    /// and both values named, so a model is never fed features it was not trained on.
    /// It lives in the runtime (the model reader builds it), not in the audio library, so that reading a model
    /// never needs the front end; the namespace stays SkipRnn.Edge.Audio. The LogMel* constants are the values
    /// the audio library's AudioFrontEnd computes (AudioFrontEndTests checks they agree).
    /// </summary>
    public sealed class FrontEndSpec
    {
        /// <summary>The section layout version this runtime reads and writes.</summary>
        public const int Version = 1;
        /// <summary>Kind 1: the log-mel pipeline of docs/audio-front-end.md.</summary>
        public const int KindLogMel = 1;
        /// <summary>Bytes of the section.</summary>
        public const int SectionBytes = 19;

        /// <summary>The log-mel pipeline's parameters, as SkipRnn.Edge.Audio.AudioFrontEnd computes them.</summary>
        public const int LogMelSampleRate = 16000;
        /// <summary>Samples per frame (FrameWindow.Length).</summary>
        public const int LogMelFrameLength = 480;
        /// <summary>Samples between frames.</summary>
        public const int LogMelHopLength = 320;
        /// <summary>FFT size (LogMelFftSize).</summary>
        public const int LogMelFftSize = 512;
        /// <summary>Mel bands (MelFilterbank.Bands).</summary>
        public const int LogMelBands = 40;
        /// <summary>Fractional bits of the features (LogEnergy.OutputFractionBits).</summary>
        public const int LogMelFeatureFracBits = 10;

        /// <summary>Pipeline kind (1 = log-mel).</summary>
        public int Kind { get; private set; }
        /// <summary>Samples per second.</summary>
        public int SampleRate { get; private set; }
        /// <summary>Samples per frame.</summary>
        public int FrameLength { get; private set; }
        /// <summary>Samples between frames.</summary>
        public int HopLength { get; private set; }
        /// <summary>FFT size.</summary>
        public int FftSize { get; private set; }
        /// <summary>Mel bands (features per frame).</summary>
        public int Bands { get; private set; }
        /// <summary>Lowest band edge, Hz.</summary>
        public int LowHz { get; private set; }
        /// <summary>Highest band edge, Hz.</summary>
        public int HighHz { get; private set; }
        /// <summary>The log floor is 10^LogFloorExponent.</summary>
        public int LogFloorExponent { get; private set; }
        /// <summary>Fractional bits of the int16 features.</summary>
        public int FeatureFracBits { get; private set; }

        /// <summary>The pipeline this runtime computes (SkipRnn.Edge.Audio.AudioFrontEnd).</summary>
        public static FrontEndSpec LogMel()
        {
            return new FrontEndSpec(KindLogMel, LogMelSampleRate, LogMelFrameLength, LogMelHopLength,
                LogMelFftSize, LogMelBands, 20, 8000, -6, LogMelFeatureFracBits);
        }

        /// <summary>Validates every parameter against the pipeline this runtime computes.</summary>
        public FrontEndSpec(int kind, int sampleRate, int frameLength, int hopLength, int fftSize, int bands,
            int lowHz, int highHz, int logFloorExponent, int featureFracBits)
        {
            if (kind != KindLogMel)
                throw new ModelFormatException("front_end.kind", "is " + kind.ToString() + "; this runtime computes kind 1 (log-mel) only");
            Expect("front_end.sample_rate", sampleRate, LogMelSampleRate);
            Expect("front_end.frame_length", frameLength, LogMelFrameLength);
            Expect("front_end.hop_length", hopLength, LogMelHopLength);
            Expect("front_end.fft_size", fftSize, LogMelFftSize);
            Expect("front_end.bands", bands, LogMelBands);
            Expect("front_end.low_hz", lowHz, 20);
            Expect("front_end.high_hz", highHz, 8000);
            Expect("front_end.log_floor_exponent", logFloorExponent, -6);
            Expect("front_end.feature_frac_bits", featureFracBits, LogMelFeatureFracBits);
            Kind = kind;
            SampleRate = sampleRate;
            FrameLength = frameLength;
            HopLength = hopLength;
            FftSize = fftSize;
            Bands = bands;
            LowHz = lowHz;
            HighHz = highHz;
            LogFloorExponent = logFloorExponent;
            FeatureFracBits = featureFracBits;
        }

        private static void Expect(string field, int value, int supported)
        {
            if (value != supported)
                throw new ModelFormatException(field, "is " + value.ToString() + "; this runtime's front end computes " +
                    supported.ToString() + " (docs/audio-front-end.md)");
        }
    }
}
