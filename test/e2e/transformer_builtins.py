# The constructs of issue 12, each against numpy or PyTorch 1.13, compiled
# from Inputs/transformer_builtins.attn (one fn per group):
# - slices x[a:b], x[:, a:b], x[i], x[a:], x[:b], negative bounds, fewer
#   entries than axes, slices of slices and of expressions, and chunk
#   (default axis 0, dim = 1, -1, 2, of an expression, over [B, S, 12]):
#   exact (bitwise equal to numpy's slicing and to torch.chunk).
# - broadcasting of + - * / with size-1 axes on either side, [B,S,K] @ [K,N],
#   [B,S,3,K] @ [K,N], [B,4,S,8] @ [B,4,8,T], a slice and a transpose as
#   operands, linear over [B,S,I] and [B,S,3,I] with and without bias:
#   |x - ref| <= 1e-5 + 1e-4 |ref| against numpy in float64 (check_close).
# - sum/mean/max with and without keepdim over every axis of a rank-3 and a
#   rank-4 value, the run-time B and S included: sum and mean within
#   check_close's tolerance, max exact. max with NaN: as torch.amax, a NaN
#   anywhere in the reduced slice gives NaN (checked exactly); +-inf too.
# - rsqrt and log over 2e-38 .. 3e38, erf, gelu and gelu(approximate =
#   tanh) over [-10, 10] and tiny values, against float64 torch: within
#   check_close's tolerance; relatively within 2e-6 (rsqrt, log, erf) or
#   1e-4 (gelu, both forms, for x >= -3; below, 1 + erf(x / sqrt 2) cancels
#   in float32, in torch's float32 gelu as much, so there only |error| <=
#   1e-6); gelu(x) = x / 2 exactly for |x| <= 1e-10; log(0) = -inf,
#   log(-1) = NaN, rsqrt(0) = inf, as torch; log of subnormal x (1e-38 down
#   to 1.4e-45) relatively within 2e-6 too.
# - layer_norm with and without weight and bias, eps 1e-5, 0.25 and 1e-3,
#   over a last axis of 37 and of 512, rank 1 too, against float64
#   F.layer_norm within check_close's tolerance, also on rows of
#   1e4 + N(0, 1) and -3e3 + 0.1 N(0, 1) (a naive E[x^2] - E[x]^2 in
#   float32 is off by O(1) there; torch's float32 layer_norm by 1.4e-3 at
#   1e4 + N(0, 1); attnc's sums shifted by the row's first element, in f64,
#   stay within the tolerance) and all
#   other rows within check_close's tolerance; constant rows
#   (variance 0) give exactly the bias.
# - multihead_attention against nn.MultiheadAttention(32, h, bias, batch_first)
#   in float64: self (causal | padding, none) and cross (padding, causal |
#   padding), heads 4 and 1, with and without biases, batched and not;
#   outputs and per-head weights (average_attn_weights=False; with
#   heads = 1 attnc's weights have no head axis: [B, T, S]) within
#   check_close's tolerance, masked weights exactly 0.
# - layers: one layer called twice with params = first / second, repeat = 3
#   with blocks.{i}, repeat without a prefix (shared weights) and a layer
#   calling a layer (outer.{i}.a.*), against numpy in float64 within
#   check_close's tolerance; every instance has its own random weights, and
#   the test checks that using instance 0's weights everywhere would fail.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import (CompiledModel, Env, check_close, check_zeros, np,
                       write_safetensors)
import torch
import torch.nn.functional as F

env = Env.from_argv()
rng = np.random.default_rng(12)
f32 = np.float32


def randn(*shape, scale=1.0):
    return (scale * rng.standard_normal(shape)).astype(f32)


def check_exact(name, actual, expected):
    expected = np.asarray(expected)
    if actual.shape != expected.shape or not np.array_equal(
            actual, expected, equal_nan=True):
        raise SystemExit(f"{name}: not exactly equal:\n{actual}\nvs\n{expected}")
    print(f"{name}: ok, exact")


