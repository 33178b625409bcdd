using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace SkipRnn.Edge.Emulator.Simulation;

/// <summary>
/// A board's time and power figures for `skiprnn simulate` (firmware/profiles/*.json, format in
/// firmware/profiles/README.md). Every number is an object <c>{ "value": v, "source": "where it comes from" }</c>:
/// a number without its source is refused, like a missing, non-finite, negative or out-of-range one, with an error
/// naming the file and the field.
/// </summary>
public sealed record DeviceProfile
{
    /// <summary>The profile shipped as the default (a copy of firmware/profiles/esp32-240mhz.json).</summary>
    public const string DefaultName = "esp32-240mhz.json";

    public required string Name { get; init; }
    /// <summary>Where the profile was read from (a path, or "built-in esp32-240mhz.json").</summary>
    public required string Source { get; init; }
    public required double CpuClockMhz { get; init; }
    /// <summary>CPU current while the interpreter runs (updates, skips, the managed side of reads).</summary>
    public required double CpuBusyMa { get; init; }
    /// <summary>CPU current while awake but waiting (idle, an I2C transfer in flight).</summary>
    public required double CpuIdleMa { get; init; }
    public required double LightSleepMa { get; init; }
    public required double WakeLatencyUs { get; init; }
    public required double WakeCurrentMa { get; init; }
    /// <summary>ESP32 cycles per x86 instruction of the Linux nanoCLR, fast end of the range.</summary>
    public required double CyclesPerX86Fast { get; init; }
    /// <summary>Slow end of the same range.</summary>
    public required double CyclesPerX86Slow { get; init; }
    public required double I2cClockHz { get; init; }
    public required double I2cReadBytes { get; init; }
    public required double I2cReadTransactions { get; init; }
    public required double I2cDiscardBytes { get; init; }
    public required double I2cDiscardTransactions { get; init; }
    public required double SensorActiveMa { get; init; }
    public required double SensorSleepMa { get; init; }
    public required double SensorStartupUs { get; init; }
    public required double FifoCapacitySamples { get; init; }
    /// <summary>I2S microphone (INMP441) clocked and sampling: the keyword loop's sensor.</summary>
    public required double MicActiveMa { get; init; }
    /// <summary>The microphone with its clock stopped (standby).</summary>
    public required double MicStandbyMa { get; init; }
    /// <summary>Clock start to the microphone's first valid sample.</summary>
    public required double MicStartupUs { get; init; }
    /// <summary>The I2S driver's DMA buffer in samples: the keyword loop's FIFO.</summary>
    public required double I2sBufferSamples { get; init; }
    public required double BatteryCapacityMah { get; init; }
    public required double BatteryVoltageV { get; init; }
    /// <summary>
    /// The native path of a custom firmware (firmware/native: the keyword front end and update in C, one interop call per
    /// computed frame), when the profile states it (the native_* fields, all or none); null for the stock firmware.
    /// </summary>
    public NativePathCosts? Native { get; init; }
    /// <summary>Field name → its source text, as the file states it.</summary>
    public required IReadOnlyDictionary<string, string> Sources { get; init; }

    /// <summary>Bus time of one sample read: 9 bit times per byte (8 + acknowledge) and 3 per transaction (start, repeated start, stop).</summary>
    public double ReadBusUs => BusUs(I2cReadBytes, I2cReadTransactions);
    /// <summary>Bus time of dropping one sample from the FIFO.</summary>
    public double DiscardBusUs => BusUs(I2cDiscardBytes, I2cDiscardTransactions);

    private double BusUs(double bytes, double transactions) => (9 * bytes + 3 * transactions) * 1e6 / I2cClockHz;

    /// <summary>
    /// The shortest wait worth a light sleep: sleeping w µs costs (w − L)·I_sleep + L·I_wake, idling w·I_idle,
    /// so sleep pays past L·(I_wake − I_sleep)/(I_idle − I_sleep), and never below the wake-up latency itself.
    /// </summary>
    public double BreakEvenUs => CpuIdleMa > LightSleepMa
        ? Math.Max(WakeLatencyUs, WakeLatencyUs * (WakeCurrentMa - LightSleepMa) / (CpuIdleMa - LightSleepMa))
        : double.PositiveInfinity;

    /// <summary>
    /// What the native path costs per computed keyword frame and per skipped span, measured on the interop nanoCLR
    /// (firmware/native/nanoclr/frame-costs.sh): the interpreter's share (the managed glue: hop write, frame copy, the
    /// Frame call, event rule) in x86 instructions of nanoCLR, timed with the interpreter range; the C share
    /// (skrn_audio_features and skrn_update) in x86 instructions of the C code, timed with its own cycle range.
    /// </summary>
    public sealed record NativePathCosts(double FrameInterpreterX86, double FeaturesCX86, double UpdateCX86, double SkipSpanX86,
        double CCyclesPerX86Fast, double CCyclesPerX86Slow, int UpdateMacs);

