"""Tiled (flash-style) attention end to end: the same models compiled at -O0
(the unfused path: the whole score matrix) and at -O2 (attn-fuse, then
attn-tile: loops over query blocks x key blocks with an online softmax, in
parallel), run on the same inputs, and compared with each other and with a
float64 numpy reference (test/lib/numpy_ref.py).

Every fn computes one attention in both source forms: the builtin
`attention(q, keys, vals, ...)` (output o) and the chain `score.KIND` ->
`softmax(..., mask = ...)` -> `context` (output c), which attn-fuse must turn
into the same fused op; `weights` also returns the builtin's weights (w).

Tolerance: check_close's, |x - ref| <= 1e-5 + 1e-4 |ref| everywhere and
every value finite; against numpy also exactly 0 wherever the reference is
0 (masked keys' weights, the output rows of queries with no key left).

GRID: scaled_dot on every mask (none, causal, padding, causal | padding) for
self-attention (N = Nq = Nk in SELF_N) and cross-attention (Nq != Nk:
CROSS); EXTRA: a batch of B = 2 sequences with a length each, and the
weights. KINDS: the other score kinds (additive also without U, on
projected keys; cosine with a zero key row; location with L > the largest
Nk) with none, causal and padding, N in KIND_N. PARTS says which fns run at
which head sizes d, one model per d; a test runs one part, so that lit runs
the parts in parallel."""

import os
import zlib

from attnc_e2e import (CompiledModel, Env, check_close, check_zeros, np,
                       write_safetensors)
import numpy_ref

N_MAX = 1000
SELF_N = (1, 7, 63, 64, 65, 1000)     # around a 64-key block, and many blocks
CROSS = ((65, 1000), (1000, 7), (7, 65))  # (Nq, Nk)
KIND_N = (7, 65, 1000)
DV, A, L = 40, 16, 1024   # kinds: value features, attention size, location rows
# name: attnc flags. Small blocks (16 queries, 40 keys: neither divides the
# other) give N = 63..1000 many tail and diagonal blocks.
LEVELS = {"-O0": ["-O0"], "-O2": ["-O2"],
          "-O2-small-blocks": ["-O2", "--query-block=16", "--key-block=40"]}

MASKS = {"none": "", "causal": "causal", "pad": "padding(len)",
         "cpad": "causal | padding(len)"}
# fn: (layout, mask, score kind, weights returned); layouts below
GRID = {f"{layout}_{m}": (layout, m, "scaled_dot", False)
        for layout in ("self", "cross") for m in MASKS}
EXTRA = {"batch_pad": ("batch", "pad", "scaled_dot", False),
         "batch_cpad": ("batch", "cpad", "scaled_dot", False),
         "weights": ("cross", "cpad", "scaled_dot", True)}
# The score's .attn keyword arguments (params by name), keys' features
SCORES = {"dot": ({}, "D"), "general": ({"W": "Wg"}, "D"),
          "additive": ({"W": "Wa", "U": "Ua", "v": "va"}, "D"),
          "additive_pre": ({"W": "Wa", "v": "va"}, "A"),   # keys: U h_j
          "cosine": ({}, "D"), "location": ({"W": "Wl"}, "D")}
KINDS = {f"{kind}_{m}": ("kinds", m, kind, False)
         for kind in SCORES for m in ("none", "causal", "pad")}
# part: (head sizes d, fns)
PARTS = {"grid": ((64,), {**GRID, **EXTRA}), "head_sizes": ((1, 128), GRID),
         "kinds": ((64,), KINDS)}
# layout: (dims, query rows, key rows, padding lengths' type); "kinds" is
# self-attention with values of DV features
LAYOUTS = {"self": (["N"], "N", "N", "i32"),
           "cross": (["N", "M"], "N", "M", "i32[N]"),
           "batch": (["B", "N"], "B, N", "B, N", "i32[B]"),
           "kinds": (["N"], "N", "N", "i32[N]")}


