#!/usr/bin/python3
"""Speech Commands v0.02 test set + background noise -> split-by-speaker int16 PCM for the keyword model.

Sources (both CC BY 4.0, Warden 2018, "Speech Commands: A Dataset for Limited-Vocabulary Speech Recognition"):
  * the Speech Commands v0.02 *test* set (4,890 one-second wavs, 16 kHz mono 16-bit: ten words, `_silence_`,
    `_unknown_`), copied in the public repository thegtagamer/PICO-tinyML-benchmark at commit c66f6b0,
    folder MLTK_keyworkSpotting/dataset/;
  * the Speech Commands background-noise recordings (doing_the_dishes, dude_miaowing, exercise_bike,
    pink_noise, running_tap, white_noise), copied in chaeyoung-lee/wids_tutorial at commit 7d028e7,
    folder data/_background_noise_/.

More clips (optional, issue 24), CC BY 4.0 as well:
  * --more-words: the full Speech Commands v0.02 yes/no/up/down folders (15,625 clips), copied in the public
    repository Feevicun/audio-classifier-project at commit 09ddbb8, folder data/SpeechCommands/speech_commands_v0.02/;
  * --more-unknown: Speech Commands v0.01 bed/cat/happy (5,188 clips), copied in manashmandal/DeadSimpleSpeechRecognizer
    at commit 881b36a, folder data/ (labelled unknown).
  Their clips go through the same speaker split; a clip already in --speech (same folder/file) is not taken twice;
  a clip whose speaker falls in the test split (or is any speaker of the --speech test split) is dropped: the test
  split stays exactly the canonical test set's test speakers. Clips shorter than 1 s are zero-padded at the end.
Reserved speakers (--reserved, default ../shared/reference/reserved-speakers.txt from the repository root): every
clip of those speakers is dropped from every split, and the counts are printed.

Classes: 0..9 = yes no up down left right on off stop go, 10 = silence, 11 = unknown.

Speaker: the hash prefix of the file name (`<word>/<hash>_nohash_<n>.wav`, `_unknown_/<word>_<hash>_nohash_<n>.wav.wav`).
`_silence_/<n>.wav` clips have no speaker; each is its own group ("silence:<n>").
Split (fixed, never tuned on results): sha256 of the group id, first 4 bytes as an integer mod 100:
0..59 train, 60..71 validation, 72..99 test. A speaker is in exactly one split (checked).
Noise: every recording's first 70 % is for training augmentation (`noise_train`), the last 30 % is held out for
the continuous test stream (`noise_heldout`), so the stream's noise is never heard in training.

Rebuild (full split files in --out, not committed; the shipped slice with --ship):
    git clone https://github.com/thegtagamer/PICO-tinyML-benchmark /tmp/pico && git -C /tmp/pico checkout c66f6b0
    git clone https://github.com/chaeyoung-lee/wids_tutorial /tmp/wids && git -C /tmp/wids checkout 7d028e7
    /usr/bin/python3 models/train/keyword/prepare.py --speech /tmp/pico/MLTK_keyworkSpotting/dataset \
        --noise /tmp/wids/data/_background_noise_ --out /tmp/kws --ship models/keyword/data
Files in --out: kws_{train,valid,test}.npz (pcm int16 [N, 16000], y int8 [N], speaker <U [N], path <U [N]) and
noise.npz (train_pcm int16, train_offsets int64 [R+1], heldout_pcm int16, heldout_offsets int64 [R+1], names <U [R]).
Shipped (--ship DIR): speech_commands_test.npz (the test split; each clip's int16 samples stored as the first
difference modulo 2^16, split into a high-byte plane `pcm_delta_hi` int8 and a low-byte plane `pcm_delta_lo` uint8:
lossless, and deflate shrinks it to 0.59 of raw instead of 0.71 for raw int16; decode with load_clips) and
noise_heldout.npz.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import struct
import sys
from pathlib import Path

import numpy as np

WORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
CLASS_NAMES = WORDS + ["silence", "unknown"]
SILENCE, UNKNOWN = 10, 11
SAMPLE_RATE = 16000
CLIP = 16000
NOISE_NAMES = ["doing_the_dishes", "dude_miaowing", "exercise_bike", "pink_noise", "running_tap", "white_noise"]
NOISE_TRAIN_SHARE = 0.7
SPLIT_BOUNDS = {"train": (0, 60), "valid": (60, 72), "test": (72, 100)}
MIN_TEST_CLIPS = 1000
_WORD_RE = re.compile(r"^([0-9a-f]{8})_nohash_(\d+)\.wav$")
_UNKNOWN_RE = re.compile(r"^([a-z]+)_([0-9a-f]{8})_nohash_(\d+)\.wav\.wav$")
_SILENCE_RE = re.compile(r"^(\d+)\.wav$")


class DataError(ValueError):
    """Bad or unexpected input; the message names the file."""


def read_wav(path: Path, data: bytes | None = None) -> np.ndarray:
    """A RIFF/WAVE file holding 16-bit PCM, mono, 16 kHz -> int16 samples. Anything else is a DataError naming
    the file and the problem (no silent resampling or channel mixing)."""
    if data is None:
        if not path.is_file():
            raise DataError(f"{path}: missing file")
        data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise DataError(f"{path}: not a RIFF/WAVE file")
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + size]
        if len(body) < size:
            raise DataError(f"{path}: truncated '{cid.decode('latin-1')}' chunk ({len(body)} of {size} bytes)")
        if cid == b"fmt ":
            if size < 16:
                raise DataError(f"{path}: fmt chunk too short ({size} bytes)")
            fmt = struct.unpack_from("<HHIIHH", body)
        elif cid == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    if fmt is None or pcm is None:
        raise DataError(f"{path}: no {'fmt' if fmt is None else 'data'} chunk")
    tag, channels, rate, _, _, bits = fmt
    if tag not in (1, 0xFFFE):
        raise DataError(f"{path}: not PCM (format tag {tag})")
    if channels != 1:
        raise DataError(f"{path}: {channels} channels, expected mono")
    if bits != 16:
        raise DataError(f"{path}: {bits}-bit samples, expected 16-bit")
    if rate != SAMPLE_RATE:
        raise DataError(f"{path}: sample rate {rate} Hz, expected {SAMPLE_RATE}")
    if len(pcm) % 2:
        raise DataError(f"{path}: odd number of data bytes ({len(pcm)})")
    if not pcm:
        raise DataError(f"{path}: no samples")
    return np.frombuffer(pcm, dtype="<i2").astype(np.int16)


def group_of(folder: str, name: str) -> tuple[str, int]:
    """(speaker or silence group, class) of one file of the dataset folder."""
    if folder == "_silence_":
        m = _SILENCE_RE.match(name)
        if not m:
            raise DataError(f"{folder}/{name}: unexpected silence file name")
        return f"silence:{m.group(1)}", SILENCE
    if folder == "_unknown_":
        m = _UNKNOWN_RE.match(name)
        if not m:
            raise DataError(f"{folder}/{name}: unexpected unknown-word file name")
        return m.group(2), UNKNOWN
    if folder in WORDS:
        m = _WORD_RE.match(name)
        if not m:
            raise DataError(f"{folder}/{name}: unexpected file name")
        return m.group(1), WORDS.index(folder)
    raise DataError(f"{folder}: unexpected folder")


def split_of(group: str) -> str:
    v = int.from_bytes(hashlib.sha256(group.encode()).digest()[:4], "big") % 100
    for name, (lo, hi) in SPLIT_BOUNDS.items():
        if lo <= v < hi:
            return name
    raise AssertionError(v)


def read_reserved(path: Path) -> set[str]:
    """Speaker hashes reserved for external evaluation (one per line, '#' comments)."""
    if not path.is_file():
        raise DataError(f"{path}: missing reserved-speakers file")
    out = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            if not re.fullmatch(r"[0-9a-f]{8}", line):
                raise DataError(f"{path}: '{line}' is not a speaker hash")
            out.add(line)
    return out


def _clip(f: Path) -> np.ndarray:
    pcm = read_wav(f)
    if len(pcm) > CLIP:
        raise DataError(f"{f}: {len(pcm)} samples, expected at most {CLIP}")
    clip = np.zeros(CLIP, np.int16)
    clip[:len(pcm)] = pcm
    return clip


def read_speech(root: Path, reserved: set[str] = frozenset(), more_words: Path | None = None,
                more_unknown: Path | None = None, counts: dict | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Every clip of the dataset folder (and of the optional extra folders), split by speaker, reserved speakers
    dropped. Clips shorter than 1 s are zero-padded at the end (none in c66f6b0), longer ones are an error.
    `counts` (if given) receives per source: clips taken per split, dropped as reserved, dropped as test speakers,
    duplicates."""
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    counts = {} if counts is None else counts
    rows = {k: [] for k in SPLIT_BOUNDS}
    seen_paths = set()
    c0 = counts.setdefault("speech_commands_v0.02_test_set", {"reserved_dropped": 0, **{k: 0 for k in SPLIT_BOUNDS}})
    for folder in WORDS + ["_silence_", "_unknown_"]:
        d = root / folder
        if not d.is_dir():
            raise DataError(f"{d}: missing folder")
        for f in sorted(d.iterdir()):
            if not f.name.endswith(".wav"):
                continue
            group, cls = group_of(folder, f.name)
            clip = _clip(f)
            if group in reserved:
                c0["reserved_dropped"] += 1
                continue
            k = split_of(group)
            c0[k] += 1
            rows[k].append((clip, cls, group, f"{folder}/{f.name}"))
            name = f.name[:-4] if folder == "_unknown_" else f"{folder}/{f.name}"   # unknown: word_hash_nohash_n.wav
            seen_paths.add(name.replace("_", "/", 1) if folder == "_unknown_" else name)
    test_speakers = {g for _, _, g, _ in rows["test"]}
    extra = []
    if more_words is not None:
        extra.append(("speech_commands_v0.02_yes_no_up_down", more_words, ["yes", "no", "up", "down"], None))
    if more_unknown is not None:
        extra.append(("speech_commands_v0.01_bed_cat_happy", more_unknown, ["bed", "cat", "happy"], UNKNOWN))
    for source, base, folders, label in extra:
        c = counts.setdefault(source, {"reserved_dropped": 0, "test_speaker_dropped": 0, "duplicate": 0,
                                       **{k: 0 for k in ("train", "valid")}})
        if not base.is_dir():
            raise DataError(f"{base}: not a folder")
        for folder in folders:
            d = base / folder
            if not d.is_dir():
                raise DataError(f"{d}: missing folder")
            for f in sorted(d.iterdir()):
                if not f.name.endswith(".wav"):
                    continue
                m = _WORD_RE.match(f.name)
                if not m:
                    raise DataError(f"{f}: unexpected file name")
                group = m.group(1)
                if group in reserved:
                    c["reserved_dropped"] += 1
                    continue
                k = split_of(group)
                if k == "test" or group in test_speakers:
                    c["test_speaker_dropped"] += 1
                    continue
                if f"{folder}/{f.name}" in seen_paths:
                    c["duplicate"] += 1
                    continue
                clip = _clip(f)
                c[k] += 1
                rows[k].append((clip, WORDS.index(folder) if label is None else label, group,
                                f"{source}:{folder}/{f.name}"))
    out = {}
    for k, r in rows.items():
        if not r:
            raise DataError(f"{root}: no clips in the {k} split")
        out[k] = {"pcm": np.stack([c for c, _, _, _ in r]), "y": np.array([y for _, y, _, _ in r], np.int8),
                  "speaker": np.array([g for _, _, g, _ in r]), "path": np.array([n for _, _, _, n in r])}
    seen = {}
    for k, s in out.items():
        for g in set(s["speaker"].tolist()):
            if g in seen:
                raise AssertionError(f"speaker {g} in {seen[g]} and {k}")
            seen[g] = k
    return out


