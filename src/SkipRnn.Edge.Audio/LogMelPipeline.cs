using System;

namespace SkipRnn.Edge.Audio
{
    /// <summary>
    /// One frame's features: window (block floating point) → 512-point real FFT → power → 40 mel bands → ln in
    /// Q10. Stateless between frames; all buffers are allocated once here, none per frame. The stage buffers stay
    /// readable after <see cref="Compute"/> so tests can compare each stage with the float reference
    /// (docs/audio-front-end.md gives the float value of each: <see cref="Shift"/> is the window stage's r).
    /// </summary>
    public sealed class LogMelPipeline
    {
        /// <summary>Samples per frame.</summary>
        public const int FrameLength = FrameWindow.Length;
        /// <summary>Features per frame.</summary>
        public const int Bands = MelFilterbank.Bands;

        private readonly long[] _products = new long[FrameLength];
        private readonly int[] _windowed = new int[FrameLength];
        private readonly int[] _re = new int[RealFft512.Bins];
        private readonly int[] _im = new int[RealFft512.Bins];
        private readonly long[] _power = new long[RealFft512.Bins];
        private readonly long[] _energy = new long[Bands];
        private int _shift, _powerShift;

        /// <summary>Stage 1 output: windowed samples ≈ x·w·2^(45 − Shift).</summary>
        public int[] Windowed { get { return _windowed; } }
        /// <summary>Stage 2 output, real parts, bins 0..256: ≈ Re X · 2^(36 − Shift).</summary>
        public int[] SpectrumReal { get { return _re; } }
        /// <summary>Stage 2 output, imaginary parts.</summary>
        public int[] SpectrumImaginary { get { return _im; } }
        /// <summary>Stage 3 output: ≈ |X|² · 2^(72 − 2·Shift).</summary>
        public long[] Power { get { return _power; } }
        /// <summary>Stage 4 output: ≈ E · 2^(87 − 2·Shift − PowerShift).</summary>
        public long[] Energy { get { return _energy; } }
        /// <summary>The last frame's block shift r (<see cref="int.MinValue"/> for a silent frame).</summary>
        public int Shift { get { return _shift; } }
        /// <summary>The last frame's power shift s (<see cref="MelFilterbank.PowerShift"/>).</summary>
        public int PowerShift { get { return _powerShift; } }

        /// <summary>
        /// Computes the 40 Q10 features of <paramref name="frame"/>[offset .. offset+480) into
        /// <paramref name="features"/>[featureOffset ..] (int32 slots holding int16 values, the SkipGru's input type).
        /// </summary>
        public void Compute(short[] frame, int offset, int[] features, int featureOffset)
        {
            if (frame == null || features == null) throw new ArgumentNullException(frame == null ? "frame" : "features");
            if (offset < 0 || offset > frame.Length - FrameLength) throw new ArgumentOutOfRangeException("offset");
            if (featureOffset < 0 || featureOffset > features.Length - Bands) throw new ArgumentOutOfRangeException("featureOffset");
            int r = FrameWindow.Apply(frame, offset, _products, _windowed);
            _shift = r;
            if (r == int.MinValue)
            {
                // Digital silence: every band is at the floor; the FFT is skipped.
                for (int k = 0; k < RealFft512.Bins; k++) { _re[k] = 0; _im[k] = 0; _power[k] = 0; }
                for (int m = 0; m < Bands; m++) { _energy[m] = 0; features[featureOffset + m] = LogEnergy.FloorFeature; }
                return;
            }
            RealFft512.Transform(_windowed, FrameLength, _re, _im);
            int s = MelFilterbank.PowerShift(PowerSpectrum.Compute(_re, _im, _power));
            _powerShift = s;
            MelFilterbank.Apply(_power, s, _energy);
            int exponent = 87 - 2 * r - s;             // energy = E · 2^exponent (MelFilterbank)
            for (int m = 0; m < Bands; m++) features[featureOffset + m] = LogEnergy.Compute(_energy[m], exponent);
        }
    }
}
