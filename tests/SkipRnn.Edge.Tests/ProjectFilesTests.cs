using System.Xml.Linq;
using SkipRnn.Edge.Host;
using SkipRnn.Edge.Model;

namespace SkipRnn.Edge.Tests;

public class ProjectFilesTests
{
    [Fact]
    public void The_nfproj_lists_exactly_the_device_sources()
    {
        string edge = Path.Combine(RepoPaths.Root, "src", "SkipRnn.Edge");
        var onDisk = Directory.GetFiles(edge, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(edge, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("Host/") && !f.StartsWith("obj/") && !f.StartsWith("bin/"))
            .Order().ToList();
        XNamespace ns = "http://schemas.microsoft.com/developer/msbuild/2003";
        var listed = XDocument.Load(Path.Combine(RepoPaths.Root, "firmware", "SkipRnn.Edge", "SkipRnn.Edge.nfproj"))
            .Descendants(ns + "Compile")
            .Select(e => e.Attribute("Include")!.Value.Replace('\\', '/').Replace("../../src/SkipRnn.Edge/", "")).Order().ToList();
        Assert.True(onDisk.Count > 10);
        Assert.Equal(onDisk, listed);
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
        string doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "SkipRnn.Edge", "docs", "model-format.md"));
        Assert.Contains("about 24.7 KB", doc);
    }
}
