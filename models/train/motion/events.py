"""The motion model's classes, the integer event rule (mirrored bit for bit by the device's
src/SkipRnn.Edge/Streaming/EventSmoother.cs with a one-class rule; the device's rule over a set of classes is this
rule per class, as models/train/keyword/stream.py's detect_keywords) and the scoring of activities and transition
events.

Classes (head outputs): 0 walking, 1 upstairs, 2 downstairs, 3 sitting, 4 standing, 5 lying,
6 transition (HAPT's six postural transitions, ids 7..12). Unlabelled samples (HAPT id 0, about a
quarter of the data) are neither trained on nor scored per step.

Event rule, per sample (skipped samples included: the head's output holds its last value):
    vote_c   = 1 if c == argmax(head) else 0                (ties: lowest class index)
    score_c += ((vote_c << 15) - score_c) >> shift          (arithmetic shift: floor; Q0.15 share of
                                                             recent samples voting c, time constant 2^shift)
    event    when armed, score_e >= on, and at least `refractory` samples since the last event;
             then disarmed until score_e < off (hysteresis).  confidence = score_e (Q0.15).
Why: a per-step argmax flickers for a few samples at the edges of movements; the vote average
needs a sustained run before it reaches `on`, hysteresis gives one event per transition, and the
refractory period stops a transition that dips and recovers from counting twice. Everything is
integer add/shift/compare, and on skipped samples the votes are constant, so the device can stop
iterating once the scores reach their fixed point.
"""
from __future__ import annotations

import numpy as np

CLASS_NAMES = ["walking", "upstairs", "downstairs", "sitting", "standing", "lying", "transition"]
TRANSITION = 6
SAMPLE_HZ = 50


class Task:
    """What a data set's classes are: their names, the class whose runs are the events, the sample rate. HAPT's by
    default; a data set of your own recordings (recordings.py) brings its own, stored in its split files."""

    def __init__(self, class_names=None, event_class=TRANSITION, sample_hz=SAMPLE_HZ):
        self.class_names = list(CLASS_NAMES if class_names is None else class_names)
        self.event_class, self.sample_hz = int(event_class), float(sample_hz)
        if not 0 <= self.event_class < len(self.class_names):
            raise ValueError(f"event class {event_class} outside the {len(self.class_names)} classes")

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def tolerance(self) -> int:
        """The event match tolerance: 1 s in samples."""
        return int(round(self.sample_hz))


HAPT = Task()


def classes_from_hapt(label: np.ndarray) -> np.ndarray:
    """HAPT ids (0 unlabelled, 1..6 activities, 7..12 transitions) -> class ids, -1 = unlabelled."""
    label = np.asarray(label, dtype=np.int64)
    out = np.where(label >= 7, TRANSITION, label - 1)
    return np.where(label == 0, -1, out)


def detect_events(pred: np.ndarray, num_classes: int, event_class: int, shift: int, on: int, off: int,
                  refractory: int):
    """Run the event rule over per-sample argmax classes. Returns (events [(step, confidence)],
    smoothed activity [n] = argmax of the scores after each sample)."""
    if not (0 <= off <= on <= 32768 and 0 <= shift <= 14 and refractory >= 0):
        raise ValueError("event rule: need 0 <= off <= on <= 32768, shift 0..14, refractory >= 0")
    score = [0] * num_classes
    armed, last = True, None
    events, smooth = [], np.empty(len(pred), dtype=np.int64)
    for t, p in enumerate(pred.tolist()):
        best = 0
        for c in range(num_classes):
            target = 32768 if c == p else 0
            score[c] += (target - score[c]) >> shift
            if score[c] > score[best]:
                best = c
        smooth[t] = best
        s = score[event_class]
        if armed and s >= on and (last is None or t - last >= refractory):
            events.append((t, s))
            armed, last = False, t
        elif not armed and s < off:
            armed = True
    return events, smooth


def event_runs(cls: np.ndarray, event_class: int = TRANSITION) -> list[tuple[int, int]]:
    """Labelled events as [first, last] sample ranges: maximal runs of `event_class` in the class labels."""
    cls = np.asarray(cls)
    runs, t, n = [], 0, len(cls)
    while t < n:
        if cls[t] == event_class:
            e = t
            while e + 1 < n and cls[e + 1] == event_class:
                e += 1
            runs.append((t, e))
            t = e + 1
        else:
            t += 1
    return runs


