#!/usr/bin/env bash
# All tests (README's test command): the .NET suites, the training recipe's checks, then the recipe-to-device
# smoke run.
# Needs the .NET 10 SDK and Debian's python3-torch (.ci/run installs it: apt-get install -y python3-torch).
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test SkipRnn.sln 2>&1 | tee "$log"
dotnet_status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
[ "$dotnet_status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1   # a build failure counts

if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  { /usr/bin/python3 models/train/selftest.py; bash tests/smoke/recipe-to-device.sh; } | tee "$log"
else
  echo "smoke: FAIL: Debian's python3-torch is missing (apt-get install -y python3-torch)" | tee "$log"
fi
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

# Motion recipe (issue 11): preparation on malformed files, the event rule's Python mirror, the scoring, and a smoke
# run (preparation of a raw folder rebuilt from the shipped slice + 3 training iterations).
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 models/train/motion/selftest.py 2>&1 | tee "$log"
else
  echo "motion: FAIL: Debian's python3-torch is missing (apt-get install -y python3-torch)" | tee "$log"
fi
passed=$((passed + $(grep -c ': ok' "$log")))
failed=$((failed + $(grep -c ': FAIL' "$log")))

echo "all tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
