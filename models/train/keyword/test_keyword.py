"""Checks of the keyword recipe, run by pytest (/usr/bin/python3 -m pytest models/train/keyword/test_keyword.py):
the wav reader on bad audio, the speaker split, the shipped slice's round trip, the batched features against
features.py, the stream generator and the event rule (against the motion rule it generalises), the scoring (of the
Python rule's detections and of `skiprnn listen --json` events), a
smoke run (preparation of a small dataset folder rebuilt from the shipped slice, a few training iterations,
stream training with synthetic clips and a clip loss, checkpoint choice, stream scoring with the rule chosen on the
smoke validation stream), the synthetic-speech renderer, and the shipped model's test accuracy recomputed from the
shipped clips.
"""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = ROOT / "models/keyword/data"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import features as fe  # noqa: E402
import prepare  # noqa: E402
import stream as st  # noqa: E402



def wav_bytes(samples: bytes, channels=1, rate=16000, bits=16, tag=1) -> bytes:
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(samples)) + b"WAVE" + b"fmt " +
            struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(samples)) + samples)


_SHIPPED = None


def shipped():
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = prepare.load_clips(DATA / "speech_commands_test.npz")
    return _SHIPPED


def test_wav_reader_rejects_bad_audio():
    tmp = Path(tempfile.mkdtemp())
    try:
        good = np.arange(-800, 800, dtype="<i2").tobytes()
        cases = {
            "stereo.wav": (wav_bytes(good, channels=2), "2 channels"),
            "8bit.wav": (wav_bytes(bytes(100), bits=8), "8-bit"),
            "rate.wav": (wav_bytes(good, rate=8000), "sample rate 8000"),
            "float.wav": (wav_bytes(good, tag=3, bits=32), "not PCM"),
            "truncated.wav": (wav_bytes(good)[:-100], "truncated"),
            "empty.wav": (b"", "not a RIFF/WAVE"),
            "nodata.wav": (wav_bytes(b""), "no samples"),
            "text.wav": (b"hello, not audio at all", "not a RIFF/WAVE"),
        }
        for name, (data, fragment) in cases.items():
            (tmp / name).write_bytes(data)
            try:
                prepare.read_wav(tmp / name)
            except prepare.DataError as e:
                assert name in str(e) and fragment in str(e), f"{name}: message {e!r} lacks {fragment!r}"
            else:
                raise AssertionError(f"{name}: accepted")
        (tmp / "ok.wav").write_bytes(wav_bytes(good))
        assert np.array_equal(prepare.read_wav(tmp / "ok.wav"), np.frombuffer(good, "<i2"))
        try:
            prepare.read_wav(tmp / "missing.wav")
        except prepare.DataError as e:
            assert "missing.wav" in str(e)
        else:
            raise AssertionError("missing file accepted")
    finally:
        shutil.rmtree(tmp)


def test_speaker_split_and_file_names():
    assert prepare.group_of("yes", "4c6167ca_nohash_8.wav") == ("4c6167ca", 0)
    assert prepare.group_of("_unknown_", "five_97f4c236_nohash_3.wav.wav") == ("97f4c236", prepare.UNKNOWN)
    assert prepare.group_of("_silence_", "1024.wav") == ("silence:1024", prepare.SILENCE)
    for bad in (("yes", "x.wav"), ("maybe", "4c6167ca_nohash_8.wav"), ("_unknown_", "4c6167ca_nohash_8.wav")):
        try:
            prepare.group_of(*bad)
        except prepare.DataError as e:
            assert bad[0] in str(e)
        else:
            raise AssertionError(f"{bad} accepted")
    s = shipped()
    assert len(s["y"]) >= 1000, len(s["y"])
    assert all(prepare.split_of(g) == "test" for g in set(s["speaker"].tolist()))


