"""The keyword model's audio features: the float64 reference of the device's integer front end
(src/SkipRnn.Edge.Audio/, defined in docs/audio-front-end.md). The model is trained on
these features; the device computes the same pipeline in integers, and tests bound the difference per stage.

Pipeline (fixed: a trained model depends on every number here):
    PCM16 mono, 16 kHz; samples scaled to x = pcm / 32768 (so full scale is [-1, 1))
    frame      480 samples (30 ms), hop 320 (20 ms); frame t covers samples [320 t, 320 t + 480)
    window     periodic Hann, w[n] = 0.5 - 0.5 cos(2 pi n / 480)
    FFT        512-point real DFT of the windowed frame zero-padded to 512; power |X[k]|^2, k = 0..256
    mel        40 triangular bands, HTK mel scale mel(f) = 2595 log10(1 + f / 700), band edges equally
               spaced in mel from 20 Hz to 8000 Hz (42 points); band m rises linearly in Hz from edge m to
               peak 1 at edge m+1 and falls to 0 at edge m+2; bin k sits at f = 16000 k / 512 Hz
    log        natural log of (band energy + 1e-6)
    int16      the device's output format is Q10: round(1024 * log value). By construction the log value lies in
               [ln(1e-6), ln(92160 + 1e-6)] = [-13.82, 11.43] (Parseval bounds a band's energy by
               512 * sum(w^2) = 512 * 180), so Q10 never clips: [-14147, 11707].
A clip of n samples has 1 + (n - 480) // 320 frames (none if n < 480); no padding: a frame needs its
whole window. A 1 s clip (16000 samples) has 49 frames.

Public, stable: SAMPLE_RATE, FRAME_LENGTH, HOP_LENGTH, FFT_SIZE, NUM_BINS, NUM_MEL, MEL_LOW_HZ,
MEL_HIGH_HZ, LOG_FLOOR, FEATURE_Q, hann_window(), mel_filterbank(), frame_count(n), frame_features(frame),
clip_features(pcm), quantize(features), front_end_sidecar() (the sidecar's "front_end" object), and the stage functions windowed(), power_spectrum(),
mel_energies() used by the per-stage error tests.
"""
from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000
FRAME_LENGTH = 480
HOP_LENGTH = 320
FFT_SIZE = 512
NUM_BINS = FFT_SIZE // 2 + 1  # 257
NUM_MEL = 40
MEL_LOW_HZ = 20.0
MEL_HIGH_HZ = 8000.0
LOG_FLOOR = 1e-6
FEATURE_Q = 10  # int16 features are round(2**FEATURE_Q * ln(energy + LOG_FLOOR))
PCM_SCALE = 32768.0


def hann_window() -> np.ndarray:
    """Periodic Hann window of FRAME_LENGTH points (float64)."""
    n = np.arange(FRAME_LENGTH, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / FRAME_LENGTH)


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_band_edges_hz() -> np.ndarray:
    """NUM_MEL + 2 band edges in Hz, equally spaced on the HTK mel scale from MEL_LOW_HZ to MEL_HIGH_HZ."""
    return mel_to_hz(np.linspace(hz_to_mel(MEL_LOW_HZ), hz_to_mel(MEL_HIGH_HZ), NUM_MEL + 2))


def mel_filterbank() -> np.ndarray:
    """(NUM_MEL, NUM_BINS) triangular weights in [0, 1], evaluated at the bin frequencies (peak 1 at the centre edge)."""
    edges = mel_band_edges_hz()
    f = np.arange(NUM_BINS, dtype=np.float64) * SAMPLE_RATE / FFT_SIZE
    w = np.zeros((NUM_MEL, NUM_BINS))
    for m in range(NUM_MEL):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        rise = (f - lo) / (mid - lo)
        fall = (hi - f) / (hi - mid)
        w[m] = np.clip(np.minimum(rise, fall), 0.0, None)
    return w


_WINDOW = hann_window()
_MEL = mel_filterbank()


def _as_samples(pcm) -> np.ndarray:
    a = np.asarray(pcm)
    if a.ndim != 1:
        raise ValueError(f"expected a 1-D array of PCM16 samples, got shape {a.shape}")
    if a.dtype.kind in "iu":
        if a.size and (a.min() < -32768 or a.max() > 32767):
            raise ValueError("PCM16 samples must lie in [-32768, 32767]")
    elif a.dtype.kind != "f":
        raise ValueError(f"expected integer PCM16 samples, got dtype {a.dtype}")
    return a.astype(np.float64) / PCM_SCALE


