"""Checks of the motion recipe, run by pytest (/usr/bin/python3 -m pytest models/train/motion/test_motion.py):
the data preparation on small malformed raw folders, the Python event rule against the hand-made streams the
C# tests use, the event scoring, and a smoke run: preparation of a raw folder rebuilt from the shipped slice,
then a few training iterations of the stream trainer; your own recordings (recordings.py): the format's round
trip and each kind of bad data.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))
import events as ev  # noqa: E402
import prepare  # noqa: E402



def write_raw(folder: Path, recs, labels_lines):
    """recs: [(exp, user, counts int16 [n, 6])] written back in HAPT's units (g, rad/s)."""
    folder.mkdir(parents=True, exist_ok=True)
    for exp, user, x in recs:
        acc = x[:, :3] / prepare.ACC_LSB_PER_G
        gyro = x[:, 3:] / prepare.GYRO_LSB_PER_RAD_S
        np.savetxt(folder / f"acc_exp{exp:02d}_user{user:02d}.txt", acc, fmt="%.17g")
        np.savetxt(folder / f"gyro_exp{exp:02d}_user{user:02d}.txt", gyro, fmt="%.17g")
    (folder / "labels.txt").write_text("".join(l + "\n" for l in labels_lines))


def small(folder: Path):
    rng = np.random.default_rng(0)
    x1 = rng.integers(-9000, 9000, size=(40, 6)).astype(np.int16)
    x2 = rng.integers(-9000, 9000, size=(30, 6)).astype(np.int16)
    write_raw(folder, [(1, 1, x1), (2, 22, x2)], ["1 1 5 1 10", "1 1 7 11 15", "2 22 1 5 30"])
    return x1, x2


def expect_error(folder: Path, *fragments):
    try:
        prepare.load_recordings(folder, log=lambda *_: None)
    except prepare.DataError as e:
        for f in fragments:
            if f not in str(e):
                raise AssertionError(f"error {str(e)!r} does not mention {f!r}")
        return
    raise AssertionError("no error raised")


def test_round_trip():
    with tempfile.TemporaryDirectory() as d:
        x1, x2 = small(Path(d))
        recs = prepare.load_recordings(Path(d), log=lambda *_: None)
        assert [r["exp"] for r in recs] == [1, 2]
        assert np.array_equal(recs[0]["x"], x1) and np.array_equal(recs[1]["x"], x2), "counts do not round-trip"
        lab = recs[0]["label"]
        assert list(lab[:10]) == [5] * 10 and list(lab[10:15]) == [7] * 5 and not lab[15:].any()
        assert list(ev.classes_from_hapt(np.array([0, 1, 6, 7, 12]))) == [-1, 0, 5, 6, 6]


def test_malformed():
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "base"
        small(base)

        def variant(name, edit):
            f = Path(d) / name
            shutil.copytree(base, f)
            edit(f)
            return f

        f = variant("missing", lambda f: (f / "gyro_exp02_user22.txt").unlink())
        expect_error(f, "gyro_exp02_user22.txt", "missing file")
        f = variant("nolabels", lambda f: (f / "labels.txt").unlink())
        expect_error(f, "labels.txt", "missing file")

        def ragged(f):
            p = f / "acc_exp01_user01.txt"
            lines = p.read_text().splitlines()
            lines[6] = " ".join(lines[6].split()[:2])
            p.write_text("\n".join(lines) + "\n")
        expect_error(variant("ragged", ragged), "acc_exp01_user01.txt:7", "expected 3 numbers, found 2")

        def text(f):
            p = f / "gyro_exp01_user01.txt"
            lines = p.read_text().splitlines()
            lines[3] = "0.1 abc 0.2"
            p.write_text("\n".join(lines) + "\n")
        expect_error(variant("text", text), "gyro_exp01_user01.txt:4", "not a number")

        def nan(f):
            p = f / "gyro_exp01_user01.txt"
            lines = p.read_text().splitlines()
            lines[0] = "0.1 nan 0.2"
            p.write_text("\n".join(lines) + "\n")
        expect_error(variant("nan", nan), "gyro_exp01_user01.txt:1", "not a finite number")

        def short(f):
            p = f / "gyro_exp02_user22.txt"
            p.write_text("\n".join(p.read_text().splitlines()[:-1]) + "\n")
        expect_error(variant("short", short), "gyro_exp02_user22.txt", "29 rows", "30")

        def outside(f):
            (f / "labels.txt").write_text("1 1 5 1 10\n2 22 1 5 31\n")
        expect_error(variant("outside", outside), "labels.txt:2", "outside the recording")

        def noexp(f):
            (f / "labels.txt").write_text("1 1 5 1 10\n9 3 1 5 8\n")
        expect_error(variant("noexp", noexp), "labels.txt:2", "experiment 9 has no recording")

        def overlap(f):
            (f / "labels.txt").write_text("1 1 5 1 10\n1 1 4 10 12\n")
        expect_error(variant("overlap", overlap), "labels.txt:2", "overlap")

        def badact(f):
            (f / "labels.txt").write_text("1 1 13 1 10\n")
        expect_error(variant("badact", badact), "labels.txt:1", "activity 13")

        def wronguser(f):
            (f / "labels.txt").write_text("1 2 5 1 10\n")
        expect_error(variant("wronguser", wronguser), "labels.txt:1", "belongs to user 1")