# ---- weights -----------------------------------------------------------------
E, W = 32, 8
mha = torch.nn.ModuleDict({
    "sa4": torch.nn.MultiheadAttention(E, 4, bias=True, batch_first=True),
    "ca4": torch.nn.MultiheadAttention(E, 4, bias=True, batch_first=True),
    "ca1": torch.nn.MultiheadAttention(E, 1, bias=False, batch_first=True),
    "sa1": torch.nn.MultiheadAttention(E, 1, bias=False, batch_first=True),
}).eval()
with torch.no_grad():  # nonzero biases (PyTorch initializes them to 0)
    for p in mha.parameters():
        p.copy_(torch.from_numpy(randn(*p.shape, scale=0.3)))
weights = {
    "w68": randn(6, 8), "b8": randn(8), "b18": randn(1, 8),
    "wk": randn(16, 12), "w8": randn(8, 12), "wn": randn(12, 16),
    "lw": randn(12, 16), "lb": randn(12),
    "lnw": 1 + randn(37, scale=0.2), "lnb": randn(37, scale=0.2),
    "bigw": 1 + randn(512, scale=0.2), "bigb": randn(512, scale=0.2),
}
weights.update({name: t.numpy() for name, t in mha.state_dict().items()})
BLOCKS = ["first", "second", "blocks.0", "blocks.1", "blocks.2", "",
          "outer.0.a", "outer.0.b", "outer.1.a", "outer.1.b"]
for prefix in BLOCKS:
    p = prefix + "." if prefix else ""
    weights[p + "lin.weight"] = randn(W, W, scale=0.5)
    weights[p + "lin.bias"] = randn(W, scale=0.3)
    weights[p + "scale"] = 1 + randn(W, scale=0.3)
for prefix in ("outer.0", "outer.1"):
    weights[prefix + ".norm.weight"] = 1 + randn(W, scale=0.3)
weights_path = os.path.join(env.work, "builtins.safetensors")
write_safetensors(weights_path, weights)
w64 = {name: value.astype(np.float64) for name, value in weights.items()}

ENTRIES = {
    # (No output may be called f: the caller of attnc_e2e names its FILE f.)
    "slices": (["B", "S"], [("x", "f32")],
               [(n, "f32") for n in ("a", "b", "c", "d", "e", "ss", "g", "h",
                                     "k", "l", "m", "n")]),
    "chunks": (["B", "S"], [("x", "f32"), ("y", "f32")],
               [(n, "f32") for n in ("u", "v", "c0", "c3", "p", "q", "r0",
                                     "r2", "d1", "t1", "y1")]),
    "broadcast": (["B", "S"], [(n, "f32") for n in "abcrs"],
                  [(f"o{i}", "f32") for i in range(1, 7)]),
    "matmuls": (["B", "S", "T"], [(n, "f32") for n in "xqky"],
                [(f"m{i}", "f32") for i in range(1, 6)]),
    "linears": (["B", "S"], [(n, "f32") for n in "xyz"],
                [(f"l{i}", "f32") for i in range(1, 5)]),
    "reductions": (["B", "S"], [("x", "f32"), ("z", "f32")],
                   [(n, "f32") for n in
                    ("s0", "s1", "s2", "s1k", "s0k", "m0", "m1k", "m2", "m2k",
                     "x0", "x1", "x2k", "x1k", "z2", "z2k", "zm", "zx")]),
    "maxes": (["S", "N"], [("x", "f32")], [("r", "f32"), ("c", "f32")]),
    "elementwise": (["N"], [("pos", "f32"), ("any", "f32")],
                    [(n, "f32") for n in ("r", "lg", "e", "g", "gt")]),
    "layer_norms": (["B", "S"], [("x", "f32"), ("big", "f32"), ("v", "f32")],
                    [(f"n{i}", "f32") for i in range(7)]),
    "mha_self4": (["B", "T"], [("x", "f32"), ("lens", "i32")],
                  [("o", "f32"), ("w", "f32")]),
    "mha_self4_nomask": (["B", "T"], [("x", "f32")], [("o", "f32")]),
    "mha_cross4": (["B", "S", "T"], [("q", "f32"), ("m", "f32"), ("lens", "i32")],
                   [("o", "f32"), ("w", "f32")]),
    "mha_cross4_causal": (["B", "S", "T"],
                          [("q", "f32"), ("m", "f32"), ("lens", "i32")],
                          [("o", "f32")]),
    "mha_cross1": (["B", "S", "T"], [("q", "f32"), ("m", "f32"), ("lens", "i32")],
                   [("o", "f32"), ("w", "f32")]),
    "mha_self1": (["T"], [("x", "f32")], [("o", "f32"), ("w", "f32")]),
}
for fn in ("twice", "repeated", "shared", "nested"):
    ENTRIES[fn] = (["B", "S"], [("x", "f32")], [("y", "f32")])
