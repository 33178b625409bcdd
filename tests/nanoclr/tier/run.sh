#!/usr/bin/env bash
# The nanoCLR tier: the same app (App/) runs on the real nanoFramework interpreter and on .NET, every printed
# line is compared, and one line per case is printed, ending in ": ok", or with ": FAIL: why" (exit code 1).
# The interpreter is $SKIPRNN_NANOCLR (default ../shared/tools/nanoclr from the checkout root, see
# tests/nanoclr/README.md); without it the tier prints one "NOT RUN" line and counts as neither ok nor FAIL.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
tools=${SKIPRNN_NANOCLR:-$root/../shared/tools/nanoclr}
if [ ! -x "$tools/nanoclr" ] || [ ! -x "$tools/compile-pe" ] || [ ! -x "$tools/corelib" ]; then
  echo "nanoclr tier: NOT RUN: no interpreter at $tools (set SKIPRNN_NANOCLR to a folder with nanoclr, compile-pe and corelib; see tests/nanoclr/README.md)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "nanoclr tier: FAIL: $*"; exit 1; }
status=0

# 1. The models, as export-cs writes them, and which sources form which device assembly.
dotnet run --project "$here/Generator" -c Release -v q -- "$root" "$work/gen" > "$work/generator.log" 2>&1 \
  || { cat "$work/generator.log"; fail "the generator failed"; }

# 2. Device build: the device libraries from their current sources (one .pe each, as the device gates compile
#    them), each data assembly (< 64 KiB of array data each), then the app against all of them.
source "$here/../device-libs.sh"
compile_device_libs "$tools" "$root" "$work" SkipRnn.Edge SkipRnn.Edge.Audio SkipRnn.Edge.Loops SkipRnn.Edge.Loops.Keyword \
  > "$work/compile.log" 2>&1 || { cat "$work/compile.log"; fail "the device libraries do not compile for nanoCLR"; }
refs=("${DEVICE_REFS[@]}"); pes=("${DEVICE_PES[@]}"); app_files=()
while read -r kind name files; do
  read -ra list <<< "$files"
  if [ "$kind" = data ]; then
    "$tools/compile-pe" "$work/$name.pe" "${list[@]/#/$work/gen/}" > "$work/compile.log" 2>&1 \
      || { cat "$work/compile.log"; fail "data assembly $name does not compile"; }
    refs+=(-r:"$work/$name.dll"); pes+=("$work/$name.pe")
    echo "  device assembly $name: $(stat -c %s "$work/$name.pe") bytes (.pe)" >> "$work/generator.log"
  else
    list=("$name" "${list[@]}"); app_files+=("${list[@]/#/$work/gen/}")   # "app FILES...": no name
  fi
done < "$work/gen/assemblies.txt"
"$tools/compile-pe" "$work/TierApp.pe" -entrypoint SkipRnn.NanoClrTier.Program::Main -define:DEBUG "${refs[@]}" \
  "$here/App/TierApp.cs" "$here/App/TierLoopCase.cs" "$here/App/TierKeywordCase.cs" "$here/App/Out.Device.cs" "${app_files[@]}" > "$work/compile.log" 2>&1 \
  || { cat "$work/compile.log"; fail "the tier app does not compile for nanoCLR"; }

# 3. Run on nanoCLR (its banner and assembly tables are indented or bracketed: keep the app's lines only) and on .NET.
"$tools/nanoclr" "$("$tools/corelib")/mscorlib.pe" "${pes[@]}" "$work/TierApp.pe" > "$work/nanoclr.raw" 2>&1
tr -d '\r' < "$work/nanoclr.raw" | sed -n '/^tier: start$/,/^tier: end$/p' > "$work/device.txt"
dotnet run --project "$here/Host" -c Release -v q -p:TierGenerated="$work/gen" > "$work/host.txt" 2> "$work/host.err" \
  || { cat "$work/host.err"; fail "the .NET run failed"; }

# 3b. The limit the export splits for, still there: one 65,535-byte array alone in an assembly does not load.
python3 -c 'print("namespace Limit { public static class Data { public static readonly byte[] A = new byte[] {" + ",".join(str(i % 251) for i in range(65535)) + "}; } }")' > "$work/Limit.cs"
printf '%s\n' 'namespace Limit { public static class Program { public static void Main() {' \
  'System.Diagnostics.Debug.WriteLine("limit: loaded " + Data.A.Length.ToString()); } } }' > "$work/LimitMain.cs"
"$tools/compile-pe" "$work/Limit.pe" -entrypoint Limit.Program::Main -define:DEBUG "$work/Limit.cs" "$work/LimitMain.cs" > "$work/compile.log" 2>&1 \
  || { cat "$work/compile.log"; fail "the limit probe does not compile"; }
if "$tools/nanoclr" "$("$tools/corelib")/mscorlib.pe" "$work/Limit.pe" 2>&1 | tr -d '\r' | grep -qx 'limit: loaded 65535'; then
  echo "nanoclr 64 KiB limit: FAIL: a 65,535-byte array in one assembly now loads: this interpreter lifted the limit export-cs splits for"
  status=1
else
  echo "nanoclr 64 KiB limit (a 65,535-byte array alone in an assembly does not load, so export-cs splits): ok"
fi

# 4. Compare, case by case; keep the outputs when $SKIPRNN_TIER_KEEP names a folder.
[ -n "${SKIPRNN_TIER_KEEP:-}" ] && mkdir -p "$SKIPRNN_TIER_KEEP" && cp "$work"/{device.txt,host.txt,nanoclr.raw,generator.log} "$SKIPRNN_TIER_KEEP/"
grep -qx 'tier: end' "$work/host.txt" || fail "the .NET run did not reach its sentinel line"
grep -qx 'tier: end' "$work/device.txt" || { tail -n 20 "$work/nanoclr.raw"; fail "nanoCLR did not reach the sentinel line 'tier: end' (unhandled exception or failed load: nanoCLR exits silently)"; }
echo "nanoclr sentinel (both runs reached 'tier: end'): ok"
python3 "$here/compare.py" "$work/host.txt" "$work/device.txt" || status=1
exit $status