def test_rule_mirror():
    # the same hand-made streams as tests/SkipRnn.Edge.Tests/Streaming/EventSmootherTests.cs
    e, _ = ev.detect_events(np.array([2, 2, 2]), 3, 2, shift=2, on=16384, off=4096, refractory=0)
    assert e == [(2, 18944)], e
    e, _ = ev.detect_events(np.array([2, 0] + [2] * 12), 3, 2, shift=0, on=32768, off=1, refractory=10)
    assert [t for t, _ in e] == [0, 10], e
    stream = np.array([2] * 30 + [0] * 2 + [2] * 10 + [0] * 30 + [2] * 10)
    e, _ = ev.detect_events(stream, 3, 2, shift=2, on=16384, off=4096, refractory=0)
    assert [t for t, _ in e] == [2, 74], e
    _, smooth = ev.detect_events(np.array([1, 0]), 3, 2, shift=1, on=32768, off=0, refractory=0)
    assert list(smooth) == [1, 0], smooth


def test_scoring():
    cls = np.array([-1] * 100 + [0] * 50 + [6] * 20 + [3] * 100 + [-1] * 200 + [6] * 10 + [5] * 20)
    # hit (inside run 1), duplicate near run 1 (labelled FP), one deep in the gap (gap FP), one hitting run 2 early
    events = [(160, 20000), (175, 20000), (400, 20000), (455, 20000)]
    r = ev.score_events(events, cls, 50)
    assert (r["transitions"], r["hits"], r["fp_labelled"], r["fp_gap"]) == (2, 2, 1, 1), r
    assert r["latencies"] == [160 - 150, 455 - 470], r
    assert ev.prf(2, 2, 1) == (2 / 3, 1.0, 0.8)


def test_stream_cell_matches_the_recipe_model():
    """train_stream.run from Reset() (h = 0, ũ = 1) = SkipGRU.forward: same updates, states and head, float64;
    and carrying the state across two half crops = one whole crop (stateful truncated BPTT)."""
    import torch
    import train_stream as ts
    from skiprnn import SkipGRU
    torch.manual_seed(3)
    m = SkipGRU(6, 8, 1, "reset_after", 7).double()
    with torch.no_grad():
        m.skip_gate.bias.fill_(-0.3)       # Δũ below 0.5: skips often
    x = torch.randn(2, 60, 6, dtype=torch.float64)
    _, info = m(x, return_states=True)
    h0, u0 = torch.zeros(2, 8, dtype=torch.float64), torch.ones(2, 1, dtype=torch.float64)
    uts = []
    logits, us, h, ut = ts.run(m, x.transpose(0, 1), h0, u0, utildes=uts)
    assert torch.equal(us.t(), info["updates"]), "update pattern differs"
    assert torch.allclose(torch.cat(uts, 1), info["utilde"], atol=1e-12), "ũ handed back (--margin) differs"
    assert 0 < float(us.mean()) < 1, "the check needs both updates and skips"
    assert torch.allclose(h, info["final_states"][0], atol=1e-12)
    assert torch.allclose(logits.transpose(0, 1), m.head(info["states"][:, :, 0]), atol=1e-12)
    l1, us1, h1, ut1 = ts.run(m, x[:, :25].transpose(0, 1), h0, u0)
    l2, us2, h2, _ = ts.run(m, x[:, 25:].transpose(0, 1), h1, ut1)
    assert torch.equal(torch.cat([us1, us2]), us) and torch.allclose(h2, h, atol=1e-12)