model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "transformer_builtins.attn"), "builtins", ENTRIES)


def call(fn, dims, inputs, shapes):
    return model.call(fn, weights_path, dims, inputs, shapes)


# ---- slices and chunk ----------------------------------------------------------
for B, S in ((1, 1), (3, 5)):
    x = randn(B, S, 12)
    w = weights["w68"]
    expected = {"a": x[:, :, 2:6], "b": x[:, :, -3:], "c": x[:, :, 7],
                "d": x[:, :, :5], "e": x[:, :, -7:-2], "ss": x[:, :, 2:10][:, :, 1:3],
                "g": w[2:5], "h": w[1], "k": w[-1, 2:6], "l": w[:, 3],
                "m": None, "n": (x * 2)[:, :, 4:8] + x[:, :, 0:4]}
    got = call("slices", {"B": B, "S": S}, [x],
               [(B, S, 4), (B, S, 3), (B, S), (B, S, 5), (B, S, 5), (B, S, 2),
                (3, 8), (8,), (4,), (6,), (B, 4), (B, S, 4)])
    for name, value in expected.items():
        if value is not None:
            check_exact(f"slices.{name} B={B} S={S}", got[name], value)
    # m = sum(x, 1)[:, 8:]: a sum, so within rounding.
    check_close(f"slices.m B={B} S={S}", got["m"],
                x.astype(np.float64).sum(axis=1)[:, 8:])
x, y = randn(12), randn(2, 3, 12)
got = call("chunks", {"B": 2, "S": 3}, [x, y],
           [(3, 8), (3, 8), (6, 2), (6, 2), (4,), (4,), (2, 3, 4), (2, 3, 4),
            (6, 4), (2, 6), (2, 3, 6)])
w = torch.from_numpy(weights["w68"])
tx, ty = torch.from_numpy(x), torch.from_numpy(y)
for name, value in {"u": torch.chunk(w, 2)[0], "v": torch.chunk(w, 2)[1],
                    "c0": torch.chunk(w, 4, dim=1)[0],
                    "c3": torch.chunk(w, 4, dim=1)[3],
                    "p": torch.chunk(tx, 3)[1], "q": torch.chunk(tx, 3)[2],
                    "r0": torch.chunk(ty, 3, dim=-1)[0],
                    "r2": torch.chunk(ty, 3, dim=-1)[2],
                    "d1": torch.chunk(w, 2, dim=-1)[1],
                    "t1": torch.chunk(w.T, 4)[1],
                    "y1": torch.chunk(ty, 2, dim=2)[1]}.items():
    check_exact(f"chunks.{name} (torch.chunk)", got[name], value.numpy())

# ---- broadcasting ------------------------------------------------------------------
for B, S in ((1, 1), (2, 7)):
    a, b, c = randn(B, S, 8), randn(B, 1, 8), randn(B, S, 1)
    c += np.where(c >= 0, 0.5, -0.5).astype(f32)  # away from 0: divides
    r, s = randn(4, 1), 1 + np.abs(randn(1, 5))
    got = call("broadcast", {"B": B, "S": S}, [a, b, c, r, s],
               [(B, S, 8)] * 3 + [(4, 5)] + [(B, S, 8)] * 2)
    a, b, c, r, s = (v.astype(np.float64) for v in (a, b, c, r, s))
    for name, value in {"o1": a + b, "o2": a * c, "o3": a - w64["b8"],
                        "o4": r / s, "o5": a / c + b * w64["b18"],
                        "o6": c - b}.items():
        check_close(f"broadcast.{name} B={B} S={S}", got[name], value)

