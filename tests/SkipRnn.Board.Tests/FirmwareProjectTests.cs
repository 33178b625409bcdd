using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SkipRnn.Board.Tests;

/// <summary>
/// firmware/motion and firmware/keyword cannot be built here (no nanoFramework project system);
/// tests/FirmwareCompileCheck compiles their sources. These keep what a Visual Studio user builds in step: the .nfproj lists exactly the folder's sources and the shared firmware/esp32 ones, its
/// references are exactly the packages of packages.config, and the embedded model is the shipped one.
/// </summary>
public class FirmwareProjectTests
{
    private static readonly XNamespace Ns = "http://schemas.microsoft.com/developer/msbuild/2003";
    private static string App(string app) => Path.Combine(RepoPaths.Root, "firmware", app);

    [Theory]
    [InlineData("motion", "SkipRnn.Motion.nfproj")]
    [InlineData("keyword", "SkipRnn.Keyword.nfproj")]
    public void The_app_nfproj_lists_exactly_the_sources_of_its_folder(string app, string nfproj)
    {
        // The app's own sources, and the shared ESP32 board layer (firmware/esp32) every app links.
        var onDisk = Directory.GetFiles(App(app), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "firmware", "esp32"), "*.cs"))
            .Select(f => Path.GetRelativePath(App(app), f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/")).Order().ToList();
        var listed = XDocument.Load(Path.Combine(App(app), nfproj)).Descendants(Ns + "Compile")
            .Select(e => e.Attribute("Include")!.Value.Replace('\\', '/')).Order().ToList();
        Assert.Contains("Program.cs", onDisk);
        Assert.Contains("../esp32/EspSleepTimer.cs", onDisk);
        Assert.Equal(onDisk, listed);
    }

    [Theory]
    [InlineData("motion", "SkipRnn.Motion.nfproj")]
    [InlineData("keyword", "SkipRnn.Keyword.nfproj")]
    public void The_app_nfproj_references_exactly_the_packages_of_packages_config(string app, string nfproj)
    {
        var packages = XDocument.Load(Path.Combine(App(app), "packages.config")).Descendants("package")
            .Select(p => p.Attribute("id")!.Value + "." + p.Attribute("version")!.Value).Order().ToList();
        var referenced = XDocument.Load(Path.Combine(App(app), nfproj)).Descendants(Ns + "HintPath")
            .Select(h => Regex.Match(h.Value, @"packages\\([^\\]+)\\lib\\").Groups[1].Value).Order().ToList();
        Assert.Equal(packages, referenced);
        // The runtime's library project uses the same CoreLibrary.
        Assert.Contains("nanoFramework.CoreLibrary.1.17.11", packages);
        Assert.Contains("\"nanoFramework.CoreLibrary\" version=\"1.17.11\"", File.ReadAllText(Path.Combine(RepoPaths.Root, "firmware", "SkipRnn.Edge", "packages.config")));
    }

    private static byte[] Embedded(string app, string file)
    {
        string cs = File.ReadAllText(Path.Combine(App(app), "Model", file));
        int start = cs.IndexOf("new byte[]", StringComparison.Ordinal);
        int end = cs.IndexOf("};", start, StringComparison.Ordinal);
        return Regex.Matches(cs[start..end], "0x([0-9A-F]{2})")
            .Select(m => byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }

    [Fact]
    public void The_firmware_embeds_the_shipped_motion_model_byte_for_byte()
    {
        Assert.Equal(MotionData.ModelFile, Embedded("motion", "MotionModel.cs"));
    }

    [Fact]
    public void The_keyword_firmware_embeds_the_shipped_keyword_model_byte_for_byte_in_one_part()
    {
        // 56,697 bytes: under export-cs's 64,000-byte part size, so one file (nanoCLR: about 64 KiB of array data per assembly).
        byte[] shipped = File.ReadAllBytes(KeywordData.ModelPath());
        Assert.True(shipped.Length < 64_000);
        Assert.Equal(shipped, Embedded("keyword", "KeywordModel.cs"));
        Assert.Single(Directory.GetFiles(Path.Combine(App("keyword"), "Model"), "*.cs"));
    }
}
