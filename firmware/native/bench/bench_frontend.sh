#!/usr/bin/env bash
# x86 instructions per frame of the keyword front end, counted by callgrind (deterministic), gcc/g++ -O2:
# skrn_audio_features (window, 512-point real FFT, power, 40 mel bands, log; bit-exact with src/SkipRnn.Edge.Audio)
# against TensorFlow Lite Micro's audio front end (tensorflow/lite/experimental/microfrontend: window, KISS FFT
# int16, energy, filterbank, sqrt, noise reduction, PCAN, log scale), both at 16 kHz, window 30 ms, hop 20 ms,
# FFT 512, 40 bands, on the same signal.
#   firmware/native/bench/bench_frontend.sh /path/to/tflite-micro /path/to/kissfft
# Each path a checkout or a bare git mirror (github.com/tensorflow/tflite-micro; github.com/mborgerding/kissfft,
# of which tag v130 is used with TFLM's own patch, as TFLM's Makefile downloads it). Both are extracted into a
# temporary folder and compiled there; nothing of them enters this repository.
# Each driver runs 1 and 11 frames; (Ir(11) - Ir(1)) / 10 is one frame, set-up excluded.
set -euo pipefail
tflm=${1:?usage: bench_frontend.sh /path/to/tflite-micro /path/to/kissfft}
kiss=${2:?usage: bench_frontend.sh /path/to/tflite-micro /path/to/kissfft}
here=$(cd "$(dirname "$0")" && pwd)
native=$(cd "$here/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lib=tensorflow/lite/experimental/microfrontend/lib

extract() {   # extract SRC REV DEST PATHS...: from a bare mirror at REV, or copied from a checkout
  local src=$1 rev=$2 dest=$3; shift 3
  mkdir -p "$dest"
  if git -C "$src" rev-parse --is-bare-repository 2>/dev/null | grep -q true; then
    git -C "$src" archive "$rev" "$@" | tar -x -C "$dest"
  else
    for p in "$@"; do mkdir -p "$dest/$(dirname "$p")"; cp -r "$src/$p" "$dest/$p"; done
  fi
}
extract "$tflm" HEAD "$tmp/tflm" "$lib" third_party/kissfft
if git -C "$kiss" rev-parse --is-bare-repository 2>/dev/null | grep -q true; then
  extract "$kiss" v130 "$tmp/kissfft" .
else
  cp -r "$kiss/." "$tmp/kissfft"
fi
[ -f "$tmp/tflm/$lib/frontend.c" ] || { echo "bench: $tflm has no $lib" >&2; exit 2; }
[ -f "$tmp/kissfft/kiss_fft.c" ] || { echo "bench: $kiss is not a KISS FFT checkout" >&2; exit 2; }
(cd "$tmp/kissfft" && patch -s -p1 < "$tmp/tflm/third_party/kissfft/kissfft.patch")

mkdir -p "$tmp/o"
for f in "$tmp/tflm/$lib"/*.c; do
  case $f in *_test.c|*_main.c|*_io.c|*memmap*) continue ;; esac
  gcc -std=c11 -O2 -I"$tmp/tflm" -c "$f" -o "$tmp/o/$(basename "$f").o"
done
for f in "$tmp/tflm/$lib"/*.cc; do
  case $f in *_test.cc) continue ;; esac
  g++ -O2 -I"$tmp/tflm" -I"$tmp/kissfft" -c "$f" -o "$tmp/o/$(basename "$f").o"
done
gcc -std=c11 -O2 -I"$tmp/tflm" -I"$here" -c "$here/bench_tflm.c" -o "$tmp/o/driver.o"
g++ "$tmp"/o/*.o -o "$tmp/tflm_bench" -lm
gcc -std=c99 -O2 -I"$native/include" -I"$native/src" -I"$here" "$here/bench_audio.c" "$native/src/skrn_audio.c" \
    "$native/src/skrn_audio_tables.c" -o "$tmp/skrn_bench"

ir() {   # total instructions of one run
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" > "$tmp/stdout" 2> "$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; exit 1; }
  grep -E '^(summary|totals):' "$tmp/cg.out" | head -1 | awk '{print $2}'
}
a=$(ir "$tmp/skrn_bench" 1); b=$(ir "$tmp/skrn_bench" 11)
c=$(ir "$tmp/tflm_bench" 1); d=$(ir "$tmp/tflm_bench" 11)
tflm_rev=$(git -C "$tflm" rev-parse --short HEAD 2>/dev/null || echo "?")
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v rev="$tflm_rev" 'BEGIN {
  s = (b - a) / 10; t = (d - c) / 10
  printf "%-52s %12s\n", "front end (16 kHz, 30 ms / 20 ms, FFT 512, 40 bands)", "instr/frame"
  printf "%-52s %12.0f\n", "skrn_audio_features (bit-exact with the managed one)", s
  printf "%-52s %12.0f\n", "TFLM microfrontend " rev " (KISS FFT int16 v130)", t
  printf "%-52s %12.2f   (goal: at most 0.80)\n", "skrn / TFLM", s / t
}'