def score_events(events, cls: np.ndarray, tolerance: int, event_class: int = TRANSITION) -> dict:
    """Match detections to labelled event runs (class labels, -1 unlabelled). A detection at step d hits run
    [a, b] when a - tolerance <= d <= b + tolerance; each run is hit at most once (the earliest detection).
    An unmatched detection is 'in a gap' when every sample within ±tolerance of it is unlabelled.
    Mirrored by src/SkipRnn.Converter/Streaming/StreamScores.cs."""
    cls = np.asarray(cls)
    segs = event_runs(cls, event_class)
    hit = [None] * len(segs)
    fp_labelled, fp_gap = 0, 0
    for d, _ in sorted(events):
        j = next((i for i, (a, b) in enumerate(segs) if hit[i] is None and a - tolerance <= d <= b + tolerance), None)
        if j is not None:
            hit[j] = d
            continue
        lo, hi = max(0, d - tolerance), min(len(cls), d + tolerance + 1)
        if np.all(cls[lo:hi] < 0):
            fp_gap += 1
        else:
            fp_labelled += 1
    latencies = [hit[i] - segs[i][0] for i in range(len(segs)) if hit[i] is not None]
    return {"transitions": len(segs), "hits": sum(h is not None for h in hit), "fp_labelled": fp_labelled,
            "fp_gap": fp_gap, "latencies": latencies}


def prf(hits: int, transitions: int, fp: int) -> tuple[float, float, float]:
    p = hits / (hits + fp) if hits + fp else 0.0
    r = hits / transitions if transitions else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def stream_classes(s: dict) -> np.ndarray:
    """A stream's class per sample (-1 unlabelled): its "y", or HAPT ids in "label" mapped."""
    return np.asarray(s["y"], dtype=np.int64) if s.get("y") is not None else classes_from_hapt(s["label"])


def summarize(per_stream: list[dict], num_classes: int | None = None, task: Task = HAPT) -> dict:
    """Combine per-recording results {pred [n], updated [n] 0/1, y [n] classes (or label [n] HAPT ids), events}
    into the card's figures. Event scoring uses a tolerance of 1 s (50 samples at 50 Hz)."""
    num_classes = task.num_classes if num_classes is None else num_classes
    pred = np.concatenate([s["pred"] for s in per_stream])
    upd = np.concatenate([s["updated"] for s in per_stream]).astype(bool)
    cls = np.concatenate([stream_classes(s) for s in per_stream])
    lab = cls
    m = cls >= 0
    acc = float(np.mean(pred[m] == cls[m]))
    f1s = []
    for c in range(num_classes):
        tp = np.sum((pred[m] == c) & (cls[m] == c))
        fp = np.sum((pred[m] == c) & (cls[m] != c))
        fn = np.sum((pred[m] != c) & (cls[m] == c))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    tot = {"transitions": 0, "hits": 0, "fp_labelled": 0, "fp_gap": 0, "latencies": []}
    for s in per_stream:
        r = score_events(s["events"], stream_classes(s), task.tolerance, task.event_class)
        for k in tot:
            tot[k] = tot[k] + r[k]
    hours = len(lab) / task.sample_hz / 3600
    p_i, r_i, f_i = prf(tot["hits"], tot["transitions"], tot["fp_labelled"])
    p_c, r_c, f_c = prf(tot["hits"], tot["transitions"], tot["fp_labelled"] + tot["fp_gap"])
    per_act = {}
    for c, name in enumerate(task.class_names):
        sel = cls == c
        per_act[name] = float(upd[sel].mean()) if sel.any() else float("nan")
    per_act["unlabelled"] = float(upd[cls < 0].mean()) if (cls < 0).any() else float("nan")
    return {"accuracy": acc, "macro_f1": float(np.mean(f1s)), "updated": float(upd.mean()),
            "event_gaps_ignored": {"precision": p_i, "recall": r_i, "f1": f_i,
                                   "false_alarms_per_hour": tot["fp_labelled"] / hours},
            "event_gaps_counted": {"precision": p_c, "recall": r_c, "f1": f_c,
                                   "false_alarms_per_hour": (tot["fp_labelled"] + tot["fp_gap"]) / hours},
            "transitions": tot["transitions"], "hits": tot["hits"],
            "median_latency_ms": float(np.median(tot["latencies"]) * 1000 / task.sample_hz) if tot["latencies"] else None,
            "update_rate_per_activity": per_act, "hours": hours, "samples": int(len(lab))}
