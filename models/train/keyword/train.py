#!/usr/bin/python3
"""Train the keyword model (Skip-GRU or the plain-GRU baseline) on Speech Commands, 12 classes.

Inputs: the front end's features (features.py, the float64 reference of the device's integer pipeline) in the
device's int16 units (Q10 counts, 1 count = 1/1024 of ln energy), normalised by the training split's per-band
mean/std (written to the sidecar, so `skiprnn convert` takes the raw counts with raw_lsb 1).

Augmentation, per training clip, on the audio (int16 PCM) before the features, all draws uniform:
  * time shift by s in [-100, +100] ms (zero fill);
  * gain g in [-12, +6] dB;
  * with probability 0.8, noise from the *training* part of the background recordings (prepare.py: the first
    70 % of each; the stream's noise is never heard), a random recording and offset, scaled to an SNR drawn from
    {0, 5, 10, 20, 30} dB relative to the clip's RMS over the whole second;
  * with probability --synthetic-silence (0.08) the clip is replaced by a noise excerpt alone at a gain in
    [-40, 0] dB, labelled silence;
  * then saturated to int16 like an ADC.
Streaming preparation: each batch prepends a prefix of L frames (L uniform in 0..25, i.e. up to 0.5 s; one L per
batch) taken from the end of another augmented training clip, and the model runs from Reset() over prefix + clip,
so it does not rely on being reset at the start of a word. Loss: cross-entropy on the clip's label at each of the
last --loss-frames (4) frames + λ · (share of frames updated) (the budget loss).

Evaluation (validation and test speakers): each clip alone, from Reset(), no augmentation, class = argmax of the
head after the clip's 49th frame.

    /usr/bin/python3 models/train/keyword/train.py --data /tmp/kws --plain-gru --minutes 15 --out /tmp/kws_gru
    /usr/bin/python3 models/train/keyword/train.py --data /tmp/kws --lam 0.5 --minutes 15 --out /tmp/kws_skip
Writes model.safetensors / model.pt / model.json / metrics.json / train_log.jsonl, calibration.npz (64 training
clips' int16 features, x float32 [64, 49, 40]) and test.npz (every test clip's int16 features, for convert/eval),
both deflate-compressed.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import List

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU, save_safetensors  # noqa: E402
from skiprnn.stateful import run  # noqa: E402  (the fused step; from Reset() for a clip)
from skiprnn.io import sidecar_for, write_sidecar  # noqa: E402
import features as fe  # noqa: E402
from prepare import CLASS_NAMES, CLIP, SILENCE, load_clips, load_noise  # noqa: E402

SAMPLE_PERIOD_US = fe.HOP_LENGTH * 1_000_000 // fe.SAMPLE_RATE      # 20 ms per frame
FRAMES = fe.frame_count(CLIP)                                          # 49
_WINDOW = fe.hann_window()
_MEL_T = fe.mel_filterbank().T.copy()
SNRS_DB = (0.0, 5.0, 10.0, 20.0, 30.0)


def log_mel64(pcm: np.ndarray) -> np.ndarray:
    """int16 PCM [B, S] -> features.clip_features of each row (float64 ln energies [B, frame_count(S), 40]),
    batched (checked against features.py by test_keyword.py)."""
    x = pcm.astype(np.float64) / fe.PCM_SCALE
    t = fe.frame_count(x.shape[1])
    idx = np.arange(fe.FRAME_LENGTH)[None, :] + fe.HOP_LENGTH * np.arange(t)[:, None]
    s = np.fft.rfft(x[:, idx] * _WINDOW, n=fe.FFT_SIZE, axis=-1)
    p = s.real * s.real + s.imag * s.imag
    return np.log(p @ _MEL_T + fe.LOG_FLOOR)


def batch_features(pcm: np.ndarray) -> np.ndarray:
    """The training input: the float reference in the device's Q10 count units, unrounded, float32 [B, T, 40]."""
    return (log_mel64(pcm) * (1 << fe.FEATURE_Q)).astype(np.float32)


def device_features(pcm: np.ndarray) -> np.ndarray:
    """What the device hands the model: the int16 Q10 features (features.quantize), as float32 [B, T, 40]."""
    return fe.quantize(log_mel64(pcm)).astype(np.float32)


