"""File formats without extra dependencies: safetensors (hand-written), deterministic npz,
and the JSON sidecar the converter reads next to a weights file.
"""
from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import torch

# safetensors dtype names <-> torch dtypes we write.
_ST_DTYPES = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.int32: "I32",
}
_ST_TO_TORCH = {v: k for k, v in _ST_DTYPES.items()}
_ST_TO_NUMPY = {"F32": np.float32, "F16": np.float16, "F64": np.float64,
                "I64": np.int64, "I32": np.int32}


def _raw_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the 16-bit pattern.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    arr = t.numpy()
    return arr.astype(arr.dtype.newbyteorder("<")).tobytes()


def save_safetensors(path: str | Path, tensors: dict[str, torch.Tensor],
                     dtype: torch.dtype | None = None, metadata: dict[str, str] | None = None) -> None:
    """Write a safetensors file: u64 LE header length, JSON header, contiguous LE data.

    Keys are sorted and the data laid out in that order; the header is padded with
    spaces to a multiple of 8 bytes (as the reference implementation does), so the
    output is byte-for-byte deterministic.
    """
    header: dict[str, object] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if dtype is not None and t.is_floating_point():
            t = t.to(dtype)
        if t.dtype not in _ST_DTYPES:
            raise ValueError(f"{name}: dtype {t.dtype} not supported by this writer")
        b = _raw_bytes(t)
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in chunks:
            f.write(b)


def load_safetensors(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a safetensors file (strict: checks sizes, offsets and contiguity)."""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} exceeds file size {len(data)}")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: corrupt safetensors header: {e}") from None
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out, expect = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        start, end = info["data_offsets"]
        if start != expect or end > len(body):
            raise ValueError(f"{path}: tensor {name} has bad data_offsets {start, end}")
        expect = end
        raw = body[start:end]
        dt = info["dtype"]
        if dt == "BF16":
            a = np.frombuffer(raw, dtype="<i2").copy()
            t = torch.from_numpy(a).view(torch.bfloat16)
        elif dt in _ST_TO_NUMPY:
            a = np.frombuffer(raw, dtype=np.dtype(_ST_TO_NUMPY[dt]).newbyteorder("<")).copy()
            t = torch.from_numpy(a.astype(a.dtype.newbyteorder("=")))
        else:
            raise ValueError(f"{path}: tensor {name}: unsupported dtype {dt}")
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        if t.numel() != count:
            raise ValueError(f"{path}: tensor {name}: {t.numel()} values for shape {info['shape']}")
        out[name] = t.reshape(info["shape"])
    if expect != len(body):
        raise ValueError(f"{path}: {len(body) - expect} trailing bytes after the last tensor")
    return out


def save_npz(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    """Like np.savez (uncompressed, `name.npy` members) but with a fixed zip timestamp,
    so the same arrays give the same bytes on every run."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def state_dict_to_numpy(sd: dict[str, torch.Tensor], dtype=np.float32) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().to(torch.float64).numpy().astype(dtype) for k, v in sd.items()}


def write_sidecar(path: str | Path, sidecar: dict) -> None:
    Path(path).write_text(json.dumps(sidecar, indent=2) + "\n")


def sidecar_for(model, task: str, input_mean, input_std, class_names=None,
                sample_period_us: int = 0, **extra) -> dict:
    """The JSON sidecar schema shared by fixtures and trained models."""
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be classification or regression, got {task!r}")
    d = {
        "variant": model.variant,
        "input_size": model.input_size,
        "hidden_size": model.hidden_size,
        "num_layers": model.num_layers,
        "output_size": model.output_size,
        "task": task,
    }
    if class_names is not None:
        if len(class_names) != model.output_size:
            raise ValueError(f"{len(class_names)} class names for {model.output_size} outputs")
        d["class_names"] = list(class_names)
    d["sample_period_us"] = int(sample_period_us)
    d["input_mean"] = [float(v) for v in input_mean]
    d["input_std"] = [float(v) for v in input_std]
    if len(d["input_mean"]) != model.input_size or len(d["input_std"]) != model.input_size:
        raise ValueError("input_mean and input_std need one value per input")
    if any(s <= 0 for s in d["input_std"]):
        raise ValueError("input_std must be positive")
    d.update(extra)
    return d
