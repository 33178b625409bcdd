#!/usr/bin/env bash
# All tests (README's test command): the .NET suites, the training recipe's checks, the recipe-to-device
# smoke run, the native kernel (CMake + GoogleTest), the nanoCLR tier, the motion recipe's checks.
# Needs the .NET 10 SDK, Debian's python3-torch and python3-pytest, cmake, g++, libgtest-dev, valgrind, ninja-build,
# GNU time, espeak-ng, flite, festival (festvox-kallpc16k, festvox-kdlpc16k, festvox-us-slt-hts), sox and wamerican
# (.ci/run installs them).
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The recipe's Python checks run under pytest (Debian's python3-pytest); each test becomes one "name: ok" or
# "name: FAIL" line, as every other check here prints, and pytest's own closing line follows.
pytests() {
  local out rc
  out=$(/usr/bin/python3 -m pytest -q -rA -p no:cacheprovider "$@" 2>&1); rc=$?
  printf '%s\n' "$out" | sed -E -e 's/^PASSED ([^ ]+).*/\1: ok/' -e 's/^(FAILED|ERROR) ([^ ]+).*/\2: FAIL/'
  # an exit without a failing test (no tests collected, an internal error) is a failure too
  [ "$rc" -ne 0 ] && ! printf '%s\n' "$out" | grep -qE '^(FAILED|ERROR) ' && echo "pytest $*: FAIL: exit code $rc"
  return 0
}

dotnet test SkipRnn.sln 2>&1 | tee "$log"
dotnet_status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
[ "$dotnet_status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # a build failure counts

if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  { pytests models/train/test_recipe.py; bash tests/smoke/recipe-to-device.sh; } | tee "$log"
else
  echo "smoke: FAIL: Debian's python3-torch is missing (apt-get install -y python3-torch)" | tee "$log"
fi
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

# Native kernel (firmware/native): the managed runtime writes reference traces, CMake builds the C kernel and
# its GoogleTest suite twice (-O2; -O1 with UBSan+ASan) plus the no-heap check, ctest replays the traces; then
# SkipRnn.Edge.Native runs on nanoCLR (the prebuilt one has no native code: the managed fallback must be chosen)
# and the interop stubs are checked against its .pe; then nanoCLR is rebuilt with the interop (interop-check.sh: about
# 2 minutes) and the native path checked on it. Needs cmake, ninja-build, g++, libgtest-dev (.ci/run installs them).
native=$(mktemp -d)
{
  if dotnet run --project tests/SkipRnn.Edge.NativeTraces -- "$native/traces" . > "$native/traces.log" 2>&1; then
    echo "native: $(tail -1 "$native/traces.log"): ok"
  else
    cat "$native/traces.log"; echo "native: reference traces: FAIL"
  fi
  if cmake -S firmware/native -B "$native/build" > "$native/cmake.log" 2>&1 &&
     cmake --build "$native/build" -j2 >> "$native/cmake.log" 2>&1; then
    SKRN_TRACE_DIR="$native/traces" ctest --test-dir "$native/build" --output-on-failure > "$native/ctest.log" 2>&1
    grep -E 'Test +#[0-9]+:' "$native/ctest.log" | sed -E 's/.*Test +#[0-9]+: ([^ ]+) .*(Passed|Failed|\*\*\*.*).*/native ctest \1: \2/' |
      sed -e 's/: Passed$/: ok/' -e 's/: Failed.*$/: FAIL/' -e 's/: \*\*\*.*$/: FAIL/'
    grep -q '100% tests passed' "$native/ctest.log" || cat "$native/ctest.log"
  else
    tail -30 "$native/cmake.log"; echo "native: cmake build (cmake, g++, libgtest-dev needed): FAIL"
  fi
  bash firmware/native/nanoclr/run.sh
  # nanoCLR rebuilt with the interop: the native path taken, and the keyword words on it equal skiprnn listen's.
  bash firmware/native/nanoclr/interop-check.sh
} 2>&1 | tee "$log"
rm -rf "$native"
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

# The nanoCLR tier (tests/nanoclr/README.md): the same app on the real nanoFramework interpreter and on .NET,
# every printed line compared. Without an interpreter it prints one NOT RUN line and counts as nothing.
bash tests/nanoclr/tier/run.sh | tee "$log"
tier_status=${PIPESTATUS[0]}
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))
[ "$tier_status" -ne 0 ] && ! grep -q ': FAIL' "$log" && failed=$((failed + 1))   # a crash counts

# Motion recipe (issue 11): preparation on malformed files, the event rule's Python mirror, the scoring, and a smoke
# run (preparation of a raw folder rebuilt from the shipped slice + 3 training iterations); your own recordings
# (docs/own-recordings.md): the bad-data checks, and the guide's worked example end to end (a few iterations).
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  { pytests models/train/motion/test_motion.py; bash models/train/motion/own_example.sh; } 2>&1 | tee "$log"
else
  echo "motion: FAIL: Debian's python3-torch is missing (apt-get install -y python3-torch)" | tee "$log"
fi
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

# Keyword audio front end (issue 13): features.py's self-check, and the device's tables and the C# reference's fixture
# still being what features.py generates (the feature definition the model is trained on must not drift). The packed
# kernel's unrolled passes still being what their template generates (generate_passes.py --check).
{
  for step in "features.py" "device_tables.py --check" "write_fixture.py --check"; do
    # shellcheck disable=SC2086
    /usr/bin/python3 models/train/keyword/$step || echo "keyword: $step: FAIL"
  done
  /usr/bin/python3 src/SkipRnn.Edge/Kernels/generate_passes.py --check || echo "kernels: generate_passes.py --check: FAIL"
} 2>&1 | tee "$log"
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

# Keyword recipe (issue 13): the wav reader on bad audio, the speaker split, the batched features against
# features.py, the stream generator and event rule, a smoke run (prepare on a small folder rebuilt from the shipped
# slice, 20 training iterations, stream scoring) and the shipped model's test accuracy recomputed.
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  pytests models/train/keyword/test_keyword.py 2>&1 | tee "$log"
else
  echo "keyword: FAIL: Debian's python3-torch is missing (apt-get install -y python3-torch)" | tee "$log"
fi
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

echo "all tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
