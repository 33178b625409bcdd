using System;
using System.Device.Gpio;
using System.IO.Ports;
using nanoFramework.Hardware.Esp32;
using SkipRnn.Edge.Application;
using SkipRnn.Edge.Native;
using SkipRnn.Edge.Streaming;
using SkipRnn.Firmware.Esp32;
using SkipRnn.Keyword.Board;

namespace SkipRnn.Keyword
{
    /// <summary>
    /// Always-on keyword spotting on an ESP32 DevKit + INMP441 I2S microphone (README.md: wiring, flashing, what the
    /// serial port shows). Boot: serial port, LED, model + self-test (refusal: a serial line and an LED code, forever),
    /// microphone probe; then the device's KeywordLoop (src/SkipRnn.Edge.Loops.Keyword): 16 kHz PCM into the integer
    /// front end, features computed only for the frames the Skip-GRU updates on, words (the model's ten-word rule) on
    /// serial and a GPIO pulse. Through skipped spans longer than the microphone's start-up its clock stops and the
    /// ESP32 light-sleeps; shorter spans keep it clocked and the samples are discarded (the I2S DMA stops in light sleep).
    /// On a firmware image built with firmware/native (interface version 4) the front end and update run in C, one
    /// interop call per computed frame on the loop's ring of raw I2S frames; on the stock image everything stays
    /// managed. The running line and every status line say which.
    /// </summary>
    public static class Program
    {
        /// <summary>LED blinks: the model is not a keyword model (no audio front end, or not 40 inputs).</summary>
        public const int BlinksNotKeywordModel = 6;
        /// <summary>LED blinks: the microphone gives a constant signal (no INMP441 on the I2S pins: wiring).</summary>
        public const int BlinksNoMicrophone = 5;
        /// <summary>PCM samples 16 kHz: the front end's rate.</summary>
        private const int SampleRate = 16000;
        /// <summary>
        /// I2S DMA buffers of 256 stereo frames (2 KiB each, 18 KiB in all, internal RAM): the driver's ready queue holds
        /// 8 of them, 2,048 samples = 128 ms at 16 kHz (firmware/README.md: why the queue holds buffers − 1).
        /// </summary>
        private const int DmaBuffers = 9;
        /// <summary>A status line every this many frames (one minute at 50 frames a second).</summary>
        private const int StatusEveryFrames = 3000;
        /// <summary>
        /// The loop may be silent this long past a wait it announced before the watchdog restarts the board: far above
        /// the longest step it takes without a word when well (a serial line waits at most 500 ms; a microphone restart
        /// installs the I2S driver; a computed frame on the stock interpreter takes 0.1–0.3 s, README.md).
        /// </summary>
        private const long WatchdogTimeoutMicros = 10000000;

        public static void Main()
        {
            Configuration.SetPinFunction(Pins.SerialTx, DeviceFunction.COM2_TX);   // COM2 is the ESP32's UART1
            Configuration.SetPinFunction(Pins.SerialRx, DeviceFunction.COM2_RX);
            var serial = new SerialPort("COM2", 115200);
            serial.Open();
            var gpio = new GpioController();
            var led = new GpioStatusLed(gpio, Pins.StatusLed);
            var sink = new SerialEventSink(serial, gpio, Pins.EventOut, "word", "frame", "audio buffer",
                "frames are too slow for 16 kHz");
            var clock = new EspClock();
            var sleep = new EspSleepTimer(clock);
            sink.Message("skiprnn keyword: boot");
            if (LoopWatchdogThread.RestartedByWatchdog)
                sink.Message("skiprnn: restarted by the loop watchdog (the loop had stopped; state and counters start again)");
            // Before the model is read: every runner built afterwards (the self-test's, the detector's) asks for the native kernel.
            bool native = NativeKernels.Install();

            StreamDetector detector = AppBoot.Start(KeywordModel.ReadBytes(), sink, out int blinks);
            if (detector == null) Refuse(led, sleep, blinks);
            sink.UseClassNames(detector.Rnn.Model.ClassNames);

            var mic = new I2sMicrophone(new Inmp441Bus(), SampleRate, DmaBuffers);
            var settings = new KeywordLoopSettings();
            settings.BufferSamples = mic.QueuedSamples;
            settings.DmaBufferSamples = I2sMicrophone.FramesPerDmaBuffer;
            settings.Policy = MicPolicy.SleepThroughSpans;      // falls back to a clocked microphone for spans shorter than its start-up
            KeywordLoop loop = null;
            try
            {
                loop = new KeywordLoop(detector, mic, clock, sleep, sink, settings, null);
            }
            catch (Exception e)
            {
                sink.Message("skiprnn: REFUSED: not a keyword model: " + e.Message);
                Refuse(led, sleep, BlinksNotKeywordModel);
            }
            if (!Probe(mic, sleep, settings.MicStartupMicros))
            {
                sink.Message("skiprnn: REFUSED: the microphone's signal is constant (INMP441 SCK GPIO14, WS GPIO15, SD GPIO32, L/R to GND): check the wiring");
                Refuse(led, sleep, BlinksNoMicrophone);
            }
            var watchdog = new LoopWatchdog(clock, WatchdogTimeoutMicros);
            loop.Watchdog = watchdog;
            LoopWatchdogThread.Start(watchdog, sink);
            string path = FrontEndPath(native, detector);
            sink.Message("skiprnn: running, words: " + Words(detector) + "; " + path + "; " + mic.QueuedSamples.ToString() +
                "-sample audio buffer, microphone stopped through spans past " + (settings.MicStartupMicros / 1000).ToString() + " ms");

            long nextStatus = StatusEveryFrames;
            while (true)
            {
                loop.RunOnce();
                if (detector.Step >= nextStatus)
                {
                    nextStatus += StatusEveryFrames;
                    Status(sink, loop, sleep, path);
                }
            }
        }

