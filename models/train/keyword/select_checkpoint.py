#!/usr/bin/python3
"""Choose a stream-training run's checkpoint on the validation speakers only, and export it.

For every OUT/checkpoints/iterNNNNN.pt of a train_stream.py run: the validation stream (every validation clip,
stream.make_stream over the *training* noise, seed 14; run in --lanes pieces side by side), the per-word rule chosen
on it (score.choose_rule_per_word, at most --max-fa false alarms per hour), its hit rate. The checkpoint with the best
validation hit rate among those updating at most --max-updated of the stream's frames and, with
--min-clip-accuracy, classifying at least that share of the validation clips (each from Reset(), class after the
49th frame) wins; it is written as the run's
model.pt / model.safetensors (the sidecar records which), and every checkpoint's figures go to OUT/selection.json.

    /usr/bin/python3 models/train/keyword/select_checkpoint.py --run /tmp/kws_stream_skip --data /tmp/kws \
        --max-fa 5 --max-updated 0.25
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import save_safetensors  # noqa: E402
import stream as st  # noqa: E402
from prepare import load_clips, load_noise  # noqa: E402
from train import device_features, evaluate  # noqa: E402
from score import (VALID_STREAM_SEED, choose_rule_per_word, load_model, run_stream_lanes, stream_features,  # noqa: E402
                   valid_subset)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="a train_stream.py --out folder")
    p.add_argument("--data", required=True, help="prepare.py --out folder (kws_valid.npz, noise.npz)")
    p.add_argument("--max-fa", type=float, default=5.0)
    p.add_argument("--max-updated", type=float, default=1.0)
    p.add_argument("--last", action="store_true", help="only the last checkpoint (the end of the cosine schedule)")
    p.add_argument("--lanes", type=int, default=8)
    p.add_argument("--min-clip-accuracy", type=float, default=0.0,
                   help="only checkpoints with at least this accuracy on the validation clips")
    p.add_argument("--min-mean-recall", type=float, default=0.0,
                   help="only checkpoints whose mean per-class recall on the validation clips is at least this")
    p.add_argument("--min-word-hit-rate", type=float, default=0.0,
                   help="the rule chooser's per-word minimum (score.py --min-word-hit-rate): no word switched off")
    p.add_argument("--every", type=int, default=1, help="look at every N-th checkpoint (the last always)")
    p.add_argument("--valid-clips", type=int, help="place only this many validation clips (a seeded random subset)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    run = Path(a.run)
    model, side = load_model(run)
    all_valid = load_clips(Path(a.data) / "kws_valid.npz")
    clip_feats, clip_y = device_features(all_valid["pcm"]), all_valid["y"].astype(np.int64)
    mean, std = np.array(side["input_mean"], np.float32), np.array(side["input_std"], np.float32)
    valid = valid_subset(all_valid, a.valid_clips)
    v_pcm, events, placed = st.make_stream(valid["pcm"], valid["y"], load_noise(Path(a.data) / "noise.npz", "train"),
                                           VALID_STREAM_SEED)
    spans = st.distractor_spans(placed, valid["pcm"].shape[1])
    feats = stream_features(v_pcm)
    print(f"validation stream: {st.stream_minutes(v_pcm):.1f} min, {len(events)} keywords, {len(placed)} clips",
          flush=True)
    cks = sorted((run / "checkpoints").glob("iter*.pt"))
    cks = [c for i, c in enumerate(cks) if (i % a.every == a.every - 1 and not a.last) or c == cks[-1]]
    rows, best = [], None
    for ck in cks:
        state = torch.load(ck, map_location="cpu")
        model.load_state_dict(state["state_dict"])
        model.eval()
        pred, upd = run_stream_lanes(model, side, feats, a.lanes)
        try:
            rule, r = choose_rule_per_word(pred, events, len(pred), spans, a.max_fa,
                                           min_word_hit_rate=a.min_word_hit_rate)
        except RuntimeError as e:
            print(f"{ck.name}: {e}", flush=True)
            continue
        row = {"checkpoint": ck.name, "hit_rate": r["hit_rate"], "false_alarms_per_hour": r["false_alarms_per_hour"],
               "by_cause": r["false_alarms_by_cause_per_hour"], "frames_updated": float(upd.mean()), "rule": rule,
               "hit_rate_per_word": r["hit_rate_per_word"]}
        with torch.no_grad():
            m = evaluate(model, clip_feats, clip_y, mean, std)
        row["clip_accuracy"] = m["accuracy"]
        row["clip_mean_recall"] = float(np.nanmean(list(m["recall"].values())))   # classes present
        rows.append(row)
        print(json.dumps(row), flush=True)
        if (row["frames_updated"] <= a.max_updated and row["clip_accuracy"] >= a.min_clip_accuracy and
                row["clip_mean_recall"] >= a.min_mean_recall and (best is None or row["hit_rate"] > best[0]["hit_rate"])):
            best = (row, state)
    if best is None:
        print("error: no checkpoint meets --max-updated, --min-clip-accuracy and --min-mean-recall", file=sys.stderr)
        return 1
    row, state = best
    model.load_state_dict(state["state_dict"])
    torch.save(state, run / "model.pt")
    save_safetensors(run / "model.safetensors", model.export_state_dict(), dtype=torch.float32, metadata={"format": "pt"})
    side["checkpoint"] = row["checkpoint"]
    (run / "model.json").write_text(json.dumps(side, indent=2) + "\n")
    (run / "selection.json").write_text(json.dumps({"minutes": st.stream_minutes(v_pcm), "keywords": len(events),
                                                    "max_fa_per_hour": a.max_fa, "max_updated": a.max_updated,
                                                    "min_clip_accuracy": a.min_clip_accuracy,
                                                    "min_mean_recall": a.min_mean_recall,
                                                    "min_word_hit_rate": a.min_word_hit_rate,
                                                    "chosen": row["checkpoint"], "checkpoints": rows}, indent=2) + "\n")
    print(f"chosen: {row['checkpoint']} (validation hit rate {row['hit_rate']:.4f} at "
          f"{row['false_alarms_per_hour']:.1f} FA/h, frames updated {row['frames_updated']:.4f}, validation clips "
          f"{row['clip_accuracy']:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
