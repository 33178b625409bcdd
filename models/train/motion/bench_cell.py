#!/usr/bin/python3
"""Training-step cost of the stream cell (train_stream.run: carried state, per-step head) against the recipe's
SkipGRU.forward (starts from Reset()), same model, same batch: CPU seconds per forward+backward (process time, one thread, so other
load on the machine does not count). Usage: bench_cell.py [--batch 32] [--crop 256] [--reps 3]"""
import argparse
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from skiprnn import SkipGRU  # noqa: E402
import train_stream as ts  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=32)
p.add_argument("--crop", type=int, default=256)
p.add_argument("--hidden", type=int, default=32)
p.add_argument("--reps", type=int, default=3)
a = p.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)
m = SkipGRU(6, a.hidden, 1, "reset_after", 7)
x = torch.randn(a.crop, a.batch, 6)


def scripted():
    logits, us, _, _ = ts.run(m, x, torch.zeros(a.batch, a.hidden), torch.ones(a.batch, 1))
    (logits.square().mean() + us.mean()).backward()


def python_stepped():
    out, info = m(x.transpose(0, 1), return_states=True)
    s = info["states"][:, :, -1]                      # [B, T, H]: per-step states for a per-step head
    (m.head(s).square().mean() + info["updates"].mean()).backward()


for name, fn in (("train_stream.run (stateful)", scripted), ("SkipGRU.forward (Python loop)", python_stepped)):
    fn()                                              # warm-up (TorchScript profiling runs)
    fn()
    t = time.process_time()
    for _ in range(a.reps):
        fn()
    print(f"{name}: {(time.process_time() - t) / a.reps:.3f} CPU s per forward+backward "
          f"(batch {a.batch}, crop {a.crop}, {a.hidden} units)", flush=True)
