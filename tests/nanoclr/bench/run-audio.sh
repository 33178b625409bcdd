#!/usr/bin/env bash
# The audio front end's interpreter benchmark (not a test): builds the device runtime and audio/AudioBench.cs for
# nanoCLR, runs them under callgrind (x86 instructions counted deterministically) and prints the cost of one
# frame's features (and of each stage), of a skipped frame, and of a 40×64 Skip-GRU update beside them; with
# --timed also a plain run's wall-clock µs on this machine. The same app runs on .NET: its checksums must match.
#   tests/nanoclr/bench/run-audio.sh [--timed]
# Needs valgrind and the interpreter at ../shared/tools/nanoclr (or NANOCLR_TOOLS=folder). Takes about a minute.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/bench-env.sh"
bench_env "bench" "$root"

source "$here/../device-libs.sh"
compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Audio
# The shipped keyword model and one test clip (the first "yes" of the shipped test slice) as C# arrays, each in an
# assembly of its own: nanoCLR 1.x keeps array-initializer data behind 16-bit offsets (< 64 KiB per assembly).
/usr/bin/python3 - "$root" "$work" <<'PY'
import sys
root, work = sys.argv[1], sys.argv[2]
sys.path.insert(0, f"{root}/models/train/keyword")
import prepare
model = open(f"{root}/models/keyword/model.skrn", "rb").read()
clips = prepare.load_clips(f"{root}/models/keyword/data/speech_commands_test.npz")
i = int((clips["y"] == 0).nonzero()[0][0])
with open(f"{work}/KeywordModel.cs", "w") as f:
    f.write("namespace SkipRnn.Bench\n{\n    public static class KeywordModelBytes\n    {\n        public static byte[] Get() { return new byte[] { ")
    f.write(", ".join(str(b) for b in model) + " }; }\n    }\n}\n")
with open(f"{work}/KeywordClip.cs", "w") as f:
    f.write(f"namespace SkipRnn.Bench\n{{\n    /// <summary>Test clip {i} of models/keyword/data/speech_commands_test.npz (Speech Commands v0.02, CC BY 4.0).</summary>\n")
    f.write("    public static class KeywordClipSamples\n    {\n        public static short[] Get() { return new short[] { ")
    f.write(", ".join(str(int(v)) for v in clips["pcm"][i]) + " }; }\n    }\n}\n")
with open(f"{work}/KeywordData.cs", "w") as f:
    f.write("namespace SkipRnn.Bench\n{\n    public static class KeywordData\n    {\n"
            "        public static byte[] Model() { return KeywordModelBytes.Get(); }\n"
            "        public static short[] Clip() { return KeywordClipSamples.Get(); }\n    }\n}\n")
PY
"$tools/compile-pe" "$work/KeywordModel.pe" "$work/KeywordModel.cs" >/dev/null
"$tools/compile-pe" "$work/KeywordClip.pe" "$work/KeywordClip.cs" >/dev/null
app=("$here/audio/AudioBench.cs" "$here/RandomModelFile.cs" "$work/KeywordData.cs")
"$tools/compile-pe" "$work/Bench.pe" -entrypoint SkipRnn.Bench.AudioBench::Main -define:DEBUG "${DEVICE_REFS[@]}" \
  -r:"$work/KeywordModel.dll" -r:"$work/KeywordClip.dll" "${app[@]}"
corelib=$("$tools/corelib")

LD_LIBRARY_PATH="$tools/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$tools/lib/nanoFramework.nanoCLR.test" "$corelib/mscorlib.pe" "${DEVICE_PES[@]}" "$work/KeywordModel.pe" "$work/KeywordClip.pe" "$work/Bench.pe" \
  2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@audio bench done' "$work/markers" || { echo "bench: the app did not finish; markers:" >&2; cat "$work/markers" >&2; exit 1; }
n=$(wc -l < "$work/markers")
for k in $(seq 1 "$n"); do grep '^totals:' "$work/cg.out.$k" | cut -d' ' -f2; done > "$work/dumps"
grep '^totals:' "$work/cg.out" | cut -d' ' -f2 >> "$work/dumps"

# The same app on .NET (host build of the same sources): the checksum lines must be equal.
mkdir -p "$work/host"
cat > "$work/host/host.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><DefineConstants>DEBUG</DefineConstants>
  <StartupObject>SkipRnn.Bench.AudioBench</StartupObject><Nullable>disable</Nullable><ImplicitUsings>disable</ImplicitUsings></PropertyGroup>
  <ItemGroup><Compile Include="$here/audio/AudioBench.cs;$here/RandomModelFile.cs;$work/KeywordData.cs;$work/KeywordModel.cs;$work/KeywordClip.cs" /></ItemGroup>
  <ItemGroup><ProjectReference Include="$root/src/SkipRnn.Edge.Audio/SkipRnn.Edge.Audio.csproj" /></ItemGroup>
</Project>
XML
cat > "$work/host/Listener.cs" <<'CS'
namespace SkipRnn.Bench { internal static class HostOut { [System.Runtime.CompilerServices.ModuleInitializer] internal static void Init() { System.Diagnostics.Trace.Listeners.Add(new System.Diagnostics.TextWriterTraceListener(System.Console.Out)); System.Diagnostics.Trace.AutoFlush = true; } } }
CS
dotnet run --project "$work/host/host.csproj" -c Release 2>&1 | grep '^@' > "$work/host.markers" || true
timed=""
if [ "${1:-}" = "--timed" ]; then
  "$tools/compile-pe" "$work/Timed.pe" -entrypoint SkipRnn.Bench.AudioBench::Main -define:DEBUG -define:TIMED \
    "${DEVICE_REFS[@]}" -r:"$work/KeywordModel.dll" -r:"$work/KeywordClip.dll" "${app[@]}"
  "$tools/nanoclr" "$corelib/mscorlib.pe" "${DEVICE_PES[@]}" "$work/KeywordModel.pe" "$work/KeywordClip.pe" "$work/Timed.pe" | tr -d '\r' | grep '^@' > "$work/timed"
  timed="$work/timed"
