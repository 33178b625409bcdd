#!/usr/bin/python3
"""How the device pipeline's test-stream figures move with the phase of the 20 ms frame grid.

Rebuilds score.py's test stream (seed 13), drops its first k samples for each k, runs `skiprnn listen MODEL.skrn
--json` on that wav and scores the events exactly as `score.py --listen-json` does (score_listen -> score_stream,
tolerance 50 frames), with the labels (placed clips) moved k samples earlier too, so frame t of the shifted wav
covers samples [320 t + k, 320 t + k + 480) of the original stream. k = 0 is the card's device column.

    phase_sensitivity.py --model models/keyword --skiprnn /tmp/phase/bin/SkipRnn.Converter --k 0 1 3 80 160 240 \
        --work /tmp/phase --out /tmp/phase/skip.json
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import score as sc  # noqa: E402
import stream as st  # noqa: E402
from prepare import load_clips, load_noise  # noqa: E402


def shifted_labels(placed, n: int, k: int):
    """make_stream's events and distractor_spans for the stream with its first k samples dropped: every placed
    clip starts k samples earlier (k = 0 gives make_stream's own)."""
    moved = [(s - k, c, i) for s, c, i in placed]
    events = [(max(0, (s - st.WIN) // st.HOP + 1), (s + n - st.WIN) // st.HOP, c, i)
              for s, c, i in moved if c < st.NUM_WORDS]
    return events, st.distractor_spans(moved, n)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="model folder (model.json, model.skrn)")
    p.add_argument("--skiprnn", required=True, help="the skiprnn executable (SkipRnn.Converter)")
    p.add_argument("--k", type=int, nargs="+", default=[0, 1, 3, 80, 160, 240], help="samples dropped at the start")
    p.add_argument("--test", default=str(sc.REPO / "models/keyword/data/speech_commands_test.npz"))
    p.add_argument("--noise", default=str(sc.REPO / "models/keyword/data/noise_heldout.npz"))
    p.add_argument("--work", required=True, help="folder for the shifted wavs and listen outputs")
    p.add_argument("--out", required=True, help="results JSON")
    a = p.parse_args(argv)
    d, work = Path(a.model), Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    names = json.loads((d / "model.json").read_text())["class_names"]
    test = load_clips(a.test)
    s_pcm, _, placed = st.make_stream(test["pcm"], test["y"], load_noise(a.noise), sc.STREAM_SEED)
    n = test["pcm"].shape[1]
    res = {"model": str(d), "seed": sc.STREAM_SEED, "samples": len(s_pcm), "by_k": {}}
    for k in a.k:
        events, spans = shifted_labels(placed, n, k)
        wav, js = work / f"stream_k{k}.wav", work / f"{d.name}_k{k}.json"
        sc.write_wav(wav, s_pcm[k:])
        with open(js, "w") as f:
            subprocess.run([a.skiprnn, "listen", str(d / "model.skrn"), str(wav), "--json"], stdout=f, check=True)
        r = sc.score_listen(js, names, events, st.frames_of(len(s_pcm) - k), spans)
        res["by_k"][k] = r
        print(f"k={k}: hits {r['hits']}/{r['keywords']} ({100 * r['hit_rate']:.1f} %), false alarms "
              f"{r['false_alarms']} ({r['false_alarms_per_hour']:.1f}/h), per word "
              + " ".join(f"{w} {100 * v:.1f}" for w, v in r["hit_rate_per_word"].items()), flush=True)
        wav.unlink()
    Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
