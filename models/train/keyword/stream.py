#!/usr/bin/python3
"""The continuous keyword test stream, the keyword event rule and the event scoring.

Stream generator (make_stream; fixed seed, so the same inputs give the same stream):
  * background: back-to-back noise segments, each a random recording of the given noise set (the held-out 30 % of
    the Speech Commands background recordings for the test stream), a random offset, a length uniform in 2..10 s,
    at a gain uniform in [-30, 0] dB (one in five segments at -45 dB: a quiet room);
  * speech: every given word and "unknown" clip once, in random order, added onto the background at its recorded
    level, with gaps (end of one clip to start of the next) uniform in 1..5 s; the stream starts with 2 s of
    background and ends 2 s after the last clip. "silence" clips are not placed (the background is the silence).
  * saturated to int16. Labels: one event per placed word clip, frames [first frame touching the clip, last frame
    inside it]; unknown clips are distractors (a detection there is a false alarm).
Frames are the front end's (30 ms window, 20 ms hop): frame t covers samples [320 t, 320 t + 480).

Event rule (per frame, skipped frames included: the head's output holds its last value), the motion model's
integer vote rule (models/train/motion/events.py) applied to every word class at once:
    vote_c = 1 if c == argmax(head) else 0;   score_c += ((vote_c << 15) - score_c) >> shift
    word c fires when its rule is armed, score_c >= on_c, score_c has been >= on_c for min_frames consecutive frames,
    and >= refractory frames since c last fired; it re-arms when score_c < off_c.
(on/off per word and min_frames are the device's event-rule version 3; one on/off and min_frames 1 is version 2.)
Scoring: a detection of word c at frame d hits the earliest unmatched placed clip of class c with
first <= d <= last + tolerance (50 frames = 1 s); any other detection is a false alarm (wrong word, unknown word or
background). Latency = d - first (from the clip's start; the word ends somewhere inside the clip).
"""
from __future__ import annotations

import numpy as np

from prepare import CLASS_NAMES, SILENCE, UNKNOWN, WORDS

HOP, WIN, RATE = 320, 480, 16000
FRAME_HZ = RATE // HOP
TOLERANCE = 50
NUM_WORDS = len(WORDS)


