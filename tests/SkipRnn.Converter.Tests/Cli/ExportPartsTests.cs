using System.Globalization;
using System.Text.RegularExpressions;
using SkipRnn.Converter.Cli;
using SkipRnn.Converter.Export;

namespace SkipRnn.Converter.Tests.Cli;

/// <summary>
/// export-cs splits a model larger than one part into parts, one assembly each (nanoCLR keeps at most about 64 KiB
/// of array data per assembly), and refuses a part size that cannot load. The nanoCLR tier (tests/nanoclr) runs the
/// split output on the real interpreter.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ExportPartsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skiprnn-parts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"0x([0-9A-F]{2})")]
    private static partial Regex HexByte();

    private static byte[] BytesIn(string source) =>
        HexByte().Matches(source).Select(m => byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber)).ToArray();

    [Fact]
    public void A_model_within_one_part_is_one_file_as_before()
    {
        byte[] model = new byte[5000];
        new Random(1).NextBytes(model);
        var files = CSharpExporter.GenerateFiles(model, "My.App", "Small", "small.skrn");
        ExportedFile f = Assert.Single(files);
        Assert.Equal("", f.Suffix);
        Assert.Equal(CSharpExporter.Generate(model, "My.App", "Small", "small.skrn"), f.Source);
        Assert.Contains("public static byte[] ReadBytes()", f.Source);
        Assert.Equal(model, BytesIn(f.Source.Split("new byte[]")[1]));
    }

    [Fact]
    public void A_larger_model_is_split_into_parts_that_join_to_the_file()
    {
        byte[] model = new byte[150_001];
        new Random(2).NextBytes(model);
        var files = CSharpExporter.GenerateFiles(model, "My.App", "Big", "big.skrn");
        Assert.Equal(4, files.Count);   // main + 64,000 + 64,000 + 22,001
        Assert.Equal(["", ".Part1", ".Part2", ".Part3"], files.Select(f => f.Suffix));
        Assert.Equal([64_000, 64_000, 22_001], files.Skip(1).Select(f => f.DataBytes));
        Assert.DoesNotContain("0x", files[0].Source.Replace("CRC-32 0x", ""));   // the main file holds no array data
        foreach (string part in new[] { "BigPart1.Bytes()", "BigPart2.Bytes()", "BigPart3.Bytes()" }) Assert.Contains(part, files[0].Source);
        Assert.Equal(model, files.Skip(1).SelectMany(f => BytesIn(f.Source.Split("new byte[]")[1])).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65_001)]
    [InlineData(70_000)]
    public void A_part_size_nanoCLR_cannot_load_is_refused_naming_the_limit(int partBytes)
    {
        var e = Assert.Throws<ArgumentException>(() => CSharpExporter.GenerateFiles(new byte[10], "A", "B", "m.skrn", partBytes));
        Assert.Contains("65,000", e.Message);
        Assert.Contains("16-bit offsets", e.Message);
    }

    [Fact]
    public void The_command_writes_the_parts_beside_the_main_file_and_refuses_an_oversized_part()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string model = Path.Combine(_dir, "ra1.skrn");
        Assert.Equal(ExitCodes.Success, CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-o", model).Code);
        byte[] file = File.ReadAllBytes(model);

        string cs = Path.Combine(_dir, "Ra1.cs");
        var run = CliHarness.Run("export-cs", model, "-o", cs, "--class", "Ra1", "--max-part-bytes", "1000");
        Assert.Equal(ExitCodes.Success, run.Code);
        int parts = (file.Length + 999) / 1000;
        Assert.Contains($"{parts} parts", run.Err);
        Assert.Contains("own class library", run.Err);
        var partFiles = Enumerable.Range(1, parts).Select(k => Path.Combine(_dir, $"Ra1.Part{k}.cs")).ToArray();
        Assert.All(partFiles, p => Assert.True(File.Exists(p), p));
        Assert.False(File.Exists(Path.Combine(_dir, $"Ra1.Part{parts + 1}.cs")));
        Assert.Equal(file, partFiles.SelectMany(p => BytesIn(File.ReadAllText(p).Split("new byte[]")[1])).ToArray());

        string refused = Path.Combine(_dir, "Refused.cs");
        run = CliHarness.Run("export-cs", model, "-o", refused, "--max-part-bytes", "70000");
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("16-bit offsets", run.Err);
        Assert.False(File.Exists(refused));
    }

    [Fact]
    public void A_part_that_would_overwrite_the_model_file_is_refused_and_nothing_is_written()
    {
        var m = CliHarness.Import("ra1.safetensors");
        string calib = CliHarness.WriteClassificationSet(_dir, "calib.npz", m, 64, 40, 1);
        string model = Path.Combine(_dir, "M.Part2.cs");   // an odd name, but the name of part 2 of -o M.cs
        Assert.Equal(ExitCodes.Success, CliHarness.Run("convert", CliHarness.Fixture("ra1.safetensors"), "-c", calib, "-o", model).Code);
        byte[] before = File.ReadAllBytes(model);

        var run = CliHarness.Run("export-cs", model, "-o", Path.Combine(_dir, "M.cs"), "--max-part-bytes", "1000");
        Assert.Equal(ExitCodes.BadInput, run.Code);
        Assert.Contains("M.Part2.cs", run.Err);
        Assert.Equal(before, File.ReadAllBytes(model));
        Assert.False(File.Exists(Path.Combine(_dir, "M.cs")));
        Assert.False(File.Exists(Path.Combine(_dir, "M.Part1.cs")));
    }
}
