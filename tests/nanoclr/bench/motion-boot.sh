#!/usr/bin/env bash
# The motion app's boot on the real nanoFramework interpreter (not a test): the device libraries the motion app
# deploys (firmware/motion/SkipRnn.Motion.nfproj: the runtime and the streaming loop, no audio), the shipped motion
# model as the app embeds it (firmware/motion/Model/MotionModel.cs) and boot/MotionBoot.cs, run under callgrind
# (x86 instructions, counted deterministically). Prints boot to Main, Main to a ready detector, and the total.
#   tests/nanoclr/bench/motion-boot.sh
# Needs valgrind and the interpreter at ../shared/tools/nanoclr (or NANOCLR_TOOLS=folder). A few seconds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$here/bench-env.sh"
bench_env "motion boot" "$root"

source "$here/../device-libs.sh"
compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Loops >/dev/null
"$tools/compile-pe" "$work/MotionBoot.pe" -entrypoint SkipRnn.MotionBoot.Program::Main -define:DEBUG "${DEVICE_REFS[@]}" \
  "$here/boot/MotionBoot.cs" "$root/firmware/motion/Model/MotionModel.cs" >/dev/null
corelib=$("$tools/corelib")
LD_LIBRARY_PATH="$tools/lib" valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  --dump-before='Library_corlib_native_System_Diagnostics_Debug::WriteLineNative*' \
  "$tools/lib/nanoFramework.nanoCLR.test" "$corelib/mscorlib.pe" "${DEVICE_PES[@]}" "$work/MotionBoot.pe" \
  2>"$work/valgrind.log" | tr -d '\r' | grep '^@' > "$work/markers" || true
grep -qx '@booted ok' "$work/markers" || { echo "motion boot: the app did not boot; markers:" >&2; cat "$work/markers" >&2; exit 1; }
main=$(grep '^totals:' "$work/cg.out.1" | cut -d' ' -f2)
boot=$(grep '^totals:' "$work/cg.out.2" | cut -d' ' -f2)
echo "deployed: mscorlib $(for p in "${DEVICE_PES[@]}" "$work/MotionBoot.pe"; do printf '+ %s (%s bytes) ' "$(basename "$p")" "$(stat -c %s "$p")"; done)"
python3 -c "import sys; m, b = int(sys.argv[1]), int(sys.argv[2]); print(f'motion boot: {m:,} x86 instructions to Main + {b:,} Main to a ready detector (model read, self-test) = {m + b:,}')" "$main" "$boot"
