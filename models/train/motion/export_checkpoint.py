#!/usr/bin/python3
"""Export one saved checkpoint of a train_stream.py run (--eval-every N --save-checkpoints) exactly as the run exports
its own model: model.pt / model.safetensors / model.json (the run's sidecar, the event rule re-chosen on the
validation users, exported_iteration set) / metrics.json (validation and test figures, float) / train_log.jsonl (the
run's) / calibration.npz / convert_valid.npz (and, with the test split, test.npz: 64 crops of 256 samples from the
test recordings, seed 20260103, for `skiprnn eval`). For choosing a checkpoint after the run by figures the run cannot
compute itself (the fixed-point ones: `skiprnn convert` on convert_valid.npz, `skiprnn stream` on the validation
users); choose on the validation users only, then export.

    /usr/bin/python3 models/train/motion/export_checkpoint.py --data /tmp/hapt --run /tmp/m3/b --iter 320 --out /tmp/m3/ship
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU, save_npz, save_safetensors  # noqa: E402
from skiprnn.io import write_sidecar  # noqa: E402
import events as ev  # noqa: E402
from prepare import load_split, load_task, split_path  # noqa: E402
import train_stream as ts  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with hapt_train/valid/test.npz")
    p.add_argument("--run", required=True, help="the run's --out folder (model.json, metrics.json, checkpoints/)")
    p.add_argument("--iter", type=int, required=True, help="the checkpoint's iteration")
    p.add_argument("--out", required=True)
    p.add_argument("--no-test", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    run, out, data = Path(a.run), Path(a.out), Path(a.data)
    sidecar = json.loads((run / "model.json").read_text())
    run_metrics = json.loads((run / "metrics.json").read_text())
    ck = torch.load(run / "checkpoints" / f"iter{a.iter:05d}.pt", map_location="cpu")
    cfg = ck["config"]
    model = SkipGRU(cfg["input_size"], cfg["hidden_size"], cfg["num_layers"], cfg["variant"], cfg["output_size"],
                    skip=cfg["skip"])
    model.load_state_dict(ck["state_dict"])
    train, valid = load_split(split_path(data, "train")), load_split(split_path(data, "valid"))
    task = load_task(split_path(data, "train"))
    mean = np.array(sidecar["input_mean"], np.float32)
    std = np.array(sidecar["input_std"], np.float32)
    vstreams = ts.predict(model, valid, mean, std)
    rule = ts.choose_rule(vstreams, task)
    metrics = {"iterations": run_metrics["iterations"], "train_seconds": run_metrics["train_seconds"], "rule": rule,
               "exported_iteration": a.iter, "valid": ev.summarize(ts.with_events(vstreams, rule, task), task=task)}
    test = None if a.no_test else load_split(split_path(data, "test"))
    if test is not None:
        metrics["test"] = ev.summarize(ts.with_events(ts.predict(model, test, mean, std), rule, task), task=task)
    out.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": model.state_dict(), "config": model.config()}, out / "model.pt")
    save_safetensors(out / "model.safetensors", model.export_state_dict(), dtype=torch.float32,
                     metadata={"format": "pt"})
    sidecar["event_rule"] = {"version": 1, "event_class": task.event_class, **rule}
    sidecar["exported_iteration"] = a.iter
    write_sidecar(out / "model.json", sidecar)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    if (run / "train_log.jsonl").resolve() != (out / "train_log.jsonl").resolve():
        shutil.copyfile(run / "train_log.jsonl", out / "train_log.jsonl")
    save_npz(out / "calibration.npz", ts.crops(train, 64, 256, 20260101))
    save_npz(out / "convert_valid.npz", ts.crops(valid, 64, 256, 20260102))
    if test is not None:                      # what `skiprnn eval` / `demo` check a shipped model against
        save_npz(out / "test.npz", ts.crops(test, 64, 256, 20260103))
    for k in ("valid", "test"):
        if k in metrics:
            s = metrics[k]
            print(f"{k}: accuracy {s['accuracy']:.4f} macro-F1 {s['macro_f1']:.4f} updated {s['updated']:.4f} "
                  f"event F1 {s['event_gaps_ignored']['f1']:.3f} (gaps counted {s['event_gaps_counted']['f1']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
