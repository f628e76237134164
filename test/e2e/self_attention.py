# The example model, compiled, linked and run against numpy: causal scaled-dot
# self-attention with Q/K/V/O projections, at S = 1, a prime, and the bound.
# Tolerance: 1e-4 relative (plus 1e-5 absolute near zero), fp32 vs float64.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, softmax, write_safetensors

env = Env.from_argv()
rng = np.random.default_rng(7)
D = 64
weights = {name: (rng.standard_normal((D, D)) / 8).astype(np.float32)
           for name in ("wq", "wk", "wv", "wo")}
weights_path = os.path.join(env.work, "weights.safetensors")
write_safetensors(weights_path, weights)

model = CompiledModel(
    env, os.path.join(env.src_root, "examples", "self_attention",
                      "self_attention.attn"),
    "self_attention", {"forward": (["S"], [("x", "f32")], [("y", "f32")])})


def reference(x):
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    x = x.astype(np.float64)
    q, k, v = x @ w["wq"], x @ w["wk"], x @ w["wv"]
    e = q @ k.T / np.sqrt(D)
    e[np.triu(np.ones_like(e, dtype=bool), k=1)] = -np.inf  # causal
    return softmax(e) @ v @ w["wo"]


for S in (1, 7, 97, 512):
    x = rng.standard_normal((S, D)).astype(np.float32)
    y = model.call("forward", weights_path, {"S": S}, [x], [(S, D)])["y"]
    check_close(f"forward S={S}", y, reference(x))

# Dims outside [1, bound] are refused before any buffer is touched.
x = np.zeros((513, D), np.float32)
err = model.call("forward", weights_path, {"S": 513}, [x], [(513, D)],
                 expect_status=3)
assert "ATTNRT_ERROR_INVALID_ARGUMENT" in err and "dim S = 513 is above its bound 512" in err, err
err = model.call("forward", weights_path, {"S": 0}, [x], [(1, D)],
                 expect_status=3)
assert "dim S must be at least 1, got 0" in err, err
print("bounds: ok")