def test_augmentation_and_batched_check():
    """The augmentation is one rotation (same for acc and gyro, |angle| <= rotate_deg) times a gain per axis,
    drawn again when a lane starts a new recording; none without the options. predict_batched (the validation
    check during training) = predict, recording by recording."""
    import torch
    import train_stream as ts
    from skiprnn import SkipGRU
    rng = np.random.default_rng(5)
    recs = [{"x": rng.integers(-9000, 9000, size=(300 + 40 * i, 6)).astype(np.int16),
             "label": np.full(300 + 40 * i, 4), "y": np.full(300 + 40 * i, 3)} for i in range(3)]
    assert all(a is None for a in ts.Lanes(recs, 3, 64, rng, 8).aug)
    lanes = ts.Lanes(recs, 3, 64, rng, 8, rotate_deg=10, gain=0)
    for m in lanes.aug:
        R = m[:3, :3].astype(np.float64)
        assert np.allclose(m[3:, 3:], R) and not m[:3, 3:].any() and not m[3:, :3].any()
        assert np.allclose(R @ R.T, np.eye(3), atol=1e-6) and abs(np.linalg.det(R) - 1) < 1e-6
        assert np.degrees(np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))) <= 10 + 1e-3
    g = ts.Lanes(recs, 3, 64, rng, 8, rotate_deg=0, gain=0.1).aug[0]
    assert np.allclose(g, np.diag(np.diag(g))) and np.all(np.abs(np.diag(g) - 1) <= 0.1 + 1e-6)
    first = [list(a) for a in lanes.aug]
    for _ in range(12):                                        # lanes run past their recordings' ends
        x, _ = lanes.next()
        assert x.shape == (64, 3, 6) and np.all(np.abs(x) <= 32768)
    assert any(not np.array_equal(np.array(a), b) for a, b in zip(first, lanes.aug)), "not redrawn"
    lab = np.array([0, 4, 4, 8, 8, 3, 0, 8, 3, 12, 12, 5])
    ids, starts = ts.last_transition(lab)
    assert list(ids) == [-1, -1, -1, 8, 8, 8, 8, 8, 8, 12, 12, 12], ids
    assert list(starts) == [-1, -1, -1, 3, 3, 3, 3, 7, 7, 9, 9, 9], starts
    torch.manual_seed(4)
    m = SkipGRU(6, 8, 1, "reset_after", 7)
    with torch.no_grad():
        m.skip_gate.bias.fill_(-0.3)
    mean, std = np.zeros(6, np.float32), np.full(6, 5000, np.float32)
    for a, b in zip(ts.predict(m, recs, mean, std), ts.predict_batched(m, recs, mean, std)):
        assert np.array_equal(a["pred"], b["pred"]) and np.array_equal(a["updated"], b["updated"])
        assert 0 < a["updated"].mean() < 1
    m3 = SkipGRU(3, 8, 1, "reset_after", 7)                  # own recordings may have another number of inputs
    recs3 = [dict(r, x=r["x"][:, :3]) for r in recs]
    for a, b in zip(ts.predict(m3, recs3, mean[:3], std[:3]), ts.predict_batched(m3, recs3, mean[:3], std[:3])):
        assert np.array_equal(a["pred"], b["pred"]) and np.array_equal(a["updated"], b["updated"])