def model_text(name, d, fns):
    text = (f"model {name} {{\n  dim B <= 2, N <= {N_MAX}, M <= {N_MAX}\n"
            f"  const D = {d}, DV = {DV}, A = {A}, L = {L}\n"
            "  param Wg : f32[D, D]\n  param Wa, Ua : f32[A, D]\n"
            "  param va : f32[A]\n  param Wl : f32[L, D]\n")
    for fn, (layout, mask, kind, weights) in fns.items():
        _, rows, keys, lens = LAYOUTS[layout]
        args, features = SCORES.get(kind, ({}, "D"))
        values = "DV" if layout == "kinds" else "D"
        inputs = (f"q: f32[{rows}, D], keys: f32[{keys}, {features}], "
                  f"vals: f32[{keys}, {values}]")
        if "pad" in mask:
            inputs += f", len: {lens}"
        out = f"f32[{rows}, {values}]"
        m = f", mask = {MASKS[mask]}" if MASKS[mask] else ""
        a = "".join(f", {k} = {v}" for k, v in args.items())
        kind = kind.replace("_pre", "")
        if weights:
            w = f"f32[{rows}, {keys.split(', ')[-1]}]"
            text += (f"  fn {fn}({inputs}) -> (o: {out}, w: {w}) {{\n"
                     f"    let o1, w1 = attention(q, keys, vals, score = {kind}{a}{m})\n"
                     "    o = o1\n    w = w1\n  }\n")
        else:
            text += (f"  fn {fn}({inputs}) -> (o: {out}, c: {out}) {{\n"
                     f"    o = attention(q, keys, vals, score = {kind}{a}{m})\n"
                     f"    let e = score.{kind}(q, keys{a})\n"
                     f"    let p = softmax(e{m})\n"
                     "    c = context(p, vals)\n  }\n")
    return text + "}\n"


def padding_lengths(layout, nq, nk, variant, rng):
    """The lengths to try: 0 (rows with no key: exactly 0, never NaN), nk
    (nothing masked), 64 (a block boundary) and one inside a block. A single
    length: one call each (only the last with the "offset" and "ramp"
    inputs); per query: all of them mixed, with 1, 63, 65 and nk - 1; per
    sequence: pairs."""
    inside = (2 * nk) // 3 + 1
    pool = sorted({0, nk, min(64, nk), inside})
    if layout == "self":
        return [np.int32(n) for n in (pool if variant == "random" else [inside])]
    if layout == "batch":
        return [np.array([0, nk], np.int32), np.array([inside, min(65, nk)], np.int32)]
    pool += [1, min(63, nk), min(65, nk), nk - 1]
    return [rng.permutation(np.resize(np.array(pool, np.int32), nq))]


def sizes(fn, layout):
    """(Nq, Nk) pairs to run fn at."""
    if layout == "kinds":
        return [(n, n) for n in KIND_N]
    if layout != "cross":
        return [(n, n) for n in SELF_N]
    return list(CROSS) + ([(65, 65), (N_MAX, N_MAX)] if fn == "weights" else [])


