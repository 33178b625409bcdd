#!/usr/bin/python3
"""Train a Skip-GRU (or the plain-GRU baseline) and export it for SkipRnn Edge.

Examples (run with Debian's python, which has torch):
    /usr/bin/python3 models/train/train.py --task adding --lam 1e-5 --iters 20000 --out /tmp/adding
    /usr/bin/python3 models/train/train.py --task frequency --lam 1e-4 --out /tmp/freq
    /usr/bin/python3 models/train/train.py --task npz --data mydata.npz --out /tmp/mine
    # quantization-aware fine-tuning of a trained model (the integer runtime simulated):
    /usr/bin/python3 models/train/train.py --task frequency --lam 3e-4 --init models/frequency/model.pt \
        --qat --iters 500 --lr 1e-4 --out /tmp/freq_qat

Writes to --out: model.safetensors, model.pt, model.json (sidecar), calibration.npz,
test.npz, metrics.json, train_log.jsonl and checkpoint.pt (for --resume).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skiprnn import QatConfig, SkipGRU, budget_loss, count_parameters, save_npz, save_safetensors  # noqa: E402
from skiprnn.io import sidecar_for, write_sidecar  # noqa: E402
from tasks import AddingTask, FrequencyTask, NpzTask  # noqa: E402

# Fixed seeds for the exported data, independent of --seed, so every model of a task is
# scored on the same test sequences.
TEST_SEED, CALIB_SEED, VALID_SEED = 20180401, 20180402, 20180403


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", choices=["adding", "frequency", "npz"], required=True)
    p.add_argument("--data", help="npz task: training file (x float [N,T,I], y integer labels [N] or "
                                   "float targets; models/train/npz-format.md)")
    p.add_argument("--test-data", help="npz task: separate test file (default: hold out 10%%)")
    p.add_argument("--seq-len", type=int, default=50, help="adding task length (default 50)")
    p.add_argument("--sample-period-ms", type=float, default=1.0,
                   help="frequency task: 1.0 (100 steps) or 0.5 (200 steps)")
    p.add_argument("--variant", choices=["reset_after", "reset_before"], default="reset_after")
    p.add_argument("--hidden", type=int, default=110, help="paper: 110")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--lam", type=float, default=0.0, help="budget loss weight λ (per update)")
    p.add_argument("--plain-gru", action="store_true", help="baseline: never skip (u_t = 1)")
    p.add_argument("--iters", type=int, default=10000)
    p.add_argument("--batch", type=int, default=256, help="paper: 256")
    p.add_argument("--lr", type=float, default=1e-4,
                   help="Adam learning rate; paper 1e-4. 1e-3 converges in far fewer "
                        "iterations on our CPU budget (see models/train/README.md)")
    p.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant",
                   help="cosine: decay from --lr to --lr-min over --iters (computed from the "
                        "iteration number, so it continues correctly after --resume)")
    p.add_argument("--lr-min", type=float, default=1e-5)
    p.add_argument("--clip", type=float, default=1.0, help="global gradient-norm clip (paper 1.0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (machine is shared)")
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--valid-size", type=int, default=512,
                   help="synthetic tasks: validation sequences (the npz task holds out 10%% of its training file)")
    p.add_argument("--test-size", type=int, default=512, help="sequences in test.npz (synthetic)")
    p.add_argument("--calib-size", type=int, default=256, help="sequences in calibration.npz")
    p.add_argument("--stop-at-floor", action="store_true",
                   help="stop once the validation set meets the task's floor "
                        "(adding: MSE <= 1%% of target variance with <= 60%% updates; "
                        "frequency: >= 99%% accuracy with <= 30 updates per 100 ms)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--init", help="start from these weights (a model.pt written by this script, or its "
                                   "checkpoint.pt); the optimizer starts fresh")
    p.add_argument("--qat", action="store_true",
                   help="quantization-aware fine-tuning: the forward pass simulates the integer runtime "
                        "(per-row weights, Q.12 pre-activations, activation tables, Q0.15 states and skip "
                        "probability) with straight-through gradients. Needs --init")
    p.add_argument("--qat-weight-bits", type=int, choices=[8, 16], default=8,
                   help="weight bits simulated by --qat, as skiprnn convert --weight-bits (default 8)")
    p.add_argument("--qat-int16", default="",
                   help="tensors simulated in int16, as skiprnn convert --int16 (e.g. layer[0].w_hh)")
    p.add_argument("--out", required=True, help="output directory")
    a = p.parse_args(argv)
    if a.task == "npz" and not a.data:
        p.error("--task npz needs --data")
    if a.task == "npz" and a.stop_at_floor:
        p.error("--stop-at-floor: the npz task has no floor (only adding and frequency do)")
    if not 1 <= a.layers <= 4:
        p.error("--layers must be 1..4")
    if a.hidden < 1 or a.iters < 0 or a.batch < 1 or a.lr <= 0 or a.lam < 0:
        p.error("--hidden, --batch, --lr must be positive; --iters, --lam non-negative")
    if a.qat and not (a.init or a.resume):
        p.error("--qat fine-tunes a trained model: give --init WEIGHTS (or --resume a --qat run)")
    return a


def load_init(model, path):
    """Weights from a model.pt (state dict) or checkpoint.pt of this script."""
    try:
        sd = torch.load(path)
    except (OSError, RuntimeError) as e:
        raise SystemExit(f"error: --init {path}: {e}") from None
    if isinstance(sd, dict) and "model" in sd and "config" in sd:
        sd = sd["model"]
    try:
        model.load_state_dict(sd)
    except RuntimeError as e:  # names or shapes differ from --hidden/--layers/--variant
        raise SystemExit(f"error: --init {path} does not fit the model: {e}") from None


def make_task(a):
    if a.task == "adding":
        return AddingTask(seq_len=a.seq_len)
    if a.task == "frequency":
        return FrequencyTask(sample_period_ms=a.sample_period_ms)
    return NpzTask(a.data, a.test_data, seed=a.seed)


def normaliser(task):
    """(mean, std) the model expects; identity for the synthetic tasks (trained raw)."""
    if isinstance(task, NpzTask):
        return task.input_mean, task.input_std
    return np.zeros(task.input_size), np.ones(task.input_size)


def to_tensors(task, x, y, mean, std):
    xt = torch.from_numpy(((x - mean) / std).astype(np.float32))
    yt = torch.from_numpy(np.asarray(y))
    return xt, yt


@torch.no_grad()
def evaluate(model, task, x, y, mean, std, chunk=512):
    """Task metrics plus state updates per sequence (mean and std)."""
    model.eval()
    outs, ups = [], []
    for i in range(0, len(x), chunk):
        xt, _ = to_tensors(task, x[i:i + chunk], y[i:i + chunk], mean, std)
        out, info = model(xt)
        outs.append(out)
        ups.append(info["updates"].sum(1))
    model.train()
    out = torch.cat(outs)
    _, yt = to_tensors(task, x[:1], y, mean, std)
    upd = torch.cat(ups).double()
    m = task.metrics(out, yt)
    m.update(updates_mean=float(upd.mean()), updates_std=float(upd.std()) if len(upd) > 1 else 0.0,
             updates_frac=float(upd.mean()) / task.seq_len, sequences=len(x))
    return m


def fixed_set(task, n, seed):
    """Deterministic evaluation/export data: fresh synthetic sequences from a fixed seed,
    or for an npz task its test split (test), its validation split (valid) or a fixed subset
    of the training split (calibration)."""
    if isinstance(task, NpzTask):
        if seed == TEST_SEED:
            return task.test_set()
        if seed == VALID_SEED:
            return task.valid_set()  # held out from training, not a subset of it
        idx = np.random.default_rng(seed).permutation(len(task.train_x))[:n]
        return task.train_x[idx], task._y(task.train_y[idx])
    return task.batch(n, np.random.default_rng(seed))


def fmt(m):
    keys = [k for k in ("mse", "mse_over_target_variance", "accuracy") if k in m]
    s = " ".join(f"{k}={m[k]:.5g}" for k in keys)
    return f"{s} updates={m['updates_mean']:.2f}±{m['updates_std']:.2f}/{int(round(m['updates_mean'] / max(m['updates_frac'], 1e-12))) if m['updates_frac'] else '?'}"


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    try:
        task = make_task(a)
    except (ValueError, OSError) as e:
        raise SystemExit(f"error: {e}") from None
    mean, std = normaliser(task)
    model = SkipGRU(task.input_size, a.hidden, a.layers, a.variant, task.output_size,
                    skip=not a.plain_gru)
    if a.init:
        load_init(model, a.init)
    qat = QatConfig(a.qat_weight_bits, 16, tuple(t for t in a.qat_int16.split(",") if t)) if a.qat else None
    model.qat = qat
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)  # β (0.9, 0.999), ε 1e-8 as the paper
    rng = np.random.default_rng(a.seed)
    start_iter, elapsed_before, floor_met_at = 0, 0.0, None
    ckpt_path = out_dir / "checkpoint.pt"
    if a.resume:
        ck = torch.load(ckpt_path)
        if ck["config"] != model.config():
            raise SystemExit(f"{ckpt_path}: model config {ck['config']} differs from {model.config()}")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        rng.bit_generator.state = ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
        start_iter, elapsed_before = ck["iter"], ck["elapsed"]
        floor_met_at = ck.get("floor_met_at")
        for g in opt.param_groups:  # the checkpoint's optimizer state carries the old lr
            g["lr"] = a.lr
        print(f"resumed from {ckpt_path} at iteration {start_iter}", flush=True)

    vx, vy = fixed_set(task, a.valid_size, VALID_SEED)
    print(f"task={task.describe()} model={model.config()} params={count_parameters(model)} "
          f"lam={a.lam} lr={a.lr} batch={a.batch} threads={a.threads}"
          + (f" qat={qat.describe()}" if qat else ""), flush=True)
    if a.init:
        init_m = evaluate(model, task, vx, vy, mean, std)
        print(f"initial weights{' (integer runtime simulated)' if qat else ''}: valid {fmt(init_m)}", flush=True)
    log = open(out_dir / "train_log.jsonl", "a")
    t0, c0 = time.time(), time.process_time()
    it, last_m = start_iter, None
    run_loss = run_upd = 0.0
    n_run = 0
    while it < a.iters:
        if a.lr_schedule == "cosine":
            lr_t = a.lr_min + 0.5 * (a.lr - a.lr_min) * (1 + math.cos(math.pi * it / max(a.iters, 1)))
            for g in opt.param_groups:
                g["lr"] = lr_t
        x, y = task.batch(a.batch, rng)  # fresh batch every iteration
        xt, yt = to_tensors(task, x, y, mean, std)
        out, info = model(xt)
        task_loss = task.loss(out, yt)
        loss = task_loss + (budget_loss(info["updates"], a.lam) if a.lam > 0 and not a.plain_gru else 0.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        it += 1
        run_loss += float(task_loss)
        run_upd += float(info["updates"].sum(1).mean())
        n_run += 1
        if not math.isfinite(float(loss)):
            raise SystemExit(f"iteration {it}: loss is {float(loss)}; lower --lr")
        if it % a.eval_every == 0 or it == a.iters:
            el = elapsed_before + time.time() - t0
            m = evaluate(model, task, vx, vy, mean, std)
            last_m = m
            # wall it/s depends on what else runs on the shared machine; CPU-time it/s does not
            rec = {"iter": it, "elapsed_s": round(el, 1), "its_per_s": round((it - start_iter) / (time.time() - t0), 3),
                   "cpu_its_per_s": round((it - start_iter) / max(time.process_time() - c0, 1e-9), 3),
                   "lr": opt.param_groups[0]["lr"], "train_task_loss": run_loss / n_run, "train_updates": run_upd / n_run, "valid": m}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(f"it {it:6d} {el:7.0f}s {rec['its_per_s']:.2f} it/s ({rec['cpu_its_per_s']:.2f}/cpu-s) train_loss={run_loss / n_run:.5g} "
                  f"train_upd={run_upd / n_run:.1f} | valid {fmt(m)}", flush=True)
            run_loss = run_upd = 0.0
            n_run = 0
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "rng": rng.bit_generator.state,
                        "torch_rng": torch.get_rng_state(), "iter": it, "elapsed": el,
                        "config": model.config(), "args": vars(a), "floor_met_at": floor_met_at}, ckpt_path)
            if task.has_floor and task.meets_floor(m) and floor_met_at is None:
                floor_met_at = it
                print(f"validation meets the task floor at iteration {it}", flush=True)
                if a.stop_at_floor:
                    break
    log.close()
    train_wall, train_cpu = time.time() - t0, time.process_time() - c0
    train_seconds = elapsed_before + train_wall

    # ---- export
    tx, ty = fixed_set(task, a.test_size, TEST_SEED)
    cx, cy = fixed_set(task, a.calib_size, CALIB_SEED)
    # test metrics of the float model (what the converter imports); with --qat also the
    # simulated integer runtime, which skiprnn eval's fixed-point figures should be close to
    model.qat = None
    test_m = evaluate(model, task, tx, ty, mean, std)
    if task.has_floor:  # the npz task has none: no meets_floor figure at all
        test_m["meets_floor"] = bool(task.meets_floor(test_m))
    qat_test_m = None
    if qat:
        model.qat = qat
        qat_test_m = evaluate(model, task, tx, ty, mean, std)
        model.qat = None
    sd = model.export_state_dict()
    save_safetensors(out_dir / "model.safetensors", sd, dtype=torch.float32, metadata={"format": "pt"})
    torch.save(sd, out_dir / "model.pt")
    sidecar = sidecar_for(
        model, task.kind, mean, std, class_names=task.class_names,
        sample_period_us=task.sample_period_us,
        **{"lambda": a.lam, "seed": a.seed, "iterations": it, "batch": a.batch, "lr": a.lr,
           "lr_schedule": a.lr_schedule, "clip": a.clip, "plain_gru": a.plain_gru, "task_params": task.describe(),
           "init": a.init, "qat": qat.describe() if qat else None,
           "trained_with": "models/train/train.py"})
    write_sidecar(out_dir / "model.json", sidecar)
    save_npz(out_dir / "calibration.npz", {"x": np.asarray(cx, np.float32), "y": np.asarray(cy)})
    save_npz(out_dir / "test.npz", {"x": np.asarray(tx, np.float32), "y": np.asarray(ty)})
    metrics = {"test": test_m, "last_validation": last_m, "iterations": it,
               "qat": qat.describe() if qat else None, "test_integer_simulated": qat_test_m,
               "validation_floor_met_at_iter": floor_met_at,
               "train_seconds": round(train_seconds, 1),
               "its_per_s": round((it - start_iter) / max(train_wall, 1e-9), 3),
               "cpu_its_per_s": round((it - start_iter) / max(train_cpu, 1e-9), 3),
               "params": count_parameters(model), "threads": a.threads}
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    floor = f" meets_floor={test_m['meets_floor']}" if "meets_floor" in test_m else ""
    print(f"test: {fmt(test_m)}{floor}", flush=True)
    if qat_test_m:
        print(f"test, integer runtime simulated: {fmt(qat_test_m)}", flush=True)
    print(f"wrote {out_dir}/model.safetensors, model.pt, model.json, calibration.npz, test.npz, metrics.json")


if __name__ == "__main__":
    main()
