using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit.Abstractions;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// On the device the interpreter's cost tracks IL instructions executed (edge-targets.md: a plain int16 MAC loop
/// costs 17 IL instructions per element). Reads the device build's IL and counts the instructions one pass of
/// each kernel's unrolled inner loop executes, per multiply-accumulate.
/// </summary>
public class KernelCostTests(ITestOutputHelper output)
{
    private static readonly string DevicePath = Path.Combine(AppContext.BaseDirectory, "device", "SkipRnn.Edge.dll");

    /// <summary>Instructions from a backward branch's target to the branch itself: one pass of that loop.</summary>
    private static IEnumerable<int> LoopBodies(MethodDefinition m) =>
        m.Body.Instructions
            .Where(i => i.Operand is Instruction target && target.Offset < i.Offset)
            .Select(i => m.Body.Instructions.IndexOf(i) - m.Body.Instructions.IndexOf((Instruction)i.Operand) + 1);

    [Theory]
    [InlineData("Int8")]
    [InlineData("Int16")]
    public void The_unrolled_inner_loop_costs_fewer_IL_instructions_per_MAC_than_a_plain_loop(string kernel)
    {
        using ModuleDefinition module = ModuleDefinition.ReadModule(DevicePath);
        MethodDefinition m = module.GetType("SkipRnn.Edge.Kernels.MatVec").Methods.Single(x => x.Name == kernel);
        // The largest backward-branch loop that is not the row loop: the four-MAC body. Loops are laid out
        // condition-last, so the body plus its condition is what a pass executes.
        var bodies = LoopBodies(m).OrderBy(n => n).ToList();
        int unrolled = bodies[^2];   // the row loop ([^1]) contains both inner loops
        double perMac = unrolled / 4.0;
        output.WriteLine($"MatVec.{kernel}: loops of {string.Join(", ", bodies)} IL instructions; unrolled pass {unrolled} → {perMac:F2} per MAC");
        // Measured on the optimized gate build: int8 14.5, int16 15.25 (loads with an index offset dominate).
        Assert.True(perMac < 17, $"{perMac} IL instructions per MAC: no better than a plain loop");
    }

    [Fact]
    public void The_packed_kernel_widest_pass_costs_under_3_5_IL_instructions_per_MAC()
    {
        using ModuleDefinition module = ModuleDefinition.ReadModule(DevicePath);
        // The passes are methods of their own (Pass32, Pass16, ...; MatVec.Packed calls them): the widest is Pass32.
        MethodDefinition m = module.GetType("SkipRnn.Edge.Kernels.MatVec").Methods.Single(x => x.Name == "Pass32");
        var il = m.Body.Instructions;
        // Innermost loops (no backward branch inside): the one with the most multiplies is the 32-lane pass,
        // eight columns per step.
        var loops = il.Where(i => i.Operand is Instruction t && t.Offset < i.Offset)
            .Select(i => (start: il.IndexOf((Instruction)i.Operand), end: il.IndexOf(i)))
            .ToList();
        var innermost = loops.Where(a => !loops.Any(b => b != a && b.start >= a.start && b.end < a.end)).ToList();
        var widest = innermost
            .Select(l => (length: l.end - l.start + 1, muls: il.Skip(l.start).Take(l.end - l.start + 1).Count(i => i.OpCode == OpCodes.Mul)))
            .OrderByDescending(l => l.muls).First();
        double perMac = widest.length / (2.0 * widest.muls);   // a paired lane: two MACs per multiply
        output.WriteLine($"MatVec.Pass32: widest pass {widest.length} IL instructions, {widest.muls} multiplies → {perMac:F2} per int8 MAC, {2 * perMac:F2} per int16 MAC");
        Assert.Equal(32 * 8, widest.muls);
        // Measured on the optimized gate build: 1,675 IL for 32 lanes × 8 columns, 3.27 per int8 MAC and 6.54 per
        // int16 MAC (one column per step, 16 lanes: 4.38 and 8.75; the reference kernels: 14.5 and 15.25).
        Assert.True(perMac < 3.5, $"{perMac} IL instructions per MAC");
    }
}
