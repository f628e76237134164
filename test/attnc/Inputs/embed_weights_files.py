"""Writes the weight files of embed-weights-errors.test into argv[1]
(which holds the transformer example's encoder.safetensors already)."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "python"))
from attnc_safetensors import load_file, save_file  # noqa: E402

out = sys.argv[1]
rng = np.random.default_rng(0)


def normal(*shape):
    return rng.standard_normal(shape).astype(np.float32)


save_file({"wq": normal(64, 64), "wk": normal(64, 64), "wv": normal(64, 64),
           "wo": normal(64, 64)}, os.path.join(out, "good.safetensors"))
save_file({"wq": normal(64, 64), "wk": normal(32, 64),
           "wv": np.zeros((64, 64), np.int32)},
          os.path.join(out, "mismatch.safetensors"))
with open(os.path.join(out, "junk.safetensors"), "w") as f:
    f.write("this is not a safetensors file\n")
with open(os.path.join(out, "good.safetensors"), "rb") as f:
    image = f.read()
with open(os.path.join(out, "truncated.safetensors"), "wb") as f:
    f.write(image[:len(image) // 2])

# The transformer encoder's weights (examples/transformer/export.py), with
# one bias of the second layer a row short.
encoder = load_file(os.path.join(out, "encoder.safetensors"))
encoder["layers.1.linear2.bias"] = encoder["layers.1.linear2.bias"][:-1]
save_file(encoder, os.path.join(out, "encoder-bad.safetensors"))
