#!/usr/bin/python3
"""Writes tests/fixtures/audio/logmel_reference.txt: a fixed 0.5 s input (digital silence, a 1 kHz tone with
noise, a full-scale square wave, 1-LSB noise, a chirp) and features.py's float64 results for it, which the C#
float reference (src/SkipRnn.Edge.Host/Audio/FloatLogMel.cs) must reproduce to 1e-9. Rebuild:
    /usr/bin/python3 models/train/keyword/write_fixture.py
Format: lines "name count" followed by count values, one per line ("%.17g")."""
import sys
from pathlib import Path

import numpy as np

import features as F

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "tests" / "fixtures" / "audio" / "logmel_reference.txt"


def signal() -> np.ndarray:
    rng = np.random.default_rng(20261203)
    n = np.arange(1600)
    parts = [
        np.zeros(1600),                                                        # digital silence
        10000 * np.sin(2 * np.pi * 1000 * n / 16000) + rng.normal(0, 300, 1600),   # tone + noise
        np.where((n // 8) % 2 == 0, 32767, -32768),                            # full-scale square, 1 kHz
        rng.integers(-1, 2, 1600),                                             # 1-LSB noise
        20000 * np.sin(2 * np.pi * (100 + 3000 * n / 1600) * n / 16000),       # chirp 100 Hz → 6 kHz
    ]
    x = np.concatenate(parts)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def main():
    pcm = signal()
    feats = F.clip_features(pcm)
    t = 7  # a frame inside the tone
    frame = pcm[F.HOP_LENGTH * t:F.HOP_LENGTH * t + F.FRAME_LENGTH]
    blocks = [("pcm", pcm.astype(np.int64)), ("features", feats.ravel()),
              ("power_frame7", F.power_spectrum(frame)), ("mel_frame7", F.mel_energies(frame))]
    lines = []
    for name, v in blocks:
        lines.append(f"{name} {len(v)}\n")
        lines.extend(f"{int(x)}\n" if name == "pcm" else f"{float(x):.17g}\n" for x in v)
    text = "".join(lines)
    if "--check" in sys.argv:
        # The committed fixture against features.py now: the same input, features within 1e-12 (numpy/BLAS may
        # differ in the last bits between machines, so the text itself is not compared).
        old = OUT.read_text().split("\n") if OUT.exists() else []
        new = text.split("\n")
        ok = len(old) == len(new) and all(a == b or abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
                                          for a, b in zip(old, new) if a and " " not in a)
        ok = ok and [a for a in old if " " in a] == [b for b in new if " " in b]
        print(f"keyword: {OUT.relative_to(ROOT)} matches features.py: " + ("ok" if ok else
              "FAIL (the feature definition drifted, or rerun /usr/bin/python3 models/train/keyword/write_fixture.py)"))
        return 0 if ok else 1
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(pcm)} samples, {feats.shape[0]} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
