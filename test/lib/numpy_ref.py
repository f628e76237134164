"""A float64 numpy reference of scores, masked softmax and attention, for the
end-to-end tests that want an oracle without PyTorch (and fast at N = 1000);
attention is softmax(scores(...), mask) @ values.

Textbook formulas of docs/LANGUAGE.md sections 8-9: the whole score matrix,
then a max-subtracted softmax over the kept keys; nothing here mirrors how
attnc lowers or tiles the ops. Shapes: a block of queries [B..., Nq, dq],
keys [B..., Nk, dk], values [B..., Nk, dv]; scores and weights
[B..., Nq, Nk]. Only causal and padding masks (torch_ref.py has the rest)."""

import numpy as np


def _f64(x):
    return None if x is None else np.asarray(x, dtype=np.float64)


def scores(kind, q, k, W=None, U=None, v=None, scale=None):
    """score.KIND(q, k, ...) of a block of queries: [B..., Nq, Nk]."""
    q, k, W, U, v = map(_f64, (q, k, W, U, v))
    kt = np.swapaxes(k, -1, -2)
    if kind == "dot":
        return q @ kt
    if kind == "scaled_dot":
        return q @ kt * (scale if scale is not None else 1 / np.sqrt(k.shape[-1]))
    if kind == "general":
        return q @ W @ kt
    if kind == "additive":  # v . tanh(W s_i + U h_j), a block of queries at a time
        ws = q @ W.T                                   # [..., Nq, A]
        uh = k if U is None else k @ U.T               # [..., Nk, A]
        step = max(1, (1 << 21) // max(1, uh[..., 0].size * uh.shape[-1]))
        return np.concatenate(
            [np.tanh(ws[..., i:i + step, None, :] + uh[..., None, :, :]) @ v
             for i in range(0, ws.shape[-2], step)], axis=-2)
    if kind == "cosine":  # a zero vector scores 0 (as F.cosine_similarity)
        norms = (np.linalg.norm(q, axis=-1)[..., :, None]
                 * np.linalg.norm(k, axis=-1)[..., None, :])
        return (q @ kt) / np.maximum(norms, 1e-8)
    if kind == "location":  # (W s_i)_j for the first Nk positions
        return (q @ W.T)[..., : k.shape[-2]]
    raise ValueError(kind)


def keep(shape, causal=False, lengths=None):
    """Which keys each query keeps, for scores `shape` [B..., Nq, Nk]:
    causal: j <= i (top left aligned); lengths (an int, or an array whose
    shape is a leading part of [B..., Nq]): j < length."""
    *_, nq, nk = shape
    j = np.arange(nk)
    kept = np.ones(shape, dtype=bool)
    if causal:
        kept &= j <= np.arange(nq)[:, None]
    if lengths is not None:
        lens = np.asarray(lengths, dtype=np.int64)
        lens = lens.reshape(lens.shape + (1,) * (len(shape) - lens.ndim))
        kept &= j < lens
    return kept


def softmax(e, **mask):
    """softmax(e, mask = ...) over the last axis: exp(e_j - max) / sum over
    the kept keys, exactly 0 for masked keys and for every key of a row
    whose keys are all masked. `mask`: the keywords of keep()."""
    e = _f64(e)
    z = np.where(keep(e.shape, **mask), e, -np.inf)
    top = np.max(z, axis=-1, keepdims=True)      # -inf: every key masked
    x = np.exp(z - np.where(np.isfinite(top), top, 0.0))
    total = np.sum(x, axis=-1, keepdims=True)
    return x / np.where(total > 0, total, 1)

