#!/usr/bin/python3
"""Your own labelled IMU recordings -> the split files train_stream.py trains on and `skiprnn stream` scores.

The format (docs/own-recordings.md has the whole guide):

    my_data/
      dataset.json          {"sample_rate_hz": 50, "classes": ["walking", ..., "transition"],
                             "event_class": "transition",
                             "splits": {"train": ["a.csv", ...], "valid": [...], "test": [...]}}
      a.csv                 # sample_rate_hz: 50
                            ax,ay,az,gx,gy,gz,label
                            6712,-301,455,12,-40,3,standing
                            ...
      b.csv + b.labels.csv  b.csv without a label column; b.labels.csv: "start,stop,label" rows (0-based sample
                            rows of b.csv, stop exclusive; samples no span covers are unlabelled)

Every recording: a first line "# sample_rate_hz: R" (R the same for every file and dataset.json's), a header line
naming the input columns (and "label" last when the labels are in the file), then one line per sample: the raw
integer counts (-32768..32767, as the sensor delivers them; the model learns their scale) and the class name, or
"-" for a sample that is neither trained on nor scored (an unlabelled stretch). The input columns are the same in
every file. Classes and the event class (whose runs the event rule detects) come from dataset.json.

Everything is checked before anything is written: a missing or unknown label, a wrong column count, NaN, text or
an out-of-range count in a number column, a sample rate that differs, a training recording shorter than the
training crop (--crop, the train_stream.py crop you will use) each stop with an error naming the file and line, and
no output file is written. Output (<out>/{train,valid,test}.npz, each written whole under a temporary name first):
x int16 [N, I], y int8 [N] (class per sample, -1 unlabelled), offsets int64 [R + 1] (recording r is rows
offsets[r]:offsets[r+1]), exp int16 [R] (the recording's index in its split), user int16 [R] (0), class_names,
event_class, sample_rate_hz, columns, files. `skiprnn stream` reads these files as they are.

    /usr/bin/python3 models/train/motion/recordings.py --data my_data --out /tmp/mine --crop 512
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

SPLIT_NAMES = ("train", "valid", "test")
UNLABELLED = "-"


class DataError(ValueError):
    """Bad user data; the message names the file and line."""


def read_dataset(folder: Path) -> dict:
    """dataset.json, checked: sample_rate_hz > 0, classes (unique, non-empty names), event_class among them,
    splits train/valid/test each a non-empty list of file names."""
    path = folder / "dataset.json"
    if not path.is_file():
        raise DataError(f"{path}: missing file (sample_rate_hz, classes, event_class, splits)")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"{path}:{getattr(e, 'lineno', 1)}: not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: must hold a JSON object")
    for key in ("sample_rate_hz", "classes", "event_class", "splits"):
        if key not in meta:
            raise DataError(f"{path}: missing \"{key}\"")
    rate = meta["sample_rate_hz"]
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
        raise DataError(f"{path}: \"sample_rate_hz\" must be a positive number, not {rate!r}")
    classes = meta["classes"]
    if not isinstance(classes, list) or len(classes) < 2 or not all(isinstance(c, str) and c.strip() for c in classes):
        raise DataError(f"{path}: \"classes\" must be a list of at least two non-empty names")
    if len(set(classes)) != len(classes) or UNLABELLED in classes or any("," in c for c in classes):
        raise DataError(f"{path}: class names must be unique and must not be \"{UNLABELLED}\" or hold a comma")
    if meta["event_class"] not in classes:
        raise DataError(f"{path}: \"event_class\" {meta['event_class']!r} is not one of the classes {classes}")
    splits = meta["splits"]
    if not isinstance(splits, dict) or sorted(splits) != sorted(SPLIT_NAMES):
        raise DataError(f"{path}: \"splits\" must have exactly the keys {list(SPLIT_NAMES)}")
    seen = {}
    for name in SPLIT_NAMES:
        files = splits[name]
        if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
            raise DataError(f"{path}: split \"{name}\" must be a non-empty list of recording file names")
        for f in files:
            if f in seen:
                raise DataError(f"{path}: {f} is in split \"{seen[f]}\" and in \"{name}\"")
            seen[f] = name
    return meta


def _rate_line(path: Path, line: str, n: int) -> float:
    text = line.strip()
    if not text.startswith("#") or "sample_rate_hz" not in text or ":" not in text:
        raise DataError(f"{path}:{n}: expected \"# sample_rate_hz: R\" as the first line")
    value = text.split(":", 1)[1].strip()
    try:
        rate = float(value)
    except ValueError:
        raise DataError(f"{path}:{n}: sample rate {value!r} is not a number") from None
    if not math.isfinite(rate) or rate <= 0:
        raise DataError(f"{path}:{n}: sample rate {value!r} must be a positive number")
    return rate


def _count(path: Path, n: int, j: int, cell: str, column: str) -> int:
    try:
        v = int(cell)
    except ValueError:
        raise DataError(f"{path}:{n}: column {j + 1} ({column}) is {cell!r}, not an integer count") from None
    if not -32768 <= v <= 32767:
        raise DataError(f"{path}:{n}: column {j + 1} ({column}) is {v}, outside the int16 range -32768..32767")
    return v


def _label(path: Path, n: int, cell: str, classes: dict) -> int:
    if cell == "":
        raise DataError(f"{path}:{n}: missing label (write a class name, or \"{UNLABELLED}\" for unlabelled)")
    if cell == UNLABELLED:
        return -1
    if cell not in classes:
        raise DataError(f"{path}:{n}: unknown label {cell!r} (classes: {', '.join(classes)})")
    return classes[cell]


def read_recording(path: Path, classes: dict, rate: float) -> dict:
    """One recording file (and its .labels.csv when it has no label column) -> {x int16 [n, I], y int8 [n],
    columns}. Checks as in the module docstring."""
    if not path.is_file():
        raise DataError(f"{path}: missing file")
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
        lines = f.read().splitlines()
    if not lines:
        raise DataError(f"{path}:1: empty file")
    r = _rate_line(path, lines[0], 1)
    if r != rate:
        raise DataError(f"{path}:1: sample rate {r:g} Hz differs from dataset.json's {rate:g} Hz "
                        f"(resample the recording; every file must have the same rate)")
    if len(lines) < 2 or not lines[1].strip():
        raise DataError(f"{path}:2: expected a header line naming the columns (e.g. ax,ay,az,gx,gy,gz,label)")
    header = [c.strip() for c in lines[1].split(",")]
    labelled = header[-1] == "label"
    columns = header[:-1] if labelled else header
    if not columns or any(not c or c == "label" for c in columns):
        raise DataError(f"{path}:2: bad header {lines[1].strip()!r}: input column names, then \"label\" if labelled")
    width = len(header)
    xs, ys = [], []
    for n, line in enumerate(lines[2:], 3):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != width:
            raise DataError(f"{path}:{n}: {len(cells)} columns, the header has {width} ({','.join(header)})")
        xs.append([_count(path, n, j, cells[j], columns[j]) for j in range(len(columns))])
        if labelled:
            ys.append(_label(path, n, cells[-1], classes))
    if not xs:
        raise DataError(f"{path}: no samples after the header")
    y = np.array(ys, np.int64) if labelled else read_spans(path, len(xs), classes)
    return {"x": np.array(xs, np.int16), "y": y.astype(np.int8), "columns": columns}


def read_spans(recording: Path, n: int, classes: dict) -> np.ndarray:
    """<stem>.labels.csv beside a recording without a label column: header "start,stop,label", then one span per
    line (0-based sample rows, stop exclusive, no overlaps). Samples no span covers are unlabelled."""
    path = recording.with_name(recording.stem + ".labels.csv")
    if not path.is_file():
        raise DataError(f"{recording}:2: the header has no \"label\" column and there is no label-span file {path.name}")
    y = np.full(n, -1, np.int64)
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
        lines = f.read().splitlines()
    if not lines or [c.strip() for c in lines[0].split(",")] != ["start", "stop", "label"]:
        raise DataError(f"{path}:1: expected the header \"start,stop,label\"")
    for k, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != 3:
            raise DataError(f"{path}:{k}: {len(cells)} columns, expected 3 (start,stop,label)")
        try:
            start, stop = int(cells[0]), int(cells[1])
        except ValueError:
            raise DataError(f"{path}:{k}: start and stop must be integers, not {cells[0]!r}, {cells[1]!r}") from None
        if not 0 <= start < stop <= n:
            raise DataError(f"{path}:{k}: span {start}..{stop} is not inside the recording's {n} samples "
                            f"(0 <= start < stop <= {n})")
        c = _label(path, k, cells[2], classes)
        if np.any(y[start:stop] >= 0):
            raise DataError(f"{path}:{k}: span {start}..{stop} overlaps an earlier span")
        y[start:stop] = c
    return y


def load_dataset(folder: Path, crop: int) -> tuple[dict, dict]:
    """Read and check everything: (dataset.json, {split: arrays as written})."""
    meta = read_dataset(folder)
    classes = {c: i for i, c in enumerate(meta["classes"])}
    rate = float(meta["sample_rate_hz"])
    out, columns, first = {}, None, None
    for name in SPLIT_NAMES:
        recs = []
        for f in meta["splits"][name]:
            path = folder / f
            r = read_recording(path, classes, rate)
            if columns is None:
                columns, first = r["columns"], path
            elif r["columns"] != columns:
                raise DataError(f"{path}:2: columns {','.join(r['columns'])} differ from {first.name}'s "
                                f"{','.join(columns)}")
            if name == "train" and len(r["y"]) <= crop:
                raise DataError(f"{path}: {len(r['y'])} samples, not longer than the training crop of {crop} "
                                f"(record longer, or train with a shorter --crop and pass it here too)")
            if name != "test" and not np.any(r["y"] >= 0):
                raise DataError(f"{path}: no labelled sample (a {name} recording must have some)")
            recs.append(r)
        lens = [len(r["y"]) for r in recs]
        out[name] = {"x": np.concatenate([r["x"] for r in recs]), "y": np.concatenate([r["y"] for r in recs]),
                     "offsets": np.concatenate([[0], np.cumsum(lens)]).astype(np.int64),
                     "exp": np.arange(len(recs), dtype=np.int16), "user": np.zeros(len(recs), np.int16),
                     "class_names": np.array(meta["classes"]),
                     "event_class": np.int64(classes[meta["event_class"]]),
                     "sample_rate_hz": np.float64(rate), "columns": np.array(columns),
                     "files": np.array(meta["splits"][name])}
    present = np.unique(out["train"]["y"][out["train"]["y"] >= 0])
    missing = [meta["classes"][c] for c in range(len(classes)) if c not in present]
    if missing:
        raise DataError(f"{folder / 'dataset.json'}: no training sample of class(es) {', '.join(missing)}")
    return meta, out


def write_splits(out: Path, arrays: dict) -> None:
    """Each split under a temporary name first, then all renamed: no half-written file under a real name."""
    out.mkdir(parents=True, exist_ok=True)
    tmps = []
    try:
        for name, a in arrays.items():
            tmp = out / f".{name}.npz.tmp"
            with open(tmp, "wb") as f:
                np.savez(f, **a)
            tmps.append((tmp, out / f"{name}.npz"))
    except BaseException:
        for tmp, _ in tmps:
            tmp.unlink(missing_ok=True)
        (out / f".{name}.npz.tmp").unlink(missing_ok=True)
        raise
    for tmp, final in tmps:
        tmp.replace(final)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with dataset.json and the recordings")
    p.add_argument("--out", required=True, help="folder for train/valid/test.npz")
    p.add_argument("--crop", type=int, default=512, help="the training crop (train_stream.py --crop): every training "
                   "recording must be longer")
    a = p.parse_args(argv)
    try:
        meta, arrays = load_dataset(Path(a.data), a.crop)
    except DataError as e:
        print(f"recordings: error: {e}", file=sys.stderr)
        return 2
    write_splits(Path(a.out), arrays)
    for name, s in arrays.items():
        lab = s["y"] >= 0
        print(f"recordings: {name}: {len(s['offsets']) - 1} recordings, {len(s['y'])} samples "
              f"({len(s['y']) / meta['sample_rate_hz'] / 60:.1f} min, {lab.mean():.1%} labelled) -> "
              f"{Path(a.out) / (name + '.npz')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