    /// <summary>The optional native-path fields (all or none), with their ranges.</summary>
    private static readonly (string Field, double Min, double Max)[] NativeFields =
    [
        ("native_frame_interpreter_x86", 0, 1e9), ("native_features_c_x86", 1, 1e9), ("native_update_c_x86", 1, 1e9),
        ("native_update_macs", 1, 1e9), ("native_skip_span_x86", 0, 1e9),
        ("native_c_cycles_per_x86_fast", 0.01, 1000), ("native_c_cycles_per_x86_slow", 0.01, 1000),
    ];

    private static readonly (string Field, double Min, double Max)[] Fields =
    [
        ("cpu_clock_mhz", 1, 1000), ("cpu_busy_ma", 0, 10000), ("cpu_idle_ma", 0, 10000), ("light_sleep_ma", 0, 10000),
        ("wake_latency_us", 0, 1e6), ("wake_current_ma", 0, 10000),
        ("interpreter_cycles_per_x86_fast", 0.01, 1000), ("interpreter_cycles_per_x86_slow", 0.01, 1000),
        ("i2c_clock_hz", 1000, 1e8), ("i2c_read_bytes", 1, 1e6), ("i2c_read_transactions", 1, 1000),
        ("i2c_discard_bytes", 0, 1e6), ("i2c_discard_transactions", 0, 1000),
        ("sensor_active_ma", 0, 10000), ("sensor_sleep_ma", 0, 10000), ("sensor_startup_us", 0, 1e7),
        ("fifo_capacity_samples", 2, 1e6),
        ("mic_active_ma", 0, 10000), ("mic_standby_ma", 0, 10000), ("mic_startup_us", 0, 1e7), ("i2s_buffer_samples", 480, 1e7),
        ("battery_capacity_mah", 0.001, 1e7), ("battery_voltage_v", 0.1, 100),
    ];

    /// <summary>The fields every profile must hold, in file order.</summary>
    public static IEnumerable<string> FieldNames => Fields.Select(f => f.Field);

