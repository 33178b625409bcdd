#!/usr/bin/python3
"""Evaluate an exported model (model.safetensors + model.json) and/or regenerate its
deterministic data files.

    # score a model on N fresh sequences (seed independent of the exported test set)
    /usr/bin/python3 models/train/evaluate.py --model models/adding --n 8192 --seed 7
    # rewrite test.npz / calibration.npz exactly as train.py exports them
    /usr/bin/python3 models/train/evaluate.py --model models/adding --write-data /tmp/adding_data

The task is read from the sidecar's "task_params" (adding or frequency). Runs in float32
(as trained) and float64, and reports how many skip decisions differ between the two
(ũ near 0.5 makes a device's float32 / fixed-point run diverge from training).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skiprnn import SkipGRU, load_safetensors, save_npz  # noqa: E402
from tasks import AddingTask, FrequencyTask  # noqa: E402
import train as tr  # noqa: E402


def load_model(d: Path):
    side = json.loads((d / "model.json").read_text())
    m = SkipGRU(side["input_size"], side["hidden_size"], side["num_layers"], side["variant"],
                side["output_size"])
    m.load_state_dict(load_safetensors(d / "model.safetensors"))
    return m.eval(), side


def task_from(side):
    p = side.get("task_params", {})
    if p.get("name") == "adding":
        return AddingTask(seq_len=p["seq_len"])
    if p.get("name") == "frequency":
        return FrequencyTask(sample_period_ms=p["sample_period_ms"], duration_ms=p["duration_ms"])
    raise SystemExit(f"sidecar task_params {p} is not a synthetic task; evaluate npz models on their data")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="directory with model.safetensors and model.json")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write-data", help="write test.npz and calibration.npz (train.py's seeds) here")
    ap.add_argument("--test-size", type=int, default=512)
    ap.add_argument("--calib-size", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(1)
    d = Path(a.model)
    model, side = load_model(d)
    task = task_from(side)
    mean, std = np.asarray(side["input_mean"]), np.asarray(side["input_std"])

    if a.write_data:
        out = Path(a.write_data)
        out.mkdir(parents=True, exist_ok=True)
        for name, n, seed in (("test", a.test_size, tr.TEST_SEED), ("calibration", a.calib_size, tr.CALIB_SEED)):
            x, y = task.batch(n, np.random.default_rng(seed))
            save_npz(out / f"{name}.npz", {"x": x.astype(np.float32), "y": np.asarray(y)})
        print(f"wrote {out}/test.npz, calibration.npz")

    x, y = task.batch(a.n, np.random.default_rng(a.seed))
    m32 = tr.evaluate(model, task, x, y, mean, std)
    with torch.no_grad():
        xt = torch.from_numpy(((x - mean) / std))
        _, i64 = model.double()(xt)
        _, i32 = model.float()(xt.float())
    flips = int((i64["updates"] != i32["updates"]).sum())
    seqs = int((i64["updates"] != i32["updates"]).any(1).sum())
    margin = (i32["utilde"] - 0.5).abs()
    print(json.dumps({"sequences": a.n, "seed": a.seed, "float32": m32, "meets_floor": task.meets_floor(m32),
                      "skip_decisions_differing_f32_vs_f64": flips, "sequences_affected": seqs,
                      "steps_with_abs_utilde_minus_half_below_1e-4": int((margin < 1e-4).sum())}, indent=2))


if __name__ == "__main__":
    main()
