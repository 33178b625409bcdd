using System;

namespace SkipRnn.Edge.Host.Audio
{
    /// <summary>
    /// The float64 reference of the audio front end, the same definition as models/train/keyword/features.py
    /// (docs/audio-front-end.md): x = pcm / 32768, 480-sample frames every 320, periodic Hann, 512-point real DFT
    /// (computed directly, twiddles indexed by n·k mod 512 so no angle error accumulates), power, 40 HTK mel
    /// triangles 20–8000 Hz, ln(E + 1e−6). Host only: the yardstick the integer pipeline is measured against.
    /// Each stage is public so its error can be stated separately.
    /// </summary>
    public static class FloatLogMel
    {
        public const int SampleRate = 16000, FrameLength = 480, HopLength = 320, FftSize = 512, Bins = 257, Bands = 40;
        public const double MelLowHz = 20.0, MelHighHz = 8000.0, LogFloor = 1e-6;

        private static readonly double[] s_window = BuildWindow();
        private static readonly double[] s_cos = new double[FftSize], s_sin = new double[FftSize];
        private static readonly double[][] s_mel = BuildMel();

        static FloatLogMel()
        {
            for (int i = 0; i < FftSize; i++)
            {
                s_cos[i] = Math.Cos(2 * Math.PI * i / FftSize);
                s_sin[i] = Math.Sin(2 * Math.PI * i / FftSize);
            }
        }

        /// <summary>Periodic Hann window, 480 points.</summary>
        public static double[] Window() { return (double[])s_window.Clone(); }

        /// <summary>The (40 × 257) triangular weights.</summary>
        public static double[][] MelWeights()
        {
            var copy = new double[Bands][];
            for (int m = 0; m < Bands; m++) copy[m] = (double[])s_mel[m].Clone();
            return copy;
        }

        public static double HzToMel(double f) { return 2595.0 * Math.Log10(1.0 + f / 700.0); }
        public static double MelToHz(double m) { return 700.0 * (Math.Pow(10.0, m / 2595.0) - 1.0); }

        /// <summary>Frames in a clip of n samples: 1 + (n − 480) / 320, or 0 when n &lt; 480.</summary>
        public static int FrameCount(int n) { return n < FrameLength ? 0 : 1 + (n - FrameLength) / HopLength; }

        /// <summary>Stage 1: x·w for the 480 samples at <paramref name="offset"/>.</summary>
        public static double[] Windowed(short[] pcm, int offset)
        {
            if (pcm == null) throw new ArgumentNullException(nameof(pcm));
            if (offset < 0 || offset > pcm.Length - FrameLength) throw new ArgumentOutOfRangeException(nameof(offset));
            var y = new double[FrameLength];
            for (int n = 0; n < FrameLength; n++) y[n] = pcm[offset + n] / 32768.0 * s_window[n];
            return y;
        }

        /// <summary>Stage 2: the DFT of the zero-padded windowed frame, bins 0..256 (real, imaginary).</summary>
        public static void Spectrum(double[] windowed, double[] re, double[] im)
        {
            for (int k = 0; k < Bins; k++)
            {
                double sr = 0, si = 0;
                for (int n = 0; n < windowed.Length; n++)
                {
                    int t = (n * k) & (FftSize - 1);
                    sr += windowed[n] * s_cos[t];
                    si -= windowed[n] * s_sin[t];
                }
                re[k] = sr;
                im[k] = si;
            }
        }

        /// <summary>Stage 3: |X[k]|².</summary>
        public static double[] Power(short[] pcm, int offset)
        {
            var re = new double[Bins];
            var im = new double[Bins];
            Spectrum(Windowed(pcm, offset), re, im);
            var p = new double[Bins];
            for (int k = 0; k < Bins; k++) p[k] = re[k] * re[k] + im[k] * im[k];
            return p;
        }

        /// <summary>Stage 4: the 40 band energies of a power spectrum.</summary>
        public static double[] MelEnergies(double[] power)
        {
            var e = new double[Bands];
            for (int m = 0; m < Bands; m++)
            {
                double s = 0;
                for (int k = 0; k < Bins; k++) s += s_mel[m][k] * power[k];
                e[m] = s;
            }
            return e;
        }

        /// <summary>Stage 5: ln(E + 1e−6) of one frame.</summary>
        public static double[] FrameFeatures(short[] pcm, int offset)
        {
            double[] e = MelEnergies(Power(pcm, offset));
            for (int m = 0; m < Bands; m++) e[m] = Math.Log(e[m] + LogFloor);
            return e;
        }

        /// <summary>All frames of a clip: [frame][band].</summary>
        public static double[][] ClipFeatures(short[] pcm)
        {
            if (pcm == null) throw new ArgumentNullException(nameof(pcm));
            var f = new double[FrameCount(pcm.Length)][];
            for (int t = 0; t < f.Length; t++) f[t] = FrameFeatures(pcm, t * HopLength);
            return f;
        }

        private static double[] BuildWindow()
        {
            var w = new double[FrameLength];
            for (int n = 0; n < FrameLength; n++) w[n] = 0.5 - 0.5 * Math.Cos(2.0 * Math.PI * n / FrameLength);
            return w;
        }

        private static double[][] BuildMel()
        {
            double lo = HzToMel(MelLowHz), hi = HzToMel(MelHighHz);
            var edges = new double[Bands + 2];
            // numpy.linspace: lo + i·step, the last point exactly hi
            double step = (hi - lo) / (Bands + 1);
            for (int i = 0; i < edges.Length; i++) edges[i] = MelToHz(i == Bands + 1 ? hi : lo + i * step);
            var w = new double[Bands][];
            for (int m = 0; m < Bands; m++)
            {
                w[m] = new double[Bins];
                for (int k = 0; k < Bins; k++)
                {
                    double f = (double)k * SampleRate / FftSize;
                    double rise = (f - edges[m]) / (edges[m + 1] - edges[m]);
                    double fall = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                    w[m][k] = Math.Max(0.0, Math.Min(rise, fall));
                }
            }
            return w;
        }
    }
}
