#!/usr/bin/python3
"""UCI HAPT raw recordings -> what a waist-worn 6-axis IMU would hand the board: raw int16 counts.

Source: "Smartphone-Based Recognition of Human Activities and Postural Transitions" (UCI HAPT),
Reyes-Ortiz, Oneto, Samà, Parra, Anguita, Neurocomputing 171 (2016) 754-767; CC BY 4.0.
The RawData folder (61 acc_expNN_userMM.txt + 61 gyro_expNN_userMM.txt, 50 Hz, acc in g, gyro in
rad/s, and labels.txt: "exp user activity first_row last_row", 1-based, inclusive) is copied in the
public repository akashlevy/HATRNet at commit 0bba83e, data/HAPT_dataset/RawData/.

Sensor model (MPU-6050 / ICM-42688 class, the ranges an always-on wrist/waist device uses):
    accelerometer ±4 g:    8192 LSB/g     (1 LSB = 122 µg)
    gyroscope   ±500 dps:  65.5 LSB/(°/s) (1 LSB = 0.0153 °/s)
    count = round(value · LSB size), saturated to int16 like the sensor; columns ax ay az gx gy gz.

Labels per sample (int8): 0 = unlabelled, 1..12 = HAPT's activity ids (1 walking, 2 upstairs,
3 downstairs, 4 sitting, 5 standing, 6 lying, 7..12 the postural transitions).

Split by user (fixed; never tuned): train users 1-21, validation users 22-25, test users 26-30.

Rebuild everything (full data set, not committed) and the shipped test slice:
    /usr/bin/python3 models/train/motion/prepare.py --raw <HATRNet checkout>/data/HAPT_dataset/RawData \
        --out /tmp/hapt --ship models/motion/data/hapt_test_users.npz
Each split file (<out>/hapt_{train,valid,test}.npz) holds: x int16 [N, 6], label int8 [N],
y int8 [N] (the model's class per sample,
events.py: 0..5 activities, 6 transition, -1 unlabelled), offsets int64 [R + 1] (recording r is rows offsets[r]:offsets[r+1]), exp int16 [R], user int16 [R].
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import numpy as np

from events import HAPT, Task, classes_from_hapt

ACC_LSB_PER_G = 8192.0                      # ±4 g full scale
GYRO_LSB_PER_DPS = 65.5                     # ±500 dps full scale
GYRO_LSB_PER_RAD_S = GYRO_LSB_PER_DPS * 180.0 / math.pi
SAMPLE_PERIOD_US = 20000                    # 50 Hz
SPLITS = {"train": range(1, 22), "valid": range(22, 26), "test": range(26, 31)}
ACTIVITY_NAMES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying",
                  "stand_to_sit", "sit_to_stand", "sit_to_lie", "lie_to_sit", "stand_to_lie", "lie_to_stand"]
_FILE_RE = re.compile(r"^(acc|gyro)_exp(\d+)_user(\d+)\.txt$")


class DataError(ValueError):
    """Bad or odd input data; the message names the file and line."""


def three_numbers(path: Path, n: int, parts: list, line: str) -> list:
    """The three finite numbers of line n's fields, or a DataError naming the file and line."""
    if len(parts) != 3:
        raise DataError(f"{path}:{n}: expected 3 numbers, found {len(parts)}")
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        raise DataError(f"{path}:{n}: not a number: {line.strip()!r}") from None
    if not all(math.isfinite(v) for v in vals):
        raise DataError(f"{path}:{n}: not a finite number: {line.strip()!r}")
    return vals


def read_triples(path: Path) -> np.ndarray:
    """A raw HAPT file: one sample per line, three numbers separated by spaces. float64 [n, 3]."""
    if not path.is_file():
        raise DataError(f"{path}: missing file")
    rows = []
    with open(path, "r", encoding="ascii", errors="replace") as f:
        for n, line in enumerate(f, 1):
            rows.append(three_numbers(path, n, line.split(), line))
    if not rows:
        raise DataError(f"{path}: no samples")
    return np.asarray(rows, dtype=np.float64)


