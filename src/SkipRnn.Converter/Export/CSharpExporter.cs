using System.Text;
using System.Text.RegularExpressions;

namespace SkipRnn.Converter.Export;

/// <summary>One C# file written by <see cref="CSharpExporter"/>: <see cref="Suffix"/> goes before ".cs" ("" for the main file).</summary>
public sealed record ExportedFile(string Suffix, string ClassName, int DataBytes, string Source);

/// <summary>
/// Writes a model file as C# source holding its bytes, for a nanoFramework app that has no file system:
/// `ModelReader.Read(MyModel.ReadBytes())`. The output compiles against nanoFramework's mscorlib (no newer syntax).
/// <para>
/// nanoCLR 1.x addresses an assembly's array-initializer data with 16-bit offsets, so one assembly can carry at
/// most about 64 KiB of it (measured on nanoCLR built from nf-interpreter a3e8139a1: one 65,450-byte array loads,
/// 65,535 bytes do not; two 40,000-byte arrays in one assembly fail at "Resolving"; two 60,000-byte arrays in two
/// assemblies load). A larger model is therefore split into parts, each meant for its own assembly, and the main
/// class joins them at run time.
/// </para>
/// </summary>
public static partial class CSharpExporter
{
    /// <summary>Largest part the exporter writes: one measured to load with room for the part assembly's own metadata.</summary>
    public const int MaxPartBytesLimit = 65_000;

    /// <summary>Default part size: leaves ≈ 1.5 KB of the 64 KiB for whatever else the assembly holding a part carries.</summary>
    public const int DefaultMaxPartBytes = 64_000;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>
    /// The files for <paramref name="model"/>: one file when it fits <paramref name="maxPartBytes"/>, otherwise a
    /// main file (no array data, joins the parts) and parts "<c>.Part1</c>", "<c>.Part2</c>"… each for its own assembly.
    /// </summary>
    public static IReadOnlyList<ExportedFile> GenerateFiles(byte[] model, string ns, string className, string sourceName,
        int maxPartBytes = DefaultMaxPartBytes)
    {
        CheckNames(ns, className);
        if (maxPartBytes < 1 || maxPartBytes > MaxPartBytesLimit)
            throw new ArgumentException($"The part size must be 1..{MaxPartBytesLimit:N0} bytes: nanoCLR 1.x keeps an assembly's " +
                "array-initializer data behind 16-bit offsets (measured: 65,450 bytes load, 65,535 do not), so a larger part cannot load.");
        if (model.Length <= maxPartBytes)
            return [new ExportedFile("", className, model.Length, Generate(model, ns, className, sourceName))];

        int parts = (model.Length + maxPartBytes - 1) / maxPartBytes;
        var files = new List<ExportedFile>();
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(model);
        string fileName = SafeFileName(sourceName);
        var sb = new StringBuilder();
        Header(sb, sourceName, $"{model.Length} bytes in {parts} parts of at most {maxPartBytes} bytes, CRC-32 0x{crc:X8}");
        sb.Append("namespace ").Append(ns).Append("\n{\n");
        sb.Append($"    /// <summary>The SkipRnn Edge model file {EscapeXml(fileName)}, joined from {parts} parts for SkipRnn.Edge.Format.ModelReader.Read.</summary>\n");
        sb.Append("    /// <remarks>Each part class (").Append(className).Append("Part1…").Append(className).Append("Part").Append(parts)
          .Append(") must be compiled into its own assembly:\n");
        sb.Append("    /// nanoCLR 1.x loads at most about 64 KiB of array-initializer data per assembly.</remarks>\n");
        sb.Append($"    public static class {className}\n    {{\n");
        sb.Append("        /// <summary>Length of the model file.</summary>\n");
        sb.Append($"        public const int Length = {model.Length};\n\n");
        sb.Append("        /// <summary>\n");
        sb.Append("        /// The model file's bytes, copied part by part into one new array (peak memory: the file plus one part;\n");
        sb.Append("        /// each part's array is garbage once copied). ModelReader.Read checks the CRC of the joined file.\n");
        sb.Append("        /// </summary>\n");
        sb.Append("        public static byte[] ReadBytes()\n        {\n");
        sb.Append("            byte[] file = new byte[Length];\n");
        for (int k = 0; k < parts; k++)
        {
            int offset = k * maxPartBytes;
            sb.Append($"            Copy({className}Part{k + 1}.Bytes(), file, {offset}, {Math.Min(maxPartBytes, model.Length - offset)}, {k + 1});\n");
        }
        sb.Append("            return file;\n        }\n\n");
        sb.Append("        private static void Copy(byte[] part, byte[] file, int offset, int length, int index)\n        {\n");
        sb.Append("            if (part.Length != length)\n");
        sb.Append("                throw new System.InvalidOperationException(\"Part \" + index.ToString() + \" of the model holds \" + part.Length.ToString() +\n");
        sb.Append("                    \" bytes, \" + length.ToString() + \" expected: the parts come from different exports.\");\n");
        sb.Append("            System.Array.Copy(part, 0, file, offset, length);\n        }\n    }\n}\n");
        files.Add(new ExportedFile("", className, 0, sb.ToString()));

        for (int k = 0; k < parts; k++)
        {
            int offset = k * maxPartBytes, count = Math.Min(maxPartBytes, model.Length - offset);
            string part = $"{className}Part{k + 1}";
            var p = new StringBuilder();
            Header(p, sourceName, $"part {k + 1} of {parts}: bytes {offset}..{offset + count - 1} of {model.Length}, CRC-32 of the whole file 0x{crc:X8}");
            p.Append("namespace ").Append(ns).Append("\n{\n");
            p.Append($"    /// <summary>Part {k + 1} of {parts} of the model file {EscapeXml(fileName)}, for {className}.ReadBytes; compile it into an assembly of its own.</summary>\n");
            p.Append($"    public static class {part}\n    {{\n");
            p.Append("        /// <summary>A new array with this part's bytes (a method, not a field, so the array is garbage once copied).</summary>\n");
            p.Append("        public static byte[] Bytes()\n        {\n            return new byte[]\n            {\n");
            AppendBytes(p, model, offset, count, "                ");
            p.Append("            };\n        }\n    }\n}\n");
            files.Add(new ExportedFile($".Part{k + 1}", part, count, p.ToString()));
        }
        return files;
    }

