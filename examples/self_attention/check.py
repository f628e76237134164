#!/usr/bin/env python3
"""Recomputes app.c's output with numpy (float64) and compares.

usage: check.py weights.safetensors app-output.txt"""

import json
import struct
import sys

import numpy as np

D = 64


def load(path):
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    return {name: np.frombuffer(data[s["data_offsets"][0]:s["data_offsets"][1]],
                                dtype="<f4").reshape(s["shape"]).astype(np.float64)
            for name, s in header.items() if name != "__metadata__"}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    w = load(sys.argv[1])
    rows = [line.split("=")[1].split() for line in open(sys.argv[2])
            if line.strip().startswith("y[")]
    printed = np.array(rows, dtype=np.float64)
    tokens = len(printed)
    x = np.sin(0.1 * np.arange(tokens * D)).reshape(tokens, D)
    q, k, v = x @ w["wq"], x @ w["wk"], x @ w["wv"]
    e = q @ k.T / np.sqrt(D)
    e[np.triu(np.ones((tokens, tokens), dtype=bool), k=1)] = -np.inf
    a = np.exp(e - e.max(axis=1, keepdims=True))
    a /= a.sum(axis=1, keepdims=True)
    y = a @ v @ w["wo"]
    diff = np.max(np.abs(printed - y[:, :6]))
    print(f"numpy reference: y[0][0:6] = " + " ".join(f"{t:9.5f}" for t in y[0, :6]))
    # app.c prints 5 decimals, so agreement is to 5e-6 plus rounding.
    verdict = "match" if diff <= 1e-5 else "MISMATCH"
    print(f"max |attnc - numpy| over the printed values: {diff:.1e} ({verdict})")
    return 0 if verdict == "match" else 1


if __name__ == "__main__":
    sys.exit(main())