def test_shipped_slice_round_trip():
    s = shipped()
    assert s["pcm"].shape == (1157, 16000) and s["pcm"].dtype == np.int16
    counts = np.bincount(s["y"], minlength=12)
    assert counts.min() >= 80, counts
    rng = np.random.default_rng(0)
    x = rng.integers(-32768, 32768, size=(3, 500)).astype(np.int16)
    x[0, :] = 32767
    x[1, ::2] = -32768
    assert np.array_equal(prepare.delta_decode(prepare.delta_encode(x)), x)


def test_batched_features_equal_features_py():
    from train import batch_features, device_features
    pcm = shipped()["pcm"][[0, 500, 1000]]
    got = batch_features(pcm)
    for i in range(3):
        ref = fe.clip_features(pcm[i]) * (1 << fe.FEATURE_Q)
        assert np.max(np.abs(got[i] - ref)) < 0.01, np.max(np.abs(got[i] - ref))
        assert np.array_equal(device_features(pcm[i:i + 1])[0], fe.quantize(fe.clip_features(pcm[i])).astype(np.float32))


def test_stream_generator():
    s = shipped()
    noise = prepare.load_noise(DATA / "noise_heldout.npz")
    a, ev_a, pl_a = st.make_stream(s["pcm"], s["y"], noise, 5, max_clips=12)
    b, ev_b, _ = st.make_stream(s["pcm"], s["y"], noise, 5, max_clips=12)
    assert np.array_equal(a, b) and ev_a == ev_b, "same seed, different stream"
    c, _, _ = st.make_stream(s["pcm"], s["y"], noise, 6, max_clips=12)
    assert not np.array_equal(a[:len(c)], c[:len(a)])
    assert len(pl_a) == 12 and all(s["y"][i] != prepare.SILENCE for _, _, i in pl_a)
    for first, last, cls, i in ev_a:
        start = next(p for p, _, j in pl_a if j == i)
        assert cls == s["y"][i] < 10
        assert first * st.HOP <= start + st.WIN and (first - 1) * st.HOP + st.WIN <= start       # first frame touching it
        assert last * st.HOP + st.WIN <= start + 16000 < (last + 1) * st.HOP + st.WIN            # last frame inside it
    gaps = [pl_a[k + 1][0] - pl_a[k][0] - 16000 for k in range(len(pl_a) - 1)]
    assert min(gaps) >= 16000 and max(gaps) <= 80000, gaps


def test_phase_shifted_labels():
    """phase_sensitivity.shifted_labels: k = 0 is make_stream's labels; for k > 0 the first frame touching a clip
    and the last frame inside it are those of the stream with its first k samples dropped."""
    import phase_sensitivity as ps
    s = shipped()
    noise = prepare.load_noise(DATA / "noise_heldout.npz")
    pcm, ev, pl = st.make_stream(s["pcm"], s["y"], noise, 5, max_clips=12)
    n = s["pcm"].shape[1]
    assert ps.shifted_labels(pl, n, 0) == (ev, st.distractor_spans(pl, n))
    for k in (1, 3, 160, 319, 320):
        ev_k, spans_k = ps.shifted_labels(pl, n, k)
        assert len(ev_k) == len(ev) and len(spans_k) == len(pl)
        for (first, last, cls, i), (f0, l0, c0, i0) in zip(ev_k, ev):
            start = next(p for p, _, j in pl if j == i) - k        # the clip's start in the shifted stream
            assert (cls, i) == (c0, i0)
            assert first * st.HOP + st.WIN > start >= (first - 1) * st.HOP + st.WIN or first == 0   # first touching
            assert last * st.HOP + st.WIN <= start + n < (last + 1) * st.HOP + st.WIN
        assert ps.shifted_labels(pl, n, 320)[0] == [(max(0, a - 1), b - 1, c, i) for a, b, c, i in ev]


