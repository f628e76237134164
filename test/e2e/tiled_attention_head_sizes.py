# Tiled attention as in tiled_attention.py (scaled_dot, builtin and chain,
# masks none / causal / padding / causal | padding, self-attention with
# N = 1, 7, 63, 64, 65, 1000 and cross-attention), at head sizes d = 1 and
# d = 128: -O2 (fused and tiled) against -O0 (unfused) and a float64 numpy
# reference within 1e-4 relative (|x - ref| <= 1e-5 + 1e-4 |ref|, all
# finite; exactly 0 where the reference is 0). See Inputs/tiled_cases.py.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env
import tiled_cases

tiled_cases.run(Env.from_argv(), "head_sizes")
