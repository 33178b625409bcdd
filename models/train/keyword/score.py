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
CHUNK_FRAMES = 4096


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


def score_listen(path: Path, class_names, events, frames: int) -> dict:
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
    return {**st.score_stream(det, events, frames), "frames_updated": float(upd)}


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
    p.add_argument("--out", help="metrics JSON")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    d = Path(a.model)
    model, side = load_model(d)
    test = load_clips(a.test)
    if a.write_wavs:
        write_wavs(Path(a.write_wavs), test)
        return 0
    if a.write_test_features:
        # The same arrays train.py writes from kws_test.npz: the shipped slice is that split.
        np.savez_compressed(a.write_test_features, x=device_features(test["pcm"]), y=test["y"].astype(np.int64))
        print(f"wrote {a.write_test_features}: {len(test['y'])} clips' features")
        return 0
    s_pcm, events, placed = st.make_stream(test["pcm"], test["y"], load_noise(a.noise), STREAM_SEED, a.max_clips)
    if a.write_stream_wav:
        with wave.open(a.write_stream_wav, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.asarray(s_pcm, dtype="<i2").tobytes())
        print(f"wrote {a.write_stream_wav}: {st.stream_minutes(s_pcm):.1f} min")
        return 0
    feats = stream_features(s_pcm)
    if a.write_stream_npz:
        # one sequence [1, frames, 40] of int16 counts; y is a placeholder label (eval needs one; not scored here)
        save_npz(a.write_stream_npz, {"x": feats[None], "y": np.array([0], np.int64)})
        print(f"wrote {a.write_stream_npz}: 1 sequence of {len(feats)} frames ({st.stream_minutes(s_pcm):.1f} min)")
        return 0
    if a.valid:
        valid = load_clips(a.valid)
        v_pcm, v_events, _ = st.make_stream(valid["pcm"], valid["y"], load_noise(a.valid_noise, "train"),
                                            VALID_STREAM_SEED, a.max_clips)
        v_pred, _ = run_stream(model, side, stream_features(v_pcm))
        rule = st.choose_rule(v_pred, v_events, len(v_pred))
        side["keyword_rule"] = rule
        (d / "model.json").write_text(json.dumps(side, indent=2) + "\n")
        print(f"rule chosen on the validation stream ({st.stream_minutes(v_pcm):.1f} min): {rule}")
    rule = side.get("keyword_rule")
    if rule is None:
        print("error: the sidecar has no keyword_rule; pass --valid to choose one", file=sys.stderr)
        return 2
    pred, upd = run_stream(model, side, feats)
    res = {"minutes": st.stream_minutes(s_pcm), "seed": STREAM_SEED, "clips_placed": len(placed), "rule": rule,
           "float": {**st.score_stream(st.detect_keywords(pred, **rule), events, len(pred)),
                     "frames_updated": float(upd.mean())}}
    if a.fixed_trace:
        fpred, fupd = fixed_from_trace(Path(a.fixed_trace), side["output_size"])
        if len(fpred) != len(pred):
            print(f"error: {a.fixed_trace}: {len(fpred)} frames, the stream has {len(pred)}", file=sys.stderr)
            return 2
        res["fixed"] = {**st.score_stream(st.detect_keywords(fpred, **rule), events, len(fpred)),
                        "frames_updated": float(fupd.mean()), "argmax_agreement_with_float": float(np.mean(fpred == pred))}
    if a.listen_json:
        res["device_listen"] = score_listen(Path(a.listen_json), side["class_names"], events, len(pred))
    for k in ("float", "fixed", "device_listen"):
        if k in res:
            s = res[k]
            print(f"stream {k}: {res['minutes']:.1f} min, {s['keywords']} keywords, hits {s['hits']} "
                  f"({100 * s['hit_rate']:.1f} %), false alarms {s['false_alarms']} ({s['false_alarms_per_hour']:.1f}/h), "
                  f"median latency {s['median_latency_ms']} ms, frames updated {100 * s['frames_updated']:.1f} %")
    if a.out:
        Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