def read_noise(root: Path) -> dict[str, np.ndarray]:
    if not root.is_dir():
        raise DataError(f"{root}: not a folder")
    tr, ho = [], []
    for n in NOISE_NAMES:
        pcm = read_wav(root / f"{n}.wav")
        cut = int(len(pcm) * NOISE_TRAIN_SHARE)
        tr.append(pcm[:cut])
        ho.append(pcm[cut:])
    off = lambda parts: np.cumsum([0] + [len(p) for p in parts]).astype(np.int64)  # noqa: E731
    return {"train_pcm": np.concatenate(tr), "train_offsets": off(tr), "heldout_pcm": np.concatenate(ho),
            "heldout_offsets": off(ho), "names": np.array(NOISE_NAMES)}


def delta_encode(pcm: np.ndarray) -> np.ndarray:
    """First difference along the last axis, modulo 2^16 (int16 wrap-around): lossless."""
    p = pcm.astype(np.int16)
    d = p.copy()
    d[..., 1:] = (p[..., 1:].astype(np.int32) - p[..., :-1].astype(np.int32)).astype(np.int16)
    return d


def delta_decode(d: np.ndarray) -> np.ndarray:
    return np.cumsum(d.astype(np.int64), axis=-1).astype(np.int16)   # low 16 bits of the running sum


