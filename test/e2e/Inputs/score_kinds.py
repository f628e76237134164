"""The six score kinds end to end, against PyTorch (test/lib/torch_ref.py).

One model with an fn per kind and per variant (scaled_dot with an explicit
scale; additive with keys already projected by U, i.e. without U); each fn
computes the unfused chain and the fused attention(...) (chain_cases.py),
with contexts over separate values.

`run(env, single)` tests the single-query form (a decoder step: query f32[H],
keys f32[S, K]) or the block form (queries f32[T, H]); score_step.py and
score_block.py call it so that lit runs the two in parallel."""

from attnc_e2e import np
from chain_cases import (PARAM_DECLS, chain_fn, check_chain, compile_model,
                         score_params, score_weights)

H, K, A, V, L = 12, 20, 8, 5, 128   # query, key, attention, value sizes; W rows
S_MAX, T_MAX = 100, 32

# fn name: (score kind, key features, keyword arguments other than the
# default ones of chain_cases.SCORE_ARGS: .attn param names or numbers)
VARIANTS = {
    "dot": ("dot", "H", None),
    "scaled_dot": ("scaled_dot", "H", None),
    "scaled_dot_scale": ("scaled_dot", "H", {"scale": 0.3}),
    "general": ("general", "K", None),
    "additive": ("additive", "K", None),
    "additive_pre": ("additive", "A", {"W": "Wa", "v": "va"}),  # keys: U h_j
    "cosine": ("cosine", "H", None),
    "location": ("location", "K", None),  # W has L > S_MAX rows
}
FEATURES = {"H": H, "K": K, "A": A}


def run(env, single):
    rng = np.random.default_rng(5 if single else 6)
    weights = score_weights(rng, H, K, A, L)

    q_type, rows = ("f32[H]", "") if single else ("f32[T, H]", "T")
    dims = ["S"] if single else ["S", "T"]
    text = (f"model scores {{\n  dim S <= {S_MAX}, T <= {T_MAX}\n"
            f"  const H = {H}, K = {K}, A = {A}, V = {V}, L = {L}\n" + PARAM_DECLS)
    fns = {}
    for name, (kind, features, kwargs) in VARIANTS.items():
        inputs = [("q", q_type), ("keys", f"f32[S, {features}]"),
                  ("vals", "f32[S, V]")]
        text += chain_fn(name, inputs, kind, rows, "S", "V", args=kwargs)
        fns[name] = (dims, [(n, "f32") for n, _ in inputs])
    model, weights_path = compile_model(env, "scores", text + "}\n", fns, weights)

    # S: one key, a prime, near and at the bound; T below, equal to and
    # above S.
    sizes = [(1, 1), (7, 3), (97, 13), (S_MAX, T_MAX), (5, 8)]
    cases = 0
    for name, (kind, features, kwargs) in VARIANTS.items():
        params = score_params(kind, weights, kwargs)
        for S, T in sizes[:4] if single else sizes:
            q = rng.standard_normal((H,) if single else (T, H))
            keys = rng.standard_normal((S, FEATURES[features]))
            if kind == "cosine" and S > 1:  # zero vectors score 0, not NaN
                keys[S // 2] = 0
                if S == 7:
                    q[...] = 0
            inputs = {"q": q.astype(np.float32), "keys": keys.astype(np.float32),
                      "vals": rng.standard_normal((S, V)).astype(np.float32)}
            where = f"{name} S={S}" + ("" if single else f" T={T}")
            check_chain(model, weights_path, name, {"S": S, "T": T}, inputs,
                        kind, params, where)
            cases += 1
    print(f"{cases} cases")