fi

python3 - "$work/markers" "$work/dumps" "$work/host.markers" "$timed" <<'PY'
import sys
markers = [l.rstrip("\n")[1:] for l in open(sys.argv[1])]
dumps = [int(l) for l in open(sys.argv[2])]
host = [l.rstrip("\n")[1:] for l in open(sys.argv[3])]
cost = {m: dumps[i + 1] for i, m in enumerate(markers)}
ticks = {}
if sys.argv[4]:
    lines = [l.rstrip("\n")[1:] for l in open(sys.argv[4])]
    names = [l.split(" ticks-of-previous ")[0] for l in lines]
    for i in range(len(lines) - 1):
        ticks[names[i]] = int(lines[i + 1].split(" ticks-of-previous ")[1])
checks = [m for m in markers if "-check " in m]
hchecks = [m for m in host if "-check " in m]
same = checks == hchecks and len(checks) == 4
print("checksums nanoCLR:", "; ".join(checks))
print("checksums .NET:   ", "; ".join(hchecks) if hchecks else "(host run failed)")
print("audio bench nanoCLR vs .NET features:", "ok" if same else "DIFFER")
def per(name, n1=1, n2=2):
    # phase "name n1" runs n1 units, "name n2" runs n2 units: (cost2 − cost1) / (n2 − n1)
    return (cost[f"{name} {n2}"] - cost[f"{name} {n1}"]) / (n2 - n1)
def us(name, n1=1, n2=2):
    if not ticks: return ""
    return f" {(ticks[f'{name} {n2}'] - ticks[f'{name} {n1}']) / (n2 - n1) / 10:.0f}"
rows = [
    ("window (Hann, block scaling)", per("window")),
    ("real FFT 512 (256 complex + split)", per("fft")),
    ("power", per("power")),
    ("mel (493 weights)", per("mel")),
    ("log (40 bands)", per("log")),
    ("one frame's features (LogMelPipeline.Compute)", per("frame")),
    ("digital-silence frame (no FFT)", per("silent")),
    ("computed frame in the stream (write 320 + ring copy + features)", per("hop-compute")),
    ("skipped frame in the stream (write 320 + SkipFrame)", per("hop-skip", 100, 200)),
    ("Skip-GRU update 40×64, 8 outputs (Reset + Step − Reset)", per("gru") - per("reset")),
    ("Skip-GRU skipped step 40×64", per("gru-skip", 100, 200)),
]
frame = per("frame")
hop = 20e-3
print()
head = "| work | x86 instructions (nanoCLR) | × one frame's features |" + (" µs (plain run, this machine) |" if ticks else "")
print(head)
print("|" + "---|" * (head.count("|") - 1))
tick_names = {"window": "window", "real": "fft", "power": "power", "mel": "mel", "log": "log", "one": "frame",
              "digital": "silent", "computed": "hop-compute", "skipped": "hop-skip"}
for label, v in rows:
    extra = ""
    if ticks:
        key = tick_names.get(label.split()[0])
        if key == "hop-skip": extra = us(key, 100, 200) + " |"
        elif key: extra = us(key) + " |"
        elif label.startswith("Skip-GRU update"): extra = f" {((ticks['gru 2'] - ticks['gru 1']) - (ticks['reset 2'] - ticks['reset 1'])) / 10:.0f} |"
        else: extra = us("gru-skip", 100, 200) + " |"
    print(f"| {label} | {v / 1e6:.3f} M | {v / frame:.3f} |{extra}")
print()
print(f"gru macs per update: {next(m for m in markers if m.startswith('gru-macs')).split()[-1]}")
# The shipped keyword model on a real clip (49 frames, one second of audio).
kmacs = int(next(m for m in markers if m.startswith("kws-macs")).split()[-1])
kupd = per("kws-update") - per("kws-reset")
clip = per("kws-clip")
kcheck = next(m for m in markers if m.startswith("kws-check")).split()
updates, computed = int(kcheck[2]), int(kcheck[5])
print(f"keyword model (models/keyword, int16 weights, {kmacs} MACs): update {kupd / 1e6:.3f} M ({kupd / kmacs:.0f} per MAC), "
      f"load (Read + new SkipGru + the clip's array) {cost['kws-load'] / 1e6:.1f} M")
print(f"keyword model on one test clip (1 s, 49 frames; {updates} updates, {computed} feature frames computed): "
      f"{clip / 1e6:.1f} M x86 per second of audio, {clip / 49 / 1e6:.3f} M per 20 ms frame")
for lo, hi, mhz in ((1.82, 5.45, 240),):
    print(f"  on an ESP32 at {mhz} MHz, {lo}-{hi} cycles per x86 instruction (firmware/profiles/README.md): "
          f"{clip * lo / mhz / 1e6:.2f}-{clip * hi / mhz / 1e6:.2f} s per second of audio "
          f"({'keeps up' if clip * hi / mhz / 1e6 < 1 else 'does not keep up' if clip * lo / mhz / 1e6 > 1 else 'keeps up only at the fast end'})")
sys.exit(0 if same else 1)
PY
