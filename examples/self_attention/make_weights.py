#!/usr/bin/env python3
"""Writes random weights for self_attention.attn to a safetensors file.

usage: make_weights.py weights.safetensors [seed]

safetensors is 8 bytes of header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw little-endian data."""

import json
import struct
import sys

import numpy as np

D = 64


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) == 3 else 0)
    tensors = {name: (rng.standard_normal((D, D)) / np.sqrt(D)).astype("<f4")
               for name in ("wq", "wk", "wv", "wo")}
    header, offset = {}, 0
    for name, array in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for array in tensors.values():
            f.write(array.tobytes())
    print(f"wrote {sys.argv[1]}: wq, wk, wv, wo as f32[{D}, {D}]")


if __name__ == "__main__":
    main()
