# The causal and padding masks and their combination, unfused chain and fused
# attention(...), against PyTorch within 1e-4 relative (Inputs/chain_cases.py):
# causal with T below, equal to and above S; padding of one decoder step
# (scalar length), of a batch of steps and of a batch of sequences (one length
# per sequence, per query, or one for all), with lengths 1, S, 0 and in
# between; causal | padding, also over two run-time batch dims. Rows whose
# keys are all masked (length 0) must have weights and contexts of exactly 0,
# masked keys weights of exactly 0. A length outside [0, S] is refused before
# the kernel runs (ATTNRT_ERROR_OUT_OF_RANGE).
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env, np
from chain_cases import chain_fn, check_chain, compile_model

env = Env.from_argv()
rng = np.random.default_rng(21)
K, V = 8, 6
weights = {"Wg": (rng.standard_normal((K, K)) / 3).astype(np.float32),
           "Wa": (rng.standard_normal((5, K)) / 2).astype(np.float32),
           "Ua": (rng.standard_normal((5, K)) / 2).astype(np.float32),
           "va": rng.standard_normal(5).astype(np.float32)}
ADDITIVE = ", W = Wa, U = Ua, v = va"

# fn: (dims, batch dims, query rows, lengths type, score kind, its .attn
# arguments, mask, extra torch_ref mask keywords; lengths come from "len")
FNS = {
    "causal": (["S", "T"], "", "T", None, "scaled_dot", "", "causal",
               {"causal": True}),
    "pad_step": (["S"], "", "", "i32", "dot", "", "padding(len)", {}),
    "pad_steps": (["B", "S"], "B", "B", "i32[B]", "general", ", W = Wg",
                  "padding(len)", {}),
    "pad_seqs": (["B", "S", "T"], "B", "B, T", "i32[B]", "additive", ADDITIVE,
                 "padding(len)", {}),
    "pad_queries": (["B", "S", "T"], "B", "B, T", "i32[B, T]", "cosine", "",
                    "padding(len)", {}),
    "pad_all": (["B", "S", "T"], "B", "B, T", "i32", "scaled_dot", "",
                "padding(len)", {}),
    "causal_pad": (["B", "S", "T"], "B", "B, T", "i32[B]", "dot", "",
                   "causal | padding(len)", {"causal": True}),
    # two run-time batch dims (collapsed into one inside, then restored)
    "causal_pad2": (["B", "C", "S", "T"], "B, C", "B, C, T", "i32[B, C]",
                    "general", ", W = Wg", "causal | padding(len)",
                    {"causal": True}),
}

text = """model masks {
  dim B <= 4, C <= 3, S <= 100, T <= 40
  const K = 8, V = 6, A = 5
  param Wg : f32[K, K]
  param Wa, Ua : f32[A, K]
  param va : f32[A]
"""
fns = {}
for name, (dims, batch, rows, len_type, kind, args, mask, _) in FNS.items():
    lead = batch + ", " if batch else ""
    inputs = [("q", f"f32[{rows + ', ' if rows else ''}K]"),
              ("keys", f"f32[{lead}S, K]"), ("vals", f"f32[{lead}S, V]")]
    if len_type:
        inputs.append(("len", len_type))
    text += chain_fn(name, inputs, kind, rows, "S", "V", args, mask)
    fns[name] = (dims, [(n, "i32" if n == "len" else "f32") for n, _ in inputs])
model, weights_path = compile_model(env, "masks", text + "}\n", fns, weights)
PARAMS = {"general": {"W": weights["Wg"]},
          "additive": {"W": weights["Wa"], "U": weights["Ua"], "v": weights["va"]}}


def lengths_for(S, shape):
    """1, S, 0 (a fully masked row) and one in between, repeated over
    `shape`."""
    return np.resize(np.array([1, S, 0, (S + 1) // 2], np.int32), shape)


cases = 0
for name, (dims, batch, rows, len_type, kind, args, mask, ref_mask) in FNS.items():
    single = "T" not in rows
    for S, T, B, C in ((1, 1, 1, 2), (7, 3, 4, 3), (97, 13, 3, 1), (5, 9, 2, 2),
                       (7, 7, 4, 1)):
        if single and T != 1:
            continue
        lead = {"": (), "B": (B,), "B, C": (B, C)}[batch]
        inputs = {"q": rng.standard_normal(lead + (() if single else (T,)) + (K,)),
                  "keys": rng.standard_normal(lead + (S, K)),
                  "vals": rng.standard_normal(lead + (S, V))}
        inputs = {n: x.astype(np.float32) for n, x in inputs.items()}
        all_lengths = [None]
        if len_type == "i32":      # one length for all: each value in turn
            all_lengths = [np.int32(n) for n in (1, S, 0)]
        elif len_type:
            shape = lead + ((T,) if "T" in len_type else ())
            all_lengths = [lengths_for(S, shape)]
        for lengths in all_lengths:
            if lengths is not None:
                inputs["len"] = np.asarray(lengths, np.int32)
            where = (f"{name} S={S} T={T} B={B} C={C} len="
                     f"{None if lengths is None else np.asarray(lengths).tolist()}")
            check_chain(model, weights_path, name,
                        {"S": S, "T": T, "B": B, "C": C}, inputs, kind,
                        PARAMS.get(kind, {}), where, lengths=lengths, **ref_mask)
            cases += 1
        if len_type:  # a length outside [0, S] is refused
            for bad in (S + 1, -1):
                inputs["len"] = np.full(np.shape(inputs["len"]), bad, np.int32)
                err = model.call(name, weights_path, {"S": S, "T": T, "B": B, "C": C},
                                 [inputs[n] for n, _ in fns[name][1]],
                                 [(B * C * T * max(S, V),)] * 5, expect_status=3)
                assert "ATTNRT_ERROR_OUT_OF_RANGE" in err and "is not a padding length" in err, err
print(f"{cases} cases")
