#!/usr/bin/env bash
# The motion loop's drain of skipped FIFO samples on nanoCLR under callgrind (x86 instructions): before, one
# IFifoSensor.Discard(1) call per sample; now, one Discard(n) call per drain (issue 21, review). Replicas of
# StreamingLoop's drain and of Mpu6050Fifo.Discard with the I2C transfer replaced by an empty managed call (the
# transfer is the same either way). Prints x86 per sample and per drain for both. Not part of ./test.sh.
#   tests/nanoclr/bench/fifo-drain/run.sh        (needs valgrind and ../shared/tools/nanoclr or NANOCLR_TOOLS)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
source "$here/../bench-env.sh"
bench_env "fifo-drain" "$root"
source "$here/../../device-libs.sh"
compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Loops >/dev/null
"$tools/compile-pe" "$work/Drain.pe" -entrypoint DrainBench.Program::Main -define:DEBUG "${DEVICE_REFS[@]}" "$here/Drain.cs" >/dev/null
LD_LIBRARY_PATH="$tools/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$tools/lib/nanoFramework.nanoCLR.test" "$("$tools/corelib")/mscorlib.pe" "${DEVICE_PES[@]}" "$work/Drain.pe" \
  2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@end' "$work/markers" || { echo "fifo-drain: the app did not finish" >&2; exit 1; }
for k in $(seq 2 5); do grep '^totals:' "$work/cg.out.$k" | cut -d' ' -f2; done | python3 -c '
import sys
o40, o80, n40, n80 = (int(l) for l in sys.stdin)
for name, a, b in (("one Discard(1) per sample (before)", o40, o80), ("one Discard(n) per drain (now)", n40, n80)):
    per = (b - a) / 2000                  # 50 drains of 80 samples against 50 of 40
    print(f"{name}: {per:,.0f} x86 a sample + {a / 50 - 40 * per:,.0f} a drain")'
