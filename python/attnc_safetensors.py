#!/usr/bin/python3
"""A small safetensors writer and reader (numpy; torch only when given torch
tensors), for the weight files attnc-compiled models load by parameter name.

PyTorch 1.13 has no safetensors writer and Debian packages no `safetensors`,
so the project carries this one. It writes the format the `safetensors`
library reads:

    bytes 0..7     N, the header length: unsigned 64-bit little-endian
    bytes 8..8+N   the header: UTF-8 JSON, one object
                     {"__metadata__": {"key": "value", ...},     (optional)
                      "name": {"dtype": "F32", "shape": [2, 3],
                               "data_offsets": [begin, end]}, ...}
                   padded at the end with spaces (valid JSON whitespace) so
                   that the data section starts at a multiple of 8 bytes
    bytes 8+N..    the data section: each tensor's elements, row-major,
                   little-endian; data_offsets are byte offsets into this
                   section (end exclusive), and the ranges tile it exactly.

Layout choices of this writer (the format leaves them open):
- Data order: tensors with larger elements first (F64/I64, then F32/I32,
  then F16/BF16/I16, then I8/U8/BOOL), and the order of the given dict
  within each size, so every tensor starts at a multiple of its element size.
  A dict of one element size (a float32 state_dict, the f32/i32 tensors attnc
  reads) is written in its own order. The safetensors library sorts by
  dtype, then name, instead; readers find tensors by name either way.
- Header keys: "__metadata__" first (only when metadata is non-empty), then
  the tensors in data order; compact JSON.
- A tensor that appears under two names (tied or aliased weights) is written
  twice, once per name: ranges never overlap (attnc rejects overlaps).

Element types: F64 F32 F16 BF16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL. attnc
itself reads F32 and I32 only. numpy has no bfloat16: a torch bfloat16
tensor is written as BF16, and `load_file` returns BF16 widened (exactly)
to float32.

Use:
    from attnc_safetensors import save_file, load_file
    save_file(module.state_dict(), "w.safetensors")      # or {name: ndarray}
    arrays = load_file("w.safetensors")                  # {name: ndarray}
    header, metadata, data = read_header("w.safetensors")  # checked layout
Command line (Debian's /usr/bin/python3, which has numpy and torch):
    attnc_safetensors.py MODEL.pt OUT.safetensors   # torch.save'd state_dict
                                                    # or whole nn.Module
    attnc_safetensors.py --list FILE.safetensors    # name, dtype, shape
"""

import argparse
import json
import struct
import sys

import numpy as np

# safetensors dtype name <-> numpy dtype (little-endian). BF16 is separate.
_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"), "U64": np.dtype("<u8"), "U32": np.dtype("<u4"),
    "U16": np.dtype("<u2"), "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def _to_numpy(value, name):
    """(little-endian contiguous ndarray, safetensors dtype name)."""
    # A torch tensor can only exist if torch was imported by the caller, so
    # numpy-only users never pay for importing torch here.
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        tensor = value.detach().cpu().contiguous()
        if tensor.dtype == torch.bfloat16:
            # Same 16 bits, seen as int16 so numpy can hold them.
            return tensor.view(torch.int16).numpy(), "BF16"
        value = tensor.numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"tensor {name!r}: expected a numpy array or torch "
                        f"tensor, got {type(value).__name__}")
    dtype = value.dtype.newbyteorder("<")  # the file is little-endian
    if dtype not in _NAMES:
        raise ValueError(f"tensor {name!r}: dtype {value.dtype} has no "
                         f"safetensors equivalent")
    # Not np.ascontiguousarray: it turns a 0-d array into shape [1].
    return value.astype(dtype, order="C", copy=False), _NAMES[dtype]


