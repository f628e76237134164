"""PyTorch references for the end-to-end tests of scores, masks and attention.

Each function follows the textbook formula of docs/LANGUAGE.md sections 8-9
(and DESIGN.md section 3) with plain torch ops in float64; none of it mirrors
how attnc lowers the ops. Arrays go in as numpy (any dtype) or torch and
come out as float64 torch tensors; `check` compares them with an output.

Shapes: keys [B..., Nk, dk]; a block of queries [B..., Nq, dq] or a single
query [B..., dq]; scores and weights [B..., Nq, Nk] or [B..., Nk]."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from attnc_e2e import check_close, check_zeros

torch.set_default_dtype(torch.float64)


def tensor(x):
    if x is None or isinstance(x, torch.Tensor):
        return x
    return torch.as_tensor(np.asarray(x), dtype=torch.float64)


def _score_block(kind, q, k, W, U, v, scale):
    """Scores of q [..., Nq, dq] against k [..., Nk, dk]: [..., Nq, Nk]."""
    kt = k.transpose(-1, -2)
    if kind == "dot":
        return q @ kt
    if kind == "scaled_dot":
        return q @ kt * (scale if scale is not None else 1 / math.sqrt(k.shape[-1]))
    if kind == "general":
        return q @ W @ kt
    if kind == "additive":
        ws = q @ W.T                                   # W s_i: [..., Nq, A]
        uh = k if U is None else k @ U.T               # U h_j: [..., Nk, A]
        return torch.tanh(ws.unsqueeze(-2) + uh.unsqueeze(-3)) @ v
    if kind == "cosine":
        return F.cosine_similarity(q.unsqueeze(-2), k.unsqueeze(-3), dim=-1,
                                   eps=1e-8)
    if kind == "location":
        return (q @ W.T)[..., : k.shape[-2]]           # (W s)_j, j < Nk
    raise ValueError(kind)


def scores(kind, q, k, W=None, U=None, v=None, scale=None):
    """Unnormalized scores (score.KIND(q, k, ...))."""
    q, k, W, U, v = map(tensor, (q, k, W, U, v))
    single = q.dim() < k.dim()
    e = _score_block(kind, q.unsqueeze(-2) if single else q, k, W, U, v, scale)
    return e.squeeze(-2) if single else e


def keep_and_gaussian(shape, causal=False, lengths=None, window=None,
                      at=None, local=False):
    """The keys each query keeps (bool) and the Gaussian factor of
    local(n, at = c) (None without it), for scores [B..., Nq, Nk]:

    causal: j <= i; lengths (an int, [B...] or [B..., Nq]: a leading part of
    the scores' shape without the key axis): j < length; window = n: |j - c|
    <= n with c the query index i, or with at = c ([B..., Nq], real-valued)
    the given centre; local: the weights are then multiplied by
    exp(-(j - c)^2 / (2 (n/2)^2)), with no Gaussian for n = 0."""
    *lead, nq, nk = shape
    i = torch.arange(nq, dtype=torch.float64).unsqueeze(-1)
    j = torch.arange(nk, dtype=torch.float64)
    keep = torch.ones(shape, dtype=torch.bool)
    if causal:
        keep = keep & (j <= i)
    if lengths is not None:
        lens = torch.as_tensor(np.asarray(lengths, dtype=np.int64))
        lens = lens.reshape(lens.shape + (1,) * (len(shape) - lens.dim()))
        keep = keep & (j < lens)
    gauss = None
    if window is not None:
        centre = i if at is None else tensor(at).unsqueeze(-1)
        keep = keep & ((j - centre).abs() <= window)
        if local and window > 0:
            sigma = window / 2
            gauss = torch.exp(-((j - centre) ** 2) / (2 * sigma**2))
    return keep, gauss


def softmax(e, single=False, **mask):
    """softmax(e, mask = ...): softmax over the kept keys, 0 for masked keys
    and for every key of a fully masked row, then the Gaussian of `local`
    (after the softmax, as Luong et al.). Scores are [B..., Nq, Nk], or
    [B..., Nk] with `single` (one query each; its centres `at` are [B...]).
    `mask`: the keywords of keep_and_gaussian."""
    e = tensor(e)
    if single:
        if mask.get("at") is not None:
            mask["at"] = np.asarray(mask["at"])[..., None]
        return softmax(e.unsqueeze(-2), **mask).squeeze(-2)
    keep, gauss = keep_and_gaussian(tuple(e.shape), **mask)
    a = torch.softmax(e.masked_fill(~keep, float("-inf")), dim=-1)
    a = torch.where(keep.any(dim=-1, keepdim=True), a, torch.zeros_like(a))
    return a if gauss is None else a * gauss


def context(a, values):
    """sum_j a_j v_j: [..., Nq, Nk] @ [..., Nk, dv], or [..., Nk] (single)."""
    a, values = tensor(a), tensor(values)
    if a.dim() < values.dim():
        return (a.unsqueeze(-2) @ values).squeeze(-2)
    return a @ values


def attention(kind, q, k, values, heads=1, W=None, U=None, v=None,
              scale=None, **mask):
    """attention(q, k, values, score = kind, heads = h, mask = ...) as
    (output, weights): context(softmax(score)) per head. With h > 1 the
    features of q, k and values are split into h heads (as
    nn.MultiheadAttention does), each head attends alone with the same
    parameters and mask, the outputs are concatenated and the weights are
    [B..., h, Nq, Nk] (or [B..., h, Nk] for a single query). `mask` as for
    softmax, shaped for the queries (no heads dim)."""
    q, k, values = tensor(q), tensor(k), tensor(values)
    single = q.dim() < k.dim()
    if single:  # a block of one query
        q = q.unsqueeze(-2)
        if mask.get("at") is not None:
            mask["at"] = np.asarray(mask["at"])[..., None]
    if heads > 1:
        def split(x):  # [B..., N, D] -> [B..., h, N, D/h]
            return x.reshape(x.shape[:-1] + (heads, -1)).transpose(-2, -3)
        q, k, values = split(q), split(k), split(values)
        nbatch = k.dim() - 3  # per-query mask data gets the heads dim too
        for name in ("lengths", "at"):
            if mask.get(name) is not None and np.ndim(mask[name]) > nbatch:
                mask[name] = np.expand_dims(mask[name], nbatch)
    a = softmax(scores(kind, q, k, W, U, v, scale), **mask)
    out = context(a, values)
    if heads > 1:  # [B..., h, Nq, d] -> [B..., Nq, h * d]
        out = out.transpose(-2, -3)
        out = out.reshape(out.shape[:-2] + (-1,))
    if single:
        out, a = out.squeeze(-2), a.squeeze(-2)
    return out, a


def check(name, actual, expected):
    """check_close (1e-4 relative, 1e-5 absolute floor, all finite), and
    where `expected` is exactly 0 (masked keys, fully masked rows) `actual`
    must be exactly 0 as well."""
    expected = tensor(expected).numpy()
    check_close(name, actual, expected)
    check_zeros(name, actual, expected)
