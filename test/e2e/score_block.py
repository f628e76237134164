# Every score kind (dot, scaled_dot with and without a scale, general,
# additive with and without U, cosine, location) for a block of queries
# (f32[T, H] against keys f32[S, K], T below, equal to and above S), unfused chain and fused
# attention(...), against PyTorch within 1e-4 relative. See Inputs/score_kinds.py.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env
import score_kinds

score_kinds.run(Env.from_argv(), single=False)