def save_file(tensors, path, metadata=None, *, align=8):
    """Writes {name: tensor} to `path` as safetensors.

    tensors: a dict (e.g. `module.state_dict()` as it is) of torch tensors
    (detached, moved to the CPU, made contiguous here) or numpy arrays.
    metadata: optional {str: str}, stored as "__metadata__".
    align: the data section starts at a multiple of this many bytes (a
    multiple of 8; not in the safetensors library's API: the benchmarks use
    64 so attnc's runtime can use the mapped file without copying)."""
    if align <= 0 or align % 8:
        raise ValueError(f"align must be a positive multiple of 8, not {align}")
    entries = []
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {name!r}")
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved for the metadata")
        array, dtype = _to_numpy(value, name)
        entries.append((name, array, dtype))
    # Larger elements first keeps every tensor aligned to its element size;
    # sorted() is stable, so the dict order holds within one size.
    entries = sorted(entries, key=lambda entry: -entry[1].itemsize)

    header = {}
    if metadata:
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(f"metadata must map str to str: {key!r}: {value!r}")
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name, array, dtype in entries:
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % align)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, array, _ in entries:
            f.write(array.tobytes())


def read_header(path):
    """(header dict without "__metadata__", metadata dict, data bytes),
    checked: every tensor's range matches its shape and dtype, and the
    ranges tile the data section (no gap, no overlap, no trailing bytes)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (size,) = struct.unpack("<Q", raw[:8])
    if 8 + size > len(raw):
        raise ValueError(f"{path}: header length {size} runs past the end")
    header = json.loads(raw[8:8 + size].decode("utf-8"))
    metadata = header.pop("__metadata__", None) or {}
    data = raw[8 + size:]
    ranges = []
    for name, info in header.items():
        dtype, shape = info["dtype"], info["shape"]
        begin, end = info["data_offsets"]
        itemsize = 2 if dtype == "BF16" else _DTYPES[dtype].itemsize
        if end - begin != itemsize * int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: {name}: data_offsets [{begin}, {end}] "
                             f"do not hold {dtype}{shape}")
        ranges.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(ranges):
        if begin != position:
            raise ValueError(f"{path}: {name}: data starts at {begin}, "
                             f"expected {position} (gap or overlap)")
        position = end
    if position != len(data):
        raise ValueError(f"{path}: {len(data) - position} bytes after the "
                         "last tensor")
    return header, metadata, data


def load_file(path):
    """{name: numpy array} of a safetensors file, in header order (copies,
    native byte order; BF16 widened to float32)."""
    header, _, data = read_header(path)
    arrays = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        if info["dtype"] == "BF16":
            # bfloat16 is the top half of a float32.
            bits = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32)
            array = (bits << 16).view(np.float32)
        else:
            dtype = _DTYPES[info["dtype"]]
            array = np.frombuffer(data[begin:end], dtype=dtype)
            array = array.astype(dtype.newbyteorder("="))
        arrays[name] = array.reshape(info["shape"])
    return arrays


def _convert(model_path, out_path):
    import torch
    # Whole pickled modules need the full unpickler (trusted files only).
    loaded = torch.load(model_path, map_location="cpu")
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if not isinstance(loaded, dict):
        sys.exit(f"{model_path}: holds a {type(loaded).__name__}, not a "
                 "state_dict or nn.Module")
    save_file(loaded, out_path)
    print(f"wrote {out_path}: {len(loaded)} tensors")


def _list(path):
    header, metadata, _ = read_header(path)
    for key, value in metadata.items():
        print(f"# {key}: {value}")
    for name, info in header.items():
        print(f"{name}\t{info['dtype']}\t{info['shape']}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Writes a torch.save'd state_dict (or whole nn.Module) "
        "as safetensors, or lists a safetensors file.")
    parser.add_argument("model", nargs="?", help="MODEL.pt (torch.save output)")
    parser.add_argument("out", nargs="?", help="OUT.safetensors to write")
    parser.add_argument("--list", metavar="FILE",
                        help="print name, dtype and shape of each tensor in FILE")
    args = parser.parse_args(argv)
    if args.list:
        if args.model or args.out:
            parser.error("--list takes no other arguments")
        _list(args.list)
    elif args.model and args.out:
        _convert(args.model, args.out)
    else:
        parser.error("expected MODEL.pt OUT.safetensors, or --list FILE")


if __name__ == "__main__":
    main()
