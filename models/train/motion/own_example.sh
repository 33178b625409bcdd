#!/usr/bin/env bash
# The worked example of docs/own-recordings.md ("Train on your own recordings"), end to end: five HAPT users written
# out as your own recordings (example_recordings.py), prepared (recordings.py), stream-trained (train_stream.py),
# converted with the event rule (skiprnn convert), streamed and simulated on the test recordings (skiprnn stream,
# skiprnn simulate) and exported as the firmware's embedded model (skiprnn export-cs). Prints one
# "own-recordings <step>: ok" / ": FAIL" line per step (test.sh counts them).
#
#   bash models/train/motion/own_example.sh [WORK]           # CI: a few iterations, hidden 8, floors off
#   FULL=1 bash models/train/motion/own_example.sh WORK      # the guide's real run: hidden 32, 10 CPU-minutes, floors on
# Needs the converter built (dotnet build src/SkipRnn.Converter) and Debian's python3-torch.
set -uo pipefail
cd "$(dirname "$0")/../../.."
work=${1:-}
if [ -z "$work" ]; then work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work"
py=/usr/bin/python3
skiprnn() { dotnet run --no-build --project src/SkipRnn.Converter -- "$@"; }
if [ "${FULL:-0}" = 1 ]; then
  train=(--hidden 32 --lam 0.5 --crop 512 --cpu-minutes 10 --eval-every 50 --max-updated 0.15)
  floors=()
else
  train=(--hidden 8 --lam 0.1 --crop 128 --iters 4 --batch 4 --eval-every 2 --max-updated 1 --no-test)
  floors=(--min-decision-agreement 0 --min-argmax-agreement 0)    # a 4-iteration model is not meant to be good
fi
crop=${train[5]}
step() {  # name, log, command...
  local name=$1 log=$2; shift 2
  if "$@" > "$work/$log" 2>&1; then echo "own-recordings $name: ok"; else
    echo "own-recordings $name: FAIL"; tail -n 20 "$work/$log"; exit 1; fi
}
step "example recordings written" example.log $py models/train/motion/example_recordings.py --out "$work/my_data"
step "prepared" prepare.log $py models/train/motion/recordings.py --data "$work/my_data" --out "$work/prep" --crop "$crop"
step "stream-trained" train.log $py models/train/motion/train_stream.py --data "$work/prep" --out "$work/model" \
  --zero-state --lr 3e-3 --transition-weight 1 --select macro_f1 "${train[@]}"
step "converted with the event rule" convert.log skiprnn convert "$work/model/model.safetensors" \
  -c "$work/model/calibration.npz" -v "$work/model/convert_valid.npz" -o "$work/model/model.skrn" \
  --raw-lsb 1 --weight-bits 16 "${floors[@]}"
step "streamed on the test recordings" stream.json skiprnn stream "$work/model/model.skrn" "$work/prep/test.npz" \
  --weights "$work/model/model.safetensors" --json
# the user's classes and event class travel from dataset.json through the sidecar into the model file
step "stream reports the data set's classes" check.log grep -q '"EventName": *"posture_change"' "$work/stream.json"
step "simulated on the test recordings" simulate.log skiprnn simulate "$work/model/model.skrn" --stream "$work/prep/test.npz"
mkdir -p "$work/firmware"
step "exported for firmware/motion" export.log skiprnn export-cs "$work/model/model.skrn" \
  -o "$work/firmware/MotionModel.cs" --namespace SkipRnn.Motion --class MotionModel
step "embedded model has the file's length" check2.log \
  grep -q "public const int Length = $(stat -c %s "$work/model/model.skrn");" "$work/firmware/MotionModel.cs"
