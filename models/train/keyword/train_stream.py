#!/usr/bin/python3
"""Train the keyword model (Skip-GRU or the plain-GRU baseline) on long continuous streams (issue 24).

Stateful truncated BPTT, as models/train/motion/train_stream.py: `--batch` lanes, each an endless stream built on the
fly; every iteration takes the next `--crop` frames of every lane; the state h and ũ are carried (detached) from one
crop to the next, and each lane starts a fresh stream from Reset() (h = 0, ũ = 1) after a length drawn uniformly in
[1, --reset-minutes] minutes. So the model is trained the way it runs: minutes of audio from a single Reset().

A lane's stream is a chain of chunks, each a background excerpt (a random recording of the *training* part of the
noise, prepare.py: the first 70 %; random offset; gain uniform in [-35, 0] dB, one in five at -45 dB) of a gap
(uniform 0.1..3 s; 0 for the first chunk after a Reset() with probability 0.3) followed by one second onto which a
training clip is added (probability 0.85; else background only): with probability --keyword-share (0.5) a keyword
(the word uniform over the ten, then a clip of it), otherwise an unknown-word clip (every unknown clip of the
training speakers: the canonical test set's unknown words of training speakers and Speech Commands v0.01
bed/cat/happy); clip gain uniform in [-10, +5] dB; the clip's start shifted by a uniform 0..319 samples (no frame
alignment). Saturated to int16.

Frame targets: each clip's spoken part is found from its frame energies (frames within 20 dB of the clip's loudest
frame, first to last). A keyword c: frames from the word's start to its end are not scored (masked), frames
from the end to end + --window (25) or to the clip's last frame, whichever is later, are class c (so a clip run
alone from Reset() is still scored by its class after its 49th frame); an unknown word: the same span from its start
is *unknown*; everything else
*silence* (the "nothing" target). Loss: per-frame cross-entropy over scored frames + λ · (share of stream frames
updated) (the budget loss over every frame, background included, so the gate learns to skip background).

Validation (during training, every --eval-every iterations; every checked model is saved in OUT/checkpoints/): a
stream of validation speakers' clips over the training noise (stream.make_stream, seed 14), run in --eval-lanes
pieces side by side, scored with the ten-word rule over a small grid (stream.detect_keywords): the best hit rate at
no more than 10 false alarms per hour, and frames updated. The checkpoint and the rule are chosen afterwards by
score.py on the validation stream only.

    /usr/bin/python3 models/train/keyword/train_stream.py --data /tmp/kws --init models/keyword/model.pt \
        --lam 0.5 --minutes 45 --out /tmp/kws_stream_skip
    /usr/bin/python3 models/train/keyword/train_stream.py --data /tmp/kws --plain-gru \
        --init models/keyword/gru/model.pt --minutes 45 --out /tmp/kws_stream_gru
Writes model.safetensors / model.pt / model.json / train_log.jsonl / checkpoints/iterNNNNN.pt, calibration.npz.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU, save_safetensors  # noqa: E402
from skiprnn.stateful import run  # noqa: E402
from skiprnn.io import sidecar_for, write_sidecar  # noqa: E402
import features as fe  # noqa: E402
import stream as st  # noqa: E402
from prepare import CLASS_NAMES, CLIP, SILENCE, UNKNOWN, WORDS, load_clips, load_noise  # noqa: E402
from train import SAMPLE_PERIOD_US, Augmenter, batch_features, device_features, evaluate  # noqa: E402

HOP, WIN = fe.HOP_LENGTH, fe.FRAME_LENGTH
MASK = -1
VALID_SEED = 14
CLIP_BALANCE = [1.0] * len(WORDS) + [1.0, 3.0]     # --clip-balance: each word, silence, unknown


def word_bounds(pcm: np.ndarray, below_db: float = 20.0):
    """Per clip (int16 [N, 16000]): (first, last) clip frame whose energy is within `below_db` of the clip's
    loudest frame (the spoken part; the whole clip for a silent one)."""
    n = fe.frame_count(pcm.shape[1])
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    first, last = np.zeros(len(pcm), np.int64), np.zeros(len(pcm), np.int64)
    for i0 in range(0, len(pcm), 1024):
        x = pcm[i0:i0 + 1024].astype(np.float64)[:, idx]
        e = 10 * np.log10(np.mean(x * x, axis=2) + 1.0)
        on = e >= e.max(1, keepdims=True) - below_db
        first[i0:i0 + 1024] = on.argmax(1)
        last[i0:i0 + 1024] = n - 1 - on[:, ::-1].argmax(1)
    return first, last


class Lane:
    """One endless training stream: samples generated ahead, per-frame targets."""

    def __init__(self, bank, rng, a):
        self.bank, self.rng, self.a = bank, rng, a
        self.fresh()

    def fresh(self):
        self.buf = np.zeros(0, np.float64)        # samples from sample 0 of frame `self.f0`
        self.tgt = np.zeros(0, np.int64)           # targets of frames from `self.f0`
        self.f0 = 0
        self.left = int(self.rng.uniform(1, self.a.reset_minutes) * 60 * fe.SAMPLE_RATE / HOP)   # frames to Reset()
        self.first = True

    def _noise(self, n):
        rng = self.rng
        r = self.bank["noise"][int(rng.integers(len(self.bank["noise"])))]
        o = int(rng.integers(len(r) - n))
        g = -45.0 if rng.random() < 0.2 else rng.uniform(-35, 0)
        return r[o:o + n].astype(np.float64) * 10 ** (g / 20)

    def _chunk(self):
        """Appends one chunk (gap + 1 s with or without a clip) to the buffer and its frame targets."""
        rng, b = self.rng, self.bank
        gap = 0 if (self.first and rng.random() < 0.3) else int(rng.uniform(0.1, 3.0) * fe.SAMPLE_RATE)
        self.first = False
        n = gap + CLIP
        seg = np.concatenate([self._noise(n // 2), self._noise(n - n // 2)]) if n > 8 * fe.SAMPLE_RATE else self._noise(n)
        start = len(self.buf)                       # sample index (from f0) of this chunk
        s = start + gap + (int(rng.integers(HOP)) if gap else 0)
        end_sample = start + n
        tg_events = None
        if rng.random() < 0.85:
            if b.get("synth") is not None and rng.random() < self.a.synth_share:
                b = b["synth"]                      # a synthetic clip (synth.py) in place of a real one
            if rng.random() < self.a.keyword_share:
                w = int(rng.integers(len(WORDS)))
                i = int(b["by_class"][w][int(rng.integers(len(b["by_class"][w])))])
            else:
                i = int(b["unknown"][int(rng.integers(len(b["unknown"])))])
            clip = b["pcm"][i].astype(np.float64) * 10 ** (rng.uniform(-10, 5) / 20)
            n_clip = min(CLIP, end_sample - s)
            seg[s - start:s - start + n_clip] += clip[:n_clip]
            tg_events = (s, int(b["y"][i]), int(b["first"][i]), int(b["last"][i]))
        self.buf = np.concatenate([self.buf, seg])
        frames = st.frames_of(len(self.buf))
        W = self.a.window
        need = frames + W + 2 * CLIP // HOP      # targets may run past the frames that exist so far
        if len(self.tgt) < need:
            self.tgt = np.concatenate([self.tgt, np.full(need - len(self.tgt), SILENCE, np.int64)])
        if tg_events is not None:
            s, c, wf, wl = tg_events
            sf, ef = (s + HOP * wf) // HOP, (s + HOP * wl) // HOP
            stop = max(ef + W, (s + HOP * (fe.frame_count(CLIP) - 1)) // HOP + 1)   # at least to the clip's last frame
            if c == UNKNOWN:
                self.tgt[sf:stop] = UNKNOWN
            else:
                self.tgt[sf:ef] = MASK
                self.tgt[ef:stop] = c

    def take(self, crop):
        """The next `crop` frames: (samples covering them, targets [crop], reset flag before them)."""
        reset = False
        if self.left <= 0:
            self.fresh()
            reset = True
        while st.frames_of(len(self.buf)) < crop + 1 + self.a.window:
            self._chunk()
        pcm = self.buf[:(crop - 1) * HOP + WIN]
        tgt = self.tgt[:crop].copy()
        self.buf = self.buf[crop * HOP:]
        self.tgt = self.tgt[crop:]
        self.left -= crop
        return pcm, tgt, reset


def clip_bank(split: dict) -> dict:
    """A split's clips with what the lanes draw from: word bounds, indices per keyword and of unknown words."""
    y = split["y"].astype(np.int64)
    first, last = word_bounds(split["pcm"])
    return {"pcm": split["pcm"], "y": y, "first": first, "last": last,
            "by_class": [np.flatnonzero(y == c) for c in range(len(WORDS))], "unknown": np.flatnonzero(y == UNKNOWN)}


