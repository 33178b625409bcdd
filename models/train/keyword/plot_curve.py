#!/usr/bin/python3
"""Draws the keyword detection curve (an SVG, no plotting library needed): hit rate on the test stream against false
alarms per hour as one on threshold for every word moves (score.py's "curve"), float and fixed point, for the
Skip-GRU and the plain GRU, each model's shipped rule (thresholds per word) marked.

    /usr/bin/python3 models/train/keyword/plot_curve.py --model models/keyword --model models/keyword/gru \
        --out models/keyword/detection_curve.svg
Reads MODEL/stream_metrics.json (score.py --out, with --fixed-trace so the fixed curve is there).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

W, H, L, R, T, B = 720, 440, 70, 170, 30, 55
X_MIN, X_MAX = 0.5, 500.0      # false alarms per hour, log scale; 0 is drawn at X_MIN
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def x_of(fa: float) -> float:
    v = min(max(fa, X_MIN), X_MAX)
    return L + (W - L - R) * (math.log10(v) - math.log10(X_MIN)) / (math.log10(X_MAX) - math.log10(X_MIN))


def y_of(hit: float, lo: float) -> float:
    return T + (H - T - B) * (1 - (hit - lo) / (1 - lo))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", action="append", required=True, help="model folder with stream_metrics.json (repeatable)")
    p.add_argument("--label", action="append", help="legend name per --model (default: the folder name)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    series, marks = [], []
    for i, d in enumerate(a.model):
        m = json.loads((Path(d) / "stream_metrics.json").read_text())
        name = a.label[i] if a.label and i < len(a.label) else Path(d).name
        for kind, dash in (("float", "6,4"), ("fixed", "")):
            if kind in m.get("curve", {}):
                series.append((f"{name} {kind}", COLORS[i % len(COLORS)], dash,
                               [(c["false_alarms_per_hour"], c["hit_rate"]) for c in m["curve"][kind]]))
        for kind in ("device_listen", "fixed", "float"):
            if kind in m:
                marks.append((f"{name} shipped rule ({kind.replace('_', ' ')})", COLORS[i % len(COLORS)],
                              m[kind]["false_alarms_per_hour"], m[kind]["hit_rate"]))
                break
    if not series:
        print("error: no curve in the given stream_metrics.json files", file=sys.stderr)
        return 2
    lo = math.floor(10 * min(h for _, _, _, pts in series for _, h in pts)) / 10
    lo = max(0.0, min(lo, 0.7))
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>']
    for fa in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        x = x_of(fa)
        o.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#ddd"/>')
        o.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{"≤0.5" if fa == 0.5 else f"{fa:g}"}</text>')
    k = lo
    while k <= 1.0001:
        y = y_of(k, lo)
        o.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{100 * k:.0f} %</text>')
        k += 0.05
    o.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="black"/>')
    o.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">false alarms per hour (test stream, log scale)</text>')
    o.append(f'<text transform="translate(16,{(T + H - B) / 2}) rotate(-90)" text-anchor="middle">keywords hit</text>')
    o.append(f'<text x="{L}" y="{T - 10}">Keyword detection on the test stream: one on threshold for every word moves</text>')
    for n, (label, color, dash, pts) in enumerate(series):
        pts = sorted(pts)
        path = " ".join(f"{x_of(fa):.1f},{y_of(max(h, lo), lo):.1f}" for fa, h in pts)
        o.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"'
                 + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        ly = T + 14 + 18 * n
        o.append(f'<line x1="{W - R + 10}" y1="{ly - 4}" x2="{W - R + 34}" y2="{ly - 4}" stroke="{color}" stroke-width="2"'
                 + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        o.append(f'<text x="{W - R + 38}" y="{ly}">{label}</text>')
    for n, (label, color, fa, h) in enumerate(marks):
        x, y = x_of(fa), y_of(max(h, lo), lo)
        o.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{color}" stroke="black"/>')
        ly = T + 14 + 18 * (len(series) + n)
        o.append(f'<circle cx="{W - R + 22}" cy="{ly - 4}" r="5" fill="{color}" stroke="black"/>')
        o.append(f'<text x="{W - R + 38}" y="{ly}" font-size="10">{label}</text>')
    o.append("</svg>")
    Path(a.out).write_text("\n".join(o) + "\n")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