def load_clips(path: str | Path) -> dict[str, np.ndarray]:
    """A split file (pcm) or the shipped test slice (byte planes of the first difference) -> {pcm int16 [N, 16000],
    y, speaker, path}."""
    with np.load(path) as z:
        out = {k: z[k] for k in z.files}
    if "pcm_delta_hi" in out:
        hi, lo = out.pop("pcm_delta_hi"), out.pop("pcm_delta_lo")
        out["pcm"] = delta_decode(((hi.astype(np.int32) << 8) | lo.astype(np.int32)).astype(np.int16))
    return out


def load_noise(path: str | Path, part: str = "heldout") -> list[np.ndarray]:
    """noise.npz or the shipped noise_heldout.npz -> one int16 array per recording."""
    with np.load(path) as z:
        pcm, off = z[f"{part}_pcm"], z[f"{part}_offsets"]
    return [pcm[off[i]:off[i + 1]] for i in range(len(off) - 1)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--speech", required=True, help="the dataset folder (yes/, no/, ..., _silence_/, _unknown_/)")
    p.add_argument("--noise", required=True, help="the _background_noise_ folder")
    p.add_argument("--out", required=True, help="folder for the full split files")
    p.add_argument("--ship", help="folder for the committed slice (test split + held-out noise)")
    p.add_argument("--more-words", help="full Speech Commands v0.02 folder holding yes/ no/ up/ down/ (extra positives)")
    p.add_argument("--more-unknown", help="Speech Commands v0.01 folder holding bed/ cat/ happy/ (extra negatives)")
    p.add_argument("--reserved", default=str(Path(__file__).resolve().parents[3].parent / "shared/reference/reserved-speakers.txt"),
                   help="speakers dropped from every split (default: ../shared/reference/reserved-speakers.txt)")
    p.add_argument("--min-test", type=int, default=MIN_TEST_CLIPS, help="fail if the test split is smaller")
    a = p.parse_args(argv)
    try:
        sources = {}
        splits = read_speech(Path(a.speech), read_reserved(Path(a.reserved)),
                             Path(a.more_words) if a.more_words else None,
                             Path(a.more_unknown) if a.more_unknown else None, sources)
        noise = read_noise(Path(a.noise))
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if len(splits["test"]["y"]) < a.min_test:
        print(f"error: only {len(splits['test']['y'])} test clips, need {a.min_test}", file=sys.stderr)
        return 1
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for k, s in splits.items():
        np.savez(out / f"kws_{k}.npz", **s)
        counts = np.bincount(s["y"], minlength=len(CLASS_NAMES)).tolist()
        print(f"{k}: {len(s['y'])} clips, {len(set(s['speaker'].tolist()))} speakers/groups, per class {counts}")
    np.savez(out / "noise.npz", **noise)
    for src, c in sources.items():
        print(f"source {src}: " + ", ".join(f"{k} {v}" for k, v in c.items()))
    (out / "counts.json").write_text(__import__("json").dumps(sources, indent=2) + "\n")
    print(f"noise: {len(noise['train_pcm']) / SAMPLE_RATE:.1f} s train, "
          f"{len(noise['heldout_pcm']) / SAMPLE_RATE:.1f} s held out")
    if a.ship:
        ship = Path(a.ship)
        ship.mkdir(parents=True, exist_ok=True)
        t = splits["test"]
        d = delta_encode(t["pcm"])
        np.savez_compressed(ship / "speech_commands_test.npz", pcm_delta_hi=(d >> 8).astype(np.int8),
                            pcm_delta_lo=(d & 0xFF).astype(np.uint8), y=t["y"],
                            speaker=t["speaker"], path=t["path"], class_names=np.array(CLASS_NAMES))
        np.savez_compressed(ship / "noise_heldout.npz", heldout_pcm=noise["heldout_pcm"],
                            heldout_offsets=noise["heldout_offsets"], names=noise["names"])
        for f in ("speech_commands_test.npz", "noise_heldout.npz"):
            print(f"shipped {ship / f}: {(ship / f).stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