    /// <summary>The source text of a model in one file. <paramref name="ns"/> may be dotted; <paramref name="className"/> must be an identifier.</summary>
    public static string Generate(byte[] model, string ns, string className, string sourceName)
    {
        CheckNames(ns, className);
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(model);
        var sb = new StringBuilder();
        string fileName = SafeFileName(sourceName);
        Header(sb, sourceName, $"{model.Length} bytes, CRC-32 0x{crc:X8}");
        sb.Append($"namespace {ns}\n{{\n");
        sb.Append($"    /// <summary>The SkipRnn Edge model file {EscapeXml(fileName)}, for SkipRnn.Edge.Format.ModelReader.Read.</summary>\n");
        sb.Append($"    public static class {className}\n    {{\n");
        sb.Append($"        /// <summary>Length of <see cref=\"Bytes\"/>.</summary>\n");
        sb.Append($"        public const int Length = {model.Length};\n\n");
        sb.Append("        /// <summary>The model file's bytes (read-only by convention).</summary>\n");
        sb.Append("        public static readonly byte[] Bytes = new byte[]\n        {\n");
        AppendBytes(sb, model, 0, model.Length, "            ");
        sb.Append("        };\n\n");
        sb.Append("        /// <summary>The model file's bytes: <see cref=\"Bytes\"/> itself (the same call as for a model split into parts).</summary>\n");
        sb.Append("        public static byte[] ReadBytes()\n        {\n            return Bytes;\n        }\n    }\n}\n");
        return sb.ToString();
    }

    private static void CheckNames(string ns, string className)
    {
        if (!Identifier().IsMatch(className)) throw new ArgumentException($"'{className}' is not a C# identifier.");
        if (ns.Split('.').Any(part => !Identifier().IsMatch(part))) throw new ArgumentException($"'{ns}' is not a C# namespace.");
    }

    /// <summary>The file name as it goes into comments: a newline in it would end the comment and become code.</summary>
    private static string SafeFileName(string sourceName) => DisplayText.Escape(Path.GetFileName(sourceName));

    private static void Header(StringBuilder sb, string sourceName, string what)
    {
        sb.Append("// <auto-generated>\n");
        sb.Append($"// Written by `skiprnn export-cs` from {SafeFileName(sourceName)}: {what}.\n");
        sb.Append("// Regenerate instead of editing.\n");
        sb.Append("// </auto-generated>\n");
    }

    /// <summary>Sixteen bytes a line, comma-separated, no trailing comma.</summary>
    private static void AppendBytes(StringBuilder sb, byte[] data, int offset, int count, string indent)
    {
        int end = offset + count;
        for (int i = offset; i < end; i += 16)
        {
            sb.Append(indent);
            int lineEnd = Math.Min(end, i + 16);
            for (int k = i; k < lineEnd; k++) sb.Append("0x").Append(data[k].ToString("X2")).Append(k + 1 < end ? ", " : "");
            sb.Length -= sb[^1] == ' ' ? 1 : 0;
            sb.Append('\n');
        }
    }

    private static string EscapeXml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
