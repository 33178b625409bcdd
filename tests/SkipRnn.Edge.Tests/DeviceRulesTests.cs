using Mono.Cecil;
using Mono.Cecil.Cil;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// Reads the IL of the device build (the gate project compiled against nanoFramework's mscorlib) and enforces
/// the rules the compiler cannot: no generics, no floating point, no multi-dimensional arrays or stackalloc
/// anywhere (in every device library); and no allocation or call outside the assembly on the step path.
/// </summary>
public class DeviceRulesTests
{
    private static readonly string DevicePath = Path.Combine(AppContext.BaseDirectory, "device", "SkipRnn.Edge.dll");

    private static ModuleDefinition Load() => ModuleDefinition.ReadModule(DevicePath);

    /// <summary>Every device library (its gate build) and the device libraries it may reference.</summary>
    public static TheoryData<string, string[]> DeviceLibraries => new()
    {
        { "SkipRnn.Edge", new string[0] },
        { "SkipRnn.Edge.Audio", new[] { "SkipRnn.Edge" } },
        { "SkipRnn.Edge.Loops", new[] { "SkipRnn.Edge" } },   // the motion app deploys it: no audio
        { "SkipRnn.Edge.Loops.Keyword", new[] { "SkipRnn.Edge", "SkipRnn.Edge.Audio", "SkipRnn.Edge.Loops" } },
    };

    private static ModuleDefinition Load(string library) =>
        ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, "device", library + ".dll"));

    private static IEnumerable<MethodDefinition> AllMethods(ModuleDefinition m) =>
        m.GetTypes().SelectMany(t => t.Methods);

    private static readonly HashSet<Code> FloatCodes = new()
    {
        Code.Ldc_R4, Code.Ldc_R8, Code.Conv_R4, Code.Conv_R8, Code.Conv_R_Un, Code.Ckfinite,
        Code.Ldind_R4, Code.Ldind_R8, Code.Stind_R4, Code.Stind_R8, Code.Ldelem_R4, Code.Ldelem_R8,
        Code.Stelem_R4, Code.Stelem_R8,
    };

    [Theory]
    [MemberData(nameof(DeviceLibraries))]
    public void The_device_assembly_is_built_against_nanoFramework_mscorlib(string library, string[] allowed)
    {
        using ModuleDefinition m = Load(library);
        AssemblyNameReference corlib = Assert.Single(m.AssemblyReferences, r => r.Name == "mscorlib");
        Assert.Equal(1, corlib.Version.Major);   // nanoFramework's mscorlib is 1.x; .NET's is 4.0 or later
        Assert.Equal(allowed.Order(), m.AssemblyReferences.Where(r => r.Name != "mscorlib").Select(r => r.Name).Order());
        Assert.DoesNotContain(m.Types, t => t.Namespace.StartsWith("SkipRnn.Edge.Host") || t.Namespace.StartsWith("SkipRnn.Edge.Emulator"));
        Assert.True(m.Types.Count(t => t.IsPublic) >= 2);
    }

    [Fact]
    public void The_runtime_holds_the_runner_and_no_audio_or_loop_code()
    {
        using ModuleDefinition m = Load();
        Assert.Contains(m.Types, t => t.FullName == "SkipRnn.Edge.Runtime.SkipGru");
        Assert.Contains(m.Types, t => t.FullName == "SkipRnn.Edge.Audio.FrontEndSpec");   // the model file's section
        Assert.DoesNotContain(m.Types, t => t.FullName is "SkipRnn.Edge.Audio.RealFft512" or "SkipRnn.Edge.Audio.AudioFrontEnd");
        Assert.DoesNotContain(m.Types, t => t.Namespace == "SkipRnn.Edge.Application");
    }

    [Theory]
    [MemberData(nameof(DeviceLibraries))]
    public void No_generic_types_or_methods(string library, string[] allowed)
    {
        _ = allowed;
        using ModuleDefinition m = Load(library);
        var problems = new List<string>();
        foreach (TypeDefinition t in m.GetTypes())
            if (t.HasGenericParameters) problems.Add("generic type " + t.FullName);
        foreach (MethodDefinition method in AllMethods(m))
        {
            if (method.HasGenericParameters) problems.Add("generic method " + method.FullName);
            if (!method.HasBody) continue;
            foreach (Instruction i in method.Body.Instructions)
                if (i.Operand is GenericInstanceType or GenericInstanceMethod ||
                    (i.Operand is MemberReference r && r.DeclaringType is GenericInstanceType))
                    problems.Add($"{method.FullName}: uses {i.Operand}");
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(DeviceLibraries))]
    public void No_floating_point_multidimensional_arrays_or_stackalloc_anywhere(string library, string[] allowed)
    {
        _ = allowed;
        using ModuleDefinition m = Load(library);
        var problems = new List<string>();
        bool IsFloat(TypeReference t) => t.GetElementType().FullName is "System.Single" or "System.Double" or "System.Decimal";
        bool IsMultiDim(TypeReference t) => t is ArrayType a && a.Rank > 1;
        foreach (TypeDefinition t in m.GetTypes())
            foreach (FieldDefinition f in t.Fields)
                if (IsFloat(f.FieldType) || IsMultiDim(f.FieldType)) problems.Add($"field {f.FullName}");
        foreach (MethodDefinition method in AllMethods(m))
        {
            if (IsFloat(method.ReturnType) || method.Parameters.Any(p => IsFloat(p.ParameterType) || IsMultiDim(p.ParameterType)))
                problems.Add($"signature {method.FullName}");
            if (!method.HasBody) continue;
            foreach (VariableDefinition v in method.Body.Variables)
                if (IsFloat(v.VariableType) || IsMultiDim(v.VariableType)) problems.Add($"local in {method.FullName}");
            foreach (Instruction i in method.Body.Instructions)
            {
                if (FloatCodes.Contains(i.OpCode.Code)) problems.Add($"{method.FullName}: {i}");
                if (i.OpCode.Code == Code.Localloc) problems.Add($"{method.FullName}: stackalloc");
                if (i.Operand is TypeReference tr && (IsMultiDim(tr) || IsFloat(tr))) problems.Add($"{method.FullName}: {i}");
                if (i.Operand is MethodReference mr && (mr.DeclaringType.FullName is "System.Math" or "System.MathF" ||
                    IsMultiDim(mr.DeclaringType)))
                    problems.Add($"{method.FullName}: {i}");
            }
        }
        Assert.Empty(problems);
    }

    /// <summary>
    /// Walks every method reachable from the step entry points. Calls whose result is thrown at once (the
    /// exception builders) are not followed: they run only on misuse.
    /// </summary>
    [Fact]
    public void The_step_path_allocates_nothing_and_stays_inside_the_assembly()
    {
        using ModuleDefinition m = Load();
        TypeDefinition runner = m.GetType("SkipRnn.Edge.Runtime.SkipGru");
        var entries = runner.Methods.Where(x => x.Name is "Step" or "Skip").ToList();
        Assert.Equal(2, entries.Count);

        var (problems, seen) = HotPathWalk.Run(m, entries);
        Assert.Empty(problems);
        // The walk must have reached the kernels, or it proves nothing.
        Assert.Contains(seen, x => x.DeclaringType.Name == "MatVec");
        Assert.Contains(seen, x => x.DeclaringType.Name == "Activation" && x.Name == "SigmoidOfSum");
        Assert.Contains(seen, x => x.DeclaringType.Name == "InputNormalization" && x.Name == "Apply");
    }
}
