#!/usr/bin/python3
"""The gesture example's data: Nuvoton's magic-wand accelerometer captures -> "your own recordings" (the format of
recordings.py and docs/own-recordings.md), the compact copy in models/gesture/data/.

Source: github.com/OpenNuvoton/ML_G-Sensor (Apache License 2.0), commit 92442d26b1b923023ea4c2d8a0ec7668e706e307,
files data/{wing,ring,slope}/output_<gesture>_cy.txt and data/negative/output_negative_1.txt: one person ("cy"), an
accelerometer (x, y, z in mg) read at 100 Hz (the repository's capture script, visual_sparkfun_acc.py), each file a
series of 2-s captures: a line "-,-,-,<n>", then 200 lines "x,y,z " (integral values written as floats). The gestures
are TensorFlow Lite Micro's magic-wand ones (wing "W", ring "O", slope "L"); "negative" captures are other movements.

What this writes (deterministic): every capture checked (200 rows of three integral values within int16), averaged
over pairs of samples to 50 Hz (100 samples, rounded to integer mg), and split by capture order in each file: the
first 70 % train, the next 15 % validation, the last 15 % test (one person: a split in time, not by person). Each
split's captures are shuffled (seed 22) and laid end to end into sessions of at most --per-session captures (as even as possible), so that a
session is one stream with gestures among other movements, the way the device sees it. One CSV per session
(counts only) and a label-span file beside it (each capture one span of its class); dataset.json names the classes
(negative, wing, ring, slope), the event class (wing: the gesture that triggers) and the split.

    git clone https://github.com/OpenNuvoton/ML_G-Sensor /tmp/ML_G-Sensor   # then: git checkout 92442d2
    /usr/bin/python3 models/train/motion/wand_recordings.py --source /tmp/ML_G-Sensor/data --out models/gesture/data
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare import three_numbers  # noqa: E402

FILES = {"negative": "negative/output_negative_1.txt", "wing": "wing/output_wing_cy.txt",
         "ring": "ring/output_ring_cy.txt", "slope": "slope/output_slope_cy.txt"}
CLASSES = ["negative", "wing", "ring", "slope"]
EVENT = "wing"
RATE_IN, CAPTURE = 100, 200


def read_captures(path: Path) -> list[np.ndarray]:
    """The captures of one source file, each [200, 3] int; errors name the file and line."""
    caps, cur, start = [], None, 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("-,-,-"):
            if cur is not None:
                caps.append((start, cur))
            cur, start = [], n
            continue
        if cur is None:
            raise ValueError(f"{path}:{n}: a sample before the first capture line '-,-,-,<n>'")
        v = three_numbers(path, n, s.split(","), s)
        if any(a != round(a) or not -32768 <= a <= 32767 for a in v):
            raise ValueError(f"{path}:{n}: {s!r} is not three integral counts within int16")
        cur.append([int(a) for a in v])
    if cur is not None:
        caps.append((start, cur))
    out = []
    for start, c in caps:
        if len(c) != CAPTURE:
            raise ValueError(f"{path}:{start}: capture of {len(c)} samples, expected {CAPTURE}")
        out.append(np.array(c, np.int64))
    return out


def to_50hz(c: np.ndarray) -> np.ndarray:
    """Mean of each pair of samples, rounded half away from zero: [200, 3] at 100 Hz -> [100, 3] at 50 Hz."""
    s = c.reshape(-1, 2, c.shape[1]).sum(1)
    return (np.sign(s) * ((np.abs(s) + 1) // 2)).astype(np.int64)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", required=True, help="the data/ folder of OpenNuvoton/ML_G-Sensor")
    p.add_argument("--out", required=True)
    p.add_argument("--per-session", type=int, default=20, help="at most this many captures per session (recording)")
    p.add_argument("--seed", type=int, default=22)
    a = p.parse_args(argv)
    src, out = Path(a.source), Path(a.out)
    splits = {"train": [], "valid": [], "test": []}
    for cls in CLASSES:
        caps = [to_50hz(c) for c in read_captures(src / FILES[cls])]
        n = len(caps)
        a1, a2 = round(0.7 * n), round(0.85 * n)
        for name, part in (("train", caps[:a1]), ("valid", caps[a1:a2]), ("test", caps[a2:])):
            splits[name] += [(cls, c) for c in part]
    rng = np.random.default_rng(a.seed)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, caps in splits.items():
        order = rng.permutation(len(caps))
        files[name] = []
        for k, idx in enumerate(np.array_split(order, -(-len(order) // a.per_session)), 1):   # sizes differ by <= 1
            part = [caps[i] for i in idx]
            stem = f"{name}_{k:02d}"
            with open(out / f"{stem}.csv", "w") as f:
                f.write(f"# sample_rate_hz: {RATE_IN // 2}\nax,ay,az\n")
                for _, c in part:
                    f.write("".join(f"{x},{y},{z}\n" for x, y, z in c.tolist()))
            with open(out / f"{stem}.labels.csv", "w") as f:
                f.write("start,stop,label\n")
                t = 0
                for cls, c in part:
                    f.write(f"{t},{t + len(c)},{cls}\n")
                    t += len(c)
            files[name].append(f"{stem}.csv")
    (out / "dataset.json").write_text(json.dumps({"sample_rate_hz": RATE_IN // 2, "classes": CLASSES,
                                                  "event_class": EVENT, "splits": files}, indent=2) + "\n")
    counts = {k: len(v) for k, v in splits.items()}
    print(f"wand_recordings: {sum(counts.values())} captures ({counts}) -> "
          f"{sum(len(v) for v in files.values())} sessions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
