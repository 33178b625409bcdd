using System.Text.Json;
using System.Text.Json.Nodes;
using SkipRnn.Converter.Cli;
using SkipRnn.Edge.Emulator.Simulation;
using SkipRnn.Converter.Tests.Cli;
using SkipRnn.Edge.Application;

namespace SkipRnn.Converter.Tests.Simulation;

/// <summary>
/// `skiprnn simulate`: the energy arithmetic on cases worked by hand, the profiles (shipped ones load, bad ones are
/// refused naming file and field), the interpreter-speed range against its derivation, outputs that would overwrite
/// an input, and the shipped motion model end to end on the device loop and virtual board.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class SimulateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-sim-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static string Root => CliHarness.RepoRoot();
    private static string Profiles => Path.Combine(Root, "firmware", "profiles");
    private static string MotionModel => Path.Combine(Root, "models", "motion", "model.skrn");
    private static string MotionData => Path.Combine(Root, "models", "motion", "data", "hapt_test_users.npz");

    /// <summary>Round numbers: busy 100 mA, idle 10, wake 20, light sleep 1, sensor 4 / 0.5 mA, 1,380 mAh at 3.7 V.</summary>
    private static DeviceProfile Simple() => DeviceProfile.Default() with
    {
        CpuBusyMa = 100, CpuIdleMa = 10, WakeCurrentMa = 20, LightSleepMa = 1, SensorActiveMa = 4, SensorSleepMa = 0.5,
        BatteryCapacityMah = 1380, BatteryVoltageV = 3.7, WakeLatencyUs = 300,
    };

    [Fact]
    public void Energy_arithmetic_matches_a_case_worked_by_hand()
    {
        // 1 ms: 100 µs computing, 50 on the bus, 50 idle, 100 waking, 700 asleep; the sensor on for half of it.
        var t = new TimeBreakdown(TotalUs: 1000, ComputeUs: 100, BusUs: 50, IdleUs: 50, WakeUs: 100, SleepUs: 700, SensorOnUs: 500);
        EnergyResult e = EnergyModel.Compute(t, Simple());
        // CPU: (100·100 + 100·10 + 100·20 + 700·1) / 1000 = 13.7 mA; sensor: (500·4 + 500·0.5) / 1000 = 2.25 mA.
        Assert.Equal(13.7, e.CpuAverageMa, 9);
        Assert.Equal(2.25, e.SensorAverageMa, 9);
        Assert.Equal(15.95, e.AverageMa, 9);
        Assert.Equal(0.1, e.CpuDuty, 9);
        Assert.Equal(0.7, e.SleepShare, 9);
        Assert.Equal(0.3, e.AwakeShare, 9);
        Assert.Equal(15.95 / 1000 * 3.7 * 3600, e.EnergyPerHourJ, 9);   // 212.454 J
        Assert.Equal(1380 / 15.95, e.BatteryHours, 9);
        Assert.Equal(1380 / 15.95 / 24, e.BatteryDays, 9);
    }

    [Fact]
    public void Always_busy_and_always_asleep_give_the_profile_currents()
    {
        DeviceProfile p = Simple();
        EnergyResult busy = EnergyModel.Compute(new TimeBreakdown(5000, 5000, 0, 0, 0, 0, 5000), p);
        Assert.Equal(104, busy.AverageMa, 9);
        Assert.Equal(1380 / 104.0, busy.BatteryHours, 9);
        EnergyResult asleep = EnergyModel.Compute(new TimeBreakdown(5000, 0, 0, 0, 0, 5000, 0), p);
        Assert.Equal(1.5, asleep.AverageMa, 9);
        Assert.Equal(920, asleep.BatteryHours, 9);
    }

    [Fact]
    public void Time_that_does_not_add_up_is_a_bookkeeping_error_not_a_result()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => EnergyModel.Compute(new TimeBreakdown(1000, 100, 0, 0, 0, 800, 0), Simple()));
        Assert.Contains("add up", ex.Message);
    }

    [Fact]
    public void Break_even_is_where_sleeping_starts_to_pay()
    {
        // Sleep w: (w − 300)·1 + 300·20 ; idle w: 10·w  →  equal at w = 300·19/9 = 633.3 µs.
        Assert.Equal(300.0 * 19 / 9, Simple().BreakEvenUs, 9);
        // Waking at idle current: the latency itself.
        Assert.Equal(300, (Simple() with { WakeCurrentMa = 10 }).BreakEvenUs, 9);
    }

    [Fact]
    public void Bus_time_counts_nine_bits_a_byte_and_three_per_transaction()
    {
        DeviceProfile p = DeviceProfile.Default();
        Assert.Equal(400000, p.I2cClockHz);
        Assert.Equal((9 * 20 + 3 * 2) / 0.4, p.ReadBusUs, 9);     // 465 µs
        Assert.Equal((9 * 15 + 3 * 1) / 0.4, p.DiscardBusUs, 9);  // 345 µs
    }

    [Fact]
    public void Shipped_profiles_load_and_their_interpreter_range_is_the_stated_derivation()
    {
        var costs = JsonNode.Parse(File.ReadAllText(Path.Combine(Profiles, "nanoclr-costs.json")))!;
        double call = costs["internal_call"]!.GetValue<double>();
        // The built-in default is the shipped file.
        DeviceProfile shipped = DeviceProfile.Load(Path.Combine(Profiles, DeviceProfile.DefaultName)), builtIn = DeviceProfile.Default();
        Assert.Equal(shipped, builtIn with { Source = shipped.Source, Sources = shipped.Sources });
        Assert.Equal(shipped.Sources, builtIn.Sources);
        foreach (int mhz in new[] { 240, 160, 80 })
        {
            DeviceProfile p = DeviceProfile.Load(Path.Combine(Profiles, $"esp32-{mhz}mhz.json"));
            Assert.Equal(mhz, p.CpuClockMhz);
            // GPIO toggle loop (nanoframework/Home#1013): 81 kHz and 27 kHz square waves at 240 MHz, two toggles a period.
            Assert.Equal(240e6 / (2 * 81e3) / call, p.CyclesPerX86Fast, 2);
            Assert.Equal(240e6 / (2 * 27e3) / call, p.CyclesPerX86Slow, 2);
            Assert.All(p.Sources.Values, s => Assert.False(string.IsNullOrWhiteSpace(s)));
            Assert.Equal(DeviceProfile.FieldNames.Count(), p.Sources.Count);
        }
    }

    private string BadProfile(string name, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(Profiles, DeviceProfile.DefaultName)))!.AsObject();
        edit(o);
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public static TheoryData<string, string> BadProfiles => new()
    {
        { "missing", "light_sleep_ma" },
        { "negative", "cpu_busy_ma" },
        { "nan-literal", "sensor_active_ma" },
        { "nan-string", "battery_voltage_v" },
        { "no-source", "wake_latency_us" },
        { "bare-number", "i2c_clock_hz" },
        { "fast-above-slow", "interpreter_cycles_per_x86_fast" },
        { "missing", "mic_active_ma" },
        { "no-source", "mic_standby_ma" },
        { "negative", "mic_startup_us" },
        { "missing", "i2s_buffer_samples" },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public void A_bad_profile_is_refused_naming_the_file_and_the_field(string kind, string field)
    {
        string path = BadProfile(kind + ".json", o =>
        {
            switch (kind)
            {
                case "missing": o.Remove(field); break;
                case "negative": o[field]!["value"] = -68; break;
                case "nan-string": o[field]!["value"] = "NaN"; break;
                case "no-source": o[field]!.AsObject().Remove("source"); break;
                case "bare-number": o[field] = 400000; break;
                case "fast-above-slow": o[field]!["value"] = 9.5; break;
                case "nan-literal": o[field]!["value"] = 123456789; break;
            }
        });
        if (kind == "nan-literal") File.WriteAllText(path, File.ReadAllText(path).Replace("123456789", "NaN"));
        var (code, stdout, stderr) = CliHarness.Run("simulate", MotionModel, "--stream", MotionData, "--profile", path);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(path, stderr);
        Assert.Contains($"'{field}'", stderr);
        Assert.DoesNotContain("internal error", stderr);
    }

    [Fact]
    public void The_native_profile_is_the_default_board_plus_the_native_path_costs()
    {
        DeviceProfile native = DeviceProfile.Load(Path.Combine(Profiles, "esp32-240mhz-native.json")), stock = DeviceProfile.Default();
        Assert.NotNull(native.Native);
        Assert.Null(stock.Native);
        // The same board: every stock field equal, only the native path added.
        Assert.Equal(stock with { Name = native.Name, Source = native.Source, Sources = native.Sources, Native = native.Native }, native);
        DeviceProfile.NativePathCosts n = native.Native!;
        Assert.Equal(20800, n.UpdateMacs);
        Assert.True(n.FeaturesCX86 > 0 && n.UpdateCX86 > n.FeaturesCX86 && n.FrameInterpreterX86 > 0);
        Assert.True(n.CCyclesPerX86Fast <= n.CCyclesPerX86Slow);
        Assert.All(native.Sources.Values, v => Assert.False(string.IsNullOrWhiteSpace(v)));
    }

    [Theory]
    [InlineData("native_skip_span_x86")]
    [InlineData("native_c_cycles_per_x86_slow")]
    public void A_native_profile_missing_one_native_field_is_refused_naming_it(string field)
    {
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(Profiles, "esp32-240mhz-native.json")))!.AsObject();
        o.Remove(field);
        string path = Path.Combine(_dir, "partial-native.json");
        File.WriteAllText(path, o.ToJsonString());
        var e = Assert.Throws<ArgumentException>(() => DeviceProfile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"'{field}'", e.Message);
        o = JsonNode.Parse(File.ReadAllText(Path.Combine(Profiles, "esp32-240mhz-native.json")))!.AsObject();
        o["native_c_cycles_per_x86_fast"]!["value"] = 9.0;
        File.WriteAllText(path, o.ToJsonString());
        Assert.Contains("'native_c_cycles_per_x86_fast'", Assert.Throws<ArgumentException>(() => DeviceProfile.Load(path)).Message);
    }

    [Theory]
    [InlineData("models/adding/model.skrn")]
    [InlineData("models/frequency/model.skrn")]
    [InlineData("models/motion/model.skrn")]
    [InlineData("models/motion/gru/model.skrn")]
    [InlineData("models/keyword/model.skrn")]
    [InlineData("models/keyword/gru/model.skrn")]
    public void Every_shipped_model_has_costs_measured_on_the_interpreter(string path)
    {
        // A retrained or reconverted model would silently fall back to an estimate: rerun tests/nanoclr/simcosts/measure.sh.
        byte[] file = File.ReadAllBytes(Path.Combine(Root, path));
        var model = SkipRnn.Edge.Format.ModelReader.Read(file);
        InterpreterCosts.ModelCosts c = InterpreterCosts.BuiltIn().For(model, file);
        Assert.Equal($"measured on nanoCLR ({path})", c.Basis);
        Assert.True(c.Update > 1e6 && c.Boot > c.Update, $"{c.Update} / {c.Boot}");
    }

    [Fact]
    public void An_unmeasured_model_is_estimated_by_macs_and_says_so()
    {
        byte[] file = File.ReadAllBytes(Path.Combine(Root, "models", "motion", "model.skrn"));
        var model = SkipRnn.Edge.Format.ModelReader.Read(file);
        file[^1] ^= 1;   // another file (the hash differs), same model
        InterpreterCosts costs = InterpreterCosts.BuiltIn();
        InterpreterCosts.ModelCosts c = costs.For(model, file);
        Assert.StartsWith("estimated", c.Basis);
        // The same int16 W_hh as the measured motion models (run through the detector): their update, scaled by MACs.
        var like = costs.Models.First(m => m.WhhBits == 16 && m.Detector);
        Assert.Equal(like.Update * model.MacsPerUpdate / like.MacsPerUpdate, c.Update, 6);
    }

    [Fact]
    public void Plot_never_overwrites_an_input()
    {
        string model = Path.Combine(_dir, "m.skrn");
        File.Copy(MotionModel, model);
        string profile = Path.Combine(_dir, "p.json");
        File.Copy(Path.Combine(Profiles, DeviceProfile.DefaultName), profile);
        byte[] modelBefore = File.ReadAllBytes(model), profileBefore = File.ReadAllBytes(profile);
        foreach (string target in new[] { model, profile, MotionData })
        {
            var (code, _, stderr) = CliHarness.Run("simulate", model, "--stream", MotionData, "--profile", profile, "--plot", target);
            Assert.Equal(2, code);
            Assert.Contains("refusing to overwrite an input", stderr);
        }
        Assert.Equal(modelBefore, File.ReadAllBytes(model));
        Assert.Equal(profileBefore, File.ReadAllBytes(profile));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Motion_model_on_the_device_loop_and_virtual_board()
    {
        string png = Path.Combine(_dir, "sim.png");
        var (code, stdout, stderr) = CliHarness.Run("simulate", MotionModel, "--stream", MotionData, "--json", "--plot", png, "--plot-seconds", "20");
        Assert.True(code == 0, stderr);
        var r = JsonSerializer.Deserialize<JsonObject>(stdout)!;
        Assert.Equal(20000, r["SamplePeriodUs"]!.GetValue<int>());
        Assert.StartsWith("measured on nanoCLR", r["CostBasis"]!.GetValue<string>());
        var costs = JsonNode.Parse(File.ReadAllText(Path.Combine(Profiles, "nanoclr-costs.json")))!;
        double update = costs["models"]!.AsArray().First(m => m!["name"]!.GetValue<string>() == "motion")!["update"]!.GetValue<double>();
        DeviceProfile p = DeviceProfile.Default();
        var ends = r["Ends"]!.AsArray();
        Assert.Equal(2, ends.Count);
        foreach (var end in ends)
        {
            double cycles = end!["CyclesPerX86"]!.GetValue<double>();
            var v = end["Variants"]!.AsArray().ToDictionary(x => x!["Variant"]!.GetValue<string>(), x => x!);
            var skip = v["SkipGru"]; var never = v["NeverSkip"]; var gru = v["PlainGru"];
            // The update is the measured instruction count at this end's speed.
            Assert.Equal(Math.Round(update * cycles / p.CpuClockMhz), skip["UpdateUs"]!.GetValue<double>());
            Assert.Equal(3904 - 32, gru["UpdateMacs"]!.GetValue<double>());
            // Without lost samples the loop never used a wrong sample, and a run keeps up exactly when nothing was lost.
            foreach (var x in new[] { skip, never, gru })
            {
                long lost = x["RealTime"]!["SamplesLost"]!.GetValue<long>();
                Assert.Equal(lost == 0, x["RealTime"]!["KeptUp"]!.GetValue<bool>());
                if (lost == 0) Assert.Equal(0, x["RealTime"]!["MisalignedReads"]!.GetValue<long>());
            }
            // The Skip-GRU keeps up at both ends; updating every sample does not at the slow end (55 ms per 20 ms sample).
            Assert.True(skip["RealTime"]!["KeptUp"]!.GetValue<bool>());
            bool slowEnd = end["End"]!.GetValue<string>() == "slow";
            Assert.Equal(!slowEnd, never["RealTime"]!["KeptUp"]!.GetValue<bool>());
            if (!slowEnd) Assert.Equal(1.0, never["UpdatedShare"]!.GetValue<double>(), 9);
            Assert.InRange(skip["UpdatedShare"]!.GetValue<double>(), 0.05, 0.4);
            // Skipping sleeps and saves current at both ends.
            Assert.True(skip["Energy"]!["SleepShare"]!.GetValue<double>() > 0.3);
            Assert.True(skip["Energy"]!["AverageMa"]!.GetValue<double>() < never["Energy"]!["AverageMa"]!.GetValue<double>());
            Assert.True(gru["Energy"]!["AverageMa"]!.GetValue<double>() <= never["Energy"]!["AverageMa"]!.GetValue<double>());
        }
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(SimulationPlot.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(SimulationPlot.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }
}
