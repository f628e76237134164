# Window masks against PyTorch within 1e-4 relative, unfused chain and fused
# attention(...) (Inputs/chain_cases.py): window(n) around the query index
# (local-m), also n = 0 and with causal; window(n, at = c) and local(n, at = c)
# around real-valued centres (local-p; local multiplies the weights by a
# Gaussian after the softmax, as Luong et al.), also n = 0 (no Gaussian), for
# a block of queries, one decoder step (a scalar centre) and batches, combined
# with padding. Centres left or right of every key give fully masked rows,
# whose weights and contexts must be exactly 0; so do queries past the last
# key + n without `at`.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env, np
from chain_cases import run_mask_cases

# fn: (batch dims, query rows, mask operands, score kind, mask, torch_ref
# mask keywords besides the centres and lengths)
FNS = {
    "window": ("", "T", [], "dot", "window(3)", {"window": 3}),
    "window0": ("", "T", [], "scaled_dot", "window(0)", {"window": 0}),
    "causal_window": ("", "T", [], "cosine", "causal | window(2)",
                      {"causal": True, "window": 2}),
    "window_at": ("", "T", [("p", "f32[T]")], "general", "window(2, at = p)",
                  {"window": 2}),
    "local_at": ("", "T", [("p", "f32[T]")], "general", "local(3, at = p)",
                 {"window": 3, "local": True}),
    "local0_at": ("", "T", [("p", "f32[T]")], "dot", "local(0, at = p)",
                  {"window": 0, "local": True}),
    "local_step": ("", "", [("p", "f32")], "additive", "local(4, at = p)",
                   {"window": 4, "local": True}),
    "local_steps": ("B", "B", [("p", "f32[B]"), ("len", "i32[B]")], "scaled_dot",
                    "local(2, at = p) | padding(len)", {"window": 2, "local": True}),
    "local_seqs": ("B", "B, T", [("p", "f32[B, T]"), ("len", "i32[B]")],
                   "location", "padding(len) | local(5, at = p)",
                   {"window": 5, "local": True}),
}
SIZES = [dict(zip("STBC", size)) for size in
         ((1, 1, 1, 1), (7, 5, 3, 1), (97, 13, 2, 1), (5, 11, 3, 1), (7, 7, 1, 1))]
rng = np.random.default_rng(34)


def centres(fn, S, shapes):
    """Real centres in [-1, S), none within 0.01 of an integer (where f32 and
    float64 could disagree on |j - c| <= n), except the exact integer S // 2,
    and centres left and right of every key (fully masked rows); for one
    decoder step (a scalar centre) each kind in turn. Lengths S, 0, 1."""
    n = FNS[fn][5]["window"]
    ops = {}
    if "len" in shapes:
        ops["len"] = np.resize(np.array([S, 0, 1], np.int32), shapes["len"])
    if "p" not in shapes:
        yield ops
    elif shapes["p"] == ():
        for c in (S / 2 + 0.3, 0, -n - 2.5, S - 0.7):
            yield dict(ops, p=np.float32(c))
    else:
        c = rng.uniform(-1.0, S, shapes["p"])
        c = c + np.where(np.abs(c - np.round(c)) < 0.01, 0.05, 0.0)
        flat = c.reshape(-1)
        special = [S // 2, -n - 3.5, S - 1 + n + 2.25]
        flat[: min(flat.size, 3)] = special[: flat.size]
        yield dict(ops, p=flat.reshape(c.shape).astype(np.float32))


run_mask_cases(Env.from_argv(), "windows", FNS, SIZES, centres, seed=33)
