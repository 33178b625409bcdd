"""Checks of the training code (a few seconds, one thread), run by pytest:
    /usr/bin/python3 -m pytest models/train/test_recipe.py
(fused path against the cell modules, the straight-through estimator, skip copying, file round-trips, the tasks'
statistics, quantization-aware training)."""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skiprnn import (QatConfig, SkipGRU, VARIANTS, budget_loss, fake_quant_rows, load_safetensors,  # noqa: E402
                     plain_gru, round_ste, save_safetensors)
from tasks import AddingTask, FrequencyTask, NpzTask  # noqa: E402

torch.set_num_threads(1)


def test_paths_agree():
    """The fused training path equals stepping nn.GRUCell / TFGRUCell (values and grads)."""
    torch.manual_seed(0)
    for variant in VARIANTS:
        for layers in (1, 2, 3):
            m = SkipGRU(3, 16, layers, variant, 4)
            with torch.no_grad():
                m.skip_gate.bias.fill_(-0.6)
            x = torch.randn(6, 25, 3)
            grads = []
            for f in (m.forward, m.forward_reference):
                m.zero_grad()
                out, info = f(x, return_states=True)
                (out.square().sum() + budget_loss(info["updates"], 0.1)).backward()
                grads.append(torch.cat([p.grad.flatten() for p in m.parameters()]))
            assert (grads[0] - grads[1]).abs().max() < 1e-5, (variant, layers)
            md = m.double()
            a, ia = md(x.double(), True)
            b, ib = md.forward_reference(x.double(), True)
            assert torch.equal(ia["updates"], ib["updates"])
            assert (a - b).abs().max() < 1e-12 and (ia["states"] - ib["states"]).abs().max() < 1e-12
            assert 0 < ia["updates"].mean() < 1, "test weights should skip some steps"


def test_semantics():
    # round half-to-even: exactly 0.5 does not update; STE passes gradients through
    v = torch.tensor([0.5, 0.5000001, 0.49, 1.0], requires_grad=True)
    u = round_ste(v)
    assert u.tolist() == [0.0, 1.0, 0.0, 1.0]
    u.sum().backward()
    assert v.grad.tolist() == [1.0] * 4
    # skipped steps copy every layer's state; first step always updates
    torch.manual_seed(1)
    m = SkipGRU(2, 8, 2, "reset_before", 0).double()
    with torch.no_grad():
        m.skip_gate.weight.zero_()
        m.skip_gate.bias.fill_(float(np.log(0.3 / 0.7)))  # Δũ = 0.3: update, skip, update, ...
    out, info = m(torch.randn(1, 9, 2, dtype=torch.float64), return_states=True)
    assert info["updates"][0].tolist() == [1, 0, 1, 0, 1, 0, 1, 0, 1], info["updates"]
    s = info["states"][0]
    assert torch.equal(s[1], s[0]) and torch.equal(s[3], s[2])
    assert torch.equal(out[0], s[-1, -1])
    # plain GRU: never skips; its export forces the device gate to always update
    p = plain_gru(2, 8, 1, "reset_after", 3)
    x = torch.randn(4, 20, 2)
    o1, i1 = p(x)
    assert i1["updates"].min() == 1
    q = SkipGRU(2, 8, 1, "reset_after", 3)
    q.load_state_dict(p.export_state_dict())
    o2, i2 = q(x)
    assert i2["updates"].min() == 1 and (o1 - o2).abs().max() < 1e-6


def test_safetensors(tmp_path):
    sd = SkipGRU(3, 8, 2, "reset_after", 4).state_dict()
    for dt in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
        p = tmp_path / "m.safetensors"
        save_safetensors(p, sd, dtype=dt, metadata={"format": "pt"})
        back = load_safetensors(p)
        assert set(back) == set(sd)
        for k in sd:
            assert back[k].dtype == dt and torch.equal(back[k], sd[k].to(dt)), k
        raw = p.read_bytes()
        assert (int.from_bytes(raw[:8], "little")) % 8 == 0


def test_tasks():
    rng = np.random.default_rng(0)
    x, y = AddingTask().batch(4000, rng)
    marks = x[:, :, 1]
    assert (marks.sum(1) == 2).all()
    first = marks.argmax(1)
    second = 49 - marks[:, ::-1].argmax(1)
    assert first.max() <= 4 and second.min() >= 25
    assert abs(float(y.var()) - 1 / 6) < 0.01
    ft = FrequencyTask(1.0)
    x, y = ft.batch(256, rng)
    assert x.shape == (256, 100, 1) and y.sum() == 128
    assert FrequencyTask(0.5).batch(4, rng)[0].shape == (4, 200, 1)