# ---- @ and linear ------------------------------------------------------------------
for B, S, T in ((1, 1, 1), (3, 9, 5)):
    x, q, k, y = randn(B, S, 16), randn(B, 4, S, 8), randn(B, 4, 8, T), \
        randn(B, S, 3, 16)
    got = call("matmuls", {"B": B, "S": S, "T": T}, [x, q, k, y],
               [(B, S, 12), (B, 4, S, T), (B, S, 12), (B, S, 12), (B, S, 3, 12)])
    x, q, k, y = (v.astype(np.float64) for v in (x, q, k, y))
    for name, value in {"m1": x @ w64["wk"], "m2": q @ k,
                        "m3": x[:, :, 4:12] @ w64["w8"], "m4": x @ w64["wn"].T,
                        "m5": y @ w64["wk"]}.items():
        check_close(f"matmuls.{name} B={B} S={S} T={T}", got[name], value)
    x, y, z = randn(B, S, 16), randn(B, S, 3, 16), randn(B, S, 24)
    got = call("linears", {"B": B, "S": S}, [x, y, z],
               [(B, S, 12), (B, S, 12), (B, S, 3, 12), (B, S, 12)])
    lw, lb = torch.from_numpy(w64["lw"]), torch.from_numpy(w64["lb"])
    x, y, z = (torch.from_numpy(v.astype(np.float64)) for v in (x, y, z))
    for name, value in {"l1": F.linear(x, lw, lb), "l2": F.linear(x, lw),
                        "l3": F.linear(y, lw, lb),
                        "l4": F.linear(z[:, :, 5:21], lw, lb)}.items():
        check_close(f"linears.{name} B={B} S={S}", got[name], value.numpy())

# ---- sum, mean, max ------------------------------------------------------------------
for B, S in ((1, 1), (3, 7)):
    x, z = randn(B, S, 6), randn(B, S, 4, 5)
    shapes = [(S, 6), (B, 6), (B, S), (B, 1, 6), (1, S, 6), (S, 6), (B, 1, 6),
              (B, S, 4), (B, S, 1), (S, 6), (B, 6), (B, S, 1), (B, 1, 6),
              (B, S, 5), (B, S, 1, 5), (B, 4, 5), (B, S, 4)]
    got = call("reductions", {"B": B, "S": S}, [x, z], shapes)
    tx, tz = torch.from_numpy(x.astype(np.float64)), torch.from_numpy(
        z.astype(np.float64))
    sums = {"s0": tx.sum(0), "s1": tx.sum(1), "s2": tx.sum(-1),
            "s1k": tx.sum(1, keepdim=True), "s0k": tx.sum(-3, keepdim=True),
            "m0": tx.mean(0), "m1k": tx.mean(1, keepdim=True), "m2": tz.mean(-1),
            "m2k": tx.mean(-1, keepdim=True), "z2": tz.sum(2),
            "z2k": tz.mean(2, keepdim=True), "zm": tz.mean(1)}
    for name, value in sums.items():
        check_close(f"reductions.{name} B={B} S={S}", got[name], value.numpy())
    tx, tz = torch.from_numpy(x), torch.from_numpy(z)
    maxes = {"x0": torch.amax(tx, 0), "x1": torch.amax(tx, 1),
             "x2k": torch.amax(tx, 2, keepdim=True),
             "x1k": torch.amax(tx, -2, keepdim=True), "zx": torch.amax(tz, -1)}
    for name, value in maxes.items():
        check_exact(f"reductions.{name} B={B} S={S}", got[name], value.numpy())