        // A wired INMP441 never gives 100 ms of one value (its noise floor is −87 dBFS, a few LSB of the 16 bits kept);
        // an unconnected SD line with its pull-down reads 0 throughout.
        private static bool Probe(I2sMicrophone mic, EspSleepTimer sleep, int startupMicros)
        {
            var pcm = new short[1600];
            mic.Start();
            sleep.Idle(startupMicros);
            mic.Read(pcm, 0, pcm.Length);
            mic.Stop();
            for (int i = 1; i < pcm.Length; i++)
                if (pcm[i] != pcm[0]) return true;
            return false;
        }

        // Which front end and update run: the native ones need the custom image and a runner that got the native kernel
        // (it stays managed when the firmware's runner slots or memory are exhausted).
        private static string FrontEndPath(bool installed, StreamDetector detector)
        {
            if (detector.Rnn.UsesFrameKernel) return "native path (custom firmware)";
            return installed ? "managed path (the native kernel could not open the model)" : "managed path (stock firmware)";
        }

        private static string Words(StreamDetector detector)
        {
            string[] names = detector.Rnn.Model.ClassNames;
            EventRule rule = detector.Smoother.Rule;
            string s = "";
            for (int c = 0; c < detector.Rnn.Model.OutputSize; c++)
            {
                if (!rule.IsEventClass(c)) continue;
                if (s.Length > 0) s += " ";
                s += names != null ? names[c] : c.ToString();
            }
            return s;
        }

        private static void Status(SerialEventSink sink, KeywordLoop loop, EspSleepTimer sleep, string path)
        {
            KeywordLoopCounters c = loop.Counters;
            long frames = c.Updates + c.SkippedFrames + c.MissedFrames;
            sink.Message("status: " + path + ", " + frames.ToString() + " frames, " + c.Updates.ToString() + " computed (" +
                (c.Updates * 100 / frames).ToString() + " %), " + c.SamplesRead.ToString() + " samples read, " +
                c.SamplesDiscarded.ToString() + " discarded, " + c.MicStops.ToString() + " microphone stops, " +
                c.LightSleeps.ToString() + " light sleeps (" + (c.LightSleepMicros / 1000000).ToString() + " s), words " +
                c.Events.ToString() + (c.MissedFrames > 0 ? ", " + c.MissedFrames.ToString() + " frames missed (buffer overrun or late restart)" : "") +
                (sleep.Refused > 0 ? ", light sleep refused " + sleep.Refused.ToString() + " times" : "") +
                ", buffer overflows " + c.Overflows.ToString() + " (" + c.SamplesLost.ToString() + " samples lost)" +
                ", microphone faults " + c.MicFaults.ToString() + ", DMA stalls " + c.MicStalls.ToString() + " (realigned, " +
                c.SamplesLostToStalls.ToString() + " samples lost), late wake-ups " + c.LateWakeups.ToString() + ", serial lines dropped " + sink.DroppedLines.ToString());
        }

        private static void Refuse(IStatusLed led, ISleepTimer sleep, int blinks)
        {
            while (true) AppBoot.ShowRefusal(led, sleep, blinks);
        }
    }
}
