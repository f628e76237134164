"""Shared by the score_* and mask_* end-to-end tests: an fn that computes one
attention both ways, and its comparison with PyTorch (test/lib/torch_ref.py).

Each such fn takes q, keys, vals (then any mask operands) and returns
  e = score.KIND(q, keys, ...)                  the scores
  a = softmax(e, mask = M)                      the weights, an fn output
  c = context(a, vals)                          the unfused chain's context
  o, w = attention(q, keys, vals, score = KIND, ..., mask = M)   fused
so that every stage is compared, and the chain against the fused op."""

import os

from attnc_e2e import CompiledModel, np, write_safetensors
import torch_ref

OUTPUTS = {"e": "scores", "a": "softmax", "c": "context",
           "o": "attention output", "w": "attention weights"}

# The parameters of the scores that take some, as the models declare them;
# the model needs the constants H (query features), K (key features), A
# (attention size) and L (rows of the location W).
PARAM_DECLS = ("  param Wg : f32[H, K]\n  param Wa : f32[A, H]\n"
               "  param Ua : f32[A, K]\n  param va : f32[A]\n"
               "  param Wl : f32[L, H]\n")
SCORE_ARGS = {"general": {"W": "Wg"}, "location": {"W": "Wl"},
              "additive": {"W": "Wa", "U": "Ua", "v": "va"}}


def score_weights(rng, H, K, A, L):
    """Random values of PARAM_DECLS, scaled to keep the scores moderate."""
    weights = {"Wg": rng.standard_normal((H, K)) / 4,
               "Wa": rng.standard_normal((A, H)) / 2,
               "Ua": rng.standard_normal((A, K)) / 2,
               "va": rng.standard_normal(A),
               "Wl": rng.standard_normal((L, H)) / 2}
    return {n: w.astype(np.float32) for n, w in weights.items()}


def score_params(kind, weights, args=None):
    """The torch_ref keywords of a score with .attn arguments `args`
    (default SCORE_ARGS[kind]): param names become their values."""
    args = SCORE_ARGS.get(kind, {}) if args is None else args
    return {k: weights[v] if isinstance(v, str) else v for k, v in args.items()}


def chain_fn(name, inputs, kind, rows, nk, dv, mask="", args=None):
    """The text of such an fn. inputs: [(name, type)], starting with q, keys,
    vals; rows: the query dims of the scores ("T", "B, T", "B" or ""); nk, dv:
    the number of keys and of value features; mask: the mask expression;
    args: the score's keyword arguments ({"W": "Wg"}; default
    SCORE_ARGS[kind])."""
    sig = ", ".join(f"{n}: {t}" for n, t in inputs)
    r = rows + ", " if rows else ""
    m = f", mask = {mask}" if mask else ""
    args = "".join(f", {k} = {v}" for k, v in
                   (SCORE_ARGS.get(kind, {}) if args is None else args).items())
    return f"""
  fn {name}({sig})
      -> (e: f32[{r}{nk}], a: f32[{r}{nk}], c: f32[{r}{dv}],
          o: f32[{r}{dv}], w: f32[{r}{nk}]) {{
    e = score.{kind}(q, keys{args})
    a = softmax(e{m})
    c = context(a, vals)
    let o1, w1 = attention(q, keys, vals, score = {kind}{args}{m})
    o = o1
    w = w1
  }}
"""


def compile_model(env, name, text, fns, weights):
    """Writes `text` (model `name`) and the weights, compiles it. fns maps
    each fn name to (dims used, [(input, dtype)]); every fn returns
    OUTPUTS. Returns the model and the weights file."""
    source = os.path.join(env.work, name + ".attn")
    with open(source, "w") as f:
        f.write(text)
    weights_path = os.path.join(env.work, name + ".safetensors")
    write_safetensors(weights_path, weights)
    outputs = [(o, "f32") for o in OUTPUTS]
    model = CompiledModel(env, source, name, {
        fn: (dims, inputs, outputs) for fn, (dims, inputs) in fns.items()})
    return model, weights_path


