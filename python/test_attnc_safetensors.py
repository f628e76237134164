#!/usr/bin/python3
"""Tests of attnc_safetensors: round trips through load_file and through an
independent minimal reader, the byte layout, the torch and command-line
paths. Run: /usr/bin/python3 python/test_attnc_safetensors.py"""

import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import attnc_safetensors as st  # noqa: E402


def minimal_read(path):
    """Reads the file from the format description alone (not st's code):
    returns (header, data bytes) after checking the layout."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0, "data section not 8-byte aligned"
    text = raw[8:8 + n].decode("utf-8")
    header = json.loads(text)  # valid JSON, padding included
    data = raw[8 + n:]
    spans = sorted(tuple(v["data_offsets"]) for k, v in header.items()
                   if k != "__metadata__")
    position = 0
    for begin, end in spans:  # contiguous from 0 to the end of the file
        assert begin == position, (begin, position)
        position = end
    assert position == len(data), (position, len(data))
    return header, data


def minimal_array(header, data, name):
    info = header[name]
    dtype = {"F32": "<f4", "I32": "<i4", "F64": "<f8", "F16": "<f2",
             "I64": "<i8", "I8": "i1", "U8": "u1", "BOOL": "?"}[info["dtype"]]
    begin, end = info["data_offsets"]
    return np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])


def check_equal(a, b, what):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (what, a.shape, b.shape,
                                                        a.dtype, b.dtype)
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), what


def test_numpy(tmp):
    rng = np.random.default_rng(0)
    tensors = {
        "w": rng.standard_normal((3, 5)).astype(np.float32),
        "ids": np.arange(7, dtype=np.int32),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "d": rng.standard_normal(3),                       # F64
        "h": np.array([1.5, -2, np.nan], dtype=np.float16),
        "l": np.array([-(2 ** 40), 3], dtype=np.int64),
        "b": np.array([[True, False, True]]),
        "u": np.array([0, 255, 7], dtype=np.uint8),
        "i": np.array([-128, 127, 1], dtype=np.int8),
        "transposed": rng.standard_normal((4, 3)).astype(np.float32).T,
        "big_endian": np.arange(5, dtype=">f4"),
    }
    tensors["alias"] = tensors["w"]  # written twice, as two ranges
    path = os.path.join(tmp, "np.safetensors")
    st.save_file(tensors, path, metadata={"format": "np", "by": "test"})
    header, data = minimal_read(path)
    assert list(header)[0] == "__metadata__"
    assert header["__metadata__"] == {"format": "np", "by": "test"}
    assert header["w"]["data_offsets"] != header["alias"]["data_offsets"]
    loaded = st.load_file(path)
    assert set(loaded) == set(tensors)
    for name, array in tensors.items():
        want = array.astype(array.dtype.newbyteorder("="))
        check_equal(loaded[name], want, name)
        check_equal(minimal_array(header, data, name), want, name)
        begin = header[name]["data_offsets"][0]
        assert begin % array.itemsize == 0, (name, "misaligned")
    # Same element size: dict order kept.
    f32 = [k for k, v in header.items()
           if k != "__metadata__" and v["dtype"] in ("F32", "I32")]
    assert f32 == [k for k in tensors if tensors[k].itemsize == 4], f32


def test_align_and_errors(tmp):
    path = os.path.join(tmp, "a.safetensors")
    st.save_file({"x": np.ones(3, np.float32)}, path, align=64)
    (n,) = struct.unpack("<Q", open(path, "rb").read(8))
    assert (8 + n) % 64 == 0
    for bad, error in [({1: np.ones(2, np.float32)}, TypeError),
                       ({"x": [1.0, 2.0]}, TypeError),
                       ({"x": np.ones(2, np.complex64)}, ValueError),
                       ({"__metadata__": np.ones(2, np.float32)}, ValueError)]:
        try:
            st.save_file(bad, path)
        except error:
            continue
        raise AssertionError(f"accepted {bad!r}")
    try:
        st.save_file({"x": np.ones(2, np.float32)}, path, metadata={"n": 1})
        raise AssertionError("accepted a non-str metadata value")
    except TypeError:
        pass


def test_numpy_only_does_not_import_torch(tmp):
    code = ("import sys, numpy as np; sys.path.insert(0, %r); "
            "import attnc_safetensors as st; "
            "st.save_file({'x': np.ones(2, np.float32)}, %r); "
            "assert 'torch' not in sys.modules, 'torch imported'"
            % (HERE, os.path.join(tmp, "n.safetensors")))
    subprocess.run([sys.executable, "-c", code], check=True)


def test_torch(tmp):
    import torch
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    state = layer.state_dict()
    state["extra.transposed"] = torch.randn(3, 4).t()       # not contiguous
    state["extra.grad"] = torch.randn(2, requires_grad=True)
    state["extra.bf16"] = torch.tensor([1.0, -2.5, 3.140625],
                                       dtype=torch.bfloat16)
    state["extra.long"] = torch.tensor([1, 2], dtype=torch.int64)
    path = os.path.join(tmp, "t.safetensors")
    st.save_file(state, path)
    header, data = minimal_read(path)
    assert header["extra.bf16"]["dtype"] == "BF16"
    assert header["self_attn.in_proj_weight"]["dtype"] == "F32"
    loaded = st.load_file(path)
    assert set(loaded) == set(state)
    for name, tensor in state.items():
        want = tensor.detach().float() if tensor.dtype == torch.bfloat16 \
            else tensor.detach()
        check_equal(loaded[name], want.numpy(), name)


def test_cli(tmp):
    import torch
    torch.manual_seed(1)
    module = torch.nn.TransformerDecoderLayer(8, 2, 16, batch_first=True)
    script = os.path.join(HERE, "attnc_safetensors.py")
    for kind, obj in [("state", module.state_dict()), ("module", module)]:
        pt = os.path.join(tmp, kind + ".pt")
        out = os.path.join(tmp, kind + ".safetensors")
        torch.save(obj, pt)
        subprocess.run([sys.executable, script, pt, out], check=True,
                       capture_output=True)
        loaded = st.load_file(out)
        assert list(loaded) == list(module.state_dict())
        for name, tensor in module.state_dict().items():
            check_equal(loaded[name], tensor.numpy(), name)
    listing = subprocess.run([sys.executable, script, "--list", out],
                             check=True, capture_output=True, text=True).stdout
    first = listing.splitlines()[0].split("\t")
    assert first == ["self_attn.in_proj_weight", "F32", "[24, 8]"], first
    usage = subprocess.run([sys.executable, script, "--help"], check=True,
                           capture_output=True, text=True).stdout
    assert "--list" in usage
    bad = subprocess.run([sys.executable, script], capture_output=True)
    assert bad.returncode == 2


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for test in (test_numpy, test_align_and_errors,
                     test_numpy_only_does_not_import_torch, test_torch, test_cli):
            test(tmp)
            print(f"{test.__name__}: ok")


if __name__ == "__main__":
    main()
