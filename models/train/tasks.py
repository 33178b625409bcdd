"""Training tasks: the paper's synthetic adding and frequency-discrimination tasks, and a
generic task reading an .npz file.

Every task exposes:
    input_size, output_size, seq_len, kind ("regression" | "classification"),
    class_names (classification) and sample_period_us,
    batch(n, rng) -> (x float32 [n, T, I] raw inputs, y)   fresh data every call
    loss(out, y), metrics(out, y) -> dict, meets_floor(metrics) -> bool
Synthetic tasks feed raw inputs (mean 0, std 1 in the sidecar), like the reference code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


class AddingTask:
    """Adding task (Hochreiter & Schmidhuber 1997, as in Campos et al. 2018).

    Input per step: (value ~ U(-0.5, 0.5), marker in {0, 1}). Exactly two markers: the
    first in the first 10 % of steps, the second in the last 50 %. Target: the sum of
    the two marked values; MSE on the output after the last step.
    The target is a sum of two U(-0.5, 0.5) values, so its variance is 2/12 = 1/6;
    "solved" means MSE <= 1 % of that (the paper's "100x below the output variance").
    """

    has_floor = True  # meets_floor() answers True/False

    kind = "regression"
    class_names = None
    target_variance = 2.0 / 12.0

    def __init__(self, seq_len: int = 50, solved_ratio: float = 0.01, max_update_frac: float = 0.6):
        if seq_len < 4:
            raise ValueError("adding task needs seq_len >= 4")
        self.seq_len = seq_len
        self.input_size = 2
        self.output_size = 1
        self.sample_period_us = 0  # not a sampled signal
        self.solved_ratio = solved_ratio
        self.max_update_frac = max_update_frac

    def batch(self, n: int, rng: np.random.Generator):
        T = self.seq_len
        x = np.zeros((n, T, 2), dtype=np.float32)
        x[:, :, 0] = rng.uniform(-0.5, 0.5, (n, T))
        first = rng.integers(0, int(np.ceil(T / 10)), n)          # first 10 % of steps
        second = rng.integers(int(np.ceil(T / 2)), T, n)          # last 50 %
        rows = np.arange(n)
        x[rows, first, 1] = 1.0
        x[rows, second, 1] = 1.0
        y = (x[rows, first, 0].astype(np.float64) + x[rows, second, 0]).astype(np.float32)[:, None]
        return x, y

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(out, y)

    def metrics(self, out: torch.Tensor, y: torch.Tensor) -> dict:
        mse = float(F.mse_loss(out.double(), y.double()))
        return {"mse": mse, "mse_over_target_variance": mse / self.target_variance,
                "target_variance": self.target_variance,
                "empirical_target_variance": float(y.double().var())}

    def meets_floor(self, m: dict) -> bool:
        return (m["mse_over_target_variance"] <= self.solved_ratio
                and m["updates_mean"] <= self.max_update_frac * self.seq_len)

    def describe(self) -> dict:
        return {"name": "adding", "seq_len": self.seq_len}


class FrequencyTask:
    """Frequency discrimination (Neil et al. 2016; Campos et al. 2018).

    x_t = cos(2π t / T + φ), t = k·Ts ms, k = 0..L-1, L = duration / Ts.
    φ ~ U(0, T) in radians, as the reference code does (its generate_batch draws the phase
    shift from uniform(0, period)). Class 0: T ~ U(5, 6) ms; class 1: T uniform over
    (1, 5) ∪ (6, 100) ms (the reference uses (0, 5); below 1 ms the wave aliases at 1 ms
    sampling, so we follow our spec). Batches are balanced: first half class 0.
    """

    has_floor = True  # meets_floor() answers True/False

    kind = "classification"
    class_names = ["period_5_6ms", "other"]

    def __init__(self, sample_period_ms: float = 1.0, duration_ms: float = 100.0,
                 min_accuracy: float = 0.99, max_updates_per_100: float = 30.0):
        self.ts = float(sample_period_ms)
        self.duration = float(duration_ms)
        self.seq_len = int(round(self.duration / self.ts))
        self.input_size = 1
        self.output_size = 2
        self.sample_period_us = int(round(self.ts * 1000))
        self.min_accuracy = min_accuracy
        self.max_updates_per_100 = max_updates_per_100

    def batch(self, n: int, rng: np.random.Generator):
        n0 = n // 2
        period = np.empty(n)
        period[:n0] = rng.uniform(5.0, 6.0, n0)
        # uniform over (1, 5) ∪ (6, 100): draw in a 98 ms interval, shift past the gap
        v = rng.uniform(1.0, 100.0 - 1.0, n - n0)
        period[n0:] = np.where(v > 5.0, v + 1.0, v)
        phase = rng.uniform(0.0, period)
        t = np.arange(self.seq_len) * self.ts
        x = np.cos(2 * np.pi * t[None, :] / period[:, None] + phase[:, None])
        y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
        return x[:, :, None].astype(np.float32), y

    def loss(self, out, y):
        return F.cross_entropy(out, y)

    def metrics(self, out, y) -> dict:
        return {"accuracy": float((out.argmax(1) == y).double().mean())}

    def meets_floor(self, m: dict) -> bool:
        # Budget stated per 100 ms of signal (paper: updates out of 100 steps at 1 ms).
        per_100 = m["updates_mean"] * 100.0 / self.duration
        return m["accuracy"] >= self.min_accuracy and per_100 <= self.max_updates_per_100

    def describe(self) -> dict:
        return {"name": "frequency", "sample_period_ms": self.ts, "duration_ms": self.duration,
                "seq_len": self.seq_len}


class NpzTask:
    """Any dataset in an .npz (format: models/train/npz-format.md): `x` real floats [N, T, I]
    (float16/32/64, stored as float32); `y` integer labels [N] of any integer dtype
    (classification) or real float targets [N] / [N, O] (regression). Optional: `class_names`
    (str array), `sample_period_us` (scalar). A deterministic 10 % (at least 1) is held out as
    the test split unless a separate test file is given, and a further 10 % (at least 1) of the
    rest as the validation split that training reports and --stop-at-floor would watch; batches
    are sampled with replacement from what remains. Inputs are normalised with the training
    split's per-feature mean/std (recorded in the sidecar, so the device applies the same).
    """

    has_floor = False  # no floor defined for arbitrary data
    MAX_CLASSES = 256  # what a device model's head may have (SkipGruModel.MaxOutputSize)

    def __init__(self, path: str | Path, test_path: str | Path | None = None, seed: int = 0,
                 test_frac: float = 0.1, valid_frac: float = 0.1):
        x, y, extra = self._load(path)
        rng = np.random.default_rng(seed)
        if test_path is not None:
            tx, ty, _ = self._load(test_path)
            if tx.shape[1:] != x.shape[1:] or ty.shape[1:] != y.shape[1:] or ty.dtype != y.dtype:
                raise ValueError(f"{test_path}: shapes/dtypes do not match {path}")
            self.test_x, self.test_y = tx, ty
        else:
            if len(x) < 3:
                raise ValueError(f"{path}: need at least 3 sequences to split off test and validation sets")
            perm = rng.permutation(len(x))
            n_test = max(1, int(round(test_frac * len(x))))
            te, rest = perm[:n_test], perm[n_test:]
            self.test_x, self.test_y = x[te], y[te]
            x, y = x[rest], y[rest]
        if len(x) < 2:
            raise ValueError(f"{path}: need at least 2 training sequences to split off a validation set")
        perm = rng.permutation(len(x))
        n_valid = max(1, int(round(valid_frac * len(x))))
        va, tr = perm[:n_valid], perm[n_valid:]
        self.valid_x, self.valid_y = x[va], y[va]
        self.train_x, self.train_y = x[tr], y[tr]
        self.seq_len, self.input_size = x.shape[1], x.shape[2]
        if y.dtype == np.int64:
            self.kind = "classification"
            self.output_size = int(max(y.max(), self.test_y.max())) + 1
            if self.output_size < 2:
                raise ValueError(f"{path}: classification needs at least 2 classes (labels 0..C-1)")
            names = extra.get("class_names")
            self.class_names = ([str(s) for s in names] if names is not None
                                else [str(i) for i in range(self.output_size)])
            if len(self.class_names) != self.output_size:
                raise ValueError(f"{path}: {len(self.class_names)} class_names for {self.output_size} classes")
        else:
            self.kind = "regression"
            self.class_names = None
            self.output_size = 1 if y.ndim == 1 else y.shape[1]
        sp = extra.get("sample_period_us")
        self.sample_period_us = int(sp) if sp is not None else 0
        flat = self.train_x.reshape(-1, self.input_size).astype(np.float64)
        self.input_mean = flat.mean(0)
        std = flat.std(0)
        self.input_std = np.where(std > 1e-8, std, 1.0)  # constant features: leave unscaled
        self.path = str(path)

    @classmethod
    def _load(cls, path):
        """x as float32 and y as int64 labels or float32 targets, whatever real dtypes the
        file used (NumPy's defaults are float64 and int64/int32), with range checks."""
        try:
            d = np.load(path, allow_pickle=False)
        except Exception as e:  # noqa: BLE001 - report any reader failure with the path
            raise ValueError(f"{path}: cannot read as .npz: {e}") from None
        if "x" not in d or "y" not in d:
            raise ValueError(f"{path}: needs arrays 'x' [N,T,I] and 'y'; found {sorted(d.keys())}")
        x, y = d["x"], d["y"]
        if x.ndim != 3 or x.dtype.kind != "f":
            raise ValueError(f"{path}: x must be real floats (float16/32/64) [N,T,I], got {x.dtype} {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{path}: x contains NaN or infinite values")
        if np.abs(x).max(initial=0) > np.finfo(np.float32).max:
            raise ValueError(f"{path}: x has values beyond float32's range (|x| > 3.4e38)")
        x = x.astype(np.float32)
        if len(y) != len(x):
            raise ValueError(f"{path}: {len(x)} sequences in x but {len(y)} targets in y")
        if y.dtype.kind in "iu":
            if y.ndim != 1:
                raise ValueError(f"{path}: integer labels must be [N], got {y.shape}")
            if len(y) and (int(y.min()) < 0 or int(y.max()) >= cls.MAX_CLASSES):
                raise ValueError(f"{path}: labels must be 0..{cls.MAX_CLASSES - 1} (a class per head output), "
                                 f"got {int(y.min())}..{int(y.max())}")
            y = y.astype(np.int64)
        elif y.dtype.kind == "f":
            if y.ndim not in (1, 2):
                raise ValueError(f"{path}: float targets must be [N] or [N,O], got {y.shape}")
            if not np.isfinite(y).all():
                raise ValueError(f"{path}: y contains NaN or infinite values")
            if np.abs(y).max(initial=0) > np.finfo(np.float32).max:
                raise ValueError(f"{path}: y has values beyond float32's range (|y| > 3.4e38)")
            y = y.astype(np.float32)
        else:
            raise ValueError(f"{path}: y must be integer labels (any integer dtype) or real float targets, got {y.dtype}")
        extra = {k: d[k] for k in ("class_names", "sample_period_us") if k in d}
        return x, y, extra

    def _y(self, y):
        return y if self.kind == "classification" or y.ndim == 2 else y[:, None]

    def batch(self, n, rng):
        idx = rng.integers(0, len(self.train_x), n)
        return self.train_x[idx], self._y(self.train_y[idx])

    def test_set(self):
        return self.test_x, self._y(self.test_y)

    def valid_set(self):
        return self.valid_x, self._y(self.valid_y)

    def loss(self, out, y):
        return F.cross_entropy(out, y) if self.kind == "classification" else F.mse_loss(out, y)

    def metrics(self, out, y):
        if self.kind == "classification":
            return {"accuracy": float((out.argmax(1) == y).double().mean())}
        mse = float(F.mse_loss(out.double(), y.double()))
        var = float(y.double().var(0).mean())
        return {"mse": mse, "mse_over_target_variance": mse / var if var > 0 else float("nan")}

    def meets_floor(self, m):
        return None  # no floor defined for arbitrary data (has_floor is False)

    def describe(self):
        return {"name": "npz", "path": self.path, "seq_len": self.seq_len,
                "train_sequences": len(self.train_x), "valid_sequences": len(self.valid_x),
                "test_sequences": len(self.test_x)}
