#!/usr/bin/env python3
"""Writes random weights for self_attention.attn to a safetensors file.

usage: make_weights.py weights.safetensors [seed]

safetensors is 8 bytes of header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw little-endian data."""

import os
import sys

import numpy as np

# The project's safetensors writer, in python/ at the top of the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
from attnc_safetensors import save_file  # noqa: E402

D = 64


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) == 3 else 0)
    tensors = {name: (rng.standard_normal((D, D)) / np.sqrt(D)).astype("<f4")
               for name in ("wq", "wk", "wv", "wo")}
    save_file(tensors, sys.argv[1])
    print(f"wrote {sys.argv[1]}: wq, wk, wv, wo as f32[{D}, {D}]")


if __name__ == "__main__":
    main()