def test_event_rule_equals_the_motion_rule_per_word():
    sys.path.insert(0, str(HERE.parent / "motion"))
    import events as motion_events
    rng = np.random.default_rng(3)
    pred = np.repeat(rng.integers(0, 12, size=200), rng.integers(1, 40, size=200))
    rule = {"shift": 2, "on": 22938, "off": 5734, "refractory": 25}
    got = st.detect_keywords(pred, **rule)
    for c in range(10):
        want, _ = motion_events.detect_events(pred, 12, c, **rule)
        assert [(t, s) for t, cc, s in got if cc == c] == want, f"class {c}"
    assert got, "no events on a random stream"


def test_event_rule_reproduces_the_device_fixture():
    """detect_keywords (versions 2 and 3: thresholds per word, minimum duration) still gives the events of
    tests/fixtures/keyword_rule_events.json, which the device's EventSmoother is checked against (MultiClassRuleTests)."""
    doc = json.loads((ROOT / "tests/fixtures/keyword_rule_events.json").read_text())
    assert len(doc["cases"]) == 6
    for c in doc["cases"]:
        got = st.detect_keywords(np.array(c["pred"]), c["shift"], c["on"], c["off"], c["refractory"],
                                 min_frames=c.get("min_frames", 1))
        assert [list(e) for e in got] == c["events"], c["shift"]
    pred = np.array(doc["cases"][0]["pred"])
    one = st.detect_keywords(pred, 3, 30000, 7500, 25)
    assert one == st.detect_keywords(pred, 3, [30000] * 10, [7500] * 10, 25, min_frames=1)
    longer = st.detect_keywords(pred, 3, 30000, 7500, 25, min_frames=6)
    assert 0 < len(longer) < len(one), (len(longer), len(one))


def test_stream_scoring():
    events = [(100, 150, 3, 0), (400, 450, 5, 1), (800, 850, 3, 2)]
    det = [(120, 3, 30000), (130, 3, 30000), (430, 4, 30000), (910, 3, 30000), (1500, 7, 30000)]
    r = st.score_stream(det, events, 180000)   # one hour of frames
    assert r["hits"] == 1 and r["misses"] == 2, r              # 120 hits clip 0; clip 1 only has a wrong word
    assert r["false_alarms"] == 4, r                           # 130 (clip 0 already hit), 430 (wrong word),
    #                                                            910 (after 850 + 50), 1500 (background)
    assert abs(r["false_alarms_per_hour"] - 4.0) < 1e-9
    assert r["median_latency_ms"] == 400.0 and r["hit_rate_per_word"]["down"] == 0.5
    # causes: 130 repeats clip 0's word, 430 is another word on clip 1, 910 falls on an unknown clip placed at 880,
    # 1500 is background
    spans = [(a, b, c) for a, b, c, _ in events] + [(880, 930, prepare.UNKNOWN)]
    r = st.score_stream(det, events, 180000, spans=spans)
    assert r["false_alarms_by_cause_per_hour"] == {"background": 1.0, "unknown_word": 1.0, "other_keyword": 1.0,
                                                   "repeat": 1.0}, r["false_alarms_by_cause_per_hour"]


