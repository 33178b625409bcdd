using System.Buffers.Binary;
using System.Text;
using SkipRnn.Converter.Import;
using SkipRnn.Converter.Tests.Builders;

namespace SkipRnn.Converter.Tests;

public class SafetensorsReaderTests
{
    private const string Source = "model.safetensors";

    private static ImportException Fails(byte[] file) =>
        Assert.Throws<ImportException>(() => SafetensorsReader.Parse(file, Source));

    [Theory]
    [InlineData(TensorDType.F16, new[] { 1.5, -2.0, 65504.0, 0.000060975551605224609375 /* largest f16 subnormal */, 0.0 })]
    [InlineData(TensorDType.BF16, new[] { 1.0, -3.5, 3.3895313892515355e38 /* bf16 max */, 0.0078125, -0.0 })]
    [InlineData(TensorDType.F32, new[] { 0.1f, -1e-30f, 3.4028234663852886e38, 1.401298464324817e-45 /* subnormal */, 7.0 })]
    [InlineData(TensorDType.F64, new[] { 0.1, -1e-300, double.MaxValue, double.Epsilon, 1.0 / 3.0 })]
    public void ReadsEveryFloatDTypeExactly(TensorDType dtype, double[] values)
    {
        var file = new SafetensorsBuilder()
            .Add("a.weight", dtype, [1, 5], values)
            .Add("b", dtype, [5], values.Reverse().ToArray())
            .Metadata("format", "pt")
            .Build();

        var set = SafetensorsReader.Parse(file, Source);

        Assert.Equal(TensorFileFormat.Safetensors, set.Format);
        Assert.Equal(["a.weight", "b"], set.Select(t => t.Name));
        var a = set.Get("a.weight");
        Assert.Equal([1, 5], a.Shape);
        Assert.Equal(dtype, a.SourceDType);
        Assert.Equal(values.Select(v => dtype == TensorDType.F32 ? (double)(float)v : v), a.Data);
        Assert.Equal(values.Reverse().Select(v => dtype == TensorDType.F32 ? (double)(float)v : v), set.Get("b").Data);
        Assert.Equal("pt", set.Metadata["format"]);
    }

