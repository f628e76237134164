"""The three lines of docs/LANGUAGE.md 11.1 that compare a compiled model
with its PyTorch module: the transformer example's encoder (random weights
from export.py) through its Python module, against nn.TransformerEncoder.
    usage: python_torch.py   (run in the directory holding libencoder.so and
    encoder.py, with examples/transformer on PYTHONPATH)"""
import numpy as np
import torch

import encoder  # written by attnc --python
import export  # examples/transformer

torch_encoder = export.randomize(export.build_encoder(), 7)
export.export(torch_encoder, "encoder.safetensors")
# The docs' lines (after compiling): load, compare.
m = encoder.Model("./libencoder.so", "encoder.safetensors")
x = np.random.default_rng(0).standard_normal((2, 5, 512), dtype=np.float32)
np.testing.assert_allclose(m.forward(x, np.array([5, 5], np.int32)), torch_encoder(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-4)
# The same comparison must be able to fail: other weights differ.
other = export.randomize(export.build_encoder(), 8)
try:
    np.testing.assert_allclose(m.forward(x, np.array([5, 5], np.int32)), other(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-4)
except AssertionError:
    print("compiled encoder == nn.TransformerEncoder; other weights differ")
else:
    raise SystemExit("the comparison did not see other weights")
