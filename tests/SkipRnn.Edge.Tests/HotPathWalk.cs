using Mono.Cecil;
using Mono.Cecil.Cil;

namespace SkipRnn.Edge.Tests;

/// <summary>
/// Walks the device build's IL from some entry points through every method of the assembly they can reach, and
/// lists what a per-step (per-frame) path must not do: allocate (newarr, box, newobj) or call outside the assembly.
/// Calls and constructions whose result is thrown at once (the exception builders) are not followed: they run only
/// on misuse. The DeviceRulesTests step path and the audio front end's frame path use it.
/// </summary>
internal static class HotPathWalk
{
    /// <summary>The problems found and the methods reached (a test should check the walk reached what it must).</summary>
    public static (List<string> Problems, HashSet<MethodDefinition> Seen) Run(ModuleDefinition m,
        IEnumerable<MethodDefinition> entries, Func<MethodReference, bool>? allowedOutside = null)
    {
        var seen = new HashSet<MethodDefinition>();
        var queue = new Queue<MethodDefinition>(entries);
        var problems = new List<string>();
        while (queue.Count > 0)
        {
            MethodDefinition method = queue.Dequeue();
            if (!seen.Add(method) || !method.HasBody) continue;
            foreach (Instruction i in method.Body.Instructions)
            {
                bool thrownAtOnce = i.Next?.OpCode.Code == Code.Throw;
                switch (i.OpCode.Code)
                {
                    case Code.Newarr:
                    case Code.Box:
                    case Code.Newobj when !thrownAtOnce:
                        problems.Add($"{method.FullName}: {i}");
                        break;
                    case Code.Call:
                    case Code.Callvirt:
                        if (thrownAtOnce) break;
                        var target = (MethodReference)i.Operand;
                        if (allowedOutside != null && allowedOutside(target)) break;
                        if (target.Module != m || target.Resolve() is not MethodDefinition def)
                            problems.Add($"{method.FullName}: calls outside the assembly: {target.FullName}");
                        else
                            queue.Enqueue(def);
                        break;
                }
            }
        }
        return (problems, seen);
    }
}