    /// <summary>Reads and checks a profile file.</summary>
    public static DeviceProfile Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"{full}: the profile is a folder, not a file.");
        if (!File.Exists(full)) throw new ArgumentException($"{full}: the profile does not exist.");
        var info = new FileInfo(full);
        if (info.Length > 1 << 20) throw new ArgumentException($"{full}: the profile is {info.Length} bytes; a profile is a small JSON file (at most 1 MiB).");
        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>The shipped default profile (embedded in the tool, so it works from any folder).</summary>
    public static DeviceProfile Default()
    {
        using Stream s = Assembly.GetExecutingAssembly().GetManifestResourceStream("SkipRnn.Edge.Emulator.Profiles." + DefaultName)
            ?? throw new InvalidOperationException("the built-in profile is missing from the tool");
        using var reader = new StreamReader(s);
        return Parse(reader.ReadToEnd(), "built-in " + DefaultName);
    }

    /// <summary>
    /// The field a JSON syntax error sits in (NaN, Infinity or a stray word are syntax errors in JSON): the last
    /// "field": { opened before the error's line.
    /// </summary>
    private static string FieldNear(string json, JsonException e)
    {
        if (e.LineNumber is not long line) return "";
        string[] lines = json.Split('\n');
        string before = string.Join('\n', lines.Take((int)Math.Min(line + 1, lines.Length)));
        var m = System.Text.RegularExpressions.Regex.Matches(before, "\"([A-Za-z0-9_]+)\"\\s*:\\s*\\{");
        return m.Count == 0 ? "" : $" in field '{m[^1].Groups[1].Value}'";
    }

    /// <summary>Parses profile JSON; <paramref name="source"/> names the file in errors.</summary>
    public static DeviceProfile Parse(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{source}: not valid JSON{FieldNear(json, e)}: {SkipRnn.Edge.Host.DisplayText.JsonError(e)}");
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{source}: a profile is a JSON object.");
            var values = new Dictionary<string, double>();
            var sources = new Dictionary<string, string>();
            int natives = NativeFields.Count(f => root.TryGetProperty(f.Field, out _));
            if (natives != 0 && natives != NativeFields.Length)
                throw new ArgumentException($"{source}: a native-path profile needs all of {string.Join(", ", NativeFields.Select(f => f.Field))}; " +
                    $"'{NativeFields.First(f => !root.TryGetProperty(f.Field, out _)).Field}' is missing.");
            foreach (var (field, min, max) in natives == 0 ? Fields : Fields.Concat(NativeFields).ToArray())
            {
                if (!root.TryGetProperty(field, out JsonElement e))
                    throw new ArgumentException($"{source}: field '{field}' is missing (every profile needs {string.Join(", ", FieldNames)}).");
                if (e.ValueKind != JsonValueKind.Object)
                    throw new ArgumentException($"{source}: field '{field}' must be an object {{ \"value\": number, \"source\": \"where it comes from\" }}.");
                if (!e.TryGetProperty("value", out JsonElement v))
                    throw new ArgumentException($"{source}: field '{field}' has no 'value'.");
                double value = v.ValueKind switch
                {
                    JsonValueKind.Number => v.GetDouble(),
                    // JSON has no NaN or infinity; a string spelling one is the usual way they sneak in.
                    JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsFinite(d)
                        => throw new ArgumentException($"{source}: field '{field}' is {v.GetString()}: it must be a finite number."),
                    _ => throw new ArgumentException($"{source}: field '{field}'.value must be a number, not {v.ValueKind.ToString().ToLowerInvariant()}."),
                };
                if (!double.IsFinite(value))
                    throw new ArgumentException($"{source}: field '{field}' is {value}: it must be a finite number.");
                if (value < 0)
                    throw new ArgumentException($"{source}: field '{field}' is {value.ToString(CultureInfo.InvariantCulture)}: it must not be negative.");
                if (value < min || value > max)
                    throw new ArgumentException($"{source}: field '{field}' is {value.ToString(CultureInfo.InvariantCulture)}: it must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
                if (!e.TryGetProperty("source", out JsonElement s) || s.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetString()))
                    throw new ArgumentException($"{source}: field '{field}' has no 'source': every number must say where it comes from (a datasheet section, a measurement, a stated choice).");
                values[field] = value;
                sources[field] = s.GetString()!;
            }
            string name = root.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : Path.GetFileName(source);
            var p = new DeviceProfile
            {
                Name = name, Source = source, Sources = sources,
                CpuClockMhz = values["cpu_clock_mhz"], CpuBusyMa = values["cpu_busy_ma"], CpuIdleMa = values["cpu_idle_ma"],
                LightSleepMa = values["light_sleep_ma"], WakeLatencyUs = values["wake_latency_us"], WakeCurrentMa = values["wake_current_ma"],
                CyclesPerX86Fast = values["interpreter_cycles_per_x86_fast"], CyclesPerX86Slow = values["interpreter_cycles_per_x86_slow"],
                I2cClockHz = values["i2c_clock_hz"], I2cReadBytes = values["i2c_read_bytes"], I2cReadTransactions = values["i2c_read_transactions"],
                I2cDiscardBytes = values["i2c_discard_bytes"], I2cDiscardTransactions = values["i2c_discard_transactions"],
                SensorActiveMa = values["sensor_active_ma"], SensorSleepMa = values["sensor_sleep_ma"], SensorStartupUs = values["sensor_startup_us"],
                FifoCapacitySamples = values["fifo_capacity_samples"],
                MicActiveMa = values["mic_active_ma"], MicStandbyMa = values["mic_standby_ma"], MicStartupUs = values["mic_startup_us"],
                I2sBufferSamples = values["i2s_buffer_samples"],
                BatteryCapacityMah = values["battery_capacity_mah"], BatteryVoltageV = values["battery_voltage_v"],
                Native = natives == 0 ? null : new NativePathCosts(values["native_frame_interpreter_x86"], values["native_features_c_x86"],
                    values["native_update_c_x86"], values["native_skip_span_x86"], values["native_c_cycles_per_x86_fast"],
                    values["native_c_cycles_per_x86_slow"], (int)values["native_update_macs"]),
            };
            if (p.Native is { } nc && nc.CCyclesPerX86Fast > nc.CCyclesPerX86Slow)
                throw new ArgumentException($"{source}: field 'native_c_cycles_per_x86_fast' ({nc.CCyclesPerX86Fast}) is above 'native_c_cycles_per_x86_slow' ({nc.CCyclesPerX86Slow}): the fast end needs fewer cycles.");
            if (p.CyclesPerX86Fast > p.CyclesPerX86Slow)
                throw new ArgumentException($"{source}: field 'interpreter_cycles_per_x86_fast' ({p.CyclesPerX86Fast}) is above 'interpreter_cycles_per_x86_slow' ({p.CyclesPerX86Slow}): the fast end needs fewer cycles.");
            if (p.FifoCapacitySamples != Math.Floor(p.FifoCapacitySamples))
                throw new ArgumentException($"{source}: field 'fifo_capacity_samples' is {p.FifoCapacitySamples}: a whole number of samples.");
            if (p.WakeLatencyUs != Math.Floor(p.WakeLatencyUs) || p.SensorStartupUs != Math.Floor(p.SensorStartupUs) || p.MicStartupUs != Math.Floor(p.MicStartupUs))
                throw new ArgumentException($"{source}: fields 'wake_latency_us', 'sensor_startup_us' and 'mic_startup_us' are whole microseconds.");
            if (p.I2sBufferSamples != Math.Floor(p.I2sBufferSamples))
                throw new ArgumentException($"{source}: field 'i2s_buffer_samples' is {p.I2sBufferSamples}: a whole number of samples.");
            return p;
        }
    }
}
