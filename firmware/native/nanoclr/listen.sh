#!/usr/bin/env bash
# The keyword spotter on the real interpreter against `skiprnn listen`, on a stretch of a 16 kHz recording:
#   firmware/native/nanoclr/listen.sh NANOCLR STREAM.wav START_S SECONDS
# Cuts [START_S, START_S + SECONDS) out of STREAM.wav, runs `skiprnn listen models/keyword/model.skrn` on it (.NET)
# and ListenApp.cs on NANOCLR (the interop nanoCLR from build-posix.sh takes the native path: one Frame call per
# computed frame; the prebuilt one the managed path), and compares every event (frame, class, confidence) and the
# count of computed frames. The PCM travels in assemblies of 30,000 samples each (nanoCLR keeps array-initializer
# data behind 16-bit offsets: < 64 KiB per assembly), so a stretch costs about two seconds of build per second of audio.
# Prints one line ending in ': ok' or ': FAIL'.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tools=${SKIPRNN_NANOCLR:-$root/../shared/tools/nanoclr}
clr=${1:?usage: listen.sh NANOCLR STREAM.wav START_S SECONDS}
wav=${2:?usage: listen.sh NANOCLR STREAM.wav START_S SECONDS}
start=${3:?start seconds}; seconds=${4:?seconds}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
model=$root/models/keyword/model.skrn

python3 - "$wav" "$start" "$seconds" "$work" "$model" <<'PY'
import sys, wave, struct
wav, start, seconds, work, model = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
with wave.open(wav, "rb") as w:
    assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2, "a 16 kHz mono PCM16 wav"
    w.setpos(int(start * 16000))
    data = w.readframes(int(seconds * 16000))
with wave.open(f"{work}/stretch.wav", "wb") as o:
    o.setnchannels(1); o.setsampwidth(2); o.setframerate(16000); o.writeframes(data)
pcm = struct.unpack(f"<{len(data) // 2}h", data)
size = 30000
chunks = [pcm[i:i + size] for i in range(0, len(pcm), size)]
for k, c in enumerate(chunks):
    with open(f"{work}/Chunk{k}.cs", "w") as f:
        f.write("namespace SkipRnn.Edge.NativeCheck\n{\n    public static class PcmChunk" + str(k) + "\n    {\n"
                "        public static short[] Get() { return new short[] { " + ", ".join(map(str, c)) + " }; }\n    }\n}\n")
with open(f"{work}/StretchChunks.cs", "w") as f:
    f.write("namespace SkipRnn.Edge.NativeCheck\n{\n    public static class StretchChunks\n    {\n"
            f"        public const int Count = {len(chunks)};\n        public static short[] Get(int k)\n        {{\n            switch (k)\n            {{\n")
    for k in range(len(chunks)):
        f.write(f"                case {k}: return PcmChunk{k}.Get();\n")
    f.write("                default: return null;\n            }\n        }\n    }\n}\n")
b = open(model, "rb").read()
with open(f"{work}/StretchModel.cs", "w") as f:
    f.write("namespace SkipRnn.Edge.NativeCheck\n{\n    public static class StretchModel\n    {\n"
            "        public static byte[] Bytes() { return new byte[] { " + ", ".join(map(str, b)) + " }; }\n    }\n}\n")
print(len(chunks))
PY
chunks=$(ls "$work"/Chunk*.cs | wc -l)

source "$root/tests/nanoclr/device-libs.sh"
{
  compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Audio
  "$tools/compile-pe" "$work/SkipRnn.Edge.Native.pe" -r:"$work/SkipRnn.Edge.dll" "$root"/src/SkipRnn.Edge.Native/*.cs
  "$tools/compile-pe" "$work/StretchModel.pe" "$work/StretchModel.cs"
  refs=()
  for ((k = 0; k < chunks; k++)); do
    "$tools/compile-pe" "$work/Chunk$k.pe" "$work/Chunk$k.cs"
    refs+=(-r:"$work/Chunk$k.dll")
  done
  "$tools/compile-pe" "$work/App.pe" -entrypoint SkipRnn.Edge.NativeCheck.ListenProgram::Main -define:DEBUG \
    "${DEVICE_REFS[@]}" -r:"$work/SkipRnn.Edge.Native.dll" -r:"$work/StretchModel.dll" "${refs[@]}" \
    "$here/ListenApp.cs" "$work/StretchChunks.cs"
} > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; echo "keyword words on nanoCLR: FAIL: the device build failed"; exit 1; }

pes=("$("$tools/corelib")/mscorlib.pe" "${DEVICE_PES[@]}" "$work/SkipRnn.Edge.Native.pe" "$work/StretchModel.pe")
for ((k = 0; k < chunks; k++)); do pes+=("$work/Chunk$k.pe"); done
"$clr" "${pes[@]}" "$work/App.pe" | tr -d '\r' > "$work/clr.raw" || true
grep -E '^(native|event|computed|slot-event|slot-computed|done)' "$work/clr.raw" > "$work/clr.txt" || true
grep -qx done "$work/clr.txt" || { grep -v '^ ' "$work/clr.raw" | tail -15; }
(cd "$root" && dotnet run --project src/SkipRnn.Converter -v q -- listen "$model" "$work/stretch.wav" --json) > "$work/listen.json"

python3 - "$work/clr.txt" "$work/listen.json" "$model" "$start" "$seconds" <<'PY'
import sys, json
clr = [l.split() for l in open(sys.argv[1]).read().splitlines()]
doc = json.load(open(sys.argv[2]))
rec = doc.get("recording") or doc.get("Recording")
key = lambda d, k: d.get(k, d.get(k[0].upper() + k[1:]))
events = key(rec, "events")
names = sorted({key(e, "class") for e in events})
if not clr or clr[-1] != ["done"]:
    print("keyword words on nanoCLR: FAIL: the app did not finish"); sys.exit(1)
path = " ".join(clr[0])
got = [(int(l[1]), int(l[2]), int(l[3])) for l in clr if l[0] == "event"]
computed = int(next(l[1] for l in clr if l[0] == "computed"))
# listen names classes; the device prints indices: compare frames, confidences and the class sequence's shape.
want = [(int(key(e, "frame")), key(e, "class"), round(key(e, "confidence") * 32768)) for e in events]
slot = [(int(l[1]), int(l[2]), int(l[3])) for l in clr if l[0] == "slot-event"]
slot_computed = int(next((l[1] for l in clr if l[0] == "slot-computed"), -1))
classes = {}
ok = len(got) == len(want) and computed == int(key(rec, "framesUpdated"))
# The raw I2S ring's path (FrameSlots on the interop nanoCLR) must give exactly the spotter's events.
ok = ok and slot == got and slot_computed == computed
for (gf, gc, gq), (wf, wc, wq) in zip(got, want):
    if gf != wf or gq != wq or classes.setdefault(wc, gc) != gc:
        ok = False
summary = (f"{sys.argv[5]} s from {sys.argv[4]} s: {len(got)} events and {computed} computed frames on nanoCLR ({path}; "
           f"through the raw I2S ring: {len(slot)} events, {slot_computed} frames), "
           f"{len(want)} and {key(rec, 'framesUpdated')} by skiprnn listen")
print(f"keyword words on nanoCLR equal skiprnn listen's, {summary}: {'ok' if ok else 'FAIL'}")
if not ok:
    print("nanoCLR:", got[:20]); print("ring:", slot[:20]); print("listen:", want[:20])
PY
