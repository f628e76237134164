# Two entry points of one model, several outputs each, two run-time dims,
# multi-head attention returning its weights, a bias broadcast and the
# elementwise builtins; against numpy within 1e-4 relative.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, softmax, write_safetensors

env = Env.from_argv()
rng = np.random.default_rng(11)
D, H = 32, 2
weights = {name: (rng.standard_normal((D, D)) / 6).astype(np.float32)
           for name in ("wk", "wv", "wq")}
weights["bias"] = rng.standard_normal(D).astype(np.float32)
weights_path = os.path.join(env.work, "weights.safetensors")
write_safetensors(weights_path, weights)
w = {k: v.astype(np.float64) for k, v in weights.items()}

model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "encoder_decoder.attn"),
    "encdec", {
        "encode": (["S"], [("src", "f32")], [("keys", "f32"), ("values", "f32")]),
        "decode": (["S", "T"], [("tgt", "f32"), ("keys", "f32"), ("values", "f32")],
                   [("out", "f32"), ("weights", "f32"), ("gate", "f32")]),
    })

for S, T in ((1, 1), (13, 5), (64, 16)):
    src = rng.standard_normal((S, D)).astype(np.float32)
    tgt = rng.standard_normal((T, D)).astype(np.float32)
    enc = model.call("encode", weights_path, {"S": S}, [src], [(S, D), (S, D)])
    keys_ref = np.tanh(src @ w["wk"] + w["bias"])
    values_ref = src @ w["wv"]
    check_close(f"encode keys S={S}", enc["keys"], keys_ref)
    check_close(f"encode values S={S}", enc["values"], values_ref)

    dec = model.call("decode", weights_path, {"S": S, "T": T},
                     [tgt, enc["keys"], enc["values"]],
                     [(T, D), (H, T, S), (T, D)])
    q = tgt @ w["wq"]
    k, v = enc["keys"].astype(np.float64), enc["values"].astype(np.float64)
    d = D // H
    heads = [softmax(q[:, h*d:(h+1)*d] @ k[:, h*d:(h+1)*d].T / np.sqrt(d))
             for h in range(H)]
    out_ref = np.concatenate([a @ v[:, h*d:(h+1)*d] for h, a in enumerate(heads)], axis=1)
    check_close(f"decode out S={S} T={T}", dec["out"], out_ref)
    check_close(f"decode weights S={S} T={T}", dec["weights"], np.stack(heads))
    gate_ref = (1 / (1 + np.exp(out_ref))) * np.maximum(q, 0) - np.exp(out_ref / 4)
    check_close(f"decode gate S={S} T={T}", dec["gate"], gate_ref)

# Each entry checks its own dims: T is bounded by 16.
err = model.call("decode", weights_path, {"S": 4, "T": 17},
                 [np.zeros((17, D)), np.zeros((4, D)), np.zeros((4, D))],
                 [(17, D), (H, 17, 4), (17, D)], expect_status=3)
assert "encdec_decode: dim T = 17 is above its bound 16" in err, err
print("bounds: ok")
