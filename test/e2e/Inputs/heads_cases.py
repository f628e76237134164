"""Multi-head attention(..., heads = 2 or 4) against PyTorch
(test/lib/torch_ref.py): the features of queries, keys and values are split
into heads, each head attends alone (same score parameters, per-head sizes,
same mask), the outputs are concatenated and the weights come back per head.

KINDS has every score kind, MASKS a single query (decoder step) and batches,
also over two run-time batch dims, with causal, padding (one length per
sequence and per query), window (local-m) and local-p masks and fully masked
rows; causal scaled_dot is also checked against nn.MultiheadAttention with
identity projections. multihead_kinds.py and multihead_masks.py each run one
so that lit runs them in parallel."""

import os

from attnc_e2e import CompiledModel, np, write_safetensors
import torch
import torch_ref

D, DV, A, L = 16, 8, 5, 100
# fn: (heads, batch dims, query rows, key features, value features, extra
# inputs, .attn arguments after the operands, score kind, torch_ref keywords
# (weights by name; lengths from "len", centres from "p"))
KINDS = {
    "sdot2_scale": (2, "", "T", "D", "DV", [], "heads = 2, scale = 0.2",
                    "scaled_dot", {"scale": 0.2}),
    "dot2": (2, "", "T", "D", "DV", [], "score = dot, heads = 2", "dot", {}),
    "general2": (2, "", "T", "D", "DV", [], "score = general, W = Wg2, heads = 2",
                 "general", {"W": "Wg2"}),
    "additive2": (2, "", "T", "D", "DV", [],
                  "score = additive, W = Wa2, U = Ua2, v = va, heads = 2",
                  "additive", {"W": "Wa2", "U": "Ua2", "v": "va"}),
    "additive4_pre": (4, "", "T", "4 * A", "DV", [],  # keys: U h_j per head
                      "score = additive, W = Wa4, v = va, heads = 4",
                      "additive", {"W": "Wa4", "v": "va"}),
    "cosine4": (4, "", "T", "D", "DV", [],
                "score = cosine, heads = 4, mask = window(3)",
                "cosine", {"window": 3}),
    "location4": (4, "", "T", "D", "DV", [],
                  "score = location, W = Wl4, heads = 4",
                  "location", {"W": "Wl4"}),
}
MASKS = {
    "sdot4": (4, "", "T", "D", "D", [], "heads = 4, mask = causal",
              "scaled_dot", {"causal": True}),
    "step4": (4, "", "", "D", "DV", [("len", "i32")],
              "heads = 4, mask = padding(len)", "scaled_dot", {}),
    "seqs2": (2, "B", "B, T", "D", "DV", [("len", "i32[B]")],
              "score = general, W = Wg2, heads = 2, mask = causal | padding(len)",
              "general", {"W": "Wg2", "causal": True}),
    "queries2": (2, "B", "B, T", "D", "DV", [("len", "i32[B, T]")],
                 "score = dot, heads = 2, mask = padding(len)", "dot", {}),
    "local2": (2, "", "T", "D", "DV", [("p", "f32[T]")],
               "score = general, W = Wg2, heads = 2, mask = local(3, at = p)",
               "general", {"W": "Wg2", "window": 3, "local": True}),
    "steps_local2": (2, "B", "B", "D", "DV", [("p", "f32[B]"), ("len", "i32[B]")],
                     "heads = 2, mask = local(2, at = p) | padding(len)",
                     "scaled_dot", {"window": 2, "local": True}),
    # two run-time batch dims
    "nested2": (2, "B, C", "B, C, T", "D", "DV",
                [("len", "i32[B, C]"), ("p", "f32[B, C, T]")],
                "score = general, W = Wg2, heads = 2, "
                "mask = padding(len) | local(2, at = p)",
                "general", {"W": "Wg2", "window": 2, "local": True}),
    "nested_steps2": (2, "B, C", "B, C", "2 * A", "DV", [("len", "i32[B]")],
                      "score = additive, W = Wa2, v = va, heads = 2, "
                      "mask = padding(len)",
                      "additive", {"W": "Wa2", "v": "va"}),
}
FEATURES = {"D": D, "DV": DV, "2 * A": 2 * A, "4 * A": 4 * A}


def mha_reference(q, keys, vals, heads, causal):
    """nn.MultiheadAttention with identity projections and no bias: output
    and per-head weights (average_attn_weights=False)."""
    mha = torch.nn.MultiheadAttention(D, heads, bias=False).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([torch.eye(D)] * 3))
        mha.out_proj.weight.copy_(torch.eye(D))
    T, S = q.shape[0], keys.shape[0]
    mask = torch.ones(T, S, dtype=torch.bool).triu(1) if causal else None
    out, w = mha(*(torch_ref.tensor(x).unsqueeze(1) for x in (q, keys, vals)),
                 attn_mask=mask, need_weights=True, average_attn_weights=False)
    return out.squeeze(1).detach(), w.squeeze(0).detach()