def make_stream(pcm: np.ndarray, y: np.ndarray, noise: list[np.ndarray], seed: int, max_clips: int | None = None):
    """Returns (stream int16 [S], events [(first_frame, last_frame, class, clip_index)] for word clips,
    placements [(start_sample, class, clip_index)] for every placed clip)."""
    rng = np.random.default_rng(seed)
    idx = np.flatnonzero(y != SILENCE)
    idx = idx[rng.permutation(len(idx))]
    if max_clips is not None:
        idx = idx[:max_clips]
    starts, t = [], 2 * RATE
    for _ in idx:
        starts.append(t)
        t += pcm.shape[1] + int(rng.integers(RATE, 5 * RATE + 1))
    total = (starts[-1] + pcm.shape[1] + 2 * RATE) if starts else 4 * RATE
    bg = background(noise, total, rng)
    events, placements = [], []
    for s, i in zip(starts, idx):
        bg[s:s + pcm.shape[1]] += pcm[i]
        c = int(y[i])
        placements.append((s, c, int(i)))
        if c < NUM_WORDS:
            first = max(0, (s - WIN) // HOP + 1)
            last = (s + pcm.shape[1] - WIN) // HOP
            events.append((first, last, c, int(i)))
    return np.clip(np.rint(bg), -32768, 32767).astype(np.int16), events, placements


def background(noise: list[np.ndarray], total: int, rng) -> np.ndarray:
    """`total` samples (float64) of back-to-back noise segments: a random recording, a random offset, a length uniform
    in 2..10 s, a gain uniform in [-30, 0] dB (one in five at -45 dB)."""
    bg = np.zeros(total, np.float64)
    p = 0
    while p < total:
        r = noise[int(rng.integers(len(noise)))]
        n = min(int(rng.integers(2 * RATE, 10 * RATE + 1)), len(r) - 1, total - p)
        o = int(rng.integers(len(r) - n))
        gain_db = -45.0 if rng.random() < 0.2 else rng.uniform(-30, 0)
        bg[p:p + n] = r[o:o + n] * 10 ** (gain_db / 20)
        p += n
    return bg


def make_background(noise: list[np.ndarray], seconds: float, seed: int) -> np.ndarray:
    """A background-only stream (no speech): int16 [seconds * 16000] of `background`."""
    bg = background(noise, int(seconds * RATE), np.random.default_rng(seed))
    return np.clip(np.rint(bg), -32768, 32767).astype(np.int16)


def distractor_spans(placements, n_samples: int):
    """(first frame, last frame, class) of every placed clip, word or unknown (for the false alarms' causes)."""
    return [(max(0, (s - WIN) // HOP + 1), (s + n_samples - WIN) // HOP, c) for s, c, _ in placements]


def vote_scores(pred: np.ndarray, shift: int, num_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """The rule's Q0.15 vote shares after every frame, int64 [frames, num_classes]: score_c += ((vote_c << 15) -
    score_c) >> shift (they do not depend on the thresholds, so a threshold sweep computes them once)."""
    pred = np.asarray(pred, np.int64)
    out = np.empty((len(pred), num_classes), np.int64)
    score = np.zeros(num_classes, np.int64)
    target = np.zeros(num_classes, np.int64)
    for t, p in enumerate(pred.tolist()):
        target[:] = 0
        target[p] = 32768
        score += (target - score) >> shift
        out[t] = score
    return out


def _per_word(v, name: str) -> list[int]:
    v = [int(v)] * NUM_WORDS if np.isscalar(v) else [int(x) for x in v]
    if len(v) != NUM_WORDS:
        raise ValueError(f"event rule: '{name}' needs one value or {NUM_WORDS}, got {len(v)}")
    return v


def detect_keywords(pred: np.ndarray, shift: int, on, off, refractory: int,
                    num_classes: int = len(CLASS_NAMES), min_frames: int = 1, scores: np.ndarray | None = None):
    """The vote rule over per-frame argmax classes -> [(frame, class, score)] for word classes, in frame order (lowest
    class first on a frame). `on`/`off`: one threshold for every word or one per word; `min_frames`: a word fires
    only once its share has been >= its `on` for that many consecutive frames (the device's EventRule version 3,
    EventSmoother bit for bit). `scores`: vote_scores(pred, shift) if already computed."""
    on, off = _per_word(on, "on"), _per_word(off, "off")
    if not (0 <= shift <= 14 and refractory >= 0 and 1 <= min_frames <= 65535 and
            all(0 <= f <= o <= 32768 and o >= 1 for o, f in zip(on, off))):
        raise ValueError("event rule: need 0 <= off <= on <= 32768 (on >= 1), shift 0..14, refractory >= 0, "
                         "min_frames 1..65535")
    S = vote_scores(pred, shift, num_classes) if scores is None else scores
    out = []
    for c in range(NUM_WORDS):
        out += detect_word(S[:, c], c, on[c], off[c], refractory, min_frames)
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def detect_word(w: np.ndarray, c: int, oc: int, fc: int, refractory: int, min_frames: int):
    """detect_keywords for one word from its vote shares w [frames]."""
    above = np.flatnonzero(w >= oc)
    out = []
    if not len(above):
        return out
    col = w.tolist()
    armed, last = True, -10 ** 9
    t = int(above[0])
    run = t
    n = len(col)
    while t < n:
        s = col[t]
        if s >= oc:
            if run < 0:
                run = t
        else:
            run = -1
        if armed and s >= oc and t - last >= refractory and t - run + 1 >= min_frames:
            out.append((t, c, s))
            armed, last = False, t
        elif not armed and s < fc:
            armed = True
        elif armed and s < oc:
            # nothing can happen until the share reaches on again: jump there
            nxt = np.searchsorted(above, t + 1)
            if nxt >= len(above):
                break
            t = int(above[nxt])
            run = -1
            continue
        t += 1
    return out


def score_stream(detections, events, frames: int, tolerance: int = TOLERANCE, spans=None) -> dict:
    """Hits, misses, false alarms (per hour) of `detections` against the placed keywords `events`. With `spans`
    (distractor_spans: every placed clip), each false alarm gets a cause: 'unknown_word' (during or up to `tolerance`
    frames after an unknown-word clip), 'other_keyword' (a keyword clip of another word), 'repeat' (its own word's
    clip, already hit), 'background' (no clip near)."""
    hit = [None] * len(events)
    false_alarms = 0
    causes = {"background": 0, "unknown_word": 0, "other_keyword": 0, "repeat": 0}
    starts = np.array([a for a, _, _ in spans]) if spans else None
    order = np.argsort(starts) if spans else None
    for d, c, _ in sorted(detections):
        j = next((k for k, (a, b, cls, _) in enumerate(events)
                  if hit[k] is None and cls == c and a <= d <= b + tolerance), None)
        if j is None:
            false_alarms += 1
            if spans:
                near = [spans[i] for i in order[max(0, np.searchsorted(starts[order], d, "right") - 4):
                                                  np.searchsorted(starts[order], d, "right")]
                        if spans[i][0] <= d <= spans[i][1] + tolerance]
                if not near:
                    causes["background"] += 1
                elif any(cls == UNKNOWN for _, _, cls in near):
                    causes["unknown_word"] += 1
                elif any(cls != c for _, _, cls in near):
                    causes["other_keyword"] += 1
                else:
                    causes["repeat"] += 1
        else:
            hit[j] = d
    hours = frames / FRAME_HZ / 3600
    lat = [(hit[k] - events[k][0]) * 1000 / FRAME_HZ for k in range(len(events)) if hit[k] is not None]
    per_word = {}
    for c, w in enumerate(WORDS):
        ks = [k for k, e in enumerate(events) if e[2] == c]
        per_word[w] = (sum(hit[k] is not None for k in ks) / len(ks)) if ks else float("nan")
    hits = sum(h is not None for h in hit)
    precision = hits / (hits + false_alarms) if hits + false_alarms else 0.0
    recall = hits / len(events) if events else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"keywords": len(events), "hits": hits, "misses": len(events) - hits, "hit_rate": recall,
            "false_alarms": false_alarms, "false_alarms_per_hour": false_alarms / hours, "precision": precision,
            "f1": f1, "median_latency_ms": float(np.median(lat)) if lat else None,
            "hit_rate_per_word": per_word, "hours": hours, "frames": int(frames),
            **({"false_alarms_by_cause_per_hour": {k: v / hours for k, v in causes.items()},
                "unknown_words_rejected": unknown_rejected(detections, spans, tolerance)} if spans else {})}


def unknown_rejected(detections, spans, tolerance: int = TOLERANCE):
    """Share of the placed unknown-word clips during which (or up to `tolerance` frames after) no word fired: the
    stream's unknown-word recall."""
    d = np.array(sorted(t for t, _, _ in detections), np.int64)
    unk = [(a, b) for a, b, c in spans if c == UNKNOWN]
    if not unk:
        return float("nan")
    ok = sum(1 for a, b in unk if np.searchsorted(d, a) == np.searchsorted(d, b + tolerance, "right"))
    return ok / len(unk)


def choose_rule(pred: np.ndarray, events, frames: int) -> dict:
    """The rule's constants by event F1 on a validation stream (never on the test stream)."""
    best = None
    for shift in (2, 3, 4, 5):
        for on in (22938, 27853, 31130, 32440):
            for refractory in (25, 50):
                rule = {"shift": shift, "on": on, "off": on // 4, "refractory": refractory}
                s = score_stream(detect_keywords(pred, **rule), events, frames)
                if best is None or s["f1"] > best[0]:
                    best = (s["f1"], rule)
    return best[1]


def stream_minutes(stream: np.ndarray) -> float:
    return len(stream) / RATE / 60


def frames_of(n_samples: int) -> int:
    return 0 if n_samples < WIN else 1 + (n_samples - WIN) // HOP