def frame_count(n: int) -> int:
    """Frames in a clip of n samples: 1 + (n - 480) // 320, or 0 if n < 480."""
    return 0 if n < FRAME_LENGTH else 1 + (n - FRAME_LENGTH) // HOP_LENGTH


def windowed(frame) -> np.ndarray:
    """Stage 1: the frame (480 PCM16 samples) scaled to [-1, 1) and windowed."""
    x = _as_samples(frame)
    if x.shape[0] != FRAME_LENGTH:
        raise ValueError(f"a frame has {FRAME_LENGTH} samples, got {x.shape[0]}")
    return x * _WINDOW


def spectrum(frame) -> np.ndarray:
    """Stage 2: the complex 512-point DFT of the windowed, zero-padded frame, bins 0..256."""
    return np.fft.rfft(windowed(frame), n=FFT_SIZE)


def power_spectrum(frame) -> np.ndarray:
    """Stage 3: |X[k]|^2, k = 0..256."""
    s = spectrum(frame)
    return s.real * s.real + s.imag * s.imag


def mel_energies(frame) -> np.ndarray:
    """Stage 4: the 40 mel band energies."""
    return _MEL @ power_spectrum(frame)


def frame_features(frame) -> np.ndarray:
    """Stage 5: ln(mel energy + LOG_FLOOR) for one frame of 480 PCM16 samples; float64, shape (40,)."""
    return np.log(mel_energies(frame) + LOG_FLOOR)


def clip_features(pcm) -> np.ndarray:
    """Features of a whole clip: (frame_count(len(pcm)), 40) float64 log mel energies."""
    x = _as_samples(pcm)
    t = frame_count(x.shape[0])
    if t == 0:
        return np.zeros((0, NUM_MEL))
    idx = np.arange(FRAME_LENGTH)[None, :] + HOP_LENGTH * np.arange(t)[:, None]
    frames = x[idx] * _WINDOW[None, :]
    s = np.fft.rfft(frames, n=FFT_SIZE, axis=1)
    p = s.real * s.real + s.imag * s.imag
    return np.log(p @ _MEL.T + LOG_FLOOR)


def front_end_sidecar() -> dict:
    """The sidecar's "front_end" object: `skiprnn convert` stores it in the model file (docs/model-format.md), and the
    device refuses a model whose front end differs from the one it computes."""
    return {"version": 1, "kind": "log_mel", "sample_rate": SAMPLE_RATE, "frame_length": FRAME_LENGTH,
            "hop_length": HOP_LENGTH, "fft_size": FFT_SIZE, "bands": NUM_MEL, "low_hz": int(MEL_LOW_HZ),
            "high_hz": int(MEL_HIGH_HZ), "log_floor": LOG_FLOOR, "feature_frac_bits": FEATURE_Q}


def quantize(features) -> np.ndarray:
    """The device's int16 output format: round(1024 * feature) (Q10), round half away from zero."""
    q = np.asarray(features, dtype=np.float64) * (1 << FEATURE_Q)
    q = np.sign(q) * np.floor(np.abs(q) + 0.5)
    return np.clip(q, -32768, 32767).astype(np.int16)


if __name__ == "__main__":
    # Self-check: the batched clip path equals the per-frame path, and the bounds stated above hold.
    rng = np.random.default_rng(0)
    pcm = rng.integers(-32768, 32768, size=16000).astype(np.int16)
    f = clip_features(pcm)
    assert f.shape == (49, NUM_MEL), f.shape
    g = np.stack([frame_features(pcm[HOP_LENGTH * t:HOP_LENGTH * t + FRAME_LENGTH]) for t in range(49)])
    assert np.max(np.abs(f - g)) < 1e-9
    assert abs(np.sum(_WINDOW ** 2) - 180.0) < 1e-9
    assert frame_count(479) == 0 and frame_count(480) == 1 and frame_count(16000) == 49
    sq = np.full(FRAME_LENGTH, -32768, dtype=np.int32)
    assert np.all(frame_features(sq) <= np.log(92160 + LOG_FLOOR))
    print("keyword: features.py self-check (per-frame = batched, frame counts, stated bounds): ok")
