#!/usr/bin/python3
"""Train the motion model (Skip-GRU or the plain-GRU baseline) on continuous HAPT streams.

Stateful truncated BPTT: `--batch` lanes each walk through one training recording from a random
start, `--crop` samples per iteration; the state and ũ are carried (detached) from one crop to the
next, and a lane that reaches the end of its recording starts a new random recording from Reset()
(state 0, ũ = 1). So the model is trained the way it runs: one pass over a stream from a single
Reset(), never reset again. Loss: per-sample cross-entropy on labelled samples (7 classes, see
events.py; unlabelled samples masked) + λ · (share of samples updated) (the budget loss, per sample).

The cell is the recipe's fused step (oneDNN products, the batch vectorised) started from the carried state;
bench_cell.py measures its cost per training iteration.

    /usr/bin/python3 models/train/motion/train_stream.py --data /tmp/hapt --hidden 32 --plain-gru \
        --minutes 10 --out /tmp/motion_gru
    /usr/bin/python3 models/train/motion/train_stream.py --data /tmp/hapt --hidden 32 --lam 0.5 \
        --init /tmp/motion_gru/model.pt --minutes 15 --out /tmp/motion_skip
Writes model.safetensors / model.pt / model.json (sidecar, with the event rule chosen on the
validation users) / metrics.json (validation and test figures, float) / train_log.jsonl.
"""
from __future__ import annotations

import argparse
import copy
import json
import signal
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU, save_npz, save_safetensors  # noqa: E402
from skiprnn.stateful import run  # noqa: E402,F401  (the fused step from a carried state)
from skiprnn.io import sidecar_for, write_sidecar  # noqa: E402
import events as ev  # noqa: E402
from prepare import load_split, load_task, split_path  # noqa: E402


def last_transition(label: np.ndarray):
    """Per sample: the HAPT id (7..12) of the latest postural transition that started at or before it, and
    where that transition started (-1 / -1 before the first). The auxiliary target of --aux-transition."""
    ids, starts = np.full(len(label), -1, np.int64), np.full(len(label), -1, np.int64)
    cur, start = -1, -1
    for t, v in enumerate(label.tolist()):
        if v >= 7 and (t == 0 or label[t - 1] != v):
            cur, start = v, t
        ids[t], starts[t] = cur, start
    return ids, starts


class Lanes:
    """`batch` read positions in the training recordings (stateful TBPTT)."""

    def __init__(self, recs, batch, crop, rng, hidden, rotate_deg=0.0, gain=0.0, zero_state=False):
        self.recs, self.crop, self.rng = [r for r in recs if len(r["label"]) > crop], crop, rng
        self.zero_state = zero_state                              # every crop from Reset() at a random place
        self.rotate_deg, self.gain = rotate_deg, gain
        self.pos = [self._fresh() for _ in range(batch)]
        self.aug = [self._augmentation() for _ in range(batch)]
        self.start = [p for _, p in self.pos]                    # where each lane's Reset() was
        self.aux = False                                          # also return the --aux-transition targets
        self.h = torch.zeros(batch, hidden)
        self.ut = torch.ones(batch, 1)

    def _augmentation(self):
        """Per lane and recording (the board worn a little differently): one rotation of the sensor axes by a
        uniform angle in ±rotate_deg about a random axis (the same for acc and gyro) and one gain per axis in
        1 ± gain, as a [6, 6] matrix applied to the raw counts; None when both are 0."""
        if not self.rotate_deg and not self.gain:
            return None
        k = self.rng.normal(size=3)
        k /= np.linalg.norm(k)
        a = np.radians(self.rng.uniform(-self.rotate_deg, self.rotate_deg))
        K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        R = np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K          # Rodrigues
        m = np.zeros((6, 6))
        m[:3, :3] = m[3:, 3:] = R
        return (m * self.rng.uniform(1 - self.gain, 1 + self.gain, size=6)[:, None]).astype(np.float32)

    def _fresh(self):
        i = int(self.rng.integers(len(self.recs)))
        return [i, int(self.rng.integers(len(self.recs[i]["label"]) - self.crop))]

    def next(self):
        xs, ys, aux = [], [], []
        for b, (i, p) in enumerate(self.pos):
            if self.zero_state or p + self.crop > len(self.recs[i]["label"]):   # a new one from Reset()
                i, p = self.pos[b] = self._fresh()
                self.start[b] = p
                self.aug[b] = self._augmentation()
                self.h[b] = 0
                self.ut[b] = 1
            r = self.recs[i]
            x = r["x"][p:p + self.crop]
            if self.aug[b] is not None:                            # counts stay what a sensor could deliver
                x = np.clip(np.rint(x.astype(np.float32) @ self.aug[b].T), -32768, 32767)
            xs.append(x.astype(np.float32))
            ys.append(r["y"][p:p + self.crop])
            if self.aux:
                if "last_tr" not in r:
                    r["last_tr"] = last_transition(r["label"])
                ids, starts = (a[p:p + self.crop] for a in r["last_tr"])
                # only a transition this lane has seen since its Reset() can be remembered
                aux.append(np.where(starts >= self.start[b], ids - 7, -1))
            self.pos[b][1] = p + self.crop
        if self.aux:
            return np.stack(xs, 1), np.stack(ys, 1), np.stack(aux, 1)
        return np.stack(xs, 1), np.stack(ys, 1)                   # [T, B, 6], [T, B] classes (-1 unlabelled)