def read_labels(path: Path) -> list[tuple[int, int, int, int, int, int]]:
    """labels.txt -> [(exp, user, activity, first_row, last_row, line_number)] (rows 1-based, inclusive)."""
    if not path.is_file():
        raise DataError(f"{path}: missing file")
    out = []
    with open(path, "r", encoding="ascii", errors="replace") as f:
        for n, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 5:
                raise DataError(f"{path}:{n}: expected 5 integers (exp user activity first last), found {len(parts)}")
            try:
                exp, user, act, first, last = (int(p) for p in parts)
            except ValueError:
                raise DataError(f"{path}:{n}: not an integer: {line.strip()!r}") from None
            if not 1 <= act <= 12:
                raise DataError(f"{path}:{n}: activity {act} outside 1..12")
            if first < 1 or last < first:
                raise DataError(f"{path}:{n}: bad row range {first}..{last}")
            out.append((exp, user, act, first, last, n))
    if not out:
        raise DataError(f"{path}: no labels")
    return out


def to_counts(values: np.ndarray, lsb_per_unit: float) -> tuple[np.ndarray, int]:
    """Physical values -> int16 counts (round half to even, as numpy), saturated; returns the number clipped."""
    c = np.rint(values * lsb_per_unit)
    clipped = int(np.count_nonzero((c > 32767) | (c < -32768)))
    return np.clip(c, -32768, 32767).astype(np.int16), clipped


def load_recordings(raw: Path, log=print) -> list[dict]:
    """Every recording in `raw` as {exp, user, x int16 [n, 6], label int8 [n]}, sorted by exp."""
    if not raw.is_dir():
        raise DataError(f"{raw}: missing folder")
    found: dict[tuple[int, int], dict[str, Path]] = {}
    for p in sorted(raw.iterdir()):
        m = _FILE_RE.match(p.name)
        if m:
            found.setdefault((int(m.group(2)), int(m.group(3))), {})[m.group(1)] = p
    if not found:
        raise DataError(f"{raw}: no acc_expNN_userMM.txt files")
    labels = read_labels(raw / "labels.txt")
    recs, clipped_total = {}, 0
    for (exp, user), files in sorted(found.items()):
        for kind in ("acc", "gyro"):
            if kind not in files:
                raise DataError(f"{raw / f'{kind}_exp{exp:02d}_user{user:02d}.txt'}: missing file "
                                f"(its {'gyro' if kind == 'acc' else 'acc'} partner exists)")
        acc, gyro = read_triples(files["acc"]), read_triples(files["gyro"])
        if len(acc) != len(gyro):
            raise DataError(f"{files['gyro']}: {len(gyro)} rows but {files['acc'].name} has {len(acc)}")
        a, ca = to_counts(acc, ACC_LSB_PER_G)
        g, cg = to_counts(gyro, GYRO_LSB_PER_RAD_S)
        clipped_total += ca + cg
        recs[exp] = {"exp": exp, "user": user, "x": np.concatenate([a, g], axis=1),
                     "label": np.zeros(len(acc), dtype=np.int8)}
    for exp, user, act, first, last, n in labels:
        r = recs.get(exp)
        if r is None:
            raise DataError(f"{raw / 'labels.txt'}:{n}: experiment {exp} has no recording")
        if r["user"] != user:
            raise DataError(f"{raw / 'labels.txt'}:{n}: experiment {exp} belongs to user {r['user']}, not {user}")
        if last > len(r["label"]):
            raise DataError(f"{raw / 'labels.txt'}:{n}: rows {first}..{last} outside the recording "
                            f"({len(r['label'])} rows)")
        seg = r["label"][first - 1:last]
        if np.any(seg != 0):
            raise DataError(f"{raw / 'labels.txt'}:{n}: rows {first}..{last} overlap an earlier label")
        seg[:] = act
    n_rows = sum(len(r["label"]) for r in recs.values())
    log(f"prepare: {len(recs)} recordings, {n_rows} samples ({n_rows / 50 / 3600:.2f} h), {len(labels)} labels, "
        f"{clipped_total} values saturated at ±4 g / ±500 dps")
    return [recs[e] for e in sorted(recs)]


