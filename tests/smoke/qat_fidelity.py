#!/usr/bin/python3
"""Does the recipe's quantization-aware forward pass (--qat) compute what the integer runtime computes?

For each fixture model (both GRU variants, 1 and 2 layers) and both weight widths: run the float model
and the QAT simulation in PyTorch on 256 random sequences, convert the same weights with `skiprnn
convert` and measure them with `skiprnn eval`. The simulation's agreement with the float model (update
decisions, predicted classes) and its updates per sequence must match the runtime's within a tolerance.
Prints one "smoke qat-fidelity ...: ok/FAIL" line per case.

    /usr/bin/python3 tests/smoke/qat_fidelity.py SKIPRNN_DLL
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "models" / "train"))
from skiprnn import QatConfig, SkipGRU, save_npz  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
CASES = [("ra1", "reset_after", 1), ("ra2", "reset_after", 2), ("rb1", "reset_before", 1), ("rb2", "reset_before", 2)]
# Agreement rates within 1 point, updates within 2 % of the runtime's (the simulation uses exact
# sigmoid/tanh where the runtime interpolates tables, so they are close, not equal).
MAX_AGREEMENT_GAP, MAX_UPDATES_GAP = 0.01, 0.02


def run(dll, *args):
    p = subprocess.run(["dotnet", dll, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"skiprnn {args[0]} exited {p.returncode}: {p.stderr[-300:]}")
    return p.stdout


def main(dll):
    torch.set_num_threads(1)
    rng = np.random.default_rng(5)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, variant, layers in CASES:
            sidecar = json.loads((FIXTURES / f"{name}.json").read_text())
            model = SkipGRU(3, 8, layers, variant, 4)
            model.load_state_dict(torch.load(FIXTURES / f"{name}.pt"))
            model.eval()
            x = rng.uniform(-1, 1, (256, 60, 3)).astype(np.float32)
            xn = torch.from_numpy(((x - np.array(sidecar["input_mean"])) / np.array(sidecar["input_std"])).astype(np.float32))
            with torch.no_grad():
                out_f, info_f = model(xn)
            data = Path(tmp) / f"{name}.npz"
            save_npz(data, {"x": x, "y": out_f.argmax(1).numpy().astype(np.int64)})
            for bits in (8, 16):
                with torch.no_grad():
                    model.qat = QatConfig(bits, 16, ())
                    out_q, info_q = model(xn)
                    model.qat = None
                skrn = Path(tmp) / f"{name}-{bits}.skrn"
                weights, side = str(FIXTURES / f"{name}.safetensors"), str(FIXTURES / f"{name}.json")
                run(dll, "convert", weights, "--sidecar", side, "-c", str(data), "-o", str(skrn), "--weight-bits", str(bits),
                    "--min-decision-agreement", "0", "--min-argmax-agreement", "0")
                ev = json.loads(run(dll, "eval", weights, str(skrn), str(data), "--sidecar", side, "--json"))
                sim = {"decisions": (info_f["updates"] == info_q["updates"]).float().mean().item(),
                       "classes": (out_q.argmax(1) == out_f.argmax(1)).float().mean().item(),
                       "updates": info_q["updates"].sum(1).mean().item()}
                dev = {"decisions": ev["DecisionAgreement"], "classes": ev["ArgmaxAgreement"], "updates": ev["FixedUpdatesMean"]}
                ok = (abs(sim["decisions"] - dev["decisions"]) <= MAX_AGREEMENT_GAP
                      and abs(sim["classes"] - dev["classes"]) <= MAX_AGREEMENT_GAP
                      and abs(sim["updates"] - dev["updates"]) <= MAX_UPDATES_GAP * dev["updates"])
                failed += not ok
                figures = ", ".join(f"{k} {sim[k]:.4f}/{dev[k]:.4f}" for k in sim)
                print(f"smoke qat-fidelity {name} int{bits}: {'ok' if ok else 'FAIL'} (simulated/runtime: {figures})")
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1]) else 0)
