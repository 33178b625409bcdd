#!/usr/bin/env bash
# Instructions per update on nanoCLR (callgrind, the interpreter's own x86 code), managed or native:
#   firmware/native/nanoclr/cost.sh [NANOCLR] [I H O]      (default: the prebuilt interpreter, 40 64 8)
# Builds the benchmark model of bench/bench_skrn.c (int8 weights, int16 skip gate), embeds it in CostApp.cs's
# assembly, runs 1 and 11 updates and prints (Ir(11) - Ir(1)) / 10 with the path the runner took.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
native=$(cd "$here/.." && pwd)
root=$(cd "$native/../.." && pwd)
tools=$root/../shared/tools/nanoclr
clr=${1:-$tools/nanoclr}
in=${2:-40}; hid=${3:-64}; outs=${4:-8}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
gcc -std=c99 -O2 -I"$native/include" "$native/bench/bench_skrn.c" "$native"/src/*.c -o "$work/bench"
"$work/bench" "$in" "$hid" "$outs" 1 "$work/model.skrn" > /dev/null
python3 - "$work/model.skrn" "$work/BenchModel.cs" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
rows = ',\n'.join('            ' + ', '.join(f'0x{x:02X}' for x in b[i:i + 16]) for i in range(0, len(b), 16))
open(sys.argv[2], 'w').write('namespace SkipRnn.Edge.NativeCheck\n{\n    public static class BenchModel\n    {\n'
    f'        public static readonly byte[] Bytes = new byte[]\n        {{\n{rows}\n        }};\n    }}\n}}\n')
PY
device_sources=$(find "$root/src/SkipRnn.Edge" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*')
{
  "$tools/compile-pe" "$work/SkipRnn.Edge.pe" $device_sources
  "$tools/compile-pe" "$work/SkipRnn.Edge.Native.pe" -r:"$work/SkipRnn.Edge.dll" "$root"/src/SkipRnn.Edge.Native/*.cs
  for n in 1 11; do
    def=(); [ $n = 11 ] && def=(-define:UPDATES_MANY)
    "$tools/compile-pe" "$work/App$n.pe" -entrypoint SkipRnn.Edge.NativeCheck.CostProgram::Main -define:DEBUG ${def[@]+"${def[@]}"} \
      -r:"$work/SkipRnn.Edge.dll" -r:"$work/SkipRnn.Edge.Native.dll" "$here/CostApp.cs" "$work/BenchModel.cs"
  done
} > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
corelib=$("$tools/corelib")
for n in 1 11; do
  # The nanoclr wrapper execs lib/nanoFramework.nanoCLR.test: run that binary itself under callgrind.
  LD_LIBRARY_PATH="$(dirname "$clr")/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg$n" \
    "$(dirname "$clr")/lib/nanoFramework.nanoCLR.test" "$corelib/mscorlib.pe" "$work/SkipRnn.Edge.pe" \
    "$work/SkipRnn.Edge.Native.pe" "$work/App$n.pe" > "$work/out$n" 2> "$work/err$n"
  grep -q '^done' <(tr -d '\r' < "$work/out$n") || { cat "$work/out$n" "$work/err$n"; echo "cost: the app did not finish"; exit 1; }
done
a=$(grep -E '^(summary|totals):' "$work/cg1" | head -1 | awk '{print $2}')
b=$(grep -E '^(summary|totals):' "$work/cg11" | head -1 | awk '{print $2}')
line=$(tr -d '\r' < "$work/out11" | grep '^native:')
awk -v a="$a" -v b="$b" -v s="$in x $hid, head $outs" -v l="$line" \
  'BEGIN { printf "%s: %.0f x86 instructions per update on nanoCLR [%s]\n", s, (b - a) / 10, l }'
