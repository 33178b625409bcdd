#!/usr/bin/env bash
# Smoke test of the whole chain for each task: train a few iterations with the PyTorch recipe, then convert
# the export with skiprnn and inspect the model file; then a few quantization-aware (--qat) iterations, converted.
# Proves recipe and converter fit together; the floors are off because a 5-iteration model is not meant to be
# good. Prints one "ok"/"FAIL" line per task.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
skiprnn() { dotnet run --no-build --project src/SkipRnn.Converter -- "$@"; }

failed=0
for task in adding frequency; do
  out="$work/$task"
  if /usr/bin/python3 models/train/train.py --task "$task" --hidden 8 --iters 5 --batch 16 --eval-every 5 \
        --valid-size 32 --test-size 32 --calib-size 32 --seed 1 --out "$out" > "$work/$task.train.log" 2>&1 &&
     skiprnn convert "$out/model.safetensors" -c "$out/calibration.npz" -v "$out/test.npz" -o "$out/model.skrn" \
        --min-decision-agreement 0 --min-argmax-agreement 0 > "$work/$task.convert.log" 2>&1 &&
     skiprnn inspect "$out/model.skrn" --json > "$work/$task.inspect.json" &&
     grep -q '"MacsPerUpdate"' "$work/$task.inspect.json"; then
    echo "smoke $task: ok (trained, converted, inspected: $(stat -c %s "$out/model.skrn") bytes)"
  else
    echo "smoke $task: FAIL"
    tail -n 20 "$work/$task".*.log
    failed=$((failed + 1))
  fi
done
# Quantization-aware fine-tuning of the frequency smoke model, then the converter on its export.
qat="$work/frequency-qat"
if /usr/bin/python3 models/train/train.py --task frequency --hidden 8 --iters 3 --batch 16 --eval-every 3 \
      --valid-size 32 --test-size 32 --calib-size 32 --seed 1 --init "$work/frequency/model.pt" --qat \
      --out "$qat" > "$work/qat.train.log" 2>&1 &&
   grep -q 'integer runtime simulated' "$work/qat.train.log" &&
   skiprnn convert "$qat/model.safetensors" -c "$qat/calibration.npz" -o "$qat/model.skrn" \
      --min-decision-agreement 0 --min-argmax-agreement 0 > "$work/qat.convert.log" 2>&1; then
  echo "smoke qat: ok (fine-tuned with the integer runtime simulated, converted)"
else
  echo "smoke qat: FAIL"
  tail -n 20 "$work"/qat.*.log
  failed=$((failed + 1))
fi
# The QAT forward pass against the runtime itself (fixture models, both variants, int8 and int16).
fidelity=$(/usr/bin/python3 tests/smoke/qat_fidelity.py src/SkipRnn.Converter/bin/Debug/net10.0/SkipRnn.Converter.dll 2>&1)
status=$?
echo "$fidelity"
if [ $status -ne 0 ]; then
  failed=$((failed + 1))
  grep -q ': FAIL' <<< "$fidelity" || echo "smoke qat-fidelity: FAIL (the script stopped; output above)"
fi
# A user's own .npz in NumPy's default dtypes (float64 x, int32 labels): trained with --task npz (a real
# validation split, no floor printed), then converted and evaluated by skiprnn with the same file types.
npz="$work/npz"
mkdir -p "$npz"
if /usr/bin/python3 -c "
import numpy as np
r = np.random.default_rng(0)
x = r.normal(size=(80, 12, 2))
np.savez('$npz/mine.npz', x=x, y=(x[:, :, 0].sum(1) > 0).astype(np.int32))" &&
   /usr/bin/python3 models/train/train.py --task npz --data "$npz/mine.npz" --hidden 8 --iters 5 --batch 16 --eval-every 5 \
      --seed 1 --out "$npz/out" > "$npz/train.log" 2>&1 &&
   grep -q "'valid_sequences': 7" "$npz/train.log" && ! grep -q 'meets_floor' "$npz/train.log" &&
   skiprnn convert "$npz/out/model.safetensors" -c "$npz/mine.npz" -v "$npz/out/test.npz" -o "$npz/model.skrn" \
      --min-decision-agreement 0 --min-argmax-agreement 0 > "$npz/convert.log" 2>&1 &&
   skiprnn eval "$npz/out/model.safetensors" "$npz/model.skrn" "$npz/mine.npz" --json > "$npz/eval.json" 2>&1 &&
   grep -q '"FixedConfusion"' "$npz/eval.json"; then
  echo "smoke npz: ok (float64/int32 .npz trained with a validation split, no floor printed, converted, evaluated)"
else
  echo "smoke npz: FAIL"
  tail -n 20 "$npz"/*.log
  failed=$((failed + 1))
fi
exit $failed