@torch.no_grad()
def predict_batched(model, recs, mean, std):
    """predict() with the recordings as lanes of one batch (each padded at its end, which cannot change its
    earlier samples): the quick check during training. Returns the same dicts as predict()."""
    n = max(len(r["label"]) for r in recs)
    x = np.zeros((n, len(recs), recs[0]["x"].shape[1]), np.float32)    # 6 IMU axes for HAPT; any count of your own
    for b, r in enumerate(recs):
        x[:len(r["label"]), b] = (r["x"].astype(np.float32) - mean) / std
    logits, us, _, _ = run(model, torch.from_numpy(x), torch.zeros(len(recs), model.hidden_size),
                           torch.ones(len(recs), 1))
    pred, upd = logits.argmax(2).numpy(), us.numpy()
    return [{"pred": pred[:len(r["label"]), b], "updated": upd[:len(r["label"]), b], "label": r["label"], "y": r["y"]}
            for b, r in enumerate(recs)]


@torch.no_grad()
def predict(model, recs, mean, std):
    """One pass over every recording from a single Reset(): per-sample argmax, updated, logits."""
    out = []
    for r in recs:
        x = torch.from_numpy((r["x"].astype(np.float32) - mean) / std).unsqueeze(1)
        logits, us, _, _ = run(model, x, torch.zeros(1, model.hidden_size), torch.ones(1, 1))
        out.append({"pred": logits[:, 0].argmax(1).numpy(), "updated": us[:, 0].numpy(), "label": r["label"],
                    "y": r["y"]})
    return out


def with_events(streams, rule, task=ev.HAPT):
    for s in streams:
        s["events"], _ = ev.detect_events(s["pred"], task.num_classes, task.event_class, **rule)
    return streams