class Augmenter:
    def __init__(self, pcm: np.ndarray, y: np.ndarray, noise: List[np.ndarray], rng, synthetic_silence=0.08,
                 noise_prob=0.8, class_weights=None):
        """`class_weights` (optional, one per class): draw a clip's class with these weights (classes without clips
        get none), then a clip of it; by default a clip is drawn uniformly over all clips."""
        self.pcm, self.y, self.noise, self.rng = pcm, y, noise, rng
        self.synthetic_silence, self.noise_prob = synthetic_silence, noise_prob
        self.by_class = self.class_p = None
        if class_weights is not None:
            if len(class_weights) != len(CLASS_NAMES) or min(class_weights) < 0:
                raise ValueError(f"class_weights: need {len(CLASS_NAMES)} weights >= 0")
            self.by_class = [np.flatnonzero(y == c) for c in range(len(CLASS_NAMES))]
            w = np.array([wc if len(ix) else 0.0 for wc, ix in zip(class_weights, self.by_class)], np.float64)
            if w.sum() <= 0:
                raise ValueError("class_weights: no class with clips has a weight above 0")
            self.class_p = w / w.sum()

    def _noise(self, n: int) -> np.ndarray:
        r = self.noise[int(self.rng.integers(len(self.noise)))]
        o = int(self.rng.integers(len(r) - n))
        return r[o:o + n].astype(np.float64)

    def clip(self):
        """One augmented training clip: (float64 PCM [16000], label)."""
        rng = self.rng
        if rng.random() < self.synthetic_silence:
            return self._noise(CLIP) * 10 ** (rng.uniform(-40, 0) / 20), SILENCE
        if self.class_p is None:
            i = int(rng.integers(len(self.y)))
        else:
            ix = self.by_class[int(rng.choice(len(self.class_p), p=self.class_p))]
            i = int(ix[int(rng.integers(len(ix)))])
        a = self.pcm[i].astype(np.float64)
        s = int(rng.integers(-1600, 1601))
        if s > 0:
            a = np.concatenate([np.zeros(s), a[:-s]])
        elif s < 0:
            a = np.concatenate([a[-s:], np.zeros(-s)])
        a = a * 10 ** (rng.uniform(-12, 6) / 20)
        if rng.random() < self.noise_prob:
            n = self._noise(CLIP)
            ps, pn = np.mean(a * a), np.mean(n * n)
            if ps > 0 and pn > 0:
                snr = SNRS_DB[int(rng.integers(len(SNRS_DB)))]
                a = a + n * math.sqrt(ps / pn / 10 ** (snr / 10))
        return a, int(self.y[i])

    def batch(self, b: int, prefix_frames: int):
        xs, ys = [], []
        pre = prefix_frames * fe.HOP_LENGTH
        for _ in range(b):
            a, y = self.clip()
            if pre:
                p, _ = self.clip()
                a = np.concatenate([p[-pre:], a])
            xs.append(a)
            ys.append(y)
        pcm = np.clip(np.rint(np.stack(xs)), -32768, 32767).astype(np.int16)
        return batch_features(pcm), np.array(ys, np.int64)


@torch.no_grad()
def evaluate(model, feats: np.ndarray, y: np.ndarray, mean, std, batch=512) -> dict:
    """Each clip from Reset(); class = argmax after the last frame. Accuracy with its 95 % Wilson interval,
    per-class recall, confusion matrix, share of frames updated."""
    preds, upd = [], []
    for i in range(0, len(y), batch):
        x = torch.from_numpy((feats[i:i + batch] - mean) / std).transpose(0, 1).contiguous()
        logits, us, _, _ = run(model, x)
        preds.append(logits[-1].argmax(1).numpy())
        upd.append(us.numpy().T)
    return scores(np.concatenate(preds), y, np.concatenate(upd))


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (c - h, c + h)


