#!/usr/bin/python3
"""Write the guide's worked example (docs/own-recordings.md): the five UCI HAPT test users shipped in
models/motion/data/hapt_test_users.npz, written out as "your own recordings" in the format recordings.py reads.
Users 26-28 train, 29 validation, 30 test; the first recording of each split carries its labels in a label-span
file (<name>.labels.csv), the others in a label column; unlabelled samples are "-". The classes get names of
"your own" (HAPT's six activities, and "posture_change" for its six postural transitions: the event class), so that
the guide shows them travelling into the model file. Nothing here is committed data: the script rebuilds it from the
shipped slice.

    /usr/bin/python3 models/train/motion/example_recordings.py --out /tmp/my_data [--max-samples 6000]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
import events as ev  # noqa: E402
from prepare import load_split  # noqa: E402

SPLIT_OF_USER = {26: "train", 27: "train", 28: "train", 29: "valid", 30: "test"}
COLUMNS = ["ax", "ay", "az", "gx", "gy", "gz"]


def spans(y: np.ndarray):
    """Maximal runs of one labelled class: [(start, stop, class)], stop exclusive."""
    out, t = [], 0
    while t < len(y):
        e = t
        while e + 1 < len(y) and y[e + 1] == y[t]:
            e += 1
        if y[t] >= 0:
            out.append((t, e + 1, int(y[t])))
        t = e + 1
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="folder to write dataset.json and the recordings into")
    p.add_argument("--source", default=str(ROOT / "models/motion/data/hapt_test_users.npz"))
    p.add_argument("--max-samples", type=int, default=0, help="keep only the first N samples of each recording "
                   "(a quick run; 0: all)")
    a = p.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    names = ev.CLASS_NAMES[:ev.TRANSITION] + ["posture_change"]
    splits = {"train": [], "valid": [], "test": []}
    for r in load_split(a.source):
        split = SPLIT_OF_USER[r["user"]]
        x, y = r["x"], r["y"]
        if a.max_samples:
            x, y = x[:a.max_samples], y[:a.max_samples]
        name = f"user{r['user']:02d}_exp{r['exp']:02d}.csv"
        with_spans = not splits[split]                      # the first of each split: a label-span file
        with open(out / name, "w") as f:
            f.write("# sample_rate_hz: 50\n")
            f.write(",".join(COLUMNS + ([] if with_spans else ["label"])) + "\n")
            for row, c in zip(x.tolist(), y.tolist()):
                f.write(",".join(map(str, row)) + ("" if with_spans else "," + (names[c] if c >= 0 else "-")) + "\n")
        if with_spans:
            with open(out / name.replace(".csv", ".labels.csv"), "w") as f:
                f.write("start,stop,label\n")
                for s, e, c in spans(y):
                    f.write(f"{s},{e},{names[c]}\n")
        splits[split].append(name)
    (out / "dataset.json").write_text(json.dumps({"sample_rate_hz": 50, "classes": names,
                                                  "event_class": names[ev.TRANSITION], "splits": splits},
                                                 indent=2) + "\n")
    print(f"example_recordings: {sum(map(len, splits.values()))} recordings -> {out} "
          f"({', '.join(f'{k} {len(v)}' for k, v in splits.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