def choose_rule(streams, task=ev.HAPT):
    """The event rule's constants, chosen on the validation users by event F1 (gaps ignored); the refractory
    period 1, 2 or 3 s."""
    best = None
    for shift in (3, 4, 5):
        for on in (16384, 22938):
            for refractory in (task.tolerance, 2 * task.tolerance, 3 * task.tolerance):
                rule = {"shift": shift, "on": on, "off": on // 4, "refractory": refractory}
                m = ev.summarize(with_events(streams, rule, task), task=task)
                key = (m["event_gaps_ignored"]["f1"], m["event_gaps_counted"]["f1"])
                if best is None or key > best[0]:
                    best = (key, rule)
    return best[1]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with hapt_train/valid/test.npz (prepare.py --out) or "
                   "train/valid/test.npz (your own recordings, recordings.py --out)")
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--plain-gru", action="store_true")
    p.add_argument("--lam", type=float, default=0.0, help="budget weight per sample updated")
    p.add_argument("--init", help="model.pt to start from (e.g. the GRU baseline for a Skip-GRU)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--transition-weight", type=float, default=2.0,
                   help="loss weight of the event class (HAPT: transition)")
    p.add_argument("--class-weight", action="append", default=[], metavar="NAME=W",
                   help="loss weight of a class, e.g. standing=1.5 (repeatable; the transition class: "
                        "--transition-weight)")
    p.add_argument("--rotate-deg", type=float, default=0.0,
                   help="augmentation: rotate the sensor axes by up to ± this many degrees (per lane and recording)")
    p.add_argument("--gain", type=float, default=0.0, help="augmentation: gain per axis in 1 ± this")
    p.add_argument("--aux-transition", type=float, default=0.0,
                   help="weight of an auxiliary loss: a training-only linear head on the state predicts which of the "
                        "six postural transitions came last (since the lane's Reset()), so that the state learns to "
                        "remember whether the wearer last sat down or stood up; not exported")
    p.add_argument("--weight-decay", type=float, default=0.0, help="Adam's L2 weight decay")
    p.add_argument("--margin", type=float, default=0.0, metavar="M",
                   help="robustness of the skip decision to fixed point: penalise ũ (the update probability before "
                        "rounding, every step) lying within M of 0.5, by --margin-weight · mean(relu(1 − |ũ − 0.5| / M)); "
                        "the device's ũ differs from float by up to a few 1e-3 (table sigmoid, Q0.15 sums), so a ũ that "
                        "close to 0.5 can round the other way there (0: off)")
    p.add_argument("--margin-weight", type=float, default=1.0)
    p.add_argument("--margin-last", type=float, default=0.0, metavar="F",
                   help="apply --margin only over the last F of the budget (as --decay-last measures it), so that the "
                        "gate first learns to skip without the band around 0.5 in its way (0: the whole run)")
    p.add_argument("--save-checkpoints", action="store_true",
                   help="with --eval-every, also save every checked model as OUT/checkpoints/iterNNNNN.pt (to choose "
                        "among them afterwards, e.g. by fixed-point figures on the validation users)")
    p.add_argument("--eval-every", type=int, default=0,
                   help="every N iterations score the validation users; the exported model is the checkpoint "
                        "with the best validation accuracy among those with at most --max-updated of the "
                        "samples updated (0: the last iteration's model)")
    p.add_argument("--max-updated", type=float, default=0.25)
    p.add_argument("--iters", type=int, default=10 ** 9)
    p.add_argument("--minutes", type=float, default=10.0, help="wall-clock budget for training")
    p.add_argument("--cpu-minutes", type=float, default=0.0,
                   help="budget in this process's CPU time instead of wall-clock (runs on a shared machine compare)")
    p.add_argument("--zero-state", action="store_true",
                   help="every crop starts from Reset() (h = 0, ũ = 1) at a random place in a random training "
                        "recording, instead of carrying the state from the lane's previous crop")
    p.add_argument("--select", choices=("accuracy", "macro_f1", "last"), default="accuracy",
                   help="with --eval-every: the validation figure the exported checkpoint maximises; last: the "
                        "checks are only logged (and saved), the exported model is the last iteration's")
    p.add_argument("--ema", type=float, default=0.0, metavar="D",
                   help="weight averaging: keep an exponential moving average of the weights (decay D per iteration, "
                        "D_t = min(D, (1 + t) / (10 + t))); the checks score, save and export the averaged weights "
                        "(and log the raw weights' validation figures beside them). 0: off")
    p.add_argument("--decay-last", type=float, default=0.0, metavar="F",
                   help="over the last F of the budget (iterations, CPU- or wall-minutes, whichever is nearest its end) "
                        "the learning rate falls linearly from --lr to --lr-min (0: a constant --lr)")
    p.add_argument("--lr-min", type=float, default=0.0, help="the learning rate at the end of --decay-last")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--no-test", action="store_true", help="skip the test users (smoke runs)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    data = Path(a.data)
    train, valid = load_split(split_path(data, "train")), load_split(split_path(data, "valid"))
    task = load_task(split_path(data, "train"))
    allx = np.concatenate([r["x"] for r in train]).astype(np.float64)
    mean, std = allx.mean(0).astype(np.float32), allx.std(0).astype(np.float32)
    C = task.num_classes
    model = SkipGRU(allx.shape[1], a.hidden, 1, "reset_after", C, skip=not a.plain_gru)
    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        model.load_state_dict(ck["state_dict"] if "state_dict" in ck else ck)
    aux_head = torch.nn.Linear(a.hidden, 6)
    params = list(model.parameters()) + (list(aux_head.parameters()) if a.aux_transition else [])
    opt = torch.optim.Adam(params, lr=a.lr, weight_decay=a.weight_decay)
    weight = torch.ones(C)
    weight[task.event_class] = a.transition_weight
    for cw in a.class_weight:
        name, w = cw.split("=")
        weight[task.class_names.index(name)] = float(w)
    lanes = Lanes(train, a.batch, a.crop, rng, a.hidden, a.rotate_deg, a.gain, a.zero_state)
    lanes.aux = a.aux_transition > 0
    best = None                                                   # (validation accuracy, iteration, state)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train_log.jsonl", "w")
    ckdir = None
    if a.save_checkpoints and a.eval_every:
        ckdir = out / "checkpoints"
        ckdir.mkdir(exist_ok=True)
    t0, c0, it = time.time(), time.process_time(), 0
    stop = []                                                     # SIGUSR1: end training now, export as usual
    signal.signal(signal.SIGUSR1, lambda *_: stop.append(1))
    ema = copy.deepcopy(model) if a.ema else None                 # the averaged weights (what is checked and exported)
    shown = ema if ema is not None else model

    def progress():
        """How much of the budget is used (0..1): iterations, CPU- or wall-clock time, whichever is furthest."""
        budget = (time.process_time() - c0) / (a.cpu_minutes * 60) if a.cpu_minutes else (time.time() - t0) / (a.minutes * 60)
        return max(it / a.iters, budget)

    def within_budget():
        return not stop and progress() < 1
    while within_budget():
        if a.decay_last:
            f = min(1.0, max(0.0, (progress() - (1 - a.decay_last)) / a.decay_last))
            for g in opt.param_groups:
                g["lr"] = a.lr + f * (a.lr_min - a.lr)
        xs, ys, *ya = lanes.next()
        x = torch.from_numpy((xs.astype(np.float32) - mean) / std)
        y = torch.from_numpy(ys.astype(np.int64))
        uts = [] if not a.plain_gru else None
        logits, us, h, ut, states = run(model, x, lanes.h, lanes.ut, return_states=True, utildes=uts)
        lanes.h, lanes.ut = h.detach(), ut.detach()
        m = y >= 0
        ce = torch.nn.functional.cross_entropy(logits[m], y[m], weight=weight) if m.any() else logits.sum() * 0
        loss = ce + a.lam * us.mean()
        if uts:
            dist = (torch.stack(uts) - 0.5).abs()                      # [T, B, 1]
            if a.margin and (not a.margin_last or progress() >= 1 - a.margin_last):
                loss = loss + a.margin_weight * torch.relu(1 - dist / a.margin).mean()
        if a.aux_transition:
            ta = torch.from_numpy(ya[0])
            ma = ta >= 0
            if ma.any():
                loss = loss + a.aux_transition * torch.nn.functional.cross_entropy(aux_head(states[ma]), ta[ma])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        it += 1
        if ema is not None:
            d = min(a.ema, (1 + it) / (10 + it))
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(d).add_(pm, alpha=1 - d)
        if it % a.log_every == 0:
            acc = float((logits[m].argmax(1) == y[m]).float().mean()) if m.any() else float("nan")
            rec = {"iter": it, "seconds": round(time.time() - t0, 1), "cpu_s": round(time.process_time() - c0, 1),
                   "lr": float(f"{opt.param_groups[0]['lr']:.3g}"), "ce": round(float(ce), 4),
                   "train_acc": round(acc, 4), "updated": round(float(us.mean()), 4)}
            if uts:                                                    # share of steps with ũ within 0.002 / 0.01 of 0.5
                rec["near_half"] = [round(float((dist < d).float().mean()), 5) for d in (0.002, 0.01)]
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
        if a.eval_every and it % a.eval_every == 0:
            best = check(shown, valid, mean, std, it, best, a.max_updated, log, ckdir, a.select, task,
                         raw=model if ema is not None else None)
    if a.eval_every:
        if it % a.eval_every:
            best = check(shown, valid, mean, std, it, best, a.max_updated, log, ckdir, a.select, task,
                         raw=model if ema is not None else None)
        if a.select == "last":
            print("exported: the last iteration's model (--select last)", flush=True)
            best = None
        elif best is not None:
            shown.load_state_dict(best[2])
            print(f"exported: the checkpoint of iteration {best[1]} (validation {a.select} {best[0]:.4f})", flush=True)
        else:
            print(f"exported: the last iteration's model (no check had at most {a.max_updated} updated)", flush=True)
    if ema is not None:
        print(f"exported weights: the moving average (--ema {a.ema})", flush=True)
    model = shown                                                 # what is scored and exported from here on
    train_s = time.time() - t0
    print(f"trained {it} iterations in {train_s:.0f} s ({it / max(train_s, 1e-9):.2f} it/s, "
          f"{a.batch}x{a.crop} samples each)", flush=True)

    vstreams = predict(model, valid, mean, std)
    rule = choose_rule(vstreams, task)
    metrics = {"iterations": it, "train_seconds": round(train_s, 1), "rule": rule,
               "exported_iteration": best[1] if best is not None else it,
               "valid": ev.summarize(with_events(vstreams, rule, task), task=task)}
    if not a.no_test:
        test = load_split(split_path(data, "test"))
        metrics["test"] = ev.summarize(with_events(predict(model, test, mean, std), rule, task), task=task)
    for k in ("valid", "test"):
        if k in metrics:
            s = metrics[k]
            print(f"{k}: accuracy {s['accuracy']:.4f} macro-F1 {s['macro_f1']:.4f} updated {s['updated']:.4f} "
                  f"event F1 {s['event_gaps_ignored']['f1']:.3f} (gaps counted {s['event_gaps_counted']['f1']:.3f}) "
                  f"FA/h {s['event_gaps_ignored']['false_alarms_per_hour']:.1f} latency {s['median_latency_ms']} ms")
    torch.save({"state_dict": model.state_dict(), "config": model.config()}, out / "model.pt")
    save_safetensors(out / "model.safetensors", model.export_state_dict(), dtype=torch.float32,
                     metadata={"format": "pt"})
    event_rule = {"version": 1, "event_class": task.event_class, **rule}
    write_sidecar(out / "model.json", sidecar_for(
        model, "classification", mean.tolist(), std.tolist(), class_names=task.class_names,
        sample_period_us=int(round(1e6 / task.sample_hz)), event_rule=event_rule, **{"lambda": a.lam}, plain_gru=a.plain_gru,
        iterations=it, exported_iteration=best[1] if best is not None else it, batch=a.batch,
        rotate_deg=a.rotate_deg, gain=a.gain, aux_transition=a.aux_transition, class_weight=a.class_weight,
        margin=a.margin, margin_weight=a.margin_weight, margin_last=a.margin_last, zero_state=a.zero_state, select=a.select, ema=a.ema,
        decay_last=a.decay_last, lr_min=a.lr_min,
        weight_decay=a.weight_decay, transition_weight=a.transition_weight, init=a.init, crop=a.crop, lr=a.lr, seed=a.seed,
        trained_with="models/train/motion/train_stream.py"))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    # For `skiprnn convert`: raw-count crops (x [N, T, 6] float32, y = class of the last sample), calibration from
    # the training users, verification from the validation users; fixed seeds.
    save_npz(out / "calibration.npz", crops(train, 64, 256, 20260101))
    save_npz(out / "convert_valid.npz", crops(valid, 64, 256, 20260102))
    return 0


