#!/usr/bin/env bash
# Runs SkipRnn.Edge + SkipRnn.Edge.Native on the real nanoFramework interpreter and checks the fallback decision:
#   firmware/native/nanoclr/run.sh [NANOCLR [yes|no]]
# NANOCLR defaults to $SKIPRNN_NANOCLR/nanoclr or ../shared/tools/nanoclr/nanoclr (the prebuilt interpreter, which has no native code for
# SkipRnn.Edge.Native, so the runner must stay managed: "no"); with an interpreter rebuilt with the interop
# (firmware/README.md) pass "yes". Either way the model's self-test must pass through the chosen path.
# Also checks the stubs' method table and checksum against the .pe compiled here (interop/check_stubs.py).
# Prints lines ending in ': ok' / ': FAIL'.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tools=${SKIPRNN_NANOCLR:-$root/../shared/tools/nanoclr}   # as the nanoCLR tier (tests/nanoclr/README.md)
clr=${1:-$tools/nanoclr}
if [ ! -x "$clr" ] || [ ! -x "$tools/compile-pe" ] || [ ! -x "$tools/corelib" ]; then
  echo "native interop on nanoCLR: NOT RUN: no interpreter at $tools (set SKIPRNN_NANOCLR; see tests/nanoclr/README.md)"
  exit 0
fi
expect=${2:-no}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
device_sources=$(find "$root/src/SkipRnn.Edge" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*')

if ! { "$tools/compile-pe" "$work/SkipRnn.Edge.pe" $device_sources &&
       "$tools/compile-pe" "$work/SkipRnn.Edge.Native.pe" -r:"$work/SkipRnn.Edge.dll" "$root"/src/SkipRnn.Edge.Native/*.cs &&
       "$tools/compile-pe" "$work/App.pe" -entrypoint SkipRnn.Edge.NativeCheck.Program::Main -define:DEBUG \
         -r:"$work/SkipRnn.Edge.dll" -r:"$work/SkipRnn.Edge.Native.dll" "$here/FallbackApp.cs" \
         "$root/src/SkipRnn.Edge.DeviceGate/Generated/Ra1Model.cs"; } > "$work/build.log" 2>&1; then
  cat "$work/build.log"
  echo "native interop on nanoCLR: FAIL: the device build failed"
  exit 1
fi

python3 "$here/../interop/check_stubs.py" "$work/SkipRnn.Edge.Native.pe" "$here/../interop/SkipRnn_Edge_Native.cpp"

out=$("$clr" "$("$tools/corelib")/mscorlib.pe" "$work/SkipRnn.Edge.pe" "$work/SkipRnn.Edge.Native.pe" "$work/App.pe" |
      tr -d '\r' | grep -v -e '^ ' -e '^$' | grep -v -e '^Done.$' -e '^Exiting.$' | tail -n 4)
echo "$out"
if echo "$out" | grep -qx "native kernel installed: $expect" && echo "$out" | grep -qx "runner uses it: $expect" &&
   echo "$out" | grep -qx 'self-test passed' && echo "$out" | grep -qx done; then
  echo "native interop on nanoCLR (installed: $expect, self-test through that path): ok"
else
  echo "native interop on nanoCLR: FAIL: expected installed/uses '$expect', a passed self-test and 'done'"
fi