def pack(recs: list[dict]) -> dict[str, np.ndarray]:
    """Recordings -> one split file's arrays (streams end to end, offsets mark the boundaries)."""
    lens = [len(r["label"]) for r in recs]
    return {"x": np.concatenate([r["x"] for r in recs]) if recs else np.zeros((0, 6), np.int16),
            "label": np.concatenate([r["label"] for r in recs]) if recs else np.zeros(0, np.int8),
            "y": classes_from_hapt(np.concatenate([r["label"] for r in recs])).astype(np.int8) if recs else np.zeros(0, np.int8),
            "offsets": np.concatenate([[0], np.cumsum(lens)]).astype(np.int64),
            "exp": np.array([r["exp"] for r in recs], dtype=np.int16),
            "user": np.array([r["user"] for r in recs], dtype=np.int16)}


def unpack(arrays) -> list[dict]:
    """A split file's arrays -> recordings (checks the offsets). Each has x, label (HAPT ids; for a file of your own
    recordings the class + 1, 0 unlabelled), y (class per sample, -1 unlabelled), exp, user."""
    off = np.asarray(arrays["offsets"])
    x = arrays["x"]
    y = np.asarray(arrays["y"], np.int64) if arrays.get("y") is not None else classes_from_hapt(arrays["label"])
    lab = arrays["label"] if arrays.get("label") is not None else (y + 1).astype(np.int8)
    if off.ndim != 1 or off[0] != 0 or off[-1] != len(x) or len(lab) != len(x) or len(y) != len(x) \
            or np.any(np.diff(off) <= 0):
        raise DataError("split file: offsets do not partition x/label")
    return [{"exp": int(arrays["exp"][i]), "user": int(arrays["user"][i]),
             "x": x[off[i]:off[i + 1]], "label": lab[off[i]:off[i + 1]], "y": y[off[i]:off[i + 1]]}
            for i in range(len(off) - 1)]


def load_split(path: str | Path) -> list[dict]:
    if not Path(path).is_file():
        raise DataError(f"{path}: missing file")
    with np.load(path) as z:
        return unpack({k: (z[k] if k in z.files else None) for k in ("x", "label", "y", "offsets", "exp", "user")})


def load_task(path: str | Path) -> Task:
    """The classes of a split file: stored in it (class_names, event_class, sample_rate_hz: recordings.py writes
    them) or HAPT's."""
    with np.load(path) as z:
        if "class_names" not in z.files:
            return HAPT
        return Task([str(c) for c in z["class_names"]], int(z["event_class"]), float(z["sample_rate_hz"]))


def split_path(data: str | Path, name: str) -> Path:
    """A prepared folder's split file: hapt_<name>.npz (HAPT, this script) or <name>.npz (recordings.py)."""
    hapt = Path(data) / f"hapt_{name}.npz"
    return hapt if hapt.is_file() or not (Path(data) / f"{name}.npz").is_file() else Path(data) / f"{name}.npz"


def split_of(user: int) -> str:
    for name, users in SPLITS.items():
        if user in users:
            return name
    raise DataError(f"user {user} is in no split (users are 1..30)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--raw", required=True, help="the HAPT RawData folder")
    p.add_argument("--out", required=True, help="folder for hapt_{train,valid,test}.npz")
    p.add_argument("--ship", help="also write the test users' streams (compressed) here")
    a = p.parse_args(argv)
    try:
        recs = load_recordings(Path(a.raw))
    except DataError as e:
        print(f"prepare: error: {e}", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in SPLITS:
        part = [r for r in recs if split_of(r["user"]) == name]
        arrays = pack(part)
        tmp = out / f".hapt_{name}.npz.tmp"
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        tmp.replace(out / f"hapt_{name}.npz")      # never a half-written file under the real name
        users = sorted({r["user"] for r in part})
        print(f"prepare: {name}: users {users[0] if users else '-'}..{users[-1] if users else '-'} "
              f"({len(users)}), {len(part)} recordings, {len(arrays['label'])} samples -> {out / f'hapt_{name}.npz'}")
    if a.ship:
        part = [r for r in recs if split_of(r["user"]) == "test"]
        ship = Path(a.ship)
        ship.parent.mkdir(parents=True, exist_ok=True)
        tmp = ship.with_name("." + ship.name + ".tmp")
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **pack(part))
        tmp.replace(ship)
        print(f"prepare: shipped slice (test users) -> {ship} ({ship.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