def check(model, valid, mean, std, it, best, max_updated, log, ckdir=None, select="accuracy", task=ev.HAPT, raw=None):
    """Score the validation users (per-sample accuracy, macro-F1, share updated) and keep the best checkpoint by
    `select` (saved in ckdir too when given). With `raw` (the un-averaged weights under --ema) its figures are
    logged too, as raw_valid_*."""
    if ckdir is not None:
        torch.save({"state_dict": model.state_dict(), "config": model.config()}, ckdir / f"iter{it:05d}.pt")

    def score(m):
        return ev.summarize([dict(d, events=[]) for d in predict_batched(m, valid, mean, std)], task=task)
    s = score(model)
    rec = {"iter": it, "valid_accuracy": round(s["accuracy"], 4), "valid_macro_f1": round(s["macro_f1"], 4),
           "valid_updated": round(s["updated"], 4)}
    if raw is not None:
        r = score(raw)
        rec.update(raw_valid_accuracy=round(r["accuracy"], 4), raw_valid_macro_f1=round(r["macro_f1"], 4),
                   raw_valid_updated=round(r["updated"], 4))
    print(json.dumps(rec), flush=True)
    log.write(json.dumps(rec) + "\n")
    log.flush()
    if select != "last" and s["updated"] <= max_updated and (best is None or s[select] > best[0]):
        return (s[select], it, {k: v.clone() for k, v in model.state_dict().items()})
    return best


def crops(recs, n, length, seed):
    """n crops of `length` samples (from recordings longer than that; the crop's class is its last sample's)."""
    rng = np.random.default_rng(seed)
    recs = [r for r in recs if len(r["label"]) > length and np.any(r["y"][length - 1:] >= 0)]
    if not recs:
        raise ValueError(f"no recording is longer than {length} samples with a labelled sample after the first {length}")
    xs, ys = [], []
    while len(xs) < n:
        r = recs[int(rng.integers(len(recs)))]
        p = int(rng.integers(len(r["label"]) - length))
        y = int(r["y"][p + length - 1])
        if y >= 0:
            xs.append(r["x"][p:p + length].astype(np.float32))
            ys.append(y)
    return {"x": np.stack(xs), "y": np.array(ys, dtype=np.int64)}


if __name__ == "__main__":
    sys.exit(main())
