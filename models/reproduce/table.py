#!/usr/bin/python3
"""Convert and evaluate every trained run of runs.tsv with the skiprnn tool, then write the
reproduction table.

    /usr/bin/python3 models/reproduce/table.py RUNS_DIR [--readme models/README.md]

For each RUNS_DIR/<name>/seed<k>/ that train_all.sh finished: `skiprnn convert` (int8
weights; if the converter refuses because decisions or classes disagree with the float
model, once more with the recurrent matrix in int16, and the table says so), then
`skiprnn eval` of the float weights and the model file on the run's test.npz. The float
metric, fixed-point metric and updates come from eval's JSON, so the table shows what the
device runtime computes. Writes RUNS_DIR/results.json (one record per run) and replaces the
block between the TABLE markers of --readme.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CONVERTER = REPO / "src" / "SkipRnn.Converter"
BEGIN, END = "<!-- TABLE:BEGIN (models/reproduce/table.py) -->", "<!-- TABLE:END -->"

# The paper's numbers (Campos et al. 2018, Tables 1 and 2; ../shared/reference/skip-rnn.md).
PAPER = {
    "adding-gru": "solved, 100 % updates",
    "adding-lam0": "solved, 97.9 ± 3.2 %",
    "adding-lam1e-5": "solved, 50.7 ± 2.6 %",
    "frequency-lam0": ">99 %, 73.7 ± 17.9",
    "frequency-lam1e-5": ">99 %, 51.9 ± 10.2",
    "frequency-lam1e-4": ">99 %, 23.5 ± 6.2",
}
INT16_FALLBACK = "layer[0].w_hh"


def read_runs() -> list[tuple[str, list[int], str]]:
    runs = []
    for line in (HERE / "runs.tsv").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _queue, seeds, args = line.split(None, 3)
        runs.append((name, [int(s) for s in seeds.split(",")], args))
    return runs


def skiprnn(dll: Path, *args: str) -> tuple[int, dict | None, str]:
    p = subprocess.run(["dotnet", str(dll), *args, "--json"], capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except json.JSONDecodeError:
        return p.returncode, None, p.stdout + p.stderr


def convert_and_eval(dll: Path, run: Path) -> dict:
    """skiprnn convert at int8; if it refuses (float and fixed point disagree beyond its 99 % floors),
    with the recurrent matrix in int16; if that is refused too, the same conversion with the floors
    off, so the table still shows what the device would compute (marked as below the floor)."""
    weights, model = run / "model.safetensors", run / "model.skrn"
    base = ["convert", str(weights), "-c", str(run / "calibration.npz"), "-o", str(model)]
    attempts = [("int8", []), (f"int8, {INT16_FALLBACK} int16", ["--int16", INT16_FALLBACK]),
                (f"int8, {INT16_FALLBACK} int16, below the converter's floor",
                 ["--int16", INT16_FALLBACK, "--min-decision-agreement", "0", "--min-argmax-agreement", "0"])]
    for precision, extra in attempts:
        rc, _, err = skiprnn(dll, *base, *extra)
        if rc != 1:  # 1 = verification below the floors; anything else is final
            break
    if rc != 0:
        raise SystemExit(f"{run}: skiprnn convert failed ({rc}): {err[-400:]}")
    rc, ev, err = skiprnn(dll, "eval", str(weights), str(model), str(run / "test.npz"))
    if rc != 0 or ev is None:
        raise SystemExit(f"{run}: skiprnn eval failed ({rc}): {err[-400:]}")
    return {"precision": precision, "model_bytes": model.stat().st_size, "eval": ev}


def metric(ev: dict, which: str) -> float:
    """Accuracy (%) for classification, MSE / target variance (%) for regression."""
    if ev["Task"] == "Classification":
        return 100.0 * ev[f"{which}Accuracy"]
    return 100.0 * ev[f"{which}MseOverVariance"]


def mean_std(xs: list[float]) -> str:
    if not xs:
        return "—"
    m = statistics.fmean(xs)
    s = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{m:.2f} ± {s:.2f}"


def render(rows: list[dict]) -> str:
    out = ["| task | model | λ | iterations | seeds | float metric | fixed-point metric | "
           "max \\|float − fixed\\| | updates / sequence (float) | updates (fixed) | "
           "decisions float = fixed (min) | device weights | solved (float · fixed) | paper |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(" | ".join([
            "", r["task"], r["model"], r["lam"], r["iterations"], str(r["seeds"]),
            r["float"], r["fixed"], r["gap"], r["updates"], r["updates_fixed"], r["agreement"], r["precision"],
            r["floor"], PAPER.get(r["name"], "—"), ""]).strip())
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs_dir", type=Path)
    ap.add_argument("--readme", type=Path, default=REPO / "models" / "README.md")
    a = ap.parse_args(argv)

    subprocess.run(["dotnet", "build", str(CONVERTER), "-c", "Release", "-v", "q", "-nologo"], check=True)
    dll = CONVERTER / "bin" / "Release" / "net10.0" / "SkipRnn.Converter.dll"

    records, rows = [], []
    for name, seeds, args in read_runs():
        per_seed = []
        for seed in seeds:
            run = a.runs_dir / name / f"seed{seed}"
            if not (run / "metrics.json").exists():
                print(f"{name} seed {seed}: not trained yet, left out", file=sys.stderr)
                continue
            trained = json.loads((run / "metrics.json").read_text())
            rec = {"run": name, "seed": seed, "args": args, "iterations": trained["iterations"],
                   "train_test_metrics": trained["test"], **convert_and_eval(dll, run)}
            records.append(rec)
            per_seed.append(rec)
            print(f"{name} seed {seed}: {rec['precision']}", file=sys.stderr)
        if not per_seed:
            continue
        evs = [r["eval"] for r in per_seed if "eval" in r]
        task = "frequency" if name.startswith("frequency") else name.split("-")[0]
        steps = evs[0]["StepsPerSequence"] if evs else 0
        regression = bool(evs) and evs[0]["Task"] != "Classification"
        unit = "MSE/var %" if regression else "accuracy %"
        gaps = [abs(metric(e, "Float") - metric(e, "Fixed")) for e in evs]
        # "solved": the task's metric floor (MSE <= 1 % of the target variance; accuracy >= 99 %)
        solved = (lambda v: v <= 1.0) if regression else (lambda v: v >= 99.0)
        solved_f = sum(solved(metric(e, "Float")) for e in evs)
        solved_q = sum(solved(metric(e, "Fixed")) for e in evs)
        its = sorted({r["iterations"] for r in per_seed})
        rows.append({
            "name": name, "task": f"{task} ({steps} steps)",
            "model": "GRU" if "--plain-gru" in args else "Skip GRU",
            "lam": "—" if "--plain-gru" in args else args.split("--lam ")[1].split()[0],
            "iterations": f"{its[0]:,}" if len(its) == 1 else f"{its[0]:,}–{its[-1]:,}",
            "seeds": len(per_seed),
            "float": f"{mean_std([metric(e, 'Float') for e in evs])} {unit}",
            "fixed": f"{mean_std([metric(e, 'Fixed') for e in evs])} {unit}",
            "gap": f"{max(gaps):.2f} pt" if gaps else "—",
            "updates": f"{mean_std([e['FloatUpdatesMean'] for e in evs])} / {steps} "
                       f"({100 * statistics.fmean(e['FloatUpdatesMean'] for e in evs) / steps:.1f} %)",
            "updates_fixed": f"{mean_std([e['FixedUpdatesMean'] for e in evs])} / {steps}",
            "agreement": f"{100 * min(e['DecisionAgreement'] for e in evs):.2f} %",
            "precision": "; ".join(f"{n}× {p}" for p, n in sorted(
                {p: sum(r["precision"] == p for r in per_seed) for p in {r["precision"] for r in per_seed}}.items())),
            "floor": f"{solved_f}/{len(evs)} · {solved_q}/{len(evs)}",
        })

    (a.runs_dir / "results.json").write_text(json.dumps(records, indent=1) + "\n")
    # by task, then GRU, then Skip GRU by increasing λ
    rows.sort(key=lambda r: (r["task"], r["model"] != "GRU", float(r["lam"]) if r["lam"] != "—" else -1.0))
    table = render(rows)
    print(table)
    text = a.readme.read_text() if a.readme.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{a.readme}: no {BEGIN} … {END} block to replace")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    tmp = a.readme.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    tmp.replace(a.readme)
    print(f"wrote {a.runs_dir / 'results.json'} and the table in {a.readme}", file=sys.stderr)


if __name__ == "__main__":
    main()
