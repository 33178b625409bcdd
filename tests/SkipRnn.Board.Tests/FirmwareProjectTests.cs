using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SkipRnn.Board.Tests;

/// <summary>
/// firmware/motion cannot be built here (no nanoFramework project system); tests/FirmwareCompileCheck compiles its
/// sources. These keep what a Visual Studio user builds in step: the .nfproj lists exactly the folder's sources, its
/// references are exactly the packages of packages.config, and the embedded model is the shipped one.
/// </summary>
public class FirmwareProjectTests
{
    private static readonly XNamespace Ns = "http://schemas.microsoft.com/developer/msbuild/2003";
    private static string Motion => Path.Combine(RepoPaths.Root, "firmware", "motion");

    [Fact]
    public void The_motion_nfproj_lists_exactly_the_sources_of_its_folder()
    {
        var onDisk = Directory.GetFiles(Motion, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Motion, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/")).Order().ToList();
        var listed = XDocument.Load(Path.Combine(Motion, "SkipRnn.Motion.nfproj")).Descendants(Ns + "Compile")
            .Select(e => e.Attribute("Include")!.Value.Replace('\\', '/')).Order().ToList();
        Assert.Contains("Program.cs", onDisk);
        Assert.Equal(onDisk, listed);
    }

    [Fact]
    public void The_motion_nfproj_references_exactly_the_packages_of_packages_config()
    {
        var packages = XDocument.Load(Path.Combine(Motion, "packages.config")).Descendants("package")
            .Select(p => p.Attribute("id")!.Value + "." + p.Attribute("version")!.Value).Order().ToList();
        var referenced = XDocument.Load(Path.Combine(Motion, "SkipRnn.Motion.nfproj")).Descendants(Ns + "HintPath")
            .Select(h => Regex.Match(h.Value, @"packages\\([^\\]+)\\lib\\").Groups[1].Value).Order().ToList();
        Assert.Equal(packages, referenced);
        // The runtime's library project uses the same CoreLibrary.
        Assert.Contains("nanoFramework.CoreLibrary.1.17.11", packages);
        Assert.Contains("\"nanoFramework.CoreLibrary\" version=\"1.17.11\"", File.ReadAllText(Path.Combine(RepoPaths.Root, "firmware", "SkipRnn.Edge", "packages.config")));
    }

    [Fact]
    public void The_firmware_embeds_the_shipped_motion_model_byte_for_byte()
    {
        string cs = File.ReadAllText(Path.Combine(Motion, "Model", "MotionModel.cs"));
        int start = cs.IndexOf("new byte[]", StringComparison.Ordinal);
        int end = cs.IndexOf("};", start, StringComparison.Ordinal);
        byte[] embedded = Regex.Matches(cs[start..end], "0x([0-9A-F]{2})")
            .Select(m => byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(MotionData.ModelFile, embedded);
    }
}