def test_smoke_pipeline():
    """Preparation of a raw folder rebuilt from two shipped recordings (given user ids 1 and 22 so that the
    train and validation splits are not empty), then 3 training iterations and the export."""
    shipped = prepare.load_split(ROOT / "models/motion/data/hapt_test_users.npz")
    with tempfile.TemporaryDirectory() as d:
        raw, out, model = Path(d) / "raw", Path(d) / "prep", Path(d) / "model"
        a, b = shipped[0], shipped[1]
        n = 3000
        labels = []
        for exp, user, r in ((a["exp"], 1, a), (b["exp"], 22, b)):
            lab = r["label"][:n]
            t = 0
            while t < n:
                e = t
                while e + 1 < n and lab[e + 1] == lab[t]:
                    e += 1
                if lab[t]:
                    labels.append(f"{exp} {user} {lab[t]} {t + 1} {e + 1}")
                t = e + 1
        write_raw(raw, [(a["exp"], 1, a["x"][:n]), (b["exp"], 22, b["x"][:n])], labels)
        run = lambda *args: subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=600)
        p = run(HERE / "prepare.py", "--raw", raw, "--out", out)
        assert p.returncode == 0, p.stderr
        back = prepare.load_split(out / "hapt_train.npz")[0]
        assert np.array_equal(back["x"], a["x"][:n]) and np.array_equal(back["label"], a["label"][:n])
        p = run(HERE / "train_stream.py", "--data", out, "--out", model, "--hidden", 8, "--lam", 0.1,
                "--iters", 3, "--batch", 4, "--crop", 64, "--no-test", "--rotate-deg", 5, "--gain", 0.05,
                "--class-weight", "standing=1.5", "--eval-every", 2, "--max-updated", 1,
                "--aux-transition", 0.5, "--margin", 0.01, "--save-checkpoints")
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        assert "trained 3 iterations" in p.stdout, p.stdout
        assert "exported: the checkpoint of iteration" in p.stdout, p.stdout
        for f in ("model.safetensors", "model.json", "calibration.npz", "convert_valid.npz", "metrics.json"):
            assert (model / f).is_file(), f
        assert sorted(f.name for f in (model / "checkpoints").iterdir()) == ["iter00002.pt", "iter00003.pt"]
        # a saved checkpoint exported afterwards (export_checkpoint.py): the run's sidecar, that checkpoint's weights
        p = run(HERE / "export_checkpoint.py", "--data", out, "--run", model, "--iter", 2, "--out", Path(d) / "ck2",
                "--no-test")
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        import torch
        side = json.loads((Path(d) / "ck2" / "model.json").read_text())
        assert side["exported_iteration"] == 2 and side["margin"] == 0.01 and side["iterations"] == 3, side
        ck = torch.load(model / "checkpoints" / "iter00002.pt")["state_dict"]
        back = torch.load(Path(d) / "ck2" / "model.pt")["state_dict"]
        assert all(torch.equal(ck[k], back[k]) for k in ck)
        for f in ("model.safetensors", "calibration.npz", "convert_valid.npz", "metrics.json", "train_log.jsonl"):
            assert (Path(d) / "ck2" / f).is_file(), f


def test_weight_averaging_and_lr_decay():
    """--ema: the checks score, save and export the moving average of the weights (and log the raw weights' figures
    beside them); --decay-last: the learning rate falls linearly to --lr-min over the last part of the budget;
    --select last: the last iteration's model is exported whatever the checks say. Own recordings as the data."""
    import contextlib
    import io
    import recordings
    import torch
    with tempfile.TemporaryDirectory() as d:
        own_dataset(Path(d) / "data", n=400)          # longer than the 256-sample crops the export writes
        with contextlib.redirect_stdout(io.StringIO()):
            assert recordings.main(["--data", str(Path(d) / "data"), "--out", str(Path(d) / "prep"), "--crop", "32"]) == 0
        run = lambda out, *extra: subprocess.run(
            [sys.executable, str(HERE / "train_stream.py"), "--data", str(Path(d) / "prep"), "--out", str(Path(d) / out),
             "--hidden", "8", "--iters", "8", "--batch", "2", "--crop", "32", "--zero-state", "--no-test", "--lr", "0.01",
             "--log-every", "1", "--eval-every", "4", "--max-updated", "1", "--save-checkpoints", "--seed", "5", *extra],
            capture_output=True, text=True, timeout=600)
        p = run("plain", "--decay-last", "0.5", "--lr-min", "0.001", "--select", "last")   # the same, not averaged
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        p = run("ema", "--ema", "0.9", "--decay-last", "0.5", "--lr-min", "0.001", "--select", "last")
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        assert "exported weights: the moving average" in p.stdout and "(--select last)" in p.stdout, p.stdout
        log = [json.loads(line) for line in (Path(d) / "ema" / "train_log.jsonl").read_text().splitlines()]
        lrs = [r["lr"] for r in log if "lr" in r]
        # iteration t runs at the budget used before it, (t - 1) / 8: constant up to t = 5, then falling each iteration
        assert lrs[:5] == [0.01] * 5 and all(a > b for a, b in zip(lrs[4:], lrs[5:])) and lrs[-1] > 0.001, lrs
        checks = [r for r in log if "valid_accuracy" in r]
        assert [r["iter"] for r in checks] == [4, 8] and all("raw_valid_accuracy" in r for r in checks), checks
        load = lambda *f: torch.load(Path(d).joinpath(*f))["state_dict"]
        last, exported, raw = load("ema", "checkpoints", "iter00008.pt"), load("ema", "model.pt"), load("plain", "model.pt")
        assert all(torch.equal(last[k], exported[k]) for k in last), "the export is not the last averaged checkpoint"
        assert not all(torch.equal(last[k], raw[k]) for k in last), "the averaged weights equal the raw ones"
        plain_log = [json.loads(line) for line in (Path(d) / "plain" / "train_log.jsonl").read_text().splitlines()]
        assert [r["raw_valid_accuracy"] for r in checks] == [r["valid_accuracy"] for r in plain_log if "valid_accuracy" in r]
        side = json.loads((Path(d) / "ema" / "model.json").read_text())
        assert side["ema"] == 0.9 and side["decay_last"] == 0.5 and side["select"] == "last", side


