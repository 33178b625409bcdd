#!/usr/bin/env bash
# The interpreter benchmark (not a test): builds the device runtime and Bench.cs for nanoCLR, runs them under
# callgrind (x86 instructions are counted deterministically) and prints instructions per update, per MAC, per
# skipped step, for loading (ModelReader.Read + new SkipGru) and for boot, for the shipped models and random
# 6×32, 40×64 and 40×128 models. Each figure is a difference of two phases that differ only in the amount of work.
#   tests/nanoclr/bench/run.sh [--timed]     (--timed: also a plain run, wall-clock µs per update on this machine)
# Needs valgrind and the interpreter at ../shared/tools/nanoclr (or NANOCLR_TOOLS=folder). Takes a few minutes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/bench-env.sh"
bench_env "bench" "$root"

# The shipped models as C# arrays (together under nanoCLR's 64 KiB array-initializer limit).
python3 - "$root" > "$work/ShippedModels.cs" <<'PY'
import sys
root = sys.argv[1]
print("namespace SkipRnn.Bench\n{\n    public static class ShippedModels\n    {")
for name in ("adding", "frequency"):
    data = open(f"{root}/models/{name}/model.skrn", "rb").read()
    body = ", ".join(str(b) for b in data)
    print(f"        public static readonly byte[] {name.capitalize()} = new byte[] {{ {body} }};")
print("    }\n}")
PY

mapfile -t device < <(find "$root/src/SkipRnn.Edge" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | sort)
"$tools/compile-pe" "$work/SkipRnn.Edge.pe" "${device[@]}"
app=("$here/Bench.cs" "$here/RandomModelFile.cs" "$work/ShippedModels.cs")
"$tools/compile-pe" "$work/Bench.pe" -entrypoint SkipRnn.Bench.Bench::Main -define:DEBUG -r:"$work/SkipRnn.Edge.dll" "${app[@]}"
corelib=$("$tools/corelib")

# Callgrind dumps its count every time Debug.WriteLine's native method is entered: dump k holds the
# instructions between marker k−1 and marker k (dump 1: boot up to the first marker).
LD_LIBRARY_PATH="$tools/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$tools/lib/nanoFramework.nanoCLR.test" "$corelib/mscorlib.pe" "$work/SkipRnn.Edge.pe" "$work/Bench.pe" \
  2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@bench done' "$work/markers" || { echo "bench: the app did not finish (no '@bench done'); markers:" >&2; cat "$work/markers" >&2; exit 1; }
n=$(wc -l < "$work/markers")
for k in $(seq 1 "$n"); do grep '^totals:' "$work/cg.out.$k" | cut -d' ' -f2; done > "$work/dumps"
grep '^totals:' "$work/cg.out" | cut -d' ' -f2 >> "$work/dumps"

timed=""
if [ "${1:-}" = "--timed" ]; then
  "$tools/compile-pe" "$work/Timed.pe" -entrypoint SkipRnn.Bench.Bench::Main -define:DEBUG -define:TIMED \
    -r:"$work/SkipRnn.Edge.dll" "${app[@]}"
  "$tools/nanoclr" "$corelib/mscorlib.pe" "$work/SkipRnn.Edge.pe" "$work/Timed.pe" | tr -d '\r' | grep '^@' > "$work/timed"
  timed="$work/timed"
fi

python3 - "$work/markers" "$work/dumps" "$timed" <<'PY'
import sys
markers = [l.rstrip("\n")[1:] for l in open(sys.argv[1])]
dumps = [int(l) for l in open(sys.argv[2])]
boot = dumps[0]
cost = {m: dumps[i + 1] for i, m in enumerate(markers)}          # the phase a marker starts
ticks = {}
if sys.argv[3]:
    lines = [l.rstrip("\n")[1:] for l in open(sys.argv[3])]
    names = [l.split(" ticks-of-previous ")[0] for l in lines]
    for i in range(len(lines) - 1):
        ticks[names[i]] = int(lines[i + 1].split(" ticks-of-previous ")[1])
def find(prefix):
    return next(m for m in markers if m.startswith(prefix))
# The phase a marker starts runs to the next marker: "empty" holds one Mark call and nothing else ("empty2" runs on
# into the plain loop's array set-up, 2.2 M instructions, which earlier versions of this script subtracted by mistake).
empty = cost["empty"]
plain = (cost["plain 2000"] - cost["plain 1000"]) / 1000
print("checks (equal before and after a kernel change):")
for m in markers:
    if " check " in m or m.startswith("plain-check") or " skip-check " in m:
        print("  " + m)
print()
print(f"boot (nanoCLR start to Main's first line, mscorlib + SkipRnn.Edge + bench app): {boot:,} x86 instructions")
print(f"plain int16 MAC loop (int32 accumulator): {plain:.0f} x86 instructions per MAC")
print()
head = "| model | MACs/update | x86 instr/update | per MAC | skipped step | skipped/update | load (Read + new SkipGru) | load / update |"
if ticks: head += " µs/update (plain run) |"
print(head)
print("|" + "---|" * (head.count("|") - 1))
for name in ("adding", "frequency", "6x32", "40x64", "40x128", "adding-lean", "40x64-lean"):
    macs = int(find(name + " macs ").split()[-1])
    update = (cost[name + " update 2"] - cost[name + " update 1"]) - (cost[name + " reset 2"] - cost[name + " reset 1"])
    load = cost[name + " load"] - empty
    skip = "–"; ratio = "–"
    if name + " skip 200" in cost:
        s = (cost[name + " skip 200"] - cost[name + " skip 100"]) / 100
        skip = f"{s:,.0f}"; ratio = f"{100 * s / update:.2f}%"
    label = f"models/{name}" if name[0].isalpha() else f"random {name.replace('x', '×')}"
    label = label.replace("-lean", ", lean (ModelReader.Read(file, false))")
    row = f"| {label} | {macs:,} | {update / 1e6:.2f} M | {update / macs:.0f} | {skip} | {ratio} | {load / 1e6:.2f} M | {load / update:.2f} |"
    if ticks:
        row += f" {(ticks[name + ' update 2'] - ticks[name + ' update 1']) / 10:.0f} |"
    print(row)
PY