def operands(d, layout, kind, nq, nk, variant):
    """q, keys, vals (float32), the same for every fn of a layout and score
    kind. variant "random": N(0, 1); "offset": every score near +100
    (beyond exp's f32 range: the softmax must subtract the maximum); "ramp":
    scores grow with the key index, so the running maximum of an online
    softmax rises in every key block. Both put q and keys on a grid of
    1/64, where f32 products and sums are exact. "offset" also adds 4 to
    the values: with an inexact scale (d = 128) f32 scores near 100 are
    only good to ~1e-4 (-O0 scales q, then sums: 4e-5 off in the outputs),
    an error that the outputs carry relative to the spread of the values,
    not their size; with the offset, 1e-4 of their size covers it."""
    rng = np.random.default_rng(zlib.crc32(f"{d} {layout} {kind} {nq} {nk} "
                                           f"{variant}".encode()))
    lead = (2,) if layout == "batch" else ()
    features = {"D": d, "A": A}[SCORES.get(kind, ({}, "D"))[1]]
    q = rng.standard_normal(lead + (nq, d))
    keys = rng.standard_normal(lead + (nk, features))
    vals = rng.standard_normal(lead + (nk, DV if layout == "kinds" else d))
    if variant == "offset":
        c = np.sqrt(100 / np.sqrt(d))      # q . k / sqrt(d) ~ 100 +- noise
        q, keys, vals = q + c, keys + c, vals + 4
    elif variant == "ramp":
        u = np.full(d, np.sqrt(20 / np.sqrt(d)))   # score ~ 20 j / nk
        q = q * 0.3 + u
        keys = keys * 0.3 + np.arange(nk)[:, None] / nk * u
    if variant != "random":
        q, keys = np.round(q * 64) / 64, np.round(keys * 64) / 64
    if kind in ("dot", "general"):
        q = q / np.sqrt(d)                 # moderate scores without a scale
    if kind == "cosine":
        keys[nk // 2] = 0                  # scores 0, not NaN
    return {n: x.astype(np.float32) for n, x in
            (("q", q), ("keys", keys), ("vals", vals))}


def run(env, part):
    """Checks the fns of PARTS[part] at each of its head sizes."""
    os.environ["OMP_NUM_THREADS"] = "2"     # the tiled loops run in parallel
    head_sizes, fns = PARTS[part]
    for d in head_sizes:
        rng = np.random.default_rng(d)
        name = f"tiled_{part}_d{d}"
        weights = {"Wg": rng.standard_normal((d, d)) / np.sqrt(d),
                   "Wa": rng.standard_normal((A, d)) / np.sqrt(d),
                   "Ua": rng.standard_normal((A, d)) / np.sqrt(d),
                   "va": rng.standard_normal(A),
                   "Wl": rng.standard_normal((L, d)) / np.sqrt(d)}
        weights = {n: w.astype(np.float32) for n, w in weights.items()}
        models = compile_levels(env, name, model_text(name, d, fns), fns, weights)
        # The fns of a layout and score kind share their inputs and scores.
        groups = {}
        for fn, (layout, _, kind, _) in fns.items():
            groups.setdefault((layout, kind), []).append(fn)
        calls = sum(check_group(models, fns, group, d, weights, rng)
                    for group in groups.values())
        print(f"d={d}: {calls} calls, each at {' and '.join(LEVELS)}")


def check_group(models, fns, group, d, weights, rng):
    """Runs the fns `group` (one layout and score kind) at each of their
    sizes, variants and padding lengths; returns the number of calls."""
    layout, _, kind, _ = fns[group[0]]
    args, _ = SCORES.get(kind, ({}, "D"))
    params = {k: weights[v] for k, v in args.items()}
    calls = 0
    for nq, nk in sorted({s for fn in group for s in sizes(fn, layout)}):
        variants = ["random"]
        if layout in ("self", "cross") and nk == N_MAX:
            variants += ["offset", "ramp"]
        for variant in variants:
            inputs = operands(d, layout, kind, nq, nk, variant)
            e = numpy_ref.scores(kind.replace("_pre", ""), inputs["q"],
                                 inputs["keys"], **params)
            vals = inputs["vals"].astype(np.float64)
            for fn in (f for f in group if (nq, nk) in sizes(f, layout)):
                _, mask, _, returns_weights = fns[fn]
                lengths = ([None] if "pad" not in mask else
                           padding_lengths(layout, nq, nk, variant, rng))
                for n in lengths:
                    w = numpy_ref.softmax(e, causal="causal" in MASKS[mask],
                                          lengths=n)
                    expected = {"o": w @ vals}
                    expected.update({"w": w} if returns_weights else {"c": w @ vals})
                    where = (f"d={d} {fn} Nq={nq} Nk={nk} {variant}"
                             + ("" if n is None else f" len={_show(n)}"))
                    compare(models, fn, {"B": 2, "N": nq, "M": nk},
                            dict(inputs, len=n), expected, where)
                    calls += 1
    return calls


def compile_levels(env, name, text, fns, weights):
    """The model compiled at each of LEVELS, in its own directory:
    {level: (CompiledModel, weights file)}."""
    models = {}
    for level, flags in LEVELS.items():
        sub = Env(env.src_root, env.obj_root, os.path.join(env.work, level[1:]))
        source = os.path.join(sub.work, name + ".attn")
        with open(source, "w") as f:
            f.write(text)
        weights_path = os.path.join(sub.work, name + ".safetensors")
        write_safetensors(weights_path, weights)
        entries = {}
        for fn, (layout, mask, _, returns_weights) in fns.items():
            dims, *_ = LAYOUTS[layout]
            inputs = [("q", "f32"), ("keys", "f32"), ("vals", "f32")]
            if "pad" in mask:
                inputs.append(("len", "i32"))
            outputs = [("o", "f32"), ("w" if returns_weights else "c", "f32")]
            entries[fn] = (dims, inputs, outputs)
        models[level] = (CompiledModel(sub, source, name, entries,
                                       attnc_flags=flags), weights_path)
    return models


def compare(models, fn, dims, inputs, expected, where):
    """Runs fn at every level; each output against numpy (values and exact
    zeros), and -O2's against -O0's."""
    got = {}
    for level, (model, weights_path) in models.items():
        order = [n for n, _ in model.entries[fn][1]]
        got[level] = model.call(fn, weights_path, dims, [inputs[n] for n in order],
                                [x.shape for x in expected.values()])
        for out, ref in expected.items():
            label = f"{where}: {level} {out} vs numpy"
            check_close(label, got[level][out], ref)
            check_zeros(label, got[level][out], ref)
    first, *others = LEVELS
    for level in others:
        for out in expected:
            check_close(f"{where}: {out} {level} vs {first}", got[level][out],
                        got[first][out])


def _show(x):
    x = np.asarray(x)
    return f"<{x.size} lengths, {np.count_nonzero(x == 0)} zero>" if x.size > 4 \
        else x.tolist()
