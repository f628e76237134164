# Tiled attention of the other score kinds (dot, general, additive with and
# without U, cosine with a zero key row, location with L > the largest Nk)
# at d = 64 with masks none, causal and padding (per-query lengths, some 0),
# N = 7, 65, 1000, the builtin attention(...) and the chain: -O2 (fused and
# tiled) against -O0 (unfused) and a float64 numpy reference within 1e-4
# relative (|x - ref| <= 1e-5 + 1e-4 |ref|; exactly 0 where the reference is
# 0). See Inputs/tiled_cases.py.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env
import tiled_cases

tiled_cases.run(Env.from_argv(), "kinds")
