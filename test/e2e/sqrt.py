# sqrt(x) compiled, linked and run against numpy's np.sqrt, within
# |x - ref| <= 1e-5 + 1e-4 |ref|: zeros, tiny and huge values, sizes that
# are not a multiple of the vector width; a negative x gives NaN, as numpy.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, write_safetensors

env = Env.from_argv()
rng = np.random.default_rng(11)
D = 19

weights = {"b": rng.uniform(0, 3, D).astype(np.float32)}
weights_path = os.path.join(env.work, "roots.safetensors")
write_safetensors(weights_path, weights)

model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "sqrt.attn"),
    "roots", {"f": (["S"], [("x", "f32")], [("y", "f32"), ("z", "f32")])})

for S in (1, 3, 64, 300):
    x = (rng.standard_normal((S, D)) ** 2 * 10).astype(np.float32)
    x[0, :4] = [0, 1e-30, 1e15, 2.25]
    got = model.call("f", weights_path, {"S": S}, [x], [(S, D), (S, D)])
    x64, b64 = x.astype(np.float64), weights["b"].astype(np.float64)
    check_close(f"y S={S}", got["y"], np.sqrt(x64))
    check_close(f"z S={S}", got["z"],
                np.sqrt(x64 * x64 + b64) / 2)

# The square root of a negative number is NaN, as np.sqrt's.
x = np.full((2, D), 4, dtype=np.float32)
x[1, 5] = -1
got = model.call("f", weights_path, {"S": 2}, [x], [(2, D), (2, D)])
nan = np.isnan(got["y"])
if not nan[1, 5] or np.count_nonzero(nan) != 1:
    raise SystemExit(f"sqrt(-1) should be the only NaN, got {np.argwhere(nan)}")
check_close("y, other entries", got["y"][~nan], np.full(2 * D - 1, 2.0))