def test_listen_events_scored_like_the_python_rule():
    """score.py --listen-json: the events of `skiprnn listen --json` (class names, confidences in [0, 1]) are scored
    exactly like the same detections from the Python rule."""
    import score
    names = prepare.CLASS_NAMES
    events = [(100, 150, 3, 0), (400, 450, 5, 1), (800, 850, 3, 2)]
    det = [(120, 3, 30000), (430, 4, 30000), (820, 3, 31000), (1500, 7, 30000)]
    doc = {"Model": "model.skrn", "Recording": {"File": "s.wav", "Seconds": 3600.0, "Frames": 180000, "FramesUpdated": 60000,
           "Events": [{"Frame": t, "Seconds": 0.0, "Class": names[c], "Confidence": v / 32768} for t, c, v in det],
           "UpdatedShare": 1 / 3}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "listen.json"
        path.write_text(json.dumps(doc))
        r = score.score_listen(path, names, events, 180000)
    want = st.score_stream(det, events, 180000)
    same = json.dumps({k: r[k] for k in want}, sort_keys=True) == json.dumps(want, sort_keys=True)   # NaN-safe
    assert same and abs(r["frames_updated"] - 1 / 3) < 1e-12, (r, want)
    assert r["hits"] == 2 and r["false_alarms"] == 2, r


def test_smoke_run():
    """prepare.py on a small dataset folder rebuilt from the shipped slice (its speakers given fresh hashes so the
    three splits are all populated), 20 training iterations, and stream scoring with a rule chosen on the smoke
    validation stream."""
    s, tmp = shipped(), Path(tempfile.mkdtemp())
    try:
        raw, noise_dir, out = tmp / "dataset", tmp / "noise", tmp / "out"
        hashes = {}
        for split in ("train", "valid", "test"):
            h, n = [], 0
            while len(h) < 3:
                cand = f"{n:08x}"
                if prepare.split_of(cand) == split:
                    h.append(cand)
                n += 1
            hashes[split] = h
        rng = np.random.default_rng(1)
        for c, name in enumerate(prepare.CLASS_NAMES):
            folder = raw / {"silence": "_silence_", "unknown": "_unknown_"}.get(name, name)
            folder.mkdir(parents=True)
            picks = rng.choice(np.flatnonzero(s["y"] == c), size=9, replace=False)
            for k, i in enumerate(picks):
                split = ("train", "train", "train", "train", "train", "valid", "valid", "test", "test")[k]
                spk = hashes[split][k % 3]
                if name == "silence":
                    n = 0
                    while prepare.split_of(f"silence:{k}{n:04d}") != split:
                        n += 1
                    fname = f"{k}{n:04d}.wav"
                elif name == "unknown":
                    fname = f"bed_{spk}_nohash_{k}.wav.wav"
                else:
                    fname = f"{spk}_nohash_{k}.wav"
                (folder / fname).write_bytes(wav_bytes(s["pcm"][i].astype("<i2").tobytes()))
        noise_dir.mkdir()
        for r, name in zip(prepare.load_noise(DATA / "noise_heldout.npz"), prepare.NOISE_NAMES):
            (noise_dir / f"{name}.wav").write_bytes(wav_bytes(r.astype("<i2").tobytes()))
        py = sys.executable
        reserved = tmp / "reserved.txt"
        reserved.write_text(f"# smoke\n{hashes['train'][0]}\n")       # 2 clips per spoken class: 22 clips
        p = subprocess.run([py, str(HERE / "prepare.py"), "--speech", str(raw), "--noise", str(noise_dir), "--out",
                            str(out), "--min-test", "10", "--reserved", str(reserved)], check=True, capture_output=True,
                           text=True)
        assert "reserved_dropped 22" in p.stdout, p.stdout
        sizes = {k: len(prepare.load_clips(out / f"kws_{k}.npz")["y"]) for k in ("train", "valid", "test")}
        assert sizes == {"train": 38, "valid": 24, "test": 24}, sizes
        assert hashes["train"][0] not in set(prepare.load_clips(out / "kws_train.npz")["speaker"].tolist())
        model = tmp / "model"
        subprocess.run([py, str(HERE / "train.py"), "--data", str(out), "--lam", "0.1", "--iters", "20",
                        "--batch", "16", "--log-every", "10", "--out", str(model)], check=True, capture_output=True,
                       text=True)
        m = json.loads((model / "metrics.json").read_text())
        assert m["iterations"] == 20 and 0 <= m["test"]["accuracy"] <= 1 and m["test"]["clips"] == 24
        r = subprocess.run([py, str(HERE / "score.py"), "--model", str(model), "--test", str(out / "kws_test.npz"),
                            "--noise", str(out / "noise.npz"), "--valid", str(out / "kws_valid.npz"),
                            "--valid-noise", str(out / "noise.npz"), "--max-clips", "15", "--out",
                            str(model / "stream.json")], check=True, capture_output=True, text=True)
        res = json.loads((model / "stream.json").read_text())
        f = res["float"]
        assert f["keywords"] > 0 and f["hits"] + f["misses"] == f["keywords"] and 0 < f["frames_updated"] <= 1, f
        assert "keyword_rule" in json.loads((model / "model.json").read_text()), r.stdout
        # the stream recipe: a few stateful iterations, then the per-word rule chosen on the validation stream
        # (a stand-in for synth.py's output in its format: two shipped clips of each keyword and of unknown words)
        pick = np.concatenate([np.flatnonzero(s["y"] == c)[:2] for c in list(range(10)) + [prepare.UNKNOWN]])
        np.savez(tmp / "synth.npz", pcm=s["pcm"][pick], y=s["y"][pick], speaker=np.array(["tts:x:y"] * len(pick)),
                 path=np.array(["word"] * len(pick)))
        sm = tmp / "stream_model"
        p = subprocess.run([py, str(HERE / "train_stream.py"), "--data", str(out), "--lam", "0.1", "--iters", "4",
                            "--batch", "4", "--crop", "60", "--log-every", "2", "--eval-every", "2", "--eval-clips",
                            "12", "--eval-lanes", "2", "--synth", str(tmp / "synth.npz"), "--synth-share", "0.5",
                            "--clip-batch", "3", "--clip-balance", "--out", str(sm)], check=True, capture_output=True,
                           text=True)
        assert "synthetic clips: 22 (20 keywords, 2 unknown), 50% of the placed clips" in p.stdout, p.stdout
        assert (sm / "checkpoints" / "iter00004.pt").exists() and (sm / "model.safetensors").exists()
        log = [json.loads(line) for line in (sm / "train_log.jsonl").read_text().splitlines()]
        assert [x["iter"] for x in log] == [2, 4] and "valid_hit_rate_at_10fa" in log[-1], log
        assert 0 <= log[-1]["valid_clip_accuracy"] <= 1 and log[-1]["ce_clip"] > 0, log
        side = json.loads((sm / "model.json").read_text())
        assert side["synth_share"] == 0.5 and side["clip_batch"] == 3 and len(side["clip_balance"]) == 12, side
        subprocess.run([py, str(HERE / "select_checkpoint.py"), "--run", str(sm), "--data", str(out), "--max-fa",
                        "1e9", "--lanes", "2", "--min-clip-accuracy", "0"], check=True, capture_output=True, text=True)
        sel = json.loads((sm / "selection.json").read_text())
        assert len(sel["checkpoints"]) == 2 and all(0 <= r["clip_accuracy"] <= 1 for r in sel["checkpoints"]), sel
        subprocess.run([py, str(HERE / "score.py"), "--model", str(sm), "--test", str(out / "kws_test.npz"),
                        "--noise", str(out / "noise.npz"), "--valid", str(out / "kws_valid.npz"),
                        "--valid-noise", str(out / "noise.npz"), "--max-clips", "15", "--choose-rule", "1e9",
                        "--valid-lanes", "2", "--background-seconds", "20", "--out", str(sm / "stream.json")],
                       check=True, capture_output=True, text=True)
        rule = json.loads((sm / "model.json").read_text())["keyword_rule"]
        assert len(rule["on"]) == 10 and rule["min_frames"] >= 1, rule
        res = json.loads((sm / "stream.json").read_text())
        assert res["background_only"]["minutes"] > 0.3 and "false_alarms_by_cause_per_hour" in res["float"], res
        assert len(res["curve"]["float"]) > 5
    finally:
        shutil.rmtree(tmp)


def test_rule_chooser_keeps_every_word_with_a_minimum():
    """score.choose_rule_per_word(min_word_hit_rate=0.5): a word whose hits cost many false alarms is switched off
    without the minimum (the shared trade-off drops it first) but kept with it, the budget met by a cheaper threshold
    of another word; a minimum the budget cannot hold is an error, not a rule that breaks it."""
    from score import choose_rule_per_word
    pred, events = [], []

    def item(c, run, word):               # 200 frames: a clip of word c (or a burst of c with no word), c for `run`
        f = len(pred)
        pred.extend([prepare.SILENCE] * 20 + [c] * run + [prepare.SILENCE] * (180 - run))
        if word:
            events.append((f + 10, f + 59, c, len(events)))
    long_, short = 60, 15                 # a long run reaches every threshold below 32768, a short one only the lower
    plan = {0: ([long_] * 5, []),
            1: ([long_] * 3 + [short] * 2, [long_] * 5 + [short] * 7),     # (5 hits, 12 FA) or (3, 5)
            2: ([long_] * 9 + [short], [short] * 3),                       # (10, 3) or (9, 0)
            3: ([long_] * 6 + [short] * 4, [long_] + [short] * 5)}         # (10, 6) or (6, 1)
    for c, (words, bursts) in plan.items():
        for r in words:
            item(c, r, True)
        for r in bursts:
            item(c, r, False)
    pred = np.array(pred, np.int64)
    hours = len(pred) / st.FRAME_HZ / 3600
    kw = dict(shifts=(3,), min_frames=(1,))
    rule, res = choose_rule_per_word(pred, events, len(pred), None, 10.5 / hours, **kw)
    assert res["hit_rate_per_word"]["no"] == 0 and res["false_alarms"] <= 10, res      # word 1 switched off
    rule, res = choose_rule_per_word(pred, events, len(pred), None, 10.5 / hours, min_word_hit_rate=0.5, **kw)
    per = res["hit_rate_per_word"]
    assert all(per[w] >= 0.5 for w in ("yes", "no", "up", "down")), res
    assert res["hits"] == 23 and res["false_alarms"] == 6 and res["min_word_hit_rate"] == 0.5, res
    try:
        choose_rule_per_word(pred, events, len(pred), None, 4.5 / hours, min_word_hit_rate=0.5, **kw)
    except RuntimeError:
        pass
    else:
        raise AssertionError("a minimum the budget cannot hold gave a rule")


def test_clip_draw_with_class_weights():
    """train.Augmenter(class_weights=...): the class is drawn with the weights (a class without clips gets none),
    not in proportion to its clips; bad weights are refused."""
    from train import Augmenter
    y = np.array([0] * 900 + [4] * 30 + [prepare.UNKNOWN] * 70, np.int64)
    pcm = np.zeros((len(y), prepare.CLIP), np.int16)
    noise = [np.ones(40000, np.int16)]
    w = [1.0] * 10 + [1.0, 3.0]
    a = Augmenter(pcm, y, noise, np.random.default_rng(3), synthetic_silence=0.0, noise_prob=0.0, class_weights=w)
    got = np.bincount([a.clip()[1] for _ in range(3000)], minlength=12)
    assert got[[1, 2, 3, 5, 6, 7, 8, 9, 10]].sum() == 0, got         # classes without clips are never drawn
    assert abs(got[0] / 3000 - 0.2) < 0.04 and abs(got[4] / 3000 - 0.2) < 0.04, got   # 1 : 1 : 3
    assert abs(got[prepare.UNKNOWN] / 3000 - 0.6) < 0.04, got
    plain = Augmenter(pcm, y, noise, np.random.default_rng(3), synthetic_silence=0.0, noise_prob=0.0)
    assert np.bincount([plain.clip()[1] for _ in range(3000)], minlength=12)[0] > 2400   # 90 % of the clips
    for bad in ([1.0] * 11, [1.0] * 11 + [-1.0], [0.0] * 12):
        try:
            Augmenter(pcm, y, noise, np.random.default_rng(3), class_weights=bad)
        except ValueError:
            continue
        raise AssertionError(f"class_weights {bad} accepted")


def test_synth_negatives_exclude_keywords_and_renders_are_seeded():
    """synth.py: no keyword, homophone or keyword form among the negatives; a small rendering with every engine
    (espeak-ng, flite, festival, sox: .ci/run installs them) is one-second int16 clips, and the same seed gives the
    same audio."""
    import synth
    for w in ("yes", "know", "write", "stops", "going", "stopped", "offs"):
        assert synth.excluded(w), w
    for w in ("stopper", "goat", "lefty", "dog"):
        assert not synth.excluded(w), w
    texts = synth.negative_texts(np.random.default_rng(1), 300)
    assert len(texts) == 300 and len(set(texts)) > 290
    assert not any(synth.excluded(w) for t in texts for w in t.split()), texts
    tmp = Path(tempfile.mkdtemp())
    try:
        outs = []
        for k in range(2):
            out = tmp / f"s{k}.npz"
            subprocess.run([sys.executable, str(HERE / "synth.py"), "--out", str(out), "--keyword-clips", "1",
                            "--negatives", "8", "--seed", "3"], check=True, capture_output=True, text=True)
            outs.append(prepare.load_clips(out))
        a, b = outs
        assert a["pcm"].shape == (18, prepare.CLIP) and a["pcm"].dtype == np.int16
        assert sorted(a["y"][a["y"] != prepare.UNKNOWN].tolist()) == list(range(10))
        assert (a["pcm"] == b["pcm"]).all() and (a["path"] == b["path"]).all()
        assert all(np.abs(x.astype(np.int64)).max() > 1000 for x in a["pcm"])
        counts = json.loads((tmp / "s0.json").read_text())
        assert counts["clips"] == 18 and sum(counts["per_engine"].values()) == 18, counts
        # every engine renders (not just the ones the seed happened to pick)
        for engine, voice in (("espeak-ng", "en-us+f3"), ("flite", "slt")):
            raw = synth.render_espeak_flite({"i": engine, "engine": engine, "voice": voice, "speed": 160, "pitch": 50,
                                             "text": "seven"}, tmp)
            assert raw.stat().st_size > 2000, engine
        job = {"i": "fest", "text": "seven"}
        synth.render_festival([job], "kal_diphone", tmp)
        synth.sox_to16k(tmp / "fest.raw.wav", tmp / "fest.wav", 1.1, 100, [50, 50])
        assert len(synth.read_wav16(tmp / "fest.wav")) > 3000
    finally:
        shutil.rmtree(tmp)


def test_shipped_model_accuracy_recomputed():
    """The shipped Skip-GRU's test-speaker accuracy, recomputed from the shipped clips, is the card's; test.npz is
    the features of those clips."""
    d = ROOT / "models/keyword"
    if not (d / "model.pt").exists():
        raise AssertionError("models/keyword/model.pt missing")
    import torch
    from score import load_model
    from train import device_features, evaluate
    torch.set_num_threads(1)
    model, side = load_model(d)
    s = shipped()
    feats = device_features(s["pcm"])
    # models/keyword/test.npz (what convert -v / eval / demo read) is these features: rebuildable from the slice
    with np.load(d / "test.npz") as t:
        assert np.array_equal(t["x"], feats) and np.array_equal(t["y"], s["y"].astype(np.int64)), "test.npz drifted"
    r = evaluate(model, feats, s["y"].astype(np.int64),
                 np.array(side["input_mean"], np.float32), np.array(side["input_std"], np.float32))
    card = json.loads((d / "metrics.json").read_text())["test"]
    assert abs(r["accuracy"] - card["accuracy"]) < 1e-9, (r["accuracy"], card["accuracy"])
    # the stream-trained model (issue 24) is chosen on validation streams; its clip accuracy (74.42 %) is below the
    # clip floors of issues 13 and 24, which the card states; here: the card's figure and the update budget
    assert r["frames_updated"] <= 0.50 and abs(r["frames_updated"] - card["frames_updated"]) < 1e-9, r["frames_updated"]