def own_dataset(folder: Path, n: int = 80):
    """A small valid data set in recordings.py's format: three recordings (train with a label column, valid with a
    label-span file, test), classes still / moving / tap, event class tap."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    names = ["still", "moving", "tap"]
    xs = {}
    for name, spans_file in (("a", False), ("b", True), ("c", False)):
        x = rng.integers(-3000, 3000, size=(n, 6))
        y = np.where(np.arange(n) < n // 2, 0, 1)
        y[n // 2 - 3:n // 2 + 2] = 2
        y[:4] = -1
        xs[name] = (x, y)
        lines = ["# sample_rate_hz: 50", "ax,ay,az,gx,gy,gz" + ("" if spans_file else ",label")]
        for row, c in zip(x.tolist(), y.tolist()):
            lines.append(",".join(map(str, row)) + ("" if spans_file else "," + (names[c] if c >= 0 else "-")))
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n")
        if spans_file:
            (folder / f"{name}.labels.csv").write_text(
                f"start,stop,label\n4,{n // 2 - 3},still\n{n // 2 - 3},{n // 2 + 2},tap\n{n // 2 + 2},{n},moving\n")
    (folder / "dataset.json").write_text(json.dumps({
        "sample_rate_hz": 50, "classes": names, "event_class": "tap",
        "splits": {"train": ["a.csv"], "valid": ["b.csv"], "test": ["c.csv"]}}))
    return xs


def test_own_recordings():
    """recordings.py: a valid set round-trips (label column and label-span file alike) into the split files the
    trainer and `skiprnn stream` read, with the classes, the event class and the rate."""
    import recordings
    with tempfile.TemporaryDirectory() as d:
        xs = own_dataset(Path(d) / "data")
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()):
            assert recordings.main(["--data", str(Path(d) / "data"), "--out", str(Path(d) / "out"), "--crop", "32"]) == 0
        for split, name in (("train", "a"), ("valid", "b"), ("test", "c")):
            recs = prepare.load_split(Path(d) / "out" / f"{split}.npz")
            assert len(recs) == 1 and np.array_equal(recs[0]["x"], xs[name][0]), split
            assert np.array_equal(recs[0]["y"], xs[name][1]), (split, recs[0]["y"], xs[name][1])
        task = prepare.load_task(Path(d) / "out" / "train.npz")
        assert task.class_names == ["still", "moving", "tap"] and task.event_class == 2 and task.sample_hz == 50
        assert prepare.split_path(Path(d) / "out", "valid").name == "valid.npz"


def test_own_recordings_bad_data():
    """Each kind of bad user data stops recordings.py with an error naming the file and line, and nothing is
    written."""
    import recordings
    cases = [
        ("missing label", lambda f: edit(f / "a.csv", 5, lambda l: l.rsplit(",", 1)[0] + ","), "a.csv:5:", "missing label"),
        ("unknown label", lambda f: edit(f / "a.csv", 6, lambda l: l.rsplit(",", 1)[0] + ",jumping"), "a.csv:6:",
         "unknown label 'jumping'"),
        ("wrong column count", lambda f: edit(f / "c.csv", 7, lambda l: l + ",5"), "c.csv:7:", "8 columns"),
        ("NaN in a number column", lambda f: edit(f / "a.csv", 9, lambda l: "nan," + l.split(",", 1)[1]), "a.csv:9:",
         "'nan', not an integer"),
        ("text in a number column", lambda f: edit(f / "c.csv", 10, lambda l: l.split(",", 1)[0] + ",abc," + l.split(",", 2)[2]),
         "c.csv:10:", "column 2 (ay) is 'abc'"),
        ("out-of-range count", lambda f: edit(f / "c.csv", 4, lambda l: "40000," + l.split(",", 1)[1]), "c.csv:4:",
         "outside the int16 range"),
        ("mixed sample rates", lambda f: edit(f / "b.csv", 1, lambda l: "# sample_rate_hz: 100"), "b.csv:1:",
         "100 Hz differs from dataset.json's 50 Hz"),
        ("recording shorter than the training crop", lambda f: (f / "a.csv").write_text(
            "\n".join((f / "a.csv").read_text().splitlines()[:30]) + "\n"), "a.csv:", "not longer than the training crop of 32"),
        ("unknown label in a span file", lambda f: edit(f / "b.labels.csv", 3, lambda l: l.replace("tap", "tip")),
         "b.labels.csv:3:", "unknown label 'tip'"),
        ("span outside the recording", lambda f: edit(f / "b.labels.csv", 4, lambda l: l.split(",")[0] + ",999,moving"),
         "b.labels.csv:4:", "not inside the recording"),
        ("unknown event class", lambda f: (f / "dataset.json").write_text(
            (f / "dataset.json").read_text().replace('"event_class": "tap"', '"event_class": "jump"')), "dataset.json",
         "\"event_class\" 'jump'"),
    ]
    for name, spoil, where, what in cases:
        with tempfile.TemporaryDirectory() as d:
            own_dataset(Path(d) / "data")
            spoil(Path(d) / "data")
            out = Path(d) / "out"
            try:
                recordings.load_dataset(Path(d) / "data", 32)
            except recordings.DataError as e:
                assert where in str(e) and what in str(e), f"{name}: {e}"
            else:
                raise AssertionError(f"{name}: no error")
            p = subprocess.run([sys.executable, str(HERE / "recordings.py"), "--data", str(Path(d) / "data"), "--out",
                                str(out), "--crop", "32"], capture_output=True, text=True, timeout=120)
            assert p.returncode == 2 and where in p.stderr, f"{name}: {p.returncode} {p.stderr}"
            assert not out.exists() or not any(out.iterdir()), f"{name}: wrote {list(out.iterdir())}"


def edit(path: Path, line: int, fn):
    """Replace 1-based line `line` of a text file by fn(line)."""
    lines = path.read_text().splitlines()
    lines[line - 1] = fn(lines[line - 1])
    path.write_text("\n".join(lines) + "\n")


def test_wand_recordings():
    """wand_recordings.py (the gesture example's data): source captures -> own recordings at half the rate, each
    capture one labelled span, split by capture order, every capture in exactly one session; a capture of the wrong
    length or a non-integral value stops it naming the file and line. And the shipped copy (models/gesture/data)
    reads as recordings.py reads a user's folder."""
    import recordings
    import wand_recordings as wr
    rng = np.random.default_rng(8)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "src"
        caps = {}
        for cls, rel in wr.FILES.items():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            caps[cls] = [rng.integers(-2048, 2048, size=(wr.CAPTURE, 3)) for _ in range(20)]
            text = "".join(f"\n-,-,-,{k + 1}\n" + "".join(f"{x}.0,{y}.0,{z}.0 \n" for x, y, z in c.tolist())
                           for k, c in enumerate(caps[cls]))
            (src / rel).write_text(text)
        assert wr.main(["--source", str(src), "--out", str(Path(d) / "out"), "--per-session", "6"]) == 0
        meta = json.loads((Path(d) / "out" / "dataset.json").read_text())
        assert meta["classes"] == wr.CLASSES and meta["event_class"] == "wing" and meta["sample_rate_hz"] == 50
        _, data = recordings.load_dataset(Path(d) / "out", crop=64)
        seen = []
        for split, share in (("train", 14), ("valid", 3), ("test", 3)):    # 70 / 15 / 15 % of 20 captures per class
            arr = data[split]
            x, y, off = arr["x"], arr["y"], arr["offsets"]
            assert len(x) == 4 * share * 100 and max(np.diff(off)) <= 600, (split, len(x), off)
            for s in range(0, len(x), 100):                               # each capture: one class, the pair means
                assert len(set(y[s:s + 100].tolist())) == 1
                cls = wr.CLASSES[y[s]]
                matches = [k for k, c in enumerate(caps[cls]) if np.array_equal(wr.to_50hz(c), x[s:s + 100])]
                assert len(matches) == 1, (split, s)
                seen.append((cls, matches[0]))
                first = {"train": 0, "valid": 14, "test": 17}[split]
                assert first <= matches[0] < first + share, (split, cls, matches[0])
        assert len(set(seen)) == 80
        assert np.array_equal(wr.to_50hz(np.array([[1, -1, 3], [2, -2, 4]])), [[2, -2, 4]])   # half away from zero
        bad = src / wr.FILES["ring"]
        lines = bad.read_text().splitlines()
        bad.write_text("\n".join(lines[:5] + ["1.5,2.0,3.0 "] + lines[6:]) + "\n")
        try:
            wr.main(["--source", str(src), "--out", str(Path(d) / "out2")])
            raise AssertionError("a non-integral value was accepted")
        except ValueError as e:
            assert f"{bad}:6:" in str(e), e
        bad.write_text("\n".join(lines[:5] + lines[6:]) + "\n")
        try:
            wr.main(["--source", str(src), "--out", str(Path(d) / "out3")])
            raise AssertionError("a short capture was accepted")
        except ValueError as e:
            assert f"{bad}:2: capture of 199 samples" in str(e), e
    _, shipped = recordings.load_dataset(ROOT / "models/gesture/data", crop=512)
    assert {k: len(v["offsets"]) - 1 for k, v in shipped.items()} == {"train": 15, "valid": 4, "test": 3}
    assert sum(len(v["x"]) for v in shipped.values()) == 40_600


def test_margin_over_the_tail_only():
    """--margin-last F: the ũ margin penalty acts only over the last F of the budget, so a run with it is the run
    without it (same seed, same batches) until the tail starts, and differs after. Own recordings as the data."""
    import contextlib
    import io
    import recordings
    import torch
    with tempfile.TemporaryDirectory() as d:
        own_dataset(Path(d) / "data", n=400)
        with contextlib.redirect_stdout(io.StringIO()):
            assert recordings.main(["--data", str(Path(d) / "data"), "--out", str(Path(d) / "prep"), "--crop", "32"]) == 0
        run = lambda out, *extra: subprocess.run(
            [sys.executable, str(HERE / "train_stream.py"), "--data", str(Path(d) / "prep"), "--out", str(Path(d) / out),
             "--hidden", "8", "--iters", "8", "--batch", "2", "--crop", "32", "--zero-state", "--no-test", "--lr", "0.01",
             "--lam", "0.1", "--log-every", "1", "--eval-every", "4", "--max-updated", "1", "--save-checkpoints",
             "--select", "last", "--seed", "5", *extra], capture_output=True, text=True, timeout=600)
        for out, extra in (("none", ()), ("tail", ("--margin", "0.3", "--margin-weight", "50", "--margin-last", "0.5")),
                           ("all", ("--margin", "0.3", "--margin-weight", "50"))):
            p = run(out, *extra)
            assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        load = lambda *f: torch.load(Path(d).joinpath(*f))["state_dict"]
        same = lambda a, b: all(torch.equal(a[k], b[k]) for k in a)
        # iterations 1..4 run at budget used (t - 1) / 8 < 0.5: no margin yet in "tail"
        assert same(load("none", "checkpoints", "iter00004.pt"), load("tail", "checkpoints", "iter00004.pt"))
        assert not same(load("all", "checkpoints", "iter00004.pt"), load("tail", "checkpoints", "iter00004.pt"))
        assert not same(load("none", "checkpoints", "iter00008.pt"), load("tail", "checkpoints", "iter00008.pt"))
        side = json.loads((Path(d) / "tail" / "model.json").read_text())
        assert side["margin_last"] == 0.5 and side["margin"] == 0.3, side
