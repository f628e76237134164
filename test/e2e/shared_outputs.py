# A value assigned to several outputs (`c = m  d = m`, `b = a`) compiles
# (bufferization once refused it: "cannot avoid RaW conflict") and every
# output holds it, against numpy within |x - ref| <= 1e-5 + 1e-4 |ref|; an
# input passed through to an output is copied exactly.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, write_safetensors

env = Env.from_argv()
rng = np.random.default_rng(5)
scale = rng.uniform(0.5, 2, 6).astype(np.float32)
weights = os.path.join(env.work, "shared.safetensors")
write_safetensors(weights, {"scale": scale})
model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "shared_outputs.attn"),
    "shared", {"f": (["S"], [("x", "f32")],
                     [(n, "f32") for n in ("a", "b", "c", "d", "e")])})
for S in (1, 7):
    x = rng.standard_normal((S, 6)).astype(np.float32)
    got = model.call("f", weights, {"S": S}, [x],
                     [(S,), (S,), (S, 6), (S, 6), (S, 6)])
    x64 = x.astype(np.float64)
    for name in ("a", "b"):
        check_close(f"{name} S={S}", got[name], x64.mean(1))
    for name in ("c", "d"):
        check_close(f"{name} S={S}", got[name], np.tanh(x64) * scale)
    if not np.array_equal(got["e"], x):
        raise SystemExit(f"e S={S}: the input passed through differs")
