#!/usr/bin/python3
"""Recomputes app.c's output with PyTorch (float64) and compares.

usage: check.py encoder.safetensors decoder.safetensors app-output.txt

Loads the two weight files into the example's nn.TransformerEncoder and
nn.TransformerDecoder (export.py's architecture; strict load_state_dict),
rebuilds app.c's inputs from its pattern and lengths (read from the
output), and checks every printed number: |app - torch| <= 1e-5 +
1e-4 |torch| + 5e-7 (app.c prints 6 decimals). Prints "(match)" or
"(MISMATCH)" and exits 0 or 1. A sequence that PyTorch computes as NaN (a
source length 0 leaves no key to attend to) is reported, not compared."""

import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import export  # noqa: E402
from attnc_safetensors import load_file  # noqa: E402

B, D, T = 3, export.D_MODEL, 6
TGT_LENS = [6, 3, 1]


def load(module, path):
    state = {name: torch.from_numpy(a) for name, a in load_file(path).items()}
    module.load_state_dict(state, strict=True)
    return module.double()


def parse(path):
    """{"memory"/"out": {b: (length, mean |value|, {row: [4 values]})}}."""
    printed = {"memory": {}, "out": {}}
    for line in open(path):
        m = re.match(r"(memory|out)\[(\d+)\]: length (\d+)(?:, mean \|value\| (\S+))?",
                     line)
        if m:
            printed[m[1]][int(m[2])] = (int(m[3]), m[4] and float(m[4]), {})
            continue
        m = re.match(r"\s+(memory|out)\[(\d+)\]\[(\d+)\]\[0:4\] =(.*)", line)
        if m:
            printed[m[1]][int(m[2])][2][int(m[3])] = [float(v) for v in m[4].split()]
    return printed


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    printed = parse(sys.argv[3])
    if sorted(printed["memory"]) != list(range(B)) or \
            sorted(printed["out"]) != list(range(B)):
        sys.exit(f"{sys.argv[3]}: expected the rows of {B} sequences")
    src_lens = [printed["memory"][b][0] for b in range(B)]
    S = max(max(src_lens), 1)

    src = np.zeros((B, S, D))
    tgt = np.zeros((B, T, D))
    d = np.arange(D)
    for b in range(B):
        for s in range(src_lens[b]):
            src[b, s] = np.sin(0.37 * d + 1.3 * s + 2.1 * b)
        for t in range(TGT_LENS[b]):
            tgt[b, t] = np.cos(0.23 * d + 0.7 * t + 1.9 * b)
    # app.c computes the pattern in double and stores float32.
    src = torch.from_numpy(src.astype(np.float32).astype(np.float64))
    tgt = torch.from_numpy(tgt.astype(np.float32).astype(np.float64))
    src_kpm = torch.arange(S)[None, :] >= torch.tensor(src_lens)[:, None]
    tgt_kpm = torch.arange(T)[None, :] >= torch.tensor(TGT_LENS)[:, None]
    causal = torch.ones(T, T, dtype=torch.bool).triu(1)

    encoder = load(export.build_encoder(), sys.argv[1])
    decoder = load(export.build_decoder(), sys.argv[2])
    with torch.no_grad():
        memory = encoder(src, src_key_padding_mask=src_kpm)
        # The decoder reads the memory the app computed, float32.
        app_memory = memory.float().double()
        out = decoder(tgt, app_memory, tgt_mask=causal,
                      tgt_key_padding_mask=tgt_kpm,
                      memory_key_padding_mask=src_kpm)
    reference = {"memory": (memory.numpy(), src_lens),
                 "out": (out.numpy(), TGT_LENS)}

    worst = 0.0
    for name, (ref, lens) in reference.items():
        for b in range(B):
            length, mean_abs, rows = printed[name][b]
            if length != lens[b]:
                sys.exit(f"{name}[{b}]: length {length}, expected {lens[b]}")
            if np.isnan(ref[b]).any():
                # A sequence with no key to attend to: PyTorch's softmax over
                # nothing gives NaN, attnc's attention 0 (no reference).
                print(f"note: {name}[{b}] is NaN in PyTorch (a length 0): "
                      "not compared")
                continue
            pairs = []
            if length > 0:
                pairs.append((mean_abs, np.abs(ref[b, :length]).mean()))
            for row, values in rows.items():
                pairs += zip(values, ref[b, row, :4])
            for got, want in pairs:
                error = abs(got - want) / (1e-5 + 1e-4 * abs(want) + 5e-7)
                worst = max(worst, error if error == error else np.inf)
    print(f"torch reference: out[0][0][0:4] = "
          + " ".join(f"{v:.6f}" for v in reference["out"][0][0, 0, :4]))
    verdict = "match" if worst <= 1 else "MISMATCH"
    print(f"max |app - torch| / (1e-5 + 1e-4 |torch| + 5e-7) over the printed "
          f"values: {worst:.3f} ({verdict})")
    return 0 if verdict == "match" else 1


if __name__ == "__main__":
    sys.exit(main())