    [Fact]
    public void ReadsScalarsAndEmptyTensorsAndOffsetsInAnyHeaderOrder()
    {
        // Header lists "second" before "first" although its data comes after.
        var data = Encode.Values([2.5], TensorDType.F32).Concat(Encode.Values([1, 2, 3, 4], TensorDType.F32)).ToArray();
        string header = "{\"second\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[4,20]}," +
                        "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]}," +
                        "\"first\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        var file = new SafetensorsBuilder().AddRaw("x", "F32", [5], data).Build(header);

        var set = SafetensorsReader.Parse(file, Source);

        Assert.Equal([2.5], set.Get("first").Data);
        Assert.Empty(set.Get("first").Shape);
        Assert.Equal([1.0, 2, 3, 4], set.Get("second").Data);
        Assert.Equal([0, 3], set.Get("empty").Shape);
        Assert.Empty(set.Get("empty").Data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void RefusesFilesShorterThanTheLengthField(int length)
    {
        var e = Fails(new byte[length]);
        Assert.Contains(Source, e.Message);
        Assert.Contains("too short", e.Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(1UL << 40)]
    [InlineData(1000UL)]
    public void RefusesHeaderLengthsPastTheEndOfTheFile(ulong claimed)
    {
        var file = new SafetensorsBuilder().Add("w", TensorDType.F32, [2], 1, 2).Build();
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimed);
        var e = Fails(file);
        Assert.Equal("header length", e.Item);
        Assert.Contains($"is {claimed} bytes", e.Message);
    }

    [Fact]
    public void RefusesAnOversizedHeaderEvenWhenTheFileIsLongEnough()
    {
        var file = new byte[8 + ImportLimits.MaxHeaderBytes + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)ImportLimits.MaxHeaderBytes + 8);
        file[8] = (byte)'{';
        var e = Fails(file);
        Assert.Contains("more than the", e.Message);
    }

    [Theory]
    [InlineData("[\"w\"]", "does not start with a JSON object")]
    [InlineData("{\"w\": {\"dtype\": \"F32\",", "not valid JSON")]
    [InlineData("{\"w\": 3}", "not a JSON object")]
    [InlineData("{\"w\": {\"shape\": [2], \"data_offsets\": [0, 8]}}", "no \"dtype\"")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", "no \"shape\"")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", "no \"data_offsets\"")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", "not a non-negative")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-1, 8]}}", "not non-negative integers")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", "end before they begin")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", "needs 12")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 8]}}", "more than once")]
    [InlineData("{\"__metadata__\": {\"a\": 1}, \"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", "must be a string")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [65536, 65536, 65536], \"data_offsets\": [0, 8]}}", "more than")]
    public void RefusesCorruptHeadersWithTheProblem(string header, string expected)
    {
        var file = new SafetensorsBuilder().AddRaw("w", "F32", [2], new byte[8]).Build(header);
        var e = Fails(file);
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(Source + ": ", e.Message);
    }

    /// <summary>The JSON parser quotes the bytes it choked on; a newline or ESC among them must not break the one-line error (fuzz seed 1, case 2314).</summary>
    [Fact]
    public void A_bad_header_is_one_line_whatever_bytes_the_parser_quotes()
    {
        var file = new SafetensorsBuilder().AddRaw("w", "F32", [2], new byte[8]).Build("{\"w\": tx\n\u001b[31m}");
        var e = Fails(file);
        Assert.Contains("not valid JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\u001b', e.Message);
    }

    [Theory]
    [InlineData("I64", "cannot hold trained weights")]
    [InlineData("BOOL", "cannot hold trained weights")]
    [InlineData("F8_E4M3", "cannot hold trained weights")]
    [InlineData("Q4_K", "unknown dtype 'Q4_K'")]
    public void RefusesOtherDTypesByName(string dtype, string expected)
    {
        var file = new SafetensorsBuilder().AddRaw("steps", dtype, [1], new byte[8]).Build();
        var e = Fails(file);
        Assert.Equal("tensor 'steps'", e.Item);
        Assert.Contains(dtype, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RefusesOverlappingTensors()
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
                        "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        var e = Fails(new SafetensorsBuilder().AddRaw("x", "F32", [3], new byte[12]).Build(header));
        Assert.Contains("overlap", e.Message);
        Assert.Equal("tensor 'b'", e.Item);
    }

    [Fact]
    public void RefusesGapsBetweenTensors()
    {
        string header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
                        "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        var e = Fails(new SafetensorsBuilder().AddRaw("x", "F32", [3], new byte[12]).Build(header));
        Assert.Contains("gap", e.Message);
    }

    [Fact]
    public void RefusesTruncatedData()
    {
        var file = new SafetensorsBuilder().Add("w", TensorDType.F32, [4], 1, 2, 3, 4).Build();
        var e = Fails(file[..^3]);
        Assert.Equal("tensor 'w'", e.Item);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void RefusesTrailingBytesAfterTheLastTensor()
    {
        var file = new SafetensorsBuilder().Add("w", TensorDType.F32, [1], 1).Build();
        var e = Fails([.. file, 0, 0, 0, 0]);
        Assert.Contains("4 unexplained bytes", e.Message);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void RefusesNonFiniteWeightsNamingTensorAndIndex(double bad, string shown)
    {
        var values = Enumerable.Range(0, 6).Select(i => (double)i).ToArray();
        values[4] = bad; // row 1, column 1 of a [2, 3] matrix
        var file = new SafetensorsBuilder().Add("cells.0.weight_hh", TensorDType.F16, [2, 3], values).Build();
        var e = Fails(file);
        Assert.Equal("tensor 'cells.0.weight_hh'", e.Item);
        Assert.Contains("[1, 1]", e.Message);
        Assert.Contains("flat index 4", e.Message);
        Assert.Contains(shown, e.Message);
    }

    [Fact]
    public void NeverThrowsAnythingButImportExceptionOnRandomCorruption()
    {
        var good = new SafetensorsBuilder()
            .Add("a", TensorDType.F32, [2, 3], 1, 2, 3, 4, 5, 6)
            .Add("b", TensorDType.BF16, [3], 1, 2, 3)
            .Build();
        var random = new Random(1234);
        int refused = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            var file = (byte[])good.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++) file[random.Next(file.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) file = file[..random.Next(file.Length)];
            try
            {
                SafetensorsReader.Parse(file, Source);
            }
            catch (ImportException e)
            {
                Assert.StartsWith(Source + ": ", e.Message);
                refused++;
            }
        }
        Assert.True(refused > 500, $"only {refused} corrupt files were refused");
    }

    [Fact]
    public void ReadsFromDiskAndNamesTheFileInErrors()
    {
        string dir = Directory.CreateTempSubdirectory("skiprnn-st").FullName;
        try
        {
            string path = Path.Combine(dir, "w.safetensors");
            File.WriteAllBytes(path, new SafetensorsBuilder().Add("w", TensorDType.F64, [1], 0.25).Build());
            Assert.Equal([0.25], SafetensorsReader.Read(path).Get("w").Data);

            File.WriteAllBytes(path, Encoding.ASCII.GetBytes("hello"));
            var e = Assert.Throws<ImportException>(() => SafetensorsReader.Read(path));
            Assert.Equal(path, e.File);

            var missing = Assert.Throws<ImportException>(() => SafetensorsReader.Read(Path.Combine(dir, "nope.safetensors")));
            Assert.Contains("does not exist", missing.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
