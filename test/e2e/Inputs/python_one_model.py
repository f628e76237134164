"""one_model.c (self-attention) through the Python module: the same input,
y written to OUT as raw float32, for a byte comparison with the C program.
WEIGHTS "-" passes None (weights embedded in the object).
    usage: python_one_model.py LIBRARY WEIGHTS OUT   (module on PYTHONPATH)"""
import sys

import numpy as np

import self_attention

TOKENS, D = 7, 64
# As one_model.c's fill(), in float32 arithmetic.
i = np.arange(TOKENS * D)
x = (((i * 37) % 101).astype(np.float32) / np.float32(101.0) -
     np.float32(0.5)).reshape(TOKENS, D)
weights = None if sys.argv[2] == "-" else sys.argv[2]
with self_attention.Model(sys.argv[1], weights) as model:
    model.forward(x).tofile(sys.argv[3])
