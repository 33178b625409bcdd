#!/usr/bin/env bash
# Train every run of runs.tsv that has no metrics.json yet, one queue per CPU core (queue 2, the
# single 0.5 ms run, shares them).
#   models/reproduce/train_all.sh OUT_DIR [QUEUE]     (default: every queue of runs.tsv, in parallel)
# A run writes OUT_DIR/<name>/seed<k>/ (train.py's outputs); its log goes to train.out there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: train_all.sh OUT_DIR [QUEUE]}"
py=/usr/bin/python3
run_queue() {
  local q="$1"
  grep -v '^#' "$here/runs.tsv" | while read -r name queue seeds args; do
    [ -z "$name" ] && continue
    [ "$queue" = "$q" ] || continue
    for seed in ${seeds//,/ }; do
      dir="$out/$name/seed$seed"
      if [ -f "$dir/metrics.json" ]; then echo "skip $name seed $seed (done)"; continue; fi
      if pgrep -f -- "--out $dir\$" > /dev/null; then echo "skip $name seed $seed (training elsewhere)"; continue; fi
      mkdir -p "$dir"
      echo "$(date +%T) train $name seed $seed"
      # shellcheck disable=SC2086
      "$py" "$here/../train/train.py" $args --seed "$seed" --out "$dir" > "$dir/train.out" 2>&1 </dev/null \
        || { echo "FAILED: $name seed $seed (see $dir/train.out)"; exit 1; }
    done
  done
}
if [ $# -ge 2 ]; then
  run_queue "$2"
else
  for q in $(grep -v '^#' "$here/runs.tsv" | awk 'NF { print $2 }' | sort -u); do run_queue "$q" & done
  wait
fi