def check_chain(model, weights_path, fn, dims, inputs, kind, params, where,
                **mask):
    """Calls fn on `inputs` ({name: array}: q, keys, vals and the mask
    operands) and compares its outputs with torch_ref: scores with
    `params` (W, U, v, scale as arrays/numbers), softmax with `mask` (the
    keywords of torch_ref.keep_and_gaussian)."""
    q, keys, vals = inputs["q"], inputs["keys"], inputs["vals"]
    single = q.ndim < keys.ndim
    e = torch_ref.scores(kind, q, keys, **params)
    a = torch_ref.softmax(e, single=single, **mask)
    o, w = torch_ref.attention(kind, q, keys, vals, **params, **mask)
    expected = {"e": e, "a": a, "c": torch_ref.context(a, vals), "o": o, "w": w}
    got = model.call(fn, weights_path, dims,
                     [inputs[name] for name, _ in model.entries[fn][1]],
                     [tuple(x.shape) for x in expected.values()])
    for name, label in OUTPUTS.items():
        torch_ref.check(f"{where}: {label}", got[name], expected[name])


# The mask tests' model: features, attention size, W rows; dims and bounds.
MK, MV, MA, ML = 8, 6, 5, 100
MASK_DIMS = {"B": 4, "C": 3, "S": ML, "T": 40}


def run_mask_cases(env, name, fns, sizes, operands, seed):
    """Compiles a model `name` with a chain fn per entry of `fns`
    ({fn: (batch dims, query rows, mask operands, score kind, mask,
    torch_ref mask keywords)}, e.g. ("B", "B, T", [("len", "i32[B]")], "dot",
    "causal | padding(len)", {"causal": True})), then calls each at every
    size {S, T, B, C} of `sizes` (T is skipped for a single query) with
    random q, keys and vals and each dict of mask operands that
    `operands(fn, S, shapes)` yields (shapes: each operand's shape), and
    compares with PyTorch; the torch_ref keywords get lengths from "len" and
    centres from "p". Returns the model, its entries and its weights file."""
    rng = np.random.default_rng(seed)
    weights = score_weights(rng, MK, MK, MA, ML)
    text = (f"model {name} {{\n  dim "
            + ", ".join(f"{d} <= {n}" for d, n in MASK_DIMS.items())
            + f"\n  const H = {MK}, K = {MK}, V = {MV}, A = {MA}, L = {ML}\n"
            + PARAM_DECLS)
    entries = {}
    for fn, (batch, rows, extra, kind, mask, _) in fns.items():
        lead = batch + ", " if batch else ""
        inputs = [("q", f"f32[{rows + ', ' if rows else ''}K]"),
                  ("keys", f"f32[{lead}S, K]"), ("vals", f"f32[{lead}S, V]")]
        text += chain_fn(fn, inputs + extra, kind, rows, "S", "V", mask)
        dims = [d for d in MASK_DIMS if d == "S" or d in rows]
        entries[fn] = (dims, [(n, t[:3]) for n, t in inputs + extra])
    model, weights_path = compile_model(env, name, text + "}\n", entries,
                                        weights)
    cases = 0
    for fn, (batch, rows, extra, kind, mask, ref_mask) in fns.items():
        for size in sizes:
            if "T" not in rows and size["T"] != 1:
                continue
            shape = lambda dims: tuple(size[d] for d in dims.split(", ") if d)
            lead, S = shape(batch), size["S"]
            inputs = {"q": rng.standard_normal(shape(rows) + (MK,)),
                      "keys": rng.standard_normal(lead + (S, MK)),
                      "vals": rng.standard_normal(lead + (S, MV))}
            inputs = {n: x.astype(np.float32) for n, x in inputs.items()}
            for ops in operands(fn, S, {n: shape(t[4:-1]) for n, t in extra}):
                inputs.update(ops)
                where = " ".join([fn] + [f"{d}={n}" for d, n in size.items()]
                                 + [f"{n}={_show(x)}" for n, x in ops.items()])
                check_chain(model, weights_path, fn, size, inputs, kind,
                            score_params(kind, weights), where,
                            lengths=ops.get("len"), at=ops.get("p"), **ref_mask)
                cases += 1
    print(f"{cases} cases")
    return model, entries, weights_path


def _show(x):
    """A short text of a mask operand for messages."""
    x = np.asarray(x)
    if x.size > 8:
        return f"<{x.shape}>"
    return (x.astype(np.float64).round(2) if x.dtype.kind == "f" else x).tolist()
