#!/usr/bin/env bash
# Measures, on the real nanoFramework interpreter (the Linux nanoCLR under callgrind: x86 instructions, counted
# deterministically), what `skiprnn simulate` charges on the target, and writes them to
# firmware/profiles/nanoclr-costs.json (committed; the simulator never needs valgrind):
#   tests/nanoclr/simcosts/measure.sh [out.json]
# Per shipped model: load, self-test, construction, one update as the application makes it, one skipped span;
# the managed side of one IMU read; the keyword models and the keyword loop's front-end frames and microphone reads; boot to Main; a stretch of the motion test recording through the detector;
# and the calibration loop (internal calls) that ties the profiles' interpreter speed to GPIO-toggle timings.
# Needs valgrind and ../shared/tools/nanoclr (or NANOCLR_TOOLS=folder). About a minute.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${1:-$root/firmware/profiles/nanoclr-costs.json}
tools=${NANOCLR_TOOLS:-$root/../shared/tools/nanoclr}
[ -x "$tools/nanoclr" ] || { echo "simcosts: no nanoCLR at $tools (set NANOCLR_TOOLS)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "simcosts: valgrind is missing (apt-get install -y valgrind)" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The shipped models as C# arrays (45 KB together: under nanoCLR's 64 KiB array-initializer limit per assembly);
# the stretch of real IMU data goes into an assembly of its own for the same reason.
python3 - "$root" "$work" <<'PY'
import sys, zipfile, struct, ast
root, work = sys.argv[1], sys.argv[2]
models = {"Adding": "models/adding/model.skrn", "Frequency": "models/frequency/model.skrn",
          "Motion": "models/motion/model.skrn", "MotionGru": "models/motion/gru/model.skrn"}
with open(f"{work}/ShippedModels.cs", "w") as f:
    f.write("namespace SkipRnn.SimCosts\n{\n    public static class ShippedModels\n    {\n")
    for name, path in models.items():
        data = open(f"{root}/{path}", "rb").read()
        f.write(f"        public static readonly byte[] {name} = new byte[] {{ {', '.join(str(b) for b in data)} }};\n")
    f.write("    }\n}\n")
# The keyword models (56.6 KB each): an assembly each, as tests/nanoclr/bench/run-audio.sh does.
for cls, path in (("KeywordModelBytes", "models/keyword/model.skrn"), ("KeywordGruModelBytes", "models/keyword/gru/model.skrn")):
    data = open(f"{root}/{path}", "rb").read()
    with open(f"{work}/{cls}.cs", "w") as f:
        f.write("namespace SkipRnn.SimCosts\n{\n    /// <summary>" + path + "</summary>\n    public static class " + cls + "\n    {\n")
        f.write("        public static byte[] Get() { return new byte[] { " + ", ".join(str(b) for b in data) + " }; }\n    }\n}\n")

def npy(z, name):
    b = z.read(name + ".npy")
    assert b[:6] == b"\x93NUMPY", name
    hl = struct.unpack("<H", b[8:10])[0] if b[6] == 1 else struct.unpack("<I", b[8:12])[0]
    start = 10 + hl if b[6] == 1 else 12 + hl
    h = ast.literal_eval(b[start - hl:start].decode("latin1"))
    assert not h["fortran_order"], name
    return h, b[start:]
z = zipfile.ZipFile(f"{root}/models/motion/data/hapt_test_users.npz")
h, raw = npy(z, "x")
assert h["descr"] == "<i2" and h["shape"][1] == 6, h
samples = 4000   # 80 s at 50 Hz from the first test recording's start: 48 KB of int16
vals = struct.unpack(f"<{samples * 6}h", raw[:samples * 12])
with open(f"{work}/MotionStretch.cs", "w") as f:
    f.write("namespace SkipRnn.SimCosts\n{\n    /// <summary>The first 4000 samples of models/motion/data/hapt_test_users.npz (UCI HAPT, CC BY 4.0).</summary>\n")
    f.write("    public static class MotionStretch\n    {\n        public static short[] Samples()\n        {\n")
    f.write(f"            return new short[] {{ {', '.join(str(v) for v in vals)} }};\n        }}\n    }}\n}}\n")
PY

source "$here/../device-libs.sh"
compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Audio SkipRnn.Edge.Loops SkipRnn.Edge.Loops.Keyword >/dev/null
"$tools/compile-pe" "$work/StretchData.pe" "$work/MotionStretch.cs" >/dev/null
"$tools/compile-pe" "$work/KeywordModel.pe" "$work/KeywordModelBytes.cs" >/dev/null
"$tools/compile-pe" "$work/KeywordGruModel.pe" "$work/KeywordGruModelBytes.cs" >/dev/null
"$tools/compile-pe" "$work/SimCosts.pe" -entrypoint SkipRnn.SimCosts.SimCosts::Main -define:DEBUG \
  "${DEVICE_REFS[@]}" -r:"$work/StretchData.dll" -r:"$work/KeywordModel.dll" -r:"$work/KeywordGruModel.dll" \
  "$here/SimCosts.cs" "$work/ShippedModels.cs" >/dev/null
corelib=$("$tools/corelib")

# Callgrind dumps its count whenever Debug.WriteLine's native method is entered: dump k holds the instructions
# between marker k−1 and marker k (dump 1: boot up to the first marker).
LD_LIBRARY_PATH="$tools/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$tools/lib/nanoFramework.nanoCLR.test" "$corelib/mscorlib.pe" "${DEVICE_PES[@]}" "$work/StretchData.pe" \
  "$work/KeywordModel.pe" "$work/KeywordGruModel.pe" "$work/SimCosts.pe" \
  2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@simcosts done' "$work/markers" || { echo "simcosts: the app did not finish (no '@simcosts done'); markers:" >&2; cat "$work/markers" >&2; exit 1; }
n=$(wc -l < "$work/markers")
for k in $(seq 1 "$n"); do grep '^totals:' "$work/cg.out.$k" | cut -d' ' -f2; done > "$work/dumps"
grep '^totals:' "$work/cg.out" | cut -d' ' -f2 >> "$work/dumps"

python3 - "$work/markers" "$work/dumps" "$root" "$out" <<'PY'
import sys, json, hashlib, os, subprocess
markers = [l.rstrip("\n")[1:] for l in open(sys.argv[1])]
dumps = [int(l) for l in open(sys.argv[2])]
root, out = sys.argv[3], sys.argv[4]
cost = {m: dumps[i + 1] for i, m in enumerate(markers)}     # the phase a marker starts
def find(prefix):
    return next(m for m in markers if m.startswith(prefix))
empty = cost["empty2"]
calls = (cost["calls 2000"] - cost["calls 1000"]) / 1000
read = (cost["read 200"] - cost["read 100"]) / 100
# Per call and per sample of the loop's raw read: 32 calls of 64 samples against 32 of 256.
s64 = cost["mic-slots64 64"] - cost["mic-slots64 32"]
s256 = cost["mic-slots256 64"] - cost["mic-slots256 32"]
slots_sample = (s256 - s64) / (32 * 192)
slots_call = s64 / 32 - 64 * slots_sample
d64 = cost["mic-discard64 64"] - cost["mic-discard64 32"]
d256 = cost["mic-discard256 64"] - cost["mic-discard256 32"]
discard_sample = (d256 - d64) / (32 * 192)
discard_call = d64 / 32 - 64 * discard_sample
# The managed window: 10 whole (480) against 10 consecutive (160 moved + 320 unpacked): a + 480 b and a + 320 b.
u480 = (cost["unpack480 20"] - cost["unpack480 10"]) / 10
u320 = (cost["unpack320 20"] - cost["unpack320 10"]) / 10
unpack_sample = (u480 - u320) / 160
unpack_call = u480 - 480 * unpack_sample
paths = {"adding": "models/adding/model.skrn", "frequency": "models/frequency/model.skrn",
         "motion": "models/motion/model.skrn", "motion-gru": "models/motion/gru/model.skrn",
         "keyword": "models/keyword/model.skrn", "keyword-gru": "models/keyword/gru/model.skrn"}
models = []
for name, path in paths.items():
    info = find(name + " info ").split()
    if info[3] != "passed":
        sys.exit(f"simcosts: {name}'s self-test failed on nanoCLR")
    update = (cost[name + " update 2"] - cost[name + " update 1"]) - (cost[name + " reset 2"] - cost[name + " reset 1"])
    entry = {
        "name": name, "file": path, "file_bytes": os.path.getsize(f"{root}/{path}"),
        "sha256": hashlib.sha256(open(f"{root}/{path}", "rb").read()).hexdigest(),
        "macs_per_update": int(info[5]), "detector": info[7] == "yes", "whh_bits": int(info[9]),
        "load": cost[name + " load"] - empty, "self_test": cost[name + " selftest"] - empty,
        "construct": cost[name + " construct"] - empty,
        "update": update, "skip_span": round((cost[name + " span 200"] - cost[name + " span 100"]) / 100),
    }
    if name + " stretch-a" in cost:
        c = find(name + " stretch-counts ").split()
        s1, u1, k1, s2, u2, k2 = (int(v) for v in c[2:])
        total = cost[name + " stretch-b"] - cost[name + " stretch-a"]
        entry["stretch"] = {"recording": "models/motion/data/hapt_test_users.npz, samples 0.." + str(s2),
                            "samples": s2 - s1, "updates": u2 - u1, "skipped": k2 - k1, "instructions": total}
        # What the stretch costs beyond its updates (at the isolated update cost), per skipped sample: the
        # detector's skip calls and the smoother's per-sample settling, on real data.
        if k2 - k1 > 0:
            entry["per_skipped_sample"] = round((total - (u2 - u1) * update) / (k2 - k1))
        else:
            entry["per_update_on_stretch"] = round(total / (u2 - u1))
    models.append(entry)
tools = os.path.realpath(os.environ.get("NANOCLR_TOOLS", f"{root}/../shared/tools/nanoclr"))
doc = {
    "what": "x86 instructions (callgrind Ir) on the Linux build of nanoCLR (nf-interpreter a3e8139a1, Release -O3, "
            "mscorlib 1.17.11), each a difference of two phases that differ only in the amount of work",
    "command": "tests/nanoclr/simcosts/measure.sh",
    "boot_to_main": dumps[0],
    "internal_call": round(calls, 1),
    "internal_call_note": "ldloc + callvirt String.get_Length (an internal call) + pop: the body of the GPIO toggle loop timed on ESP32 boards",
    "sensor_read": round(read),
    "sensor_read_note": "managed side of one IMU sample: a WriteRead call (1 byte written, 12 read) into a stand-in (the posix nanoCLR has no I2C driver) and 6 big-endian int16 decoded",
    "models": models,
    "audio": {
        "frame_computed": cost["frame-compute 2"] - cost["frame-compute 1"],
        "frame_computed_note": "one updated frame's front-end work as KeywordLoop does it on the managed path: AudioFrontEnd.Pass of a 320-sample hop + the features of the window (window, FFT 512, power, mel, log); the window's unpacking is 'unpack' below, the model update the model's own 'update'",
        "skip_span": round((cost["frame-skipspan 200"] - cost["frame-skipspan 100"] - (cost["frame-w480 200"] - cost["frame-w480 100"])) / 100),
        "skip_span_note": "AudioFrontEnd.SkipFrames once per skipped span (the span's samples are discarded, never written)",
        "mic_read_per_call": round(slots_call),
        "mic_read_per_sample": round(slots_sample, 1),
        "mic_read_note": "the keyword loop's read, I2sMicrophone.ReadSlots: the raw 8-byte frames from a stand-in for I2sDevice.Read (the posix nanoCLR has no I2S; the driver's native copy is not counted) straight into the loop's ring; per call and per sample from calls of 64 and 256 samples",
        "unpack_per_call": round(unpack_call),
        "unpack_per_sample": round(unpack_sample, 1),
        "unpack_note": "the managed path's window, per computed frame: I2sSlots.Unpack of the samples not yet unpacked (480 after a gap; 320 after a consecutive frame, whose 160 shared samples are moved with Array.Copy), fitted through those two cases; the native path unpacks in C inside the Frame call",
        "mic_discard_per_call": round(discard_call),
        "mic_discard_per_sample": round(discard_sample, 1),
        "mic_discard_note": "I2sMicrophone.Discard: chunk reads of up to 256 frames (a DMA buffer) alone, same stand-in; per call and per sample from calls of 64 and 256 samples (a call of more than 256 is one per 256)",
        "mic_discard_before_per_sample": round((cost["mic-discard-before 2048"] - cost["mic-discard-before 1024"]) / 1024),
        "mic_discard_before_per_sample_note": "I2sMicrophone.Discard of commit 2a73b32 (64-frame chunks), the same replica without the wrapper: a lower bound (the wrapped call measured 64 a sample)",
        "mic_read_converting_per_sample": round((cost["mic-read 2048"] - cost["mic-read 1024"]) / 1024),
        "mic_read_converting_per_sample_note": "I2sMicrophone.Read per sample (the boot's probe): 64-frame chunks and I2sSlots.Unpack of every sample",
        "mic_read_before_per_sample": round((cost["mic-before 2048"] - cost["mic-before 1024"]) / 1024),
        "mic_read_before_per_sample_note": "the keyword loop's read before the raw ring (I2sMicrophone.Read of commit 2a73b32: 64-frame chunks, the 32 -> 16-bit loop inline), charged on every sample read; a replica calling the stand-in directly, without I2sMicrophone's try/catch wrapper (about 2,500 x86 a call), so a lower bound",
    },
}
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, out)
print(json.dumps(doc, indent=2))
PY