def run_lanes(model, feats: np.ndarray, mean, std, lanes: int):
    """Per-frame argmax and update flags of one long stream, run as `lanes` pieces side by side (each from Reset();
    the quick check during training)."""
    n = len(feats)
    L = -(-n // lanes)
    x = np.zeros((L, lanes, feats.shape[1]), np.float32)
    for k in range(lanes):
        piece = feats[k * L:(k + 1) * L]
        x[:len(piece), k] = (piece - mean) / std
    with torch.no_grad():
        logits, us, _, _ = run(model, torch.from_numpy(x))
    pred = logits.argmax(2).numpy().T.reshape(-1)[:n]
    upd = us.numpy().T.reshape(-1)[:n]
    return pred, upd


def best_at(pred, events, frames, max_fa_per_hour=10.0):
    """Best hit rate over a small rule grid at no more than `max_fa_per_hour` false alarms per hour."""
    best = (0.0, None, None)
    for shift in (3, 4):
        for on in (22938, 27853, 31130):
            rule = {"shift": shift, "on": on, "off": on // 4, "refractory": 25}
            s = st.score_stream(st.detect_keywords(pred, **rule), events, frames)
            if s["false_alarms_per_hour"] <= max_fa_per_hour and s["hit_rate"] > best[0]:
                best = (s["hit_rate"], s["false_alarms_per_hour"], rule)
    return best


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="prepare.py --out folder (kws_train/valid.npz, noise.npz)")
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--plain-gru", action="store_true")
    p.add_argument("--init", help="model.pt to start from (its sidecar's input mean/std are kept)")
    p.add_argument("--lam", type=float, default=0.0, help="budget weight per stream frame updated")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--crop", type=int, default=200, help="frames per lane per iteration (TBPTT length)")
    p.add_argument("--window", type=int, default=25, help="frames after a word's end that carry its class")
    p.add_argument("--keyword-share", type=float, default=0.5)
    p.add_argument("--reset-minutes", type=float, default=5.0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--synth", help="synth.py output (.npz): synthetic clips drawn in place of real ones")
    p.add_argument("--synth-share", type=float, default=0.3, help="share of placed clips drawn from --synth")
    p.add_argument("--clip-batch", type=int, default=0,
                   help="per iteration also this many isolated training clips from Reset() (train.py's augmentation "
                        "and prefix), cross-entropy on their class over the last 4 frames")
    p.add_argument("--clip-weight", type=float, default=1.0, help="weight of that clip loss")
    p.add_argument("--clip-balance", action="store_true",
                   help="draw the isolated clips' class with weights (each word 1, silence 1, unknown 3), then a clip "
                        "of it, instead of uniformly over all training clips (where yes/no/up/down are 65 %%)")
    p.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget for training")
    p.add_argument("--iters", type=int, default=10 ** 9)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--eval-clips", type=int, default=600, help="validation clips placed in the quick-check stream")
    p.add_argument("--eval-lanes", type=int, default=16)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=50)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    data = Path(a.data)
    train = load_clips(data / "kws_train.npz")
    y = train["y"].astype(np.int64)
    bank = clip_bank(train)
    bank["noise"] = load_noise(data / "noise.npz", "train")
    print(f"training clips: {len(y)} ({sum(len(b) for b in bank['by_class'])} keywords, {len(bank['unknown'])} unknown)",
          flush=True)
    if a.synth:
        syn = load_clips(a.synth)
        if not all(len(c) for c in clip_bank(syn)["by_class"]) or not (syn["y"] == UNKNOWN).any():
            raise SystemExit(f"{a.synth}: needs clips of every keyword and unknown words")
        bank["synth"] = clip_bank(syn)
        print(f"synthetic clips: {len(syn['y'])} ({int((syn['y'] != UNKNOWN).sum())} keywords, "
              f"{int((syn['y'] == UNKNOWN).sum())} unknown), {a.synth_share:.0%} of the placed clips", flush=True)
    clips = Augmenter(train["pcm"], y, bank["noise"], np.random.default_rng(a.seed + 7),
                      class_weights=CLIP_BALANCE if a.clip_balance else None) if a.clip_batch else None
    C = len(CLASS_NAMES)
    model = SkipGRU(fe.NUM_MEL, a.hidden, 1, "reset_after", C, skip=not a.plain_gru)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        model.load_state_dict(ck["state_dict"] if "state_dict" in ck else ck)
        side0 = json.loads((Path(a.init).parent / "model.json").read_text())
        mean = np.array(side0["input_mean"], np.float32)
        std = np.array(side0["input_std"], np.float32)
    else:
        f = device_features(train["pcm"][rng.choice(len(y), min(2000, len(y)), replace=False)]).reshape(-1, fe.NUM_MEL)
        mean, std = f.mean(0).astype(np.float32), f.std(0).astype(np.float32)
    valid = load_clips(data / "kws_valid.npz")
    keep = np.random.default_rng(VALID_SEED).permutation(len(valid["y"]))[:a.eval_clips]
    v_pcm, v_events, _ = st.make_stream(valid["pcm"][keep], valid["y"][keep], load_noise(data / "noise.npz", "train"),
                                        VALID_SEED)
    from score import stream_features  # noqa: E402  (late: score imports train)
    v_feats = stream_features(v_pcm)
    v_clip_feats, v_clip_y = device_features(valid["pcm"]), valid["y"].astype(np.int64)
    print(f"quick-check validation stream: {st.stream_minutes(v_pcm):.1f} min, {len(v_events)} keywords", flush=True)
    lanes = [Lane(bank, np.random.default_rng(a.seed * 1000 + k), a) for k in range(a.batch)]
    h = torch.zeros(a.batch, a.hidden)
    ut = torch.ones(a.batch, 1)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    out = Path(a.out)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    log = open(out / "train_log.jsonl", "w")
    t0, it, budget = time.time(), 0, a.minutes * 60
    while it < a.iters and time.time() - t0 < budget:
        frac = min(1.0, (time.time() - t0) / budget)
        for g in opt.param_groups:
            g["lr"] = a.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        pcms, tgts = [], []
        for k, lane in enumerate(lanes):
            pcm, tgt, reset = lane.take(a.crop)
            if reset:
                h[k] = 0
                ut[k] = 1
            pcms.append(pcm)
            tgts.append(tgt)
        pcm = np.clip(np.rint(np.stack(pcms)), -32768, 32767).astype(np.int16)
        x = torch.from_numpy((batch_features(pcm) - mean) / std).transpose(0, 1).contiguous()
        tg = torch.from_numpy(np.stack(tgts, 1))
        logits, us, h, ut = run(model, x, h.detach(), ut.detach())
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, C), tg.reshape(-1), ignore_index=MASK)
        loss = ce + a.lam * us.mean()
        if clips is not None:             # isolated clips from Reset(), as train.py: the class after the clip
            xs, ys = clips.batch(a.clip_batch, int(rng.integers(0, 26)))
            xc = torch.from_numpy((xs - mean) / std).transpose(0, 1).contiguous()
            lc, _, _, _ = run(model, xc)
            k = 4
            ce_clip = torch.nn.functional.cross_entropy(lc[-k:].reshape(-1, C), torch.from_numpy(ys).repeat(k))
            loss = loss + a.clip_weight * ce_clip
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        it += 1
        if it % a.log_every == 0:
            rec = {"iter": it, "seconds": round(time.time() - t0, 1), "ce": round(float(ce), 4),
                   "updated": round(float(us.mean()), 4)}
            if clips is not None:
                rec["ce_clip"] = round(float(ce_clip), 4)
            if it % a.eval_every == 0:
                model.eval()
                pred, upd = run_lanes(model, v_feats, mean, std, a.eval_lanes)
                with torch.no_grad():
                    rec["valid_clip_accuracy"] = round(evaluate(model, v_clip_feats, v_clip_y, mean, std)["accuracy"], 4)
                model.train()
                hr, fa, rule = best_at(pred, v_events, len(pred))
                rec.update({"valid_hit_rate_at_10fa": round(hr, 4), "valid_fa_per_hour": fa, "valid_rule": rule,
                            "valid_updated": round(float(upd.mean()), 4)})
                torch.save({"state_dict": model.state_dict(), "config": model.config()},
                           out / "checkpoints" / f"iter{it:05d}.pt")
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
    train_s = time.time() - t0
    print(f"trained {it} iterations in {train_s:.0f} s ({it / max(train_s, 1e-9):.2f} it/s, batch {a.batch} x "
          f"{a.crop} frames)", flush=True)
    torch.save({"state_dict": model.state_dict(), "config": model.config()}, out / "checkpoints" / f"iter{it:05d}.pt")
    torch.save({"state_dict": model.state_dict(), "config": model.config()}, out / "model.pt")
    save_safetensors(out / "model.safetensors", model.export_state_dict(), dtype=torch.float32, metadata={"format": "pt"})
    write_sidecar(out / "model.json", sidecar_for(
        model, "classification", mean.tolist(), std.tolist(), class_names=CLASS_NAMES,
        sample_period_us=SAMPLE_PERIOD_US, **{"lambda": a.lam}, plain_gru=a.plain_gru, iterations=it,
        batch=a.batch, crop=a.crop, window=a.window, keyword_share=a.keyword_share, lr=a.lr, seed=a.seed,
        synth=a.synth, synth_share=a.synth_share if a.synth else 0.0, clip_batch=a.clip_batch,
        clip_weight=a.clip_weight, clip_balance=CLIP_BALANCE if a.clip_balance else None,
        init=a.init, features="models/train/keyword/features.py (Q10 int16 counts)", front_end=fe.front_end_sidecar(),
        trained_with="models/train/keyword/train_stream.py"))
    pick = np.random.default_rng(20260103).choice(len(y), size=min(256, len(y)), replace=False)[:64]
    np.savez_compressed(out / "calibration.npz", x=device_features(train["pcm"][pick]), y=y[pick])
    return 0


if __name__ == "__main__":
    sys.exit(main())