# max with NaN and infinities: torch.amax propagates NaN.
S, N = 5, 7
x = randn(S, N)
x[1, 3] = np.nan            # row 1 and column 3
x[2, 0] = np.inf            # row 2 and column 0 (no NaN there)
x[3, :] = -np.inf           # an all -inf row
x[4, 6] = np.nan
x[4, 5] = np.inf            # NaN and inf in one row
x[0, 6] = -np.inf
got = call("maxes", {"S": S, "N": N}, [x], [(S,), (N,)])
check_exact("max(x, 1) with NaN/inf (torch.amax)", got["r"],
            torch.amax(torch.from_numpy(x), 1).numpy())
check_exact("max(x, 0) with NaN/inf (torch.amax)", got["c"],
            torch.amax(torch.from_numpy(x), 0).numpy())
# Only NaN at the start or end of a reduction too (the order of compares).
for where in (0, N - 1):
    x = randn(S, N)
    x[:, where] = np.nan
    got = call("maxes", {"S": S, "N": N}, [x], [(S,), (N,)])
    check_exact(f"max(x, 1), NaN at column {where}", got["r"],
                torch.amax(torch.from_numpy(x), 1).numpy())

# ---- elementwise ---------------------------------------------------------------------
pos = np.concatenate([np.logspace(-30, 30, 241), rng.uniform(0.01, 100, 200),
                      [1.0, 4.0, 2e-38, 3e38]]).astype(f32)
anyv = np.concatenate([np.linspace(-10, 10, 801), [-1e-30, 1e-30, -1e-10, 1e-10,
                                                   -1e-6, 1e-6, 0.0, -0.0],
                       rng.standard_normal(200) * 3]).astype(f32)
N = len(anyv)
pos = np.resize(pos, N)  # repeated to the length of anyv
got = call("elementwise", {"N": N}, [pos, anyv], [(N,)] * 5)
tp, ta = torch.from_numpy(pos.astype(np.float64)), torch.from_numpy(
    anyv.astype(np.float64))
refs = {"r": torch.rsqrt(tp), "lg": torch.log(tp), "e": torch.erf(ta),
        "g": F.gelu(ta), "gt": F.gelu(ta, approximate="tanh")}
for name, value in refs.items():
    value = value.numpy()
    check_close(f"elementwise.{name}", got[name], value)
    err = np.abs(got[name] - value)
    if name in ("g", "gt"):
        # Below x = -3, 1 + erf(x / sqrt 2) (or 1 + tanh) cancels in float32
        # (torch's float32 gelu as much): only the absolute error is small.
        keep, rtol = (anyv >= -3) & (value != 0), 1e-4
        if err.max() > 1e-6:
            raise SystemExit(f"elementwise.{name}: absolute error {err.max():.3g}")
    else:
        keep, rtol = value != 0, 2e-6
    rel = err[keep] / np.abs(value[keep])
    print(f"  {name}: max relative error {rel.max():.3g}"
          + (" for x >= -3" if name in ("g", "gt") else ""))
    if rel.max() > rtol:
        i = np.argmax(rel)
        raise SystemExit(f"elementwise.{name}: relative error {rel[i]:.3g} at "
                         f"x = {(pos if name in ('r', 'lg') else anyv)[keep][i]}")
# Tiny x: gelu(x) = x / 2 exactly in float32, in the exact and the tanh form.
tiny = np.abs(anyv) <= 1e-10
for name in ("g", "gt"):
    check_exact(f"elementwise.{name} at tiny x: x / 2", got[name][tiny],
                (anyv[tiny] / 2).astype(f32))
special = np.array([0.0, -1.0, np.inf, -0.0], f32)
got = call("elementwise", {"N": 4}, [special, special], [(4,)] * 5)
ts = torch.from_numpy(special)
check_exact("log(0, -1, inf, -0)", got["lg"], torch.log(ts).numpy())
check_exact("rsqrt(0, -1, inf, -0)", got["r"], torch.rsqrt(ts).numpy())
# Subnormals: the polynomial log must not take them for FLT_MIN.
sub = np.array([1e-38, 1e-40, 3e-42, 1.4e-45], f32)
got = call("elementwise", {"N": 4}, [sub, sub], [(4,)] * 5)
ref = np.log(sub.astype(np.float64))
rel = np.abs(got["lg"] - ref) / np.abs(ref)
print(f"  log of subnormals: max relative error {rel.max():.3g}")
if rel.max() > 2e-6:
    raise SystemExit(f"log of subnormals: {got['lg']} against {ref}")

