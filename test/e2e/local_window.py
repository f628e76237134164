# attnc --local-window=W (attn-approximate-local) against numpy within
# |x - ref| <= 1e-5 + 1e-4 |ref|: global attention compiled with the option
# equals local-m attention of window W (keys j with |j - i| <= W), at -O0
# (unfused) and -O2 (tiled), with the weights output, also on a causal mask
# (the one-sided window); W >= S - 1 gives global attention exactly. S is
# known only at run time, so --local-window-above does not keep it global
# (test/passes/attn-approximate-local.mlir has the static counts).
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, check_zeros, np, write_safetensors
import numpy_ref

env = Env.from_argv()
rng = np.random.default_rng(41)
source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "global_attention.attn")
weights = os.path.join(env.work, "none.safetensors")  # the model has no params
write_safetensors(weights, {})
ENTRIES = {"f": (["S"], [("x", "f32")], [("y", "f32"), ("w", "f32")]),
           "causal": (["S"], [("x", "f32")], [("y", "f32")])}


def reference(x, window, causal=False):
    """Local-m attention of `window` (None: global), scaled dot scores
    (dot when causal), as numpy_ref computes them in float64."""
    S = x.shape[0]
    e = numpy_ref.scores("dot" if causal else "scaled_dot", x, x)
    i, j = np.arange(S)[:, None], np.arange(S)[None, :]
    kept = np.ones((S, S), bool) if window is None else np.abs(j - i) <= window
    if causal:
        kept &= j <= i
    e = np.where(kept, e, -np.inf)
    w = np.exp(e - e.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return w @ x.astype(np.float64), w


for level in ("-O0", "-O2"):
    for W, above in ((1, None), (3, None), (40, None), (299, None), (5, 300)):
        flags = [level, f"--local-window={W}"] + (
            [f"--local-window-above={above}"] if above is not None else [])
        tag = f"{level} W={W}" + (f" above={above}" if above else "")
        work = os.path.join(env.work, tag.replace(" ", "_").replace("=", ""))
        os.makedirs(work, exist_ok=True)
        model = CompiledModel(Env(env.src_root, env.obj_root, work), source,
                              "global_attention", ENTRIES, attnc_flags=flags)
        for S in (1, 7, 97, 300):
            x = rng.standard_normal((S, 8)).astype(np.float32)
            window = W
            got = model.call("f", weights, {"S": S}, [x], [(S, 8), (S, S)])
            y, w = reference(x, window)
            check_close(f"{tag} S={S} y", got["y"], y)
            check_close(f"{tag} S={S} weights", got["w"], w)
            check_zeros(f"{tag} S={S} weights", got["w"], w)
            if W >= S - 1:
                # The window covers every key: global attention.
                check_close(f"{tag} S={S} y = global", got["y"], reference(x, None)[0])
            got = model.call("causal", weights, {"S": S}, [x], [(S, 8)])
            check_close(f"{tag} S={S} causal y", got["y"], reference(x, window, causal=True)[0])
