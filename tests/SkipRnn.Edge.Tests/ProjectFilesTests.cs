using System.Xml.Linq;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Tests;

public class ProjectFilesTests
{
    /// <summary>The device libraries: each is a folder under src/ (its host build), a device gate and an .nfproj.</summary>
    public static TheoryData<string> DeviceLibraries => new() { "SkipRnn.Edge", "SkipRnn.Edge.Audio", "SkipRnn.Edge.Loops", "SkipRnn.Edge.Loops.Keyword" };

    /// <summary>The libraries with an .nfproj under firmware/: the device libraries and SkipRnn.Edge.Native (a device build itself).</summary>
    public static TheoryData<string> NfprojLibraries => new() { "SkipRnn.Edge", "SkipRnn.Edge.Audio", "SkipRnn.Edge.Loops", "SkipRnn.Edge.Loops.Keyword", "SkipRnn.Edge.Native" };

    private static readonly XNamespace Ns = "http://schemas.microsoft.com/developer/msbuild/2003";

    [Theory]
    [MemberData(nameof(NfprojLibraries))]
    public void The_nfproj_lists_exactly_the_device_sources(string library)
    {
        string dir = Path.Combine(RepoPaths.Root, "src", library);
        var onDisk = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("obj/") && !f.StartsWith("bin/"))
            .Order().ToList();
        var listed = XDocument.Load(Path.Combine(RepoPaths.Root, "firmware", library, library + ".nfproj"))
            .Descendants(Ns + "Compile")
            .Select(e => e.Attribute("Include")!.Value.Replace('\\', '/').Replace($"../../src/{library}/", "")).Order().ToList();
        Assert.True(onDisk.Count >= 2);
        Assert.Equal(onDisk, listed);
    }

    /// <summary>An .nfproj references the same device libraries as the host build's project (so the device gets what the host compiled against).</summary>
    [Theory]
    [MemberData(nameof(DeviceLibraries))]
    public void The_nfproj_references_the_libraries_its_host_project_does(string library)
    {
        static List<string> Names(IEnumerable<XElement> refs) => refs
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/'))).Order().ToList();
        var host = Names(XDocument.Load(Path.Combine(RepoPaths.Root, "src", library, library + ".csproj")).Descendants("ProjectReference"));
        var device = Names(XDocument.Load(Path.Combine(RepoPaths.Root, "firmware", library, library + ".nfproj")).Descendants(Ns + "ProjectReference"));
        Assert.Equal(host, device);
    }

    /// <summary>The motion app deploys the runtime and the streaming loop only: no audio front end, no keyword loop.</summary>
    [Fact]
    public void The_motion_app_references_no_audio_library()
    {
        var refs = XDocument.Load(Path.Combine(RepoPaths.Root, "firmware", "motion", "SkipRnn.Motion.nfproj"))
            .Descendants(Ns + "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/'))).Order().ToList();
        Assert.Equal(new[] { "SkipRnn.Edge", "SkipRnn.Edge.Loops" }, refs);
    }

    [Fact]
    public void The_size_example_in_the_format_document_holds()
    {
        // docs/model-format.md: I = 40, H = 64, 8 outputs, int8 weights, int16 skip gate → 24 699-byte payload.
        var rng = new Random(1);
        double[] U(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var layer = new FloatGruLayer(40, 64, U(192 * 40), U(192 * 64), U(192), U(192));
        var f = new FloatSkipGruModel(GruVariant.ResetAfter, new[] { layer }, U(64), 0.5, U(8 * 64), U(8));
        SkipGruModel q = Quantizer.Quantize(f, new QuantizerOptions());
        Assert.Equal(16 + 24_699, ModelWriter.ToBytes(q).Length);
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "model-format.md"));
        Assert.Contains("about 24.7 KB", doc);
    }
}