# ---- layer_norm -----------------------------------------------------------------------
for B, S in ((1, 1), (3, 6)):
    x, big, v = randn(B, S, 37, scale=3), randn(S, 512), randn(37)
    x[0, 0] += 50.0                       # an offset row
    x[-1, -1] = 2.5                       # a constant row
    big[0] = 1e4 + randn(512)             # large offset, variance ~1
    if S > 1:
        big[1] = -3e3 + randn(512, scale=0.1)
        big[2] = 1e4                      # constant rows: variance 0
        big[3] = -7.25
    got = call("layer_norms", {"B": B, "S": S}, [x, big, v],
               [(B, S, 37)] * 4 + [(S, 512)] * 2 + [(37,)])
    tx, tb, tv = (torch.from_numpy(a.astype(np.float64)) for a in (x, big, v))
    lnw, lnb = torch.from_numpy(w64["lnw"]), torch.from_numpy(w64["lnb"])
    bigw, bigb = torch.from_numpy(w64["bigw"]), torch.from_numpy(w64["bigb"])
    refs = {"n0": F.layer_norm(tx, (37,)), "n1": F.layer_norm(tx, (37,), lnw),
            "n2": F.layer_norm(tx, (37,), lnw, lnb),
            "n3": F.layer_norm(tx, (37,), lnw, lnb, eps=0.25),
            "n4": F.layer_norm(tb, (512,), bigw, bigb),
            "n5": F.layer_norm(tb, (512,), eps=1e-3),
            "n6": F.layer_norm(tv, (37,), lnw, lnb)}
    for name, value in refs.items():
        value = value.numpy()
        check_close(f"layer_norms.{name} B={B} S={S}", got[name], value)
    # Constant rows: exactly the bias (n2, n4) or 0 (n5).
    check_exact(f"layer_norms.n2 constant row B={B} S={S}", got["n2"][-1, -1],
                weights["lnb"])
    if S > 1:
        check_exact("layer_norms.n4 constant rows", got["n4"][2:4],
                    np.stack([weights["bigb"]] * 2))
        check_exact("layer_norms.n5 constant rows", got["n5"][2:4],
                    np.zeros((2, 512), f32))

# ---- multihead_attention ----------------------------------------------------------------
mha64 = {name: m.double() for name, m in
         torch.nn.ModuleDict({k: v for k, v in mha.items()}).items()}


def torch_mha(name, q, kv, lens=None, causal=False):
    q64 = torch.from_numpy(q.astype(np.float64))
    kv64 = torch.from_numpy(kv.astype(np.float64))
    kpm = None
    if lens is not None:
        kpm = torch.arange(kv.shape[-2])[None, :] >= torch.tensor(lens)[:, None]
    mask = None
    if causal:
        mask = torch.ones(q.shape[-2], kv.shape[-2], dtype=torch.bool).triu(1)
    with torch.no_grad():
        o, w = mha64[name](q64, kv64, kv64, key_padding_mask=kpm,
                           attn_mask=mask, need_weights=True,
                           average_attn_weights=False)
    return o.numpy(), w.numpy()