def run(env, fns):
    """Compiles the fns `fns` (KINDS or MASKS) into one model and checks each
    at several sizes."""
    rng = np.random.default_rng(47 if fns is KINDS else 48)
    weights = {"Wg2": rng.standard_normal((D // 2, D // 2)) / 3,
               "Wa2": rng.standard_normal((A, D // 2)) / 2,
               "Ua2": rng.standard_normal((A, D // 2)) / 2,
               "Wa4": rng.standard_normal((A, D // 4)) / 2,
               "va": rng.standard_normal(A),
               "Wl4": rng.standard_normal((L, D // 4)) / 2}
    weights = {n: w.astype(np.float32) for n, w in weights.items()}
    weights_path = os.path.join(env.work, "weights.safetensors")
    write_safetensors(weights_path, weights)

    text = (f"model heads {{\n  dim B <= 3, C <= 2, S <= {L}, T <= 40\n"
            f"  const D = {D}, DV = {DV}, A = {A}, L = {L}\n"
            "  param Wg2 : f32[D / 2, D / 2]\n  param Wa2, Ua2 : f32[A, D / 2]\n"
            "  param Wa4 : f32[A, D / 4]\n  param va : f32[A]\n"
            "  param Wl4 : f32[L, D / 4]\n")
    entries = {}
    for name, (h, batch, rows, kf, vf, extra, args, _, _) in fns.items():
        lead = batch + ", " if batch else ""
        r = rows + ", " if rows else ""
        nq = "T, " if "T" in rows else ""
        inputs = [("q", f"f32[{r}D]"), ("keys", f"f32[{lead}S, {kf}]"),
                  ("vals", f"f32[{lead}S, {vf}]")] + extra
        sig = ", ".join(f"{n}: {t}" for n, t in inputs)
        text += (f"  fn {name}({sig})\n"
                 f"      -> (o: f32[{r}{vf}], w: f32[{lead}{h}, {nq}S]) {{\n"
                 f"    let o1, w1 = attention(q, keys, vals, {args})\n"
                 "    o = o1\n    w = w1\n  }\n")
        dims = [d for d in ("B", "C", "S", "T") if d == "S" or d in rows]
        entries[name] = (dims, [(n, t[:3]) for n, t in inputs],
                         [("o", "f32"), ("w", "f32")])
    source = os.path.join(env.work, "heads.attn")
    with open(source, "w") as f:
        f.write(text + "}\n")
    model = CompiledModel(env, source, "heads", entries)

    cases = 0
    for name, spec in fns.items():
        for S, T, B, C in ((1, 1, 1, 2), (7, 5, 3, 1), (97, 13, 2, 2), (5, 9, 3, 2)):
            if "T" not in spec[2] and T != 1:
                continue
            for inputs in case_inputs(rng, spec, S, T, B, C):
                check_case(model, weights_path, weights, name, spec, inputs,
                           {"S": S, "T": T, "B": B, "C": C})
                cases += 1
    print(f"{cases} cases")


def case_inputs(rng, spec, S, T, B, C):
    """Random q, keys, vals and centres p for one fn and size; one inputs dict
    per padding lengths to try (1, S, 0, in between; 0 masks whole rows)."""
    _, batch, rows, kf, vf, extra, _, _, _ = spec
    extra = dict(extra)
    lead = {"": (), "B": (B,), "B, C": (B, C)}[batch]
    rows_shape = lead + ((T,) if "T" in rows else ())
    inputs = {"q": rng.standard_normal(rows_shape + (D,)),
              "keys": rng.standard_normal(lead + (S, FEATURES[kf])),
              "vals": rng.standard_normal(lead + (S, FEATURES[vf]))}
    if "p" in extra:  # the middle, a left end and a window left of all keys
        p = rng.uniform(0, S, rows_shape)
        p.reshape(-1)[: min(p.size, 3)] = [S // 2, 0.4, -6.5][: p.size]
        inputs["p"] = p
    inputs = {n: x.astype(np.float32) for n, x in inputs.items()}
    if "len" not in extra:
        yield inputs
    elif extra["len"] == "i32":  # one length: each in turn
        for n in (1, S, 0):
            yield dict(inputs, len=np.int32(n))
    else:  # i32[B], i32[B, T], i32[B, C]
        sizes = {"B": B, "C": C, "T": T}
        shape = tuple(sizes[d] for d in extra["len"][4:-1].split(", "))
        pool = np.array([S, 0, 1, (S + 1) // 2], np.int32)
        yield dict(inputs, len=np.resize(pool, shape))


def check_case(model, weights_path, weights, name, spec, inputs, dims):
    heads, _, _, _, _, _, _, kind, ref = spec
    params = {k: weights[v] if isinstance(v, str) else v for k, v in ref.items()}
    lengths = inputs.get("len")
    o, w = torch_ref.attention(kind, inputs["q"], inputs["keys"], inputs["vals"],
                               heads=heads, lengths=lengths, at=inputs.get("p"),
                               **params)
    got = model.call(name, weights_path, dims,
                     [inputs[n] for n, _ in model.entries[name][1]],
                     [tuple(o.shape), tuple(w.shape)])
    where = " ".join(f"{d}={v}" for d, v in dims.items())
    where = f"{name} {where}" + (
        "" if lengths is None else f" len={np.asarray(lengths).tolist()}")
    torch_ref.check(f"{where}: output", got["o"], o)
    torch_ref.check(f"{where}: weights", got["w"], w)
    if name == "sdot4":
        o, w = mha_reference(inputs["q"], inputs["keys"], inputs["vals"], heads,
                             causal=True)
        torch_ref.check(f"{where}: output vs nn.MultiheadAttention", got["o"], o)
        torch_ref.check(f"{where}: weights vs nn.MultiheadAttention", got["w"], w)
