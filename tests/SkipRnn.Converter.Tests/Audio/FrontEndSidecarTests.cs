using SkipRnn.Converter.Import;
using SkipRnn.Converter.Streaming;
using SkipRnn.Edge.Audio;

namespace SkipRnn.Converter.Tests.Audio;

[Collection(SkipRnn.Converter.Tests.Cli.ConsoleCollection.Name)]   // CliHarness swaps Console.Out: never beside another console test
public class FrontEndSidecarTests
{
    // What models/train/keyword/features.py's front_end_sidecar() returns (json.dumps).
    private const string Good = "{\"version\": 1, \"kind\": \"log_mel\", \"sample_rate\": 16000, \"frame_length\": 480, \"hop_length\": 320, \"fft_size\": 512, \"bands\": 40, \"low_hz\": 20, \"high_hz\": 8000, \"log_floor\": 1e-06, \"feature_frac_bits\": 10}";

    private static string Sidecar(string frontEnd) => "{\"weights\": \"x\", \"front_end\": " + frontEnd + "}";

    [Fact]
    public void The_recipe_s_object_reads_as_the_device_s_pipeline()
    {
        FrontEndSpec? s = FrontEndSidecar.Parse(Sidecar(Good), "m.json");
        Assert.NotNull(s);
        Assert.Equal((1, 16000, 480, 320, 512, 40, 20, 8000, -6, 10),
            (s!.Kind, s.SampleRate, s.FrameLength, s.HopLength, s.FftSize, s.Bands, s.LowHz, s.HighHz, s.LogFloorExponent, s.FeatureFracBits));
        Assert.Null(FrontEndSidecar.Parse("{\"front_end\": null}", "m.json"));
        Assert.Null(FrontEndSidecar.Parse("{}", "m.json"));
    }

    [Theory]
    [InlineData("\"version\": 1", "\"version\": 2", "front_end.version", "front-end version 1")]
    [InlineData("\"kind\": \"log_mel\"", "\"kind\": \"mfcc\"", "front_end.kind", "\"log_mel\" only")]
    [InlineData("\"hop_length\": 320", "\"hop_length\": 160", "front_end.hop_length", "is 160; this runtime's front end computes 320")]
    [InlineData("\"bands\": 40", "\"bands\": 32", "front_end.bands", "is 32")]
    [InlineData("\"bands\": 40, ", "", "front_end.bands", "is missing")]
    [InlineData("\"sample_rate\": 16000", "\"sample_rate\": \"16k\"", "front_end.sample_rate", "must be an integer")]
    [InlineData("\"log_floor\": 1e-06", "\"log_floor\": 1e-05", "front_end.log_floor_exponent", "is -5")]
    [InlineData("\"log_floor\": 1e-06", "\"log_floor\": 2e-06", "front_end.log_floor", "must be a power of ten")]
    [InlineData("\"feature_frac_bits\": 10", "\"feature_frac_bits\": 11", "front_end.feature_frac_bits", "is 11")]
    public void A_bad_front_end_names_the_sidecar_and_the_field(string from, string to, string field, string problem)
    {
        var e = Assert.Throws<ImportException>(() => FrontEndSidecar.Parse(Sidecar(Good.Replace(from, to)), "m.json"));
        Assert.StartsWith("m.json", e.Message);
        Assert.Contains(field, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Apply_attaches_it_to_a_40_input_model_and_refuses_another_input_size()
    {
        string path = Path.Combine(Path.GetTempPath(), $"skiprnn-fe-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Sidecar(Good));
        try
        {
            SkipRnn.Edge.Model.SkipGruModel Model(int inputs) => SkipRnn.Edge.Host.Quantizer.Quantize(
                new Builders.ReferenceWeights(inputs, 4, 1, 3, 5).Model(SkipRnn.Edge.Model.GruVariant.ResetAfter),
                new SkipRnn.Edge.Host.QuantizerOptions());
            var m = FrontEndSidecar.Apply(Model(40), path);
            Assert.NotNull(m.FrontEnd);
            var back = SkipRnn.Edge.Format.ModelReader.Read(SkipRnn.Edge.Host.ModelWriter.ToBytes(m));
            Assert.Equal(320, back.FrontEnd!.HopLength);
            var e = Assert.Throws<ImportException>(() => FrontEndSidecar.Apply(Model(6), path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains("front_end.bands", e.Message);
            Assert.Contains("the model reads 6 inputs", e.Message);
            Assert.Same(m, FrontEndSidecar.Apply(m, null));
        }
        finally { File.Delete(path); }
    }

    /// <summary>Through `skiprnn convert`: the sidecar's front end reaches the pipeline (a 3-input model cannot take 40 bands).</summary>
    [Fact]
    public void Convert_reads_the_front_end_from_the_sidecar()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"skiprnn-fe-convert-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Cli.CliHarness.Fixture("ra1.safetensors"), Path.Combine(dir, "ra1.safetensors"));
            string json = File.ReadAllText(Cli.CliHarness.Fixture("ra1.json")).TrimEnd().TrimEnd('}') + ", \"front_end\": " + Good + "}";
            File.WriteAllText(Path.Combine(dir, "ra1.json"), json);
            var m = Cli.CliHarness.Import("ra1.safetensors");
            string calib = Cli.CliHarness.WriteClassificationSet(dir, "calib.npz", m, 64, 40, 1);
            string model = Path.Combine(dir, "m.skrn");
            var (code, stdout, stderr) = Cli.CliHarness.Run("convert", Path.Combine(dir, "ra1.safetensors"), "-c", calib, "-o", model, "--weight-bits", "16");
            Assert.Equal(SkipRnn.Converter.Cli.ExitCodes.BadInput, code);
            Assert.Contains("ra1.json", stderr);
            Assert.Contains("front_end.bands", stderr);
            Assert.Contains("the model reads 3 inputs", stderr);
            Assert.False(File.Exists(model));
            _ = stdout;
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Not_an_object_is_refused()
    {
        var e = Assert.Throws<ImportException>(() => FrontEndSidecar.Parse("{\"front_end\": [1]}", "m.json"));
        Assert.Contains("must be an object", e.Message);
    }
}
