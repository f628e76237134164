"""Shared by the score_* and mask_* end-to-end tests: an fn that computes one
attention both ways, and its comparison with PyTorch (test/lib/torch_ref.py).

Each such fn takes q, keys, vals (then any mask operands) and returns
  e = score.KIND(q, keys, ...)                  the scores
  a = softmax(e, mask = M)                      the weights, an fn output
  c = context(a, vals)                          the unfused chain's context
  o, w = attention(q, keys, vals, score = KIND, ..., mask = M)   fused
so that every stage is compared, and the chain against the fused op."""

import os

from attnc_e2e import CompiledModel, write_safetensors
import torch_ref

OUTPUTS = {"e": "scores", "a": "softmax", "c": "context",
           "o": "attention output", "w": "attention weights"}


def chain_fn(name, inputs, kind, rows, nk, dv, args="", mask=""):
    """The text of such an fn. inputs: [(name, type)], starting with q, keys,
    vals; rows: the query dims of the scores ("T", "B, T", "B" or ""); nk, dv:
    the number of keys and of value features; args: the score's keyword
    arguments (", W = Wg"); mask: the mask expression."""
    sig = ", ".join(f"{n}: {t}" for n, t in inputs)
    r = rows + ", " if rows else ""
    m = f", mask = {mask}" if mask else ""
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
