#!/usr/bin/env bash
# x86 instructions per computed keyword frame and per skipped span on nanoCLR (callgrind), as the keyword loop
# spends them with the shipped keyword model, on the path the interpreter gives:
#   firmware/native/nanoclr/frame-costs.sh [NANOCLR]
# With the interop nanoCLR (build-posix.sh) the native path: one FrameSlots call per computed frame (the window
# unpacked from the loop's ring of raw I2S frames, window, FFT, mel, log and the update in C) and the managed glue
# around it; with the prebuilt one (default) the managed path (the whole window unpacked, managed features and update).
# Prints "path ...", "frame_computed N" (hop counted + the frame: features + update + event rule), "skip_span N"
# (SkipFrames + SkipSamples) and the C functions' inclusive counts. Needs valgrind; about a minute.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tools=${SKIPRNN_NANOCLR:-$root/../shared/tools/nanoclr}
clr=${1:-$tools/nanoclr}
work=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "work: $work" || trap 'rm -rf "$work"' EXIT
python3 - "$root/models/keyword/model.skrn" "$work/FrameCostModel.cs" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
open(sys.argv[2], "w").write("namespace SkipRnn.Edge.NativeCheck\n{\n    public static class FrameCostModel\n    {\n"
    "        public static byte[] Bytes() { return new byte[] { " + ", ".join(map(str, b)) + " }; }\n    }\n}\n")
PY
source "$root/tests/nanoclr/device-libs.sh"
{
  compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Audio
  "$tools/compile-pe" "$work/SkipRnn.Edge.Native.pe" -r:"$work/SkipRnn.Edge.dll" "$root"/src/SkipRnn.Edge.Native/*.cs
  "$tools/compile-pe" "$work/Model.pe" "$work/FrameCostModel.cs"
  "$tools/compile-pe" "$work/App.pe" -entrypoint SkipRnn.Edge.NativeCheck.FrameCostProgram::Main -define:DEBUG \
    "${DEVICE_REFS[@]}" -r:"$work/SkipRnn.Edge.Native.dll" -r:"$work/Model.dll" "$here/FrameCostApp.cs"
} > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "frame-costs: the device build failed" >&2; exit 1; }
lib=$(dirname "$clr")/lib
LD_LIBRARY_PATH="$lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$lib/nanoFramework.nanoCLR.test" "$("$tools/corelib")/mscorlib.pe" "${DEVICE_PES[@]}" "$work/SkipRnn.Edge.Native.pe" \
  "$work/Model.pe" "$work/App.pe" 2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@done' "$work/markers" || { echo "frame-costs: the app did not finish; markers:" >&2; cat "$work/markers" >&2; exit 1; }
n=$(wc -l < "$work/markers")
for k in $(seq 1 "$n"); do grep '^totals:' "$work/cg.out.$k" | cut -d' ' -f2; done > "$work/dumps"
grep '^totals:' "$work/cg.out" | cut -d' ' -f2 >> "$work/dumps"
python3 - "$work/markers" "$work/dumps" "$work" <<'PY'
import sys, subprocess, re, os
markers = [l.rstrip("\n")[1:] for l in open(sys.argv[1])]
dumps = [int(l) for l in open(sys.argv[2])]
cost = {m: dumps[i + 1] for i, m in enumerate(markers)}
print(markers[0])
frame = (cost["frames 20"] - cost["frames 10"] - (cost["resets 20"] - cost["resets 10"])) / 10
span = (cost["spans 200"] - cost["spans 100"] - (cost["writes 200"] - cost["writes 100"])) / 100
print(f"frame_computed {round(frame)}")
print(f"skip_span {round(span)}")

def inclusive(marker, fn):
    """Inclusive x86 instructions of C function fn in the phase that marker starts (0 when absent)."""
    i = markers.index(marker)
    f = f"{sys.argv[3]}/cg.out.{i + 2}" if os.path.exists(f"{sys.argv[3]}/cg.out.{i + 2}") else f"{sys.argv[3]}/cg.out"
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", f], capture_output=True, text=True).stdout
    m = re.search(r"^\s*([\d,]+) \([^)]*\)\s+\?\?\?:" + fn + r" ", out, re.M)
    return int(m.group(1).replace(",", "")) if m else 0
# The C share of a computed frame (native path only): skrn_audio_features and skrn_update, inclusive.
for fn in ("skrn_audio_features", "skrn_update", "skrn_audio_unpack_slots"):
    print(f"{fn} {round((inclusive('frames 20', fn) - inclusive('frames 10', fn)) / 10)}")
PY
