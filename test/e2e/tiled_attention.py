# Tiled attention (attn-fuse + attn-tile at -O1 and above) against the
# unfused path (-O0) and a float64 numpy reference, within 1e-4 relative
# (|x - ref| <= 1e-5 + 1e-4 |ref|, all finite; exactly 0 where the reference
# is 0): scaled_dot at d = 64, the builtin attention(...) and the chain
# score -> softmax -> context, masks none / causal / padding / causal |
# padding, self-attention with N = 1, 7, 63, 64, 65, 1000, cross-attention
# (Nq = 65, Nk = 1000; 1000, 7; 7, 65), a batch of 2 sequences with a padding
# length each, and the weights (masked ones exactly 0). Padding lengths
# include 0 (output rows of exactly 0, never NaN), Nk, 64 and lengths inside
# a block; scores near +100 and scores that grow with the key index. See
# Inputs/tiled_cases.py; d = 1 and 128 are in tiled_attention_head_sizes.py,
# the other score kinds in tiled_attention_kinds.py.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env
import tiled_cases

tiled_cases.run(Env.from_argv(), "grid")
