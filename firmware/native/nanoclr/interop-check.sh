#!/usr/bin/env bash
# The native path on the real interpreter, as test.sh runs it: rebuilds nanoCLR with firmware/native's interop from
# the nf-interpreter source shipped beside the prebuilt interpreter (build-posix.sh, about 2 minutes on two free
# cores), then checks that SkipRnn.Edge.Native takes the native path there (run.sh ... yes: the model's self-test
# through it) and that the keyword spotter's words on a stretch of the keyword test stream equal `skiprnn listen`'s
# (listen.sh; the stretch is short because each 1.9 s of PCM is an assembly of its own to build).
#   firmware/native/nanoclr/interop-check.sh [START_S SECONDS]      (default: the first 10 s: 2 words)
# Prints lines ending in ': ok' / ': FAIL', or one NOT RUN line without an interpreter.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tools=${SKIPRNN_NANOCLR:-$root/../shared/tools/nanoclr}
start=${1:-0}; seconds=${2:-10}
src=$(ls "$tools"/src/nf-interpreter-*.tar.xz 2>/dev/null | head -1)
if [ ! -x "$tools/nanoclr" ] || [ -z "$src" ]; then
  echo "native interop nanoCLR: NOT RUN: no interpreter or nf-interpreter source at $tools"
  exit 0
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/nfi" && tar -xJf "$src" -C "$work/nfi"
nfi=$(ls -d "$work"/nfi/*/ | head -1)
if ! NFI_SRC="$nfi" OUT="$work/out" bash "$here/build-posix.sh" > "$work/build.log" 2>&1; then
  tail -20 "$work/build.log"; echo "native interop nanoCLR: build: FAIL"; exit 0
fi
echo "native interop nanoCLR: built from $(basename "$src"): ok"
bash "$here/run.sh" "$work/out/tools/nanoclr" yes | tail -1
if ! /usr/bin/python3 "$root/models/train/keyword/score.py" --model "$root/models/keyword" --write-stream-wav "$work/stream.wav" > "$work/stream.log" 2>&1; then
  cat "$work/stream.log"; echo "keyword test stream as a wav: FAIL"; exit 0
fi
bash "$here/listen.sh" "$work/out/tools/nanoclr" "$work/stream.wav" "$start" "$seconds"
