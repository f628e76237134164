# Multi-head attention(..., heads = 2 or 4) against PyTorch within 1e-4
# relative: a decoder step and batches (two run-time batch dims too) with
# causal, padding, window and local-p masks and fully masked rows; causal
# scaled_dot also against nn.MultiheadAttention. See Inputs/heads_cases.py.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env
import heads_cases

heads_cases.run(Env.from_argv(), heads_cases.MASKS)