def test_npz_task(tmp_path):
    """A user's own .npz in NumPy's default dtypes (float64 x, int32 or uint8 labels, float64
    targets) is accepted and converted; bad labels and dtypes are refused by name; test,
    validation and training splits are disjoint; the npz task reports no floor."""
    rng = np.random.default_rng(1)
    def write(name, x, y):
        path = tmp_path / name
        np.savez(path, x=x, y=y)
        return path
    x = rng.normal(size=(50, 7, 3))  # float64
    x[:, 0, 0] = np.arange(50)       # sequence id, to check the splits
    for labels in (np.arange(50, dtype=np.int32) % 3, (np.arange(50) % 3).astype(np.uint8)):
        t = NpzTask(write("c.npz", x, labels))
        assert t.kind == "classification" and t.output_size == 3
        assert t.train_x.dtype == np.float32 and t.train_y.dtype == np.int64
        ids = [set(a[:, 0, 0].astype(int)) for a in (t.train_x, t.valid_x, t.test_x)]
        assert len(ids[1]) == 4 and len(ids[2]) == 5 and len(ids[0]) == 41, [len(i) for i in ids]
        assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
        assert t.meets_floor({"accuracy": 1.0}) is None and not t.has_floor
    t = NpzTask(write("r.npz", x.astype(np.float16), rng.normal(size=(50, 2))))
    assert t.kind == "regression" and t.output_size == 2 and t.train_y.dtype == np.float32
    for y, words in ((np.full(50, -1, np.int16), "labels must be 0.."),
                     (np.full(50, 300, np.int32), "labels must be 0.."),
                     (np.ones(50, bool), "y must be integer labels"),
                     (np.full(50, 1e300), "beyond float32")):
        try:
            NpzTask(write("bad.npz", x, y))
            raise AssertionError(f"accepted {y.dtype} {y[0]}")
        except ValueError as e:
            assert words in str(e), str(e)
    try:
        NpzTask(write("badx.npz", x.astype(np.int32), np.zeros(50, np.int64)))
        raise AssertionError("accepted integer x")
    except ValueError as e:
        assert "x must be real floats" in str(e), str(e)


def test_qat():
    """Quantization-aware forward: the converter's per-row rule, straight-through gradients,
    ũ in exact Q0.15 steps, and close to the float model when every tensor is int16."""
    w = torch.tensor([[0.5, -0.25, 0.1], [0.0, 0.0, 0.0], [-2.0, 1.0, 0.003]], requires_grad=True)
    q = fake_quant_rows(w, 8)
    scale = torch.tensor([[0.5 / 127], [1e-12], [2.0 / 127]])
    levels = q.detach() / scale
    assert torch.allclose(levels, levels.round(), atol=1e-4) and levels.abs().max() <= 127 + 1e-4
    assert q[0, 0].item() == 0.5 and q[2, 0].item() == -2.0 and q[1].abs().max() == 0
    assert abs(q[2, 2].item()) < 1e-9  # 0.003 is below half a step (2/127/2): rounds to zero
    q.sum().backward()
    assert w.grad.tolist() == [[1.0] * 3] * 3
    torch.manual_seed(3)
    x = torch.randn(16, 40, 2)
    for variant in VARIANTS:
        m = SkipGRU(2, 16, 2, variant, 3)
        with torch.no_grad():
            m.skip_gate.bias.fill_(0.3)
            of, inf = m(x)
            m.qat = QatConfig(16, 16, ())
            oq, inq = m(x)
            ut = inq["utilde"] * 32768
            assert torch.equal(ut, ut.round()), "ũ must stay on the Q0.15 grid"
            agree = (inf["updates"] == inq["updates"]).float().mean().item()
            assert agree > 0.97 and (of - oq).abs().max() < 0.05, (variant, agree)
            m.qat = QatConfig(8, 8, ())
            o8, _ = m(x)
            assert (of - o8).abs().max() > (of - oq).abs().max(), "int8 should be coarser than int16"
        m.qat = QatConfig(8, 16, ())
        out, info = m(x)
        (out.sum() + info["updates"].sum()).backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters())
        assert m.skip_gate.weight.grad.abs().sum() > 0, "the gate must learn through the simulated ũ"