for B, T, S, lens in ((1, 1, 1, [1]), (3, 9, 9, [9, 1, 4]),
                      (2, 6, 11, [11, 3]), (2, 11, 6, [6, 1])):
    x = randn(B, T, E)
    if T == S:
        got = call("mha_self4", {"B": B, "T": T}, [x, np.array(lens, np.int32)],
                   [(B, T, E), (B, 4, T, T)])
        o, w = torch_mha("sa4", x, x, lens, causal=True)
        check_close(f"mha_self4 B={B} T={T} lens={lens}", got["o"], o)
        check_close(f"mha_self4 weights B={B} T={T}", got["w"], w)
        check_zeros(f"mha_self4 weights B={B} T={T}", got["w"], w)
        got = call("mha_self4_nomask", {"B": B, "T": T}, [x], [(B, T, E)])
        check_close(f"mha_self4_nomask B={B} T={T}", got["o"],
                    torch_mha("sa4", x, x)[0])
    m = randn(B, S, E)
    dims, lens32 = {"B": B, "S": S, "T": T}, np.array(lens, np.int32)
    got = call("mha_cross4", dims, [x, m, lens32], [(B, T, E), (B, 4, T, S)])
    o, w = torch_mha("ca4", x, m, lens)
    check_close(f"mha_cross4 B={B} T={T} S={S} lens={lens}", got["o"], o)
    check_close(f"mha_cross4 weights B={B} T={T} S={S}", got["w"], w)
    check_zeros(f"mha_cross4 weights B={B} T={T} S={S}", got["w"], w)
    got = call("mha_cross4_causal", dims, [x, m, lens32], [(B, T, E)])
    check_close(f"mha_cross4_causal B={B} T={T} S={S} lens={lens}", got["o"],
                torch_mha("ca4", x, m, lens, causal=True)[0])
    got = call("mha_cross1", dims, [x, m, lens32], [(B, T, E), (B, T, S)])
    o, w = torch_mha("ca1", x, m, lens)
    check_close(f"mha_cross1 B={B} T={T} S={S} lens={lens}", got["o"], o)
    # heads = 1: attnc gives [B, T, S], torch [B, 1, T, S].
    check_close(f"mha_cross1 weights B={B} T={T} S={S}", got["w"], w[:, 0])
    check_zeros(f"mha_cross1 weights B={B} T={T} S={S}", got["w"], w[:, 0])
for T in (1, 13):
    x = randn(T, E)
    got = call("mha_self1", {"T": T}, [x], [(T, E), (T, T)])
    o, w = torch_mha("sa1", x, x, causal=True)
    check_close(f"mha_self1 (no batch axis) T={T}", got["o"], o)
    check_close(f"mha_self1 weights T={T}", got["w"], w[0])

# ---- layers ------------------------------------------------------------------------------


def block(x, prefix):
    p = prefix + "." if prefix else ""
    h = x @ w64[p + "lin.weight"].T + w64[p + "lin.bias"]
    gelu = F.gelu(torch.from_numpy(h)).numpy()
    return x + gelu * w64[p + "scale"]


def outer(x, prefix):
    h = block(block(x, prefix + ".a"), prefix + ".b")
    return F.layer_norm(torch.from_numpy(h), (W,),
                        torch.from_numpy(w64[prefix + ".norm.weight"])).numpy()


def chain(x, fn, prefixes):
    for prefix in prefixes:
        x = fn(x, prefix)
    return x


LAYER_FNS = {  # fn: (reference, the same with instance 0's weights everywhere)
    "twice": (lambda x: chain(x, block, ["first", "second"]),
              lambda x: chain(x, block, ["first", "first"])),
    "repeated": (lambda x: chain(x, block, ["blocks.0", "blocks.1", "blocks.2"]),
                 lambda x: chain(x, block, ["blocks.0"] * 3)),
    "shared": (lambda x: chain(x, block, ["", ""]), None),
    "nested": (lambda x: chain(x, outer, ["outer.0", "outer.1"]),
               lambda x: chain(x, outer, ["outer.0", "outer.0"])),
}
for B, S in ((1, 1), (2, 5)):
    x = randn(B, S, W)
    for fn, (reference, wrong) in LAYER_FNS.items():
        got = call(fn, {"B": B, "S": S}, [x], [(B, S, W)])["y"]
        ref = reference(x.astype(np.float64))
        check_close(f"{fn} B={B} S={S}", got, ref)
        if wrong is not None:
            # A compiler using instance 0's weights for all would be off by
            # far more than the tolerance.
            off = np.abs(wrong(x.astype(np.float64)) - ref)
            assert np.max(off / (1e-5 + 1e-4 * np.abs(ref))) > 100, fn
