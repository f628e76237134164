# Window masks against PyTorch within 1e-4 relative, unfused chain and fused
# attention(...) (Inputs/chain_cases.py): window(n) around the query index
# (local-m), also n = 0 and with causal; window(n, at = p) and local(n, at = p)
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
from chain_cases import chain_fn, check_chain, compile_model

env = Env.from_argv()
rng = np.random.default_rng(33)
K, V, A, L = 8, 6, 5, 100
weights = {"Wg": rng.standard_normal((K, K)) / 3,
           "Wa": rng.standard_normal((A, K)) / 2,
           "Ua": rng.standard_normal((A, K)) / 2,
           "va": rng.standard_normal(A),
           "Wl": rng.standard_normal((L, K)) / 2}
weights = {n: w.astype(np.float32) for n, w in weights.items()}
PARAMS = {"general": {"W": weights["Wg"]}, "location": {"W": weights["Wl"]},
          "additive": {"W": weights["Wa"], "U": weights["Ua"], "v": weights["va"]}}
ARGS = {"general": ", W = Wg", "location": ", W = Wl",
        "additive": ", W = Wa, U = Ua, v = va"}

# fn: (batch dims, query rows, extra inputs, score kind, mask, torch_ref mask
# keywords; centres come from "p", lengths from "len")
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
    "local_seqs": ("B", "B, T", [("p", "f32[B, T]"), ("len", "i32[B]")], "location",
                   "padding(len) | local(5, at = p)", {"window": 5, "local": True}),
}

text = f"""model windows {{
  dim B <= 3, S <= {L}, T <= 40
  const K = {K}, V = {V}, A = {A}, L = {L}
  param Wg : f32[K, K]
  param Wa, Ua : f32[A, K]
  param va : f32[A]
  param Wl : f32[L, K]
"""
fns = {}
for name, (batch, rows, extra, kind, mask, _) in FNS.items():
    lead = batch + ", " if batch else ""
    inputs = [("q", f"f32[{rows + ', ' if rows else ''}K]"),
              ("keys", f"f32[{lead}S, K]"), ("vals", f"f32[{lead}S, V]")] + extra
    text += chain_fn(name, inputs, kind, rows, "S", "V", ARGS.get(kind, ""), mask)
    dims = [d for d in ("B", "S", "T") if d == "S" or d in rows]
    fns[name] = (dims, [(n, t[:3]) for n, t in inputs])
model, weights_path = compile_model(env, "windows", text + "}\n", fns, weights)


def centres(shape, S, n):
    """Real centres in [-1, S), none within 0.01 of an integer (where f32 and
    float64 could disagree on |j - c| <= n), except the exact integer S // 2;
    and centres left and right of every key (fully masked rows)."""
    c = rng.uniform(-1.0, S, shape)
    c = c + np.where(np.abs(c - np.round(c)) < 0.01, 0.05, 0.0)
    flat = c.reshape(-1)
    special = [float(S // 2), -n - 3.5, S - 1 + n + 2.25]
    flat[: min(flat.size, 3)] = special[: flat.size]
    return flat.reshape(shape).astype(np.float32)


cases = 0
for name, (batch, rows, extra, kind, mask, ref_mask) in FNS.items():
    single = "T" not in rows
    n = ref_mask["window"]
    for S, T, B in ((1, 1, 1), (7, 5, 3), (97, 13, 2), (5, 11, 3), (7, 7, 1)):
        if single and T != 1:
            continue
        lead = (B,) if batch else ()
        inputs = {"q": rng.standard_normal(lead + (() if single else (T,)) + (K,)),
                  "keys": rng.standard_normal(lead + (S, K)),
                  "vals": rng.standard_normal(lead + (S, V))}
        inputs = {n_: x.astype(np.float32) for n_, x in inputs.items()}
        # One decoder step has a scalar centre: try each kind of centre in turn.
        all_centres = [None]
        if extra and extra[0][1] == "f32":
            all_centres = [np.float32(S / 2 + 0.3), np.float32(0),
                           np.float32(-n - 2.5), np.float32(S - 0.7)]
        elif extra:
            all_centres = [centres(lead + (() if single else (T,)), S, n)]
        for c in all_centres:
            if c is not None:
                inputs["p"] = c
            if dict(extra).get("len"):
                inputs["len"] = np.resize(np.array([S, 0, 1], np.int32), lead)
            where = f"{name} S={S} T={T} B={B}" + (
                f" c={np.asarray(c).round(2).tolist()}" if c is not None and c.size < 4 else "")
            check_chain(model, weights_path, name, {"S": S, "T": T, "B": B}, inputs,
                        kind, PARAMS.get(kind, {}), where, at=c,
                        lengths=inputs.get("len"), **ref_mask)
            cases += 1
print(f"{cases} cases")