def scores(pred: np.ndarray, y: np.ndarray, updated: np.ndarray | None = None) -> dict:
    C = len(CLASS_NAMES)
    k = int(np.sum(pred == y))
    conf = np.zeros((C, C), np.int64)
    np.add.at(conf, (y, pred), 1)
    recall = {CLASS_NAMES[c]: (float(conf[c, c] / conf[c].sum()) if conf[c].sum() else float("nan")) for c in range(C)}
    out = {"clips": int(len(y)), "accuracy": k / len(y), "accuracy_ci95": list(wilson(k, len(y))),
           "recall": recall, "confusion": conf.tolist()}
    if updated is not None:
        out["frames_updated"] = float(updated.mean())
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with kws_{train,valid,test}.npz and noise.npz (prepare.py --out)")
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--plain-gru", action="store_true")
    p.add_argument("--lam", type=float, default=0.0, help="budget weight per frame updated")
    p.add_argument("--init", help="model.pt to start from")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--loss-frames", type=int, default=4)
    p.add_argument("--max-prefix", type=int, default=25)
    p.add_argument("--synthetic-silence", type=float, default=0.08)
    p.add_argument("--iters", type=int, default=10 ** 9)
    p.add_argument("--minutes", type=float, default=15.0, help="wall-clock budget for training")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--no-test", action="store_true", help="skip the test speakers (smoke runs)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    data = Path(a.data)
    train, valid = load_clips(data / "kws_train.npz"), load_clips(data / "kws_valid.npz")
    noise_path = data / "noise.npz"
    aug = Augmenter(train["pcm"], train["y"].astype(np.int64), load_noise(noise_path, "train"), rng,
                    a.synthetic_silence)
    train_feats = device_features(train["pcm"])
    mean = train_feats.reshape(-1, fe.NUM_MEL).mean(0).astype(np.float32)
    std = train_feats.reshape(-1, fe.NUM_MEL).std(0).astype(np.float32)
    valid_feats, vy = device_features(valid["pcm"]), valid["y"].astype(np.int64)
    C = len(CLASS_NAMES)
    model = SkipGRU(fe.NUM_MEL, a.hidden, 1, "reset_after", C, skip=not a.plain_gru)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        model.load_state_dict(ck["state_dict"] if "state_dict" in ck else ck)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train_log.jsonl", "w")
    t0, it, best = time.time(), 0, None
    budget = a.minutes * 60
    while it < a.iters and time.time() - t0 < budget:
        # cosine learning rate over the wall-clock budget
        frac = min(1.0, (time.time() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = a.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        L = int(rng.integers(0, a.max_prefix + 1))
        xs, ys = aug.batch(a.batch, L)
        x = torch.from_numpy((xs - mean) / std).transpose(0, 1).contiguous()
        y = torch.from_numpy(ys)
        logits, us, _, _ = run(model, x)
        k = a.loss_frames
        ce = torch.nn.functional.cross_entropy(logits[-k:].reshape(-1, C), y.repeat(k))
        loss = ce + a.lam * us.mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        it += 1
        if it % a.log_every == 0:
            v = evaluate(model, valid_feats, vy, mean, std)
            rec = {"iter": it, "seconds": round(time.time() - t0, 1), "ce": round(float(ce), 4),
                   "train_acc": round(float((logits[-1].argmax(1) == y).float().mean()), 4),
                   "updated": round(float(us.mean()), 4), "valid_acc": round(v["accuracy"], 4),
                   "valid_updated": round(v.get("frames_updated", 1.0), 4)}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
    train_s = time.time() - t0
    print(f"trained {it} iterations in {train_s:.0f} s ({it / max(train_s, 1e-9):.2f} it/s, batch {a.batch})",
          flush=True)
    metrics = {"iterations": it, "train_seconds": round(train_s, 1), "valid": evaluate(model, valid_feats, vy, mean, std)}
    if not a.no_test:
        test = load_clips(data / "kws_test.npz")
        test_feats = device_features(test["pcm"])
        metrics["test"] = evaluate(model, test_feats, test["y"].astype(np.int64), mean, std)
        np.savez_compressed(out / "test.npz", x=test_feats, y=test["y"].astype(np.int64))
    for k in ("valid", "test"):
        if k in metrics:
            s = metrics[k]
            lo, hi = s["accuracy_ci95"]
            print(f"{k}: accuracy {s['accuracy']:.4f} (95 % CI {lo:.4f}-{hi:.4f}, {s['clips']} clips) "
                  f"frames updated {s.get('frames_updated', 1.0):.4f}")
    torch.save({"state_dict": model.state_dict(), "config": model.config()}, out / "model.pt")
    save_safetensors(out / "model.safetensors", model.export_state_dict(), dtype=torch.float32,
                     metadata={"format": "pt"})
    write_sidecar(out / "model.json", sidecar_for(
        model, "classification", mean.tolist(), std.tolist(), class_names=CLASS_NAMES,
        sample_period_us=SAMPLE_PERIOD_US, **{"lambda": a.lam}, plain_gru=a.plain_gru, iterations=it,
        batch=a.batch, lr=a.lr, seed=a.seed, loss_frames=a.loss_frames, max_prefix=a.max_prefix,
        features="models/train/keyword/features.py (Q10 int16 counts)", front_end=fe.front_end_sidecar(),
        trained_with="models/train/keyword/train.py"))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    # Calibration for `skiprnn convert`: 64 training clips' device features (fixed seed, independent of --seed; the
    # first 64 of a 256-clip draw; 64 keep the shipped file at 0.3 MB compressed).
    pick = np.random.default_rng(20260103).choice(len(train["y"]), size=min(256, len(train["y"])), replace=False)[:64]
    np.savez_compressed(out / "calibration.npz", x=train_feats[pick], y=train["y"][pick].astype(np.int64))
    return 0


if __name__ == "__main__":
    sys.exit(main())
