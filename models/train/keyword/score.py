#!/usr/bin/python3
"""Score a trained keyword model: test-speaker clips and the continuous test stream (float, and fixed point from a
`skiprnn eval --trace` CSV of the stream).

    # choose the event rule on a validation stream (validation speakers + the *training* noise), write it into the
    # sidecar as "keyword_rule", then score the test stream (test speakers + held-out noise, shipped slice):
    /usr/bin/python3 models/train/keyword/score.py --model /tmp/kws_skip --valid /tmp/kws/kws_valid.npz \
        --valid-noise /tmp/kws/noise.npz --out /tmp/kws_skip/stream_metrics.json
    # the stream's int16 features as one sequence for `skiprnn eval --trace` (fixed point):
    /usr/bin/python3 models/train/keyword/score.py --model DIR --write-stream-npz /tmp/stream.npz
    skiprnn eval DIR/model.skrn /tmp/stream.npz --trace /tmp/trace.csv
    /usr/bin/python3 models/train/keyword/score.py --model DIR --fixed-trace /tmp/trace.csv --out ...

    # models/keyword/test.npz (the test clips' features) rebuilt from the shipped slice alone:
    /usr/bin/python3 models/train/keyword/score.py --model models/keyword --write-test-features models/keyword/test.npz
    # the test clips as wavs, scored by the device's integer front end + fixed-point model end to end:
    /usr/bin/python3 models/train/keyword/score.py --model models/keyword --write-wavs /tmp/kws_wavs
    skiprnn listen models/keyword/model.skrn /tmp/kws_wavs

Defaults: the shipped test slice (models/keyword/data/speech_commands_test.npz) and noise
(models/keyword/data/noise_heldout.npz), stream seed 13.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import wave
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU, save_npz  # noqa: E402
import stream as st  # noqa: E402
from prepare import load_clips, load_noise  # noqa: E402
from train import device_features, run  # noqa: E402

STREAM_SEED = 13
VALID_STREAM_SEED = 14
BACKGROUND_SEED = 15
CHUNK_FRAMES = 4096
ON_GRID = (8192, 12288, 16384, 20480, 22938, 24576, 26214, 27853, 29491, 31130, 32440, 32768)
CURVE_ONS = (4096, 8192, 12288, 16384, 20480, 24576, 27853, 29491, 31130, 32000, 32440, 32700, 32768)
MUS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 100.0)


def load_model(d: Path):
    side = json.loads((d / "model.json").read_text())
    ck = torch.load(d / "model.pt", map_location="cpu")
    cfg = ck["config"]
    model = SkipGRU(cfg["input_size"], cfg["hidden_size"], cfg["num_layers"], cfg["variant"], cfg["output_size"],
                    skip=cfg["skip"])
    model.load_state_dict(ck["state_dict"])
    model.eval()
    return model, side


def stream_features(pcm: np.ndarray) -> np.ndarray:
    """int16 features [frames, 40] of a long recording, computed in chunks of whole frames."""
    n = st.frames_of(len(pcm))
    out = np.empty((n, 40), np.float32)
    for f0 in range(0, n, CHUNK_FRAMES):
        f1 = min(n, f0 + CHUNK_FRAMES)
        seg = pcm[f0 * st.HOP:(f1 - 1) * st.HOP + st.WIN]
        out[f0:f1] = device_features(seg[None, :])[0]
    return out


@torch.no_grad()
def run_stream(model, side, feats: np.ndarray):
    """One pass from a single Reset(): per-frame argmax and updated flags."""
    mean, std = np.array(side["input_mean"], np.float32), np.array(side["input_std"], np.float32)
    h = ut = None
    preds, upd = [], []
    for f0 in range(0, len(feats), CHUNK_FRAMES):
        x = torch.from_numpy((feats[f0:f0 + CHUNK_FRAMES] - mean) / std).unsqueeze(1)
        logits, us, h, ut = run(model, x, h, ut)
        preds.append(logits[:, 0].argmax(1).numpy())
        upd.append(us[:, 0].numpy())
    return np.concatenate(preds), np.concatenate(upd)


@torch.no_grad()
def run_stream_lanes(model, side, feats: np.ndarray, lanes: int = 8):
    """run_stream with the stream cut into `lanes` pieces run side by side (each from Reset(); a Reset() every
    len/lanes frames changes little and is `lanes` times faster): used on the long validation stream only."""
    from train_stream import run_lanes  # noqa: E402
    mean, std = np.array(side["input_mean"], np.float32), np.array(side["input_std"], np.float32)
    return run_lanes(model, feats, mean, std, lanes)


def valid_subset(valid: dict, n: int | None) -> dict:
    """The validation clips, or a seeded random subset of n of them (the same for every model)."""
    if n is None or n >= len(valid["y"]):
        return valid
    keep = np.sort(np.random.default_rng(VALID_STREAM_SEED).permutation(len(valid["y"]))[:n])
    return {k: (v[keep] if isinstance(v, np.ndarray) and v.ndim and len(v) == len(valid["y"]) else v)
            for k, v in valid.items()}


def rule_kwargs(rule: dict) -> dict:
    return {k: rule[k] for k in ("shift", "on", "off", "refractory")} | {"min_frames": rule.get("min_frames", 1)}


def choose_rule_per_word(pred, events, frames: int, spans, max_fa_per_hour: float, shifts=(2, 3, 4),
                         min_frames=(1, 4, 8), refractory: int = 25, min_word_hit_rate: float = 0.0):
    """The event rule chosen on a validation stream: for every shift and minimum duration, each word's on threshold
    (off = on / 4) from ON_GRID maximising hits_w - mu * false_alarms_w (the words' hits and false alarms are
    independent given the rule), mu the smallest of MUS whose total stays at or under `max_fa_per_hour`; the best hit
    rate over shifts and durations wins (ties: fewer false alarms). `min_word_hit_rate` > 0: a word's threshold is
    chosen only among those that hit at least that share of the word's validation clips (if none does, among those
    with the most hits), so no word is switched off. Returns (rule, its validation figures)."""
    hours = frames / st.FRAME_HZ / 3600
    best = None
    for shift in shifts:
        S = st.vote_scores(pred, shift)
        for mf in min_frames:
            table = np.zeros((st.NUM_WORDS, len(ON_GRID), 2))          # hits, false alarms
            allowed = np.ones((st.NUM_WORDS, len(ON_GRID)), bool)
            for c in range(st.NUM_WORDS):
                ev_c = [e for e in events if e[2] == c]
                for j, on in enumerate(ON_GRID):
                    det = st.detect_word(S[:, c], c, on, on // 4, refractory, mf)
                    r = st.score_stream(det, ev_c, frames)
                    table[c, j] = (r["hits"], r["false_alarms"])
                if min_word_hit_rate > 0 and ev_c:
                    ok = table[c, :, 0] >= min_word_hit_rate * len(ev_c)
                    allowed[c] = ok if ok.any() else table[c, :, 0] == table[c, :, 0].max()
            for mu in MUS:
                pick = [int(np.argmax(np.where(allowed[c], table[c, :, 0] - mu * table[c, :, 1], -np.inf) +
                                      1e-9 * np.arange(len(ON_GRID))))
                        for c in range(st.NUM_WORDS)]
                hits = sum(table[c, pick[c], 0] for c in range(st.NUM_WORDS))
                fa = sum(table[c, pick[c], 1] for c in range(st.NUM_WORDS))
                if fa / hours <= max_fa_per_hour:
                    key = (hits, -fa)
                    if best is None or key > best[0]:
                        on = [ON_GRID[k] for k in pick]
                        best = (key, {"shift": shift, "on": on, "off": [o // 4 for o in on], "refractory": refractory,
                                      "min_frames": mf}, mu)
                    break
    if best is None:
        raise RuntimeError(f"no rule reaches {max_fa_per_hour} false alarms per hour on the validation stream")
    rule = best[1]
    res = st.score_stream(st.detect_keywords(pred, **rule_kwargs(rule)), events, frames, spans=spans)
    return rule, {**res, "mu": best[2], "max_fa_per_hour": max_fa_per_hour, "min_word_hit_rate": min_word_hit_rate}


def curve(pred, events, frames: int, rule: dict, spans=None) -> list:
    """Hit rate and false alarms per hour as one on threshold for every word (off = on / 4) moves, the rule's shift,
    refractory and minimum duration kept."""
    S = st.vote_scores(pred, rule["shift"])
    out = []
    for on in CURVE_ONS:
        r = st.score_stream(st.detect_keywords(pred, rule["shift"], on, on // 4, rule["refractory"],
                                               min_frames=rule.get("min_frames", 1), scores=S), events, frames)
        out.append({"on": on, "hit_rate": r["hit_rate"], "false_alarms_per_hour": r["false_alarms_per_hour"]})
    return out


def fixed_from_trace(path: Path, classes: int):
    """Per-frame fixed-point argmax and update flags from `skiprnn eval --trace` (columns named in its header)."""
    with open(path, newline="") as f:
        rows = csv.reader(f)
        head = next(rows)
        if "fixed_update" not in head or any(f"fixed_out{c}" not in head for c in range(classes)):
            raise ValueError(f"{path}: not a `skiprnn eval --trace` CSV of a {classes}-class model (header {head[:8]}...)")
        cols, ucol = [head.index(f"fixed_out{c}") for c in range(classes)], head.index("fixed_update")
        out, upd = [], []
        for r in rows:
            v = [float(r[i]) for i in cols]
            out.append(int(np.argmax(v)))
            upd.append(float(r[ucol]))
    return np.array(out), np.array(upd)


def write_wav(path, pcm: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.asarray(pcm, dtype="<i2").tobytes())


def write_wavs(folder: Path, clips: dict) -> None:
    """One mono 16 kHz PCM16 wav per clip, in a sub-folder named after its class (what `skiprnn listen` reads)."""
    names = [str(n) for n in clips["class_names"]]
    for i, (pcm, y) in enumerate(zip(clips["pcm"], clips["y"])):
        sub = folder / names[int(y)]
        sub.mkdir(parents=True, exist_ok=True)
        with wave.open(str(sub / f"{i:04d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.asarray(pcm, dtype="<i2").tobytes())
    print(f"wrote {len(clips['y'])} wavs under {folder}")


def score_listen(path: Path, class_names, events, frames: int, spans=None) -> dict:
    """Scores the events of `skiprnn listen --json` on the stream wav (the device's front end, fixed point and the
    model file's event rule): frame, class name -> the detections score_stream takes."""
    doc = json.loads(path.read_text())
    rec = doc.get("recording") or doc.get("Recording")
    evs = rec.get("events") if "events" in rec else rec["Events"]
    det = []
    for e in evs:
        frame = e.get("frame", e.get("Frame"))
        name = e.get("class", e.get("Class"))
        conf = e.get("confidence", e.get("Confidence"))
        det.append((int(frame), class_names.index(name), int(round(conf * 32768))))
    upd = rec.get("updatedShare", rec.get("UpdatedShare"))
    return {**st.score_stream(det, events, frames, spans=spans), "frames_updated": float(upd)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="folder with model.pt and model.json")
    p.add_argument("--test", default=str(REPO / "models/keyword/data/speech_commands_test.npz"))
    p.add_argument("--noise", default=str(REPO / "models/keyword/data/noise_heldout.npz"))
    p.add_argument("--valid", help="validation split (kws_valid.npz): choose the event rule on its stream")
    p.add_argument("--valid-noise", help="noise.npz whose training part backs the validation stream")
    p.add_argument("--max-clips", type=int, help="place only this many clips (smoke runs)")
    p.add_argument("--write-stream-npz", help="write the test stream's int16 features as one sequence and stop")
    p.add_argument("--write-wavs", help="write the test clips as 16 kHz PCM16 wavs, DIR/<class>/<index>.wav (for "
                   "`skiprnn listen`, the device's integer front end end to end), and stop")
    p.add_argument("--write-stream-wav", help="write the test stream as one 16 kHz PCM16 wav (for `skiprnn listen`, "
                   "the device pipeline end to end with the model file's event rule) and stop")
    p.add_argument("--listen-json", help="`skiprnn listen MODEL.skrn STREAM.wav --json` output for that wav: also score "
                   "the device's events")
    p.add_argument("--write-test-features", help="write the test clips' int16 features as train.py's test.npz "
                   "(x float32 [clips, 49, 40], y), the file `skiprnn convert -v` / `eval` / `demo` read, and stop")
    p.add_argument("--fixed-trace", help="`skiprnn eval --trace` CSV of that sequence: also score fixed point")
    p.add_argument("--choose-rule", type=float, metavar="FA_PER_HOUR",
                   help="with --valid: choose the per-word rule (thresholds per word, shift, minimum duration) on the "
                        "validation stream, best hit rate at no more than this many false alarms per hour")
    p.add_argument("--min-word-hit-rate", type=float, default=0.0,
                   help="with --choose-rule: each word's threshold only among those hitting at least this share of "
                        "its validation clips (so no word is switched off)")
    p.add_argument("--valid-lanes", type=int, default=8, help="the validation stream runs in this many pieces")
    p.add_argument("--valid-clips", type=int, help="place only this many validation clips (a seeded random subset)")
    p.add_argument("--background-seconds", type=float, default=3600.0,
                   help="length of the background-only stream (held-out noise, no speech)")
    p.add_argument("--write-background-wav", help="write the background-only stream as a wav and stop")
    p.add_argument("--write-background-npz", help="write the background-only stream's features as one sequence and stop")
    p.add_argument("--background-trace", help="`skiprnn eval --trace` CSV of the background-only stream: score it")
    p.add_argument("--background-listen-json", help="`skiprnn listen --json` of the background-only wav: score it")
    p.add_argument("--write-metrics", help="write the clip figures (each clip from Reset(), class after its 49th frame: "
                   "accuracy, per-class recall, confusion, frames updated; float) of the test clips and, with --valid, "
                   "the validation clips as metrics.json, and stop")
    p.add_argument("--out", help="metrics JSON")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    d = Path(a.model)
    model, side = load_model(d)
    test = load_clips(a.test)
    if a.write_wavs:
        write_wavs(Path(a.write_wavs), test)
        return 0
    if a.write_metrics:
        from train import evaluate  # noqa: E402
        mean, std = np.array(side["input_mean"], np.float32), np.array(side["input_std"], np.float32)
        m = {"model": str(d), "checkpoint": side.get("checkpoint"),
             "test": evaluate(model, device_features(test["pcm"]), test["y"].astype(np.int64), mean, std)}
        if a.valid:
            v = load_clips(a.valid)
            m["valid"] = evaluate(model, device_features(v["pcm"]), v["y"].astype(np.int64), mean, std)
        Path(a.write_metrics).write_text(json.dumps(m, indent=2) + "\n")
        for k in ("valid", "test"):
            if k in m:
                print(f"{k} clips: accuracy {m[k]['accuracy']:.4f}, unknown recall {m[k]['recall']['unknown']:.4f}, "
                      f"frames updated {m[k]['frames_updated']:.4f}")
        return 0
    if a.write_test_features:
        # The same arrays train.py writes from kws_test.npz: the shipped slice is that split.
        np.savez_compressed(a.write_test_features, x=device_features(test["pcm"]), y=test["y"].astype(np.int64))
        print(f"wrote {a.write_test_features}: {len(test['y'])} clips' features")
        return 0
    bg_pcm = None
    if a.write_background_wav or a.write_background_npz or a.background_trace or a.background_listen_json or a.out:
        bg_pcm = st.make_background(load_noise(a.noise), a.background_seconds, BACKGROUND_SEED)
    if a.write_background_wav:
        write_wav(a.write_background_wav, bg_pcm)
        print(f"wrote {a.write_background_wav}: {st.stream_minutes(bg_pcm):.1f} min of held-out background")
        return 0
    if a.write_background_npz:
        save_npz(a.write_background_npz, {"x": stream_features(bg_pcm)[None], "y": np.array([0], np.int64)})
        print(f"wrote {a.write_background_npz}: {st.stream_minutes(bg_pcm):.1f} min of held-out background")
        return 0
    s_pcm, events, placed = st.make_stream(test["pcm"], test["y"], load_noise(a.noise), STREAM_SEED, a.max_clips)
    spans = st.distractor_spans(placed, test["pcm"].shape[1])
    if a.write_stream_wav:
        write_wav(a.write_stream_wav, s_pcm)
        print(f"wrote {a.write_stream_wav}: {st.stream_minutes(s_pcm):.1f} min")
        return 0
    feats = stream_features(s_pcm)
    if a.write_stream_npz:
        # one sequence [1, frames, 40] of int16 counts; y is a placeholder label (eval needs one; not scored here)
        save_npz(a.write_stream_npz, {"x": feats[None], "y": np.array([0], np.int64)})
        print(f"wrote {a.write_stream_npz}: 1 sequence of {len(feats)} frames ({st.stream_minutes(s_pcm):.1f} min)")
        return 0
    if a.valid:
        valid = valid_subset(load_clips(a.valid), a.valid_clips)
        v_pcm, v_events, placed_v = st.make_stream(valid["pcm"], valid["y"], load_noise(a.valid_noise, "train"),
                                            VALID_STREAM_SEED, a.max_clips)
        if a.choose_rule is not None:
            v_pred, v_upd = run_stream_lanes(model, side, stream_features(v_pcm), a.valid_lanes)
            v_spans = st.distractor_spans(placed_v, valid["pcm"].shape[1])
            rule, vres = choose_rule_per_word(v_pred, v_events, len(v_pred), v_spans, a.choose_rule,
                                              min_word_hit_rate=a.min_word_hit_rate)
            side["keyword_rule_validation"] = {"minutes": st.stream_minutes(v_pcm), "clips_placed": len(placed_v),
                                               "frames_updated": float(v_upd.mean()),
                                               **{k: vres[k] for k in ("keywords", "hits", "hit_rate", "false_alarms",
                                                                       "false_alarms_per_hour",
                                                                       "false_alarms_by_cause_per_hour", "mu",
                                                                       "max_fa_per_hour", "min_word_hit_rate")}}
            print(f"validation stream: hit rate {vres['hit_rate']:.4f}, {vres['false_alarms_per_hour']:.1f} FA/h, "
                  f"by cause {vres['false_alarms_by_cause_per_hour']}, updated {v_upd.mean():.4f}")
        else:
            v_pred, _ = run_stream(model, side, stream_features(v_pcm))
            rule = st.choose_rule(v_pred, v_events, len(v_pred))
        side["keyword_rule"] = rule
        (d / "model.json").write_text(json.dumps(side, indent=2) + "\n")
        print(f"rule chosen on the validation stream ({st.stream_minutes(v_pcm):.1f} min): {rule}")
        if a.choose_rule is not None and not a.out:
            return 0                     # the rule only; the test stream is scored by a later call
    rule = side.get("keyword_rule")
    if rule is None:
        print("error: the sidecar has no keyword_rule; pass --valid to choose one", file=sys.stderr)
        return 2
    rk = rule_kwargs(rule)
    pred, upd = run_stream(model, side, feats)
    res = {"minutes": st.stream_minutes(s_pcm), "seed": STREAM_SEED, "clips_placed": len(placed), "rule": rule,
           "float": {**st.score_stream(st.detect_keywords(pred, **rk), events, len(pred), spans=spans),
                     "frames_updated": float(upd.mean())}}
    res["curve"] = {"float": curve(pred, events, len(pred), rule)}
    if a.fixed_trace:
        fpred, fupd = fixed_from_trace(Path(a.fixed_trace), side["output_size"])
        if len(fpred) != len(pred):
            print(f"error: {a.fixed_trace}: {len(fpred)} frames, the stream has {len(pred)}", file=sys.stderr)
            return 2
        res["fixed"] = {**st.score_stream(st.detect_keywords(fpred, **rk), events, len(fpred), spans=spans),
                        "frames_updated": float(fupd.mean()), "argmax_agreement_with_float": float(np.mean(fpred == pred))}
        res["curve"]["fixed"] = curve(fpred, events, len(fpred), rule)
    if a.listen_json:
        res["device_listen"] = score_listen(Path(a.listen_json), side["class_names"], events, len(pred), spans)
    if bg_pcm is not None:
        b_pred, b_upd = run_stream(model, side, stream_features(bg_pcm))
        b = {"minutes": st.stream_minutes(bg_pcm), "seed": BACKGROUND_SEED,
             "float": {"false_alarms": len(st.detect_keywords(b_pred, **rk)), "frames_updated": float(b_upd.mean())}}
        if a.background_trace:
            bf, bfu = fixed_from_trace(Path(a.background_trace), side["output_size"])
            b["fixed"] = {"false_alarms": len(st.detect_keywords(bf, **rk)), "frames_updated": float(bfu.mean())}
        if a.background_listen_json:
            rec = json.loads(Path(a.background_listen_json).read_text())
            rec = rec.get("recording") or rec.get("Recording")
            b["device_listen"] = {"false_alarms": len(rec.get("events", rec.get("Events", []))),
                                  "frames_updated": float(rec.get("updatedShare", rec.get("UpdatedShare")))}
        for k in ("float", "fixed", "device_listen"):
            if k in b:
                b[k]["false_alarms_per_hour"] = b[k]["false_alarms"] / (b["minutes"] / 60)
                print(f"background only {k}: {b['minutes']:.1f} min, {b[k]['false_alarms']} false alarms "
                      f"({b[k]['false_alarms_per_hour']:.2f}/h), frames updated {100 * b[k]['frames_updated']:.1f} %")
        res["background_only"] = b
    for k in ("float", "fixed", "device_listen"):
        if k in res:
            s = res[k]
            print(f"stream {k}: {res['minutes']:.1f} min, {s['keywords']} keywords, hits {s['hits']} "
                  f"({100 * s['hit_rate']:.1f} %), false alarms {s['false_alarms']} ({s['false_alarms_per_hour']:.1f}/h), "
                  f"median latency {s['median_latency_ms']} ms, frames updated {100 * s['frames_updated']:.1f} %, "
                  f"false alarms by cause per hour {s.get('false_alarms_by_cause_per_hour')}")
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
