#!/usr/bin/env bash
# x86 instructions per multiply-accumulate for one whole update, counted by callgrind (deterministic), gcc -O2:
# skrn (this kernel: input normalization, GRU layer, skip gate, 8-class head) against NNoM's q7/q15 GRU cell
# (majianjia/nnom, C backend), at (I, H) = (6, 32), (40, 64), (40, 128).
#   firmware/native/bench/bench.sh /path/to/nnom     (a checkout, or a bare git mirror of github.com/majianjia/nnom)
# NNoM is compiled from the given checkout into a temporary folder; nothing of it enters this repository.
# Each driver runs 1 and 11 updates; (Ir(11) - Ir(1)) / 10 is one update, set-up and loading excluded.
set -euo pipefail
nnom=${1:?usage: bench.sh /path/to/nnom (a checkout of github.com/majianjia/nnom)}
here=$(cd "$(dirname "$0")" && pwd)
native=$(cd "$here/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A bare git mirror (what the fetch tool leaves) works too: its HEAD is extracted.
if [ ! -f "$nnom/inc/nnom.h" ] && git -C "$nnom" rev-parse --is-bare-repository 2>/dev/null | grep -q true; then
  mkdir -p "$tmp/nnom" && git -C "$nnom" archive HEAD inc port src | tar -x -C "$tmp/nnom" && nnom="$tmp/nnom"
fi
for f in inc/nnom.h src/layers/nnom_gru_cell.c src/backends/nnom_local.c; do
  [ -f "$nnom/$f" ] || { echo "bench: $nnom/$f missing: not an NNoM checkout" >&2; exit 2; }
done

gcc -std=c99 -O2 -I"$native/include" -I"$native/src" "$here/bench_skrn.c" "$native"/src/*.c -o "$tmp/skrn_bench"
gcc -O2 -I"$nnom/inc" -I"$nnom/port" -I"$nnom/inc/layers" "$here/bench_nnom.c" "$nnom/src/layers/nnom_gru_cell.c" \
    "$nnom/src/backends/nnom_local.c" "$nnom/src/backends/nnom_local_q15.c" -o "$tmp/nnom_bench"

ir() {   # total instructions of one run
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" > "$tmp/stdout" 2> "$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; exit 1; }
  grep -E '^(summary|totals):' "$tmp/cg.out" | head -1 | awk '{print $2}'
}
macs() { awk '{print $2}' "$tmp/stdout"; }

printf '%-10s %-28s %10s %12s %10s\n' "I x H" "kernel" "MACs" "instr/update" "instr/MAC"
for shape in "6 32" "40 64" "40 128"; do
  set -- $shape
  for head in 8 0; do
    a=$(ir "$tmp/skrn_bench" "$1" "$2" "$head" 1); b=$(ir "$tmp/skrn_bench" "$1" "$2" "$head" 11); m=$(macs)
    label="skrn, head $head + skip gate"
    awk -v a="$a" -v b="$b" -v m="$m" -v s="$1 x $2" -v k="$label" \
      'BEGIN { u = (b - a) / 10; printf "%-10s %-28s %10d %12.0f %10.2f\n", s, k, m, u, u / m }'
  done
  a=$(ir "$tmp/nnom_bench" "$1" "$2" 1); b=$(ir "$tmp/nnom_bench" "$1" "$2" 11); m=$(macs)
  awk -v a="$a" -v b="$b" -v m="$m" -v s="$1 x $2" -v k="NNoM gru_cell q7/q15" \
    'BEGIN { u = (b - a) / 10; printf "%-10s %-28s %10d %12.0f %10.2f\n", s, k, m, u, u / m }'
done
