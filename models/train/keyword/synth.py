#!/usr/bin/python3
"""Synthetic speech for keyword training (issue 24, part 2): the ten keywords as extra positives, thousands of
other English words and short phrases as negatives (*unknown*), from Debian's text-to-speech engines.

Engines and voices (whatever is installed is listed by --list; every one named below must be present):
  * espeak-ng: eight English accents (en-us, en-us-nyc, en-gb, en-gb-x-rp, en-gb-scotland, en-gb-x-gbclan,
    en-gb-x-gbcwmd, en-029) x its voice variants (m1-m8, f1-f5, klatt1-6, croak, whisper, ... `espeak-ng
    --voices=variant`), speed 120-230 words/min, pitch 20-80 (espeak's own controls);
  * flite: kal, kal16, awb, rms, slt (`flite -lv`; awb_time is a limited-domain voice and not used);
  * festival: kal_diphone, ked_diphone, cmu_us_slt_arctic_hts (Debian: festival festvox-kallpc16k
    festvox-kdlpc16k festvox-us-slt-hts), one `festival -b` process per voice.
Flite and festival clips get a pitch shift of -300..+300 cents (sox `pitch`). Every clip: a tempo factor
0.85-1.2 (sox `tempo`, on top of the engine's speed), resampled to 16 kHz mono (sox), leading and trailing
silence trimmed (samples below 1 % of the peak), a keyword longer than 0.95 s sped up to fit, an unknown word or
phrase longer than one second cut to a random one-second window, placed at a random offset in one second (16,000
samples), scaled to an RMS of -30..-16 dBFS, int16. One clip in three gets sox `reverb` (reverberance 10-70 %,
room scale 20-100 %, dry and wet mixed). Noise and gain are left to the stream builder
(train_stream.py), which puts every clip over training noise at a random gain.

Negatives: words of the system word list (Debian `wamerican`: /usr/share/dict/american-english, lower-case
letters only, 2-12 letters) and two- or three-word phrases made of its shorter words (30 %), excluding every
keyword, its homophones (EXCLUDE: know, knows, write, rite, wright, ...) and the forms that contain the whole keyword
sound (keyword + s/es/ed/ing, e.g. stops, going), and any phrase containing one of those.

Everything is drawn from one seed, so the same command on the same Debian packages rebuilds the same clips. The
output is a split file in prepare.py's format (pcm int16 [N, 16000], y, speaker = "tts:<engine>:<voice>", path =
the text), for training only (train_stream.py --synth): never validation choices, never test figures.

    /usr/bin/python3 models/train/keyword/synth.py --out /tmp/kws/synth.npz --keyword-clips 300 --negatives 6000
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from prepare import CLIP, UNKNOWN, WORDS  # noqa: E402

RATE = 16000
ESPEAK_ACCENTS = ["en-us", "en-us-nyc", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                  "en-029"]
ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2",
                   "klatt3", "klatt4", "klatt5", "klatt6", "croak", "whisper", "female_whisper", "Andy", "Annie",
                   "Alicia", "Andrea", "Edward", "Gene", "Jacky", "Lee", "Linda", "Michael", "Mr_Serious", "Paul",
                   "Robert", "Steph", "Storm", "Tweaky", "grandma", "grandpa", "norbert", "shelby", "travis", "victor",
                   "Zac", "anika", "Max", "Mike", "John", "David", "Diogo", "Hugo", "Quincy", "Rob"]
FLITE_VOICES = ["kal", "kal16", "awb", "rms", "slt"]
FESTIVAL_VOICES = ["kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"]
ENGINE_SHARE = {"espeak-ng": 0.6, "flite": 0.25, "festival": 0.15}
# Homophones and near-homophones of the keywords, never used as negatives.
EXCLUDE = {"know", "knows", "noh", "noe", "nou", "write", "rite", "wright", "writ", "yess", "ya", "goh", "gau",
           "offs", "upp"}
WORD_LIST = "/usr/share/dict/american-english"


def excluded(word: str) -> bool:
    if word in EXCLUDE or word in WORDS:
        return True
    for k in WORDS:
        if word in (k + "s", k + "es", k + "ed", k + "ing", k + k[-1] + "ed", k + k[-1] + "ing", k + "'s"):
            return True
    return False


def negative_texts(rng, n: int, word_list: str = WORD_LIST, phrase_share: float = 0.3) -> list[str]:
    words = sorted({w for w in Path(word_list).read_text(encoding="utf-8", errors="replace").split()
                    if re.fullmatch(r"[a-z]{2,12}", w) and not excluded(w)})
    short = [w for w in words if len(w) <= 6]
    n_phr = int(round(n * phrase_share))
    single = [words[i] for i in rng.choice(len(words), n - n_phr, replace=False)]
    phrases = [" ".join(short[i] for i in rng.choice(len(short), int(rng.integers(2, 4)), replace=False))
               for _ in range(n_phr)]
    return single + phrases


def read_wav16(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == RATE, path
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float64)


def sox_to16k(src: Path, dst: Path, tempo: float, cents: float, reverb=None):
    effects = ["tempo", "-s", f"{tempo:.3f}"]
    if cents:
        effects += ["pitch", f"{cents:.0f}"]
    if reverb:
        effects += ["reverb", f"{reverb[0]:.0f}", "50", f"{reverb[1]:.0f}", "channels", "1"]
    subprocess.run(["sox", "-q", "-V1", "-R", "-D", str(src), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
                    str(dst)] + effects + ["rate", str(RATE)], check=True)


def fit_clip(x: np.ndarray, is_keyword: bool, rng) -> np.ndarray | None:
    """Trim, fit into one second, place at a random offset, set the level. None for an empty rendering."""
    if len(x) == 0 or np.abs(x).max() < 100:
        return None
    on = np.flatnonzero(np.abs(x) >= 0.01 * np.abs(x).max())
    x = x[on[0]:on[-1] + 1]
    if len(x) > CLIP:
        if is_keyword:
            idx = np.linspace(0, len(x) - 1, int(0.95 * CLIP))      # rare: plain resampling to 0.95 s
            x = np.interp(idx, np.arange(len(x)), x)
        else:
            o = int(rng.integers(len(x) - CLIP + 1))
            x = x[o:o + CLIP]
    out = np.zeros(CLIP)
    o = int(rng.integers(CLIP - len(x) + 1))
    out[o:o + len(x)] = x
    rms = np.sqrt(np.mean(x * x))
    out *= 32768 * 10 ** (rng.uniform(-30, -16) / 20) / max(rms, 1.0)
    return np.clip(np.rint(out), -32768, 32767).astype(np.int16)


def plan(rng, keyword_clips: int, negatives: int, word_list: str):
    """Every clip to render: dicts with text, label, engine, voice and the variation drawn for it."""
    items = [(w, c) for c, w in enumerate(WORDS) for _ in range(keyword_clips)]
    items += [(t, UNKNOWN) for t in negative_texts(rng, negatives, word_list)]
    engines = list(ENGINE_SHARE)
    p = np.array([ENGINE_SHARE[e] for e in engines])
    jobs = []
    for i, (text, y) in enumerate(items):
        e = engines[int(rng.choice(len(engines), p=p))]
        job = {"i": i, "text": text, "y": y, "engine": e, "tempo": float(rng.uniform(0.85, 1.2)), "cents": 0.0,
               "seed": int(rng.integers(2 ** 31))}
        if e == "espeak-ng":
            job["voice"] = f"{ESPEAK_ACCENTS[int(rng.integers(len(ESPEAK_ACCENTS)))]}+" \
                           f"{ESPEAK_VARIANTS[int(rng.integers(len(ESPEAK_VARIANTS)))]}"
            job["speed"] = int(rng.integers(120, 231))
            job["pitch"] = int(rng.integers(20, 81))
        else:
            voices = FLITE_VOICES if e == "flite" else FESTIVAL_VOICES
            job["voice"] = voices[int(rng.integers(len(voices)))]
            job["cents"] = float(rng.uniform(-300, 300))
        job["reverb"] = [float(rng.uniform(10, 70)), float(rng.uniform(20, 100))] if rng.random() < 1 / 3 else None
        jobs.append(job)
    return jobs


def render_espeak_flite(job, tmp: Path) -> Path:
    raw = tmp / f"{job['i']}.raw.wav"
    if job["engine"] == "espeak-ng":
        cmd = ["espeak-ng", "-v", job["voice"], "-s", str(job["speed"]), "-p", str(job["pitch"]), "-w", str(raw),
               job["text"]]
    else:
        cmd = ["flite", "-voice", job["voice"], "-t", job["text"], "-o", str(raw)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return raw


def render_festival(jobs, voice: str, tmp: Path) -> None:
    """All of one voice's festival clips in one `festival -b` run (starting festival per clip costs 0.25 s)."""
    lines = [f"(voice_{voice})"]
    for job in jobs:
        text = job["text"].replace('"', "")
        lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{text}")) "{tmp / (str(job["i"]) + ".raw.wav")}" '
                     f"'riff)")
    script = tmp / f"festival_{voice}.scm"
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["festival", "-b", str(script)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def check_tools():
    missing = [t for t in ("espeak-ng", "flite", "festival", "sox") if shutil.which(t) is None]
    if missing:
        raise SystemExit(f"synth.py: missing {', '.join(missing)} (apt-get install -y espeak-ng flite festival "
                         f"festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts sox wamerican)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output split file (.npz)")
    ap.add_argument("--keyword-clips", type=int, default=300, help="clips per keyword")
    ap.add_argument("--negatives", type=int, default=6000, help="unknown words and phrases")
    ap.add_argument("--word-list", default=WORD_LIST)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=2, help="parallel renderings")
    a = ap.parse_args(argv)
    check_tools()
    rng = np.random.default_rng(a.seed)
    jobs = plan(rng, a.keyword_clips, a.negatives, a.word_list)
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        for v in FESTIVAL_VOICES:
            fj = [j for j in jobs if j["engine"] == "festival" and j["voice"] == v]
            if fj:
                render_festival(fj, v, tmp)
        def one(job):
            raw = render_espeak_flite(job, tmp) if job["engine"] != "festival" else tmp / f"{job['i']}.raw.wav"
            if not raw.exists():
                return None
            dst = tmp / f"{job['i']}.wav"
            sox_to16k(raw, dst, job["tempo"], job["cents"], job["reverb"])
            x = read_wav16(dst)
            raw.unlink()
            dst.unlink()
            return fit_clip(x, job["y"] != UNKNOWN, np.random.default_rng(job["seed"]))
        with ThreadPoolExecutor(a.jobs) as ex:
            clips = list(ex.map(one, jobs))
    keep = [k for k, c in enumerate(clips) if c is not None]
    dropped = len(jobs) - len(keep)
    pcm = np.stack([clips[k] for k in keep])
    y = np.array([jobs[k]["y"] for k in keep], np.int8)
    speaker = np.array([f"tts:{jobs[k]['engine']}:{jobs[k]['voice']}" for k in keep])
    text = np.array([jobs[k]["text"] for k in keep])
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".part.npz")
    np.savez(tmp_out, pcm=pcm, y=y, speaker=speaker, path=text)
    tmp_out.replace(out)
    counts = {"clips": int(len(y)), "dropped_empty": dropped, "keywords": int((y != UNKNOWN).sum()),
              "unknown": int((y == UNKNOWN).sum()), "seed": a.seed,
              "per_engine": {e: int(sum(1 for k in keep if jobs[k]["engine"] == e)) for e in ENGINE_SHARE},
              "per_word": {w: int((y == c).sum()) for c, w in enumerate(WORDS)}}
    out.with_suffix(".json").write_text(json.dumps(counts, indent=1) + "\n")
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
