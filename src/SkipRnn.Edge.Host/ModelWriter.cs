using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using SkipRnn.Edge.Format;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Host
{
    /// <summary>
    /// Writes a <see cref="SkipGruModel"/> as a model file (docs/model-format.md). Host code: the
    /// converter's exporter. The model was validated on construction, so any model it gets is writable.
    /// </summary>
    public static class ModelWriter
    {
        /// <summary>The complete file: header with CRC-32, then the payload.</summary>
        public static byte[] ToBytes(SkipGruModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            byte[] payload = WritePayload(model);
            var file = new byte[ModelFileLayout.HeaderSize + payload.Length];
            var w = new BinaryWriter(new MemoryStream(file));   // BinaryWriter is little-endian
            w.Write(ModelFileLayout.Magic);
            w.Write((ushort)ModelFileLayout.Version);
            w.Write((ushort)0);
            w.Write((uint)payload.Length);
            w.Write(System.IO.Hashing.Crc32.HashToUInt32(payload));
            w.Write(payload);
            return file;
        }

        /// <summary>
        /// Writes the file atomically: to a temporary file beside <paramref name="path"/>, then renamed over it,
        /// so a reader never sees a half-written model.
        /// </summary>
        public static void WriteFile(SkipGruModel model, string path)
        {
            AtomicFile.WriteAllBytes(path, ToBytes(model));
        }

        private static byte[] WritePayload(SkipGruModel m)
        {
            var stream = new MemoryStream();
            var w = new BinaryWriter(stream);
            int flags = (m.ClassNames != null ? ModelFileLayout.FlagClassNames : 0) |
                        (m.SelfTest != null ? ModelFileLayout.FlagSelfTest : 0) |
                        (m.EventRule != null ? ModelFileLayout.FlagEventRule : 0) |
                        (m.FrontEnd != null ? ModelFileLayout.FlagFrontEnd : 0);
            w.Write((byte)m.Variant);
            w.Write((byte)m.Layers.Length);
            w.Write((ushort)m.InputSize);
            w.Write((ushort)m.HiddenSize);
            w.Write((ushort)m.OutputSize);
            w.Write(m.SamplePeriodMicros);
            w.Write((byte)m.InputFracBits);
            w.Write((byte)flags);

            for (int j = 0; j < m.InputSize; j++)
            {
                w.Write(m.Input.Multiplier[j]);
                w.Write(m.Input.Addend[j]);
                w.Write(m.Input.Shift[j]);
            }
            foreach (GruLayerWeights layer in m.Layers)
            {
                WriteMatrix(w, layer.Wih);
                WriteMatrix(w, layer.Whh);
                foreach (int b in layer.Bih) w.Write(b);
                foreach (int b in layer.Bhh) w.Write(b);
            }
            WriteMatrix(w, m.SkipGate);
            w.Write(m.SkipBias);
            if (m.Head != null)
            {
                WriteMatrix(w, m.Head);
                foreach (int b in m.HeadBias) w.Write(b);
            }
            if (m.ClassNames != null)
            {
                foreach (string name in m.ClassNames)
                {
                    w.Write((byte)name.Length);
                    w.Write(Encoding.ASCII.GetBytes(name));
                }
            }
            if (m.SelfTest != null)
            {
                SelfTestVectors v = m.SelfTest;
                int inputs = m.InputSize, states = m.Layers.Length * m.HiddenSize, outputs = m.OutputSize;
                if (v.Steps > ModelFileLayout.MaxSelfTestSteps)
                    throw new ArgumentException($"Self-test vectors hold {v.Steps} steps; the file allows {ModelFileLayout.MaxSelfTestSteps}.");
                w.Write((ushort)v.Steps);
                for (int t = 0; t < v.Steps; t++)
                {
                    for (int j = 0; j < inputs; j++) w.Write(v.RawInputs[t * inputs + j]);
                    w.Write((byte)(v.Updated[t] ? 1 : 0));
                    for (int s = 0; s < states; s++) w.Write(v.States[t * states + s]);
                    for (int o = 0; o < outputs; o++) w.Write(v.Outputs[t * outputs + o]);
                }
            }
            // ---- optional streaming event rule (flags bit 2) ----
            if (m.EventRule != null)
            {
                // One event class: version 1 (files written before version 2 stay byte-identical); several: version 2, a class mask.
                int version = m.EventRule.SectionVersion;
                w.Write((byte)version);
                if (version == Streaming.EventRule.VersionPerClass)
                {
                    // Version 3: thresholds per event class (ascending class order) and a minimum duration.
                    w.Write(m.EventRule.EventMask);
                    w.Write((byte)m.EventRule.Shift);
                    w.Write(m.EventRule.RefractorySteps);
                    w.Write((ushort)m.EventRule.MinSteps);
                    for (int c = 0; c < Streaming.EventRule.MaxClasses; c++)
                    {
                        if (!m.EventRule.IsEventClass(c)) continue;
                        w.Write(m.EventRule.OnOf(c));
                        w.Write(m.EventRule.OffOf(c));
                    }
                }
                else
                {
                    if (version == Streaming.EventRule.Version) w.Write((byte)m.EventRule.EventClass);
                    else w.Write(m.EventRule.EventMask);
                    w.Write((byte)m.EventRule.Shift);
                    w.Write(m.EventRule.On);
                    w.Write(m.EventRule.Off);
                    w.Write(m.EventRule.RefractorySteps);
                }
            }
            // ---- optional audio front end (flags bit 3) ----
            if (m.FrontEnd != null)
            {
                SkipRnn.Edge.Audio.FrontEndSpec f = m.FrontEnd;
                w.Write((byte)SkipRnn.Edge.Audio.FrontEndSpec.Version);
                w.Write((byte)f.Kind);
                w.Write(f.SampleRate);
                w.Write((ushort)f.FrameLength);
                w.Write((ushort)f.HopLength);
                w.Write((ushort)f.FftSize);
                w.Write((byte)f.Bands);
                w.Write((ushort)f.LowHz);
                w.Write((ushort)f.HighHz);
                w.Write((sbyte)f.LogFloorExponent);
                w.Write((byte)f.FeatureFracBits);
            }
            w.Flush();
            return stream.ToArray();
        }

        private static void WriteMatrix(BinaryWriter w, QuantizedMatrix q)
        {
            w.Write((byte)q.WeightBits);
            w.Write((ushort)q.Rows);
            w.Write((ushort)q.Cols);
            foreach (int m in q.Multiplier) w.Write(m);
            w.Write(q.Shift);
            if (q.WeightBits == 8)
                foreach (sbyte v in q.Weights8) w.Write(v);
            else
                foreach (short v in q.Weights16) w.Write(v);
        }
    }

    /// <summary>
    /// Whole-file writes that never leave a half-written file at the destination. The bytes go to a hidden temporary
    /// sibling <c>.NAME.PID.GUID.tmp</c>, flushed to disk, then renamed over NAME. A process killed inside that window
    /// (SIGKILL, power loss) cannot delete its temporary file, so every write first removes the temporary files of the
    /// same destination whose process no longer runs: at most one stale temporary per killed write, until the next
    /// write to that name.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Writes to a temporary sibling, flushes it to disk, then renames it over <paramref name="path"/>.</summary>
        public static void WriteAllBytes(string path, byte[] bytes)
        {
            string full = Path.GetFullPath(path);
            string folder = Path.GetDirectoryName(full)!;
            string prefix = "." + Path.GetFileName(full) + ".";
            RemoveStaleTemporaries(folder, prefix);
            string temp = Path.Combine(folder, prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." +
                                               Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                {
                    f.Write(bytes);
                    f.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }

        /// <summary>The temporary files of earlier writes to this destination whose process has gone (killed mid-write).</summary>
        public static IReadOnlyList<string> StaleTemporaries(string path)
        {
            string full = Path.GetFullPath(path);
            return Stale(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".").ToList();
        }

        private static void RemoveStaleTemporaries(string folder, string prefix)
        {
            foreach (string stale in Stale(folder, prefix))
            {
                try
                {
                    File.Delete(stale);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Someone else's file, or already gone: leave it; the write itself does not depend on it.
                }
            }
        }

        private static IEnumerable<string> Stale(string folder, string prefix)
        {
            if (!Directory.Exists(folder)) yield break;
            foreach (string file in Directory.EnumerateFiles(folder, "*.tmp"))
            {
                string name = Path.GetFileName(file);
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                // PID "." 32 hex digits ".tmp": only names this class makes are touched.
                string[] parts = name.Substring(prefix.Length).Split('.');
                if (parts.Length != 3 || parts[1].Length != 32 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                    continue;
                if (!IsRunning(pid)) yield return file;
            }
        }

        private static bool IsRunning(int pid)
        {
            if (pid == Environment.ProcessId) return true;
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return false;
            }
        }

        /// <summary>Text variant of <see cref="WriteAllBytes"/> (UTF-8, no BOM).</summary>
        public static void WriteAllText(string path, string text)
        {
            WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
        }
    }
}
