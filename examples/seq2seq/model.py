#!/usr/bin/python3
"""The date translator in PyTorch: a bidirectional-GRU encoder and a GRU
decoder with Bahdanau (additive) attention, plus the same model without
attention. This file is the reference the compiled model is compared to.

Encoder, for source ids src[S]:
    x          = src_emb[src]                                  [S, E]
    keys, h_n  = GRU_bidirectional(x), h0 = 0                  [S, K], [2, H]
    s0         = tanh(init_w @ [h_n[0]; h_n[1]] + init_b)       [D]
    pkeys      = keys @ att_U^T          (once per sentence)    [S, A]
Decoder step, previous token y, state s[D]:
    e_j    = att_v . tanh(att_W @ s + pkeys_j)                  [S]
    a      = softmax(e)
    c      = sum_j a_j keys_j                                   [K]
    s1     = GRUCell([tgt_emb[y]; c], s)   (PyTorch gate order r, z, n)
    logits = out_w @ [s1; c] + out_b                            [Vt]
Without attention c = [h_n[0]; h_n[1]] at every step (and no att_* params).

Parameter names and layouts in the safetensors files are listed in
PARAM_SHAPES. Use from other scripts:
    m = load_model("date_attention.safetensors")       # attention detected
    keys, pkeys, s0 = m.encode(src_ids)                # numpy or tensor ids
    logits, s1, a = m.step(y, s0, keys, pkeys)
    m.translate("24 November 2026")  -> "2026-11-24"
numpy_encode / numpy_step are the same maths in plain numpy (float32) on a
dict of arrays, written the way the C program computes.
"""

import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fn

import dates

# The project's safetensors writer, in python/ at the top of the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
from attnc_safetensors import load_file, read_header, save_file  # noqa: E402

E = 32            # source embedding
H = 64            # encoder GRU hidden, per direction
K = 2 * H         # encoder state (keys) size
D = 128           # decoder hidden
A = 64            # attention size
F = 16            # target embedding
VS = dates.VS     # 1 + len(SRC_CHARS)
VT = dates.VT     # 13
START_ID, END_ID, MAX_OUT = dates.START_ID, dates.END_ID, dates.MAX_OUT


def param_shapes(attention):
    """name -> shape of every exported tensor, in file order."""
    shapes = {
        "src_emb": [VS, E],
        "enc_weight_ih": [3 * H, E], "enc_weight_hh": [3 * H, H],
        "enc_bias_ih": [3 * H], "enc_bias_hh": [3 * H],
        "enc_weight_ih_reverse": [3 * H, E],
        "enc_weight_hh_reverse": [3 * H, H],
        "enc_bias_ih_reverse": [3 * H], "enc_bias_hh_reverse": [3 * H],
        "init_w": [D, K], "init_b": [D],
    }
    if attention:
        shapes.update({"att_W": [A, D], "att_U": [A, K], "att_v": [A]})
    shapes.update({
        "tgt_emb": [VT, F],
        "dec_weight_ih": [3 * D, F + K], "dec_weight_hh": [3 * D, D],
        "dec_bias_ih": [3 * D], "dec_bias_hh": [3 * D],
        "out_w": [VT, D + K], "out_b": [VT],
    })
    return shapes


# exported name -> attribute path in DateTranslator
TORCH_NAMES = {
    "src_emb": "src_emb.weight",
    "enc_weight_ih": "enc.weight_ih_l0", "enc_weight_hh": "enc.weight_hh_l0",
    "enc_bias_ih": "enc.bias_ih_l0", "enc_bias_hh": "enc.bias_hh_l0",
    "enc_weight_ih_reverse": "enc.weight_ih_l0_reverse",
    "enc_weight_hh_reverse": "enc.weight_hh_l0_reverse",
    "enc_bias_ih_reverse": "enc.bias_ih_l0_reverse",
    "enc_bias_hh_reverse": "enc.bias_hh_l0_reverse",
    "init_w": "init.weight", "init_b": "init.bias",
    "att_W": "att_W", "att_U": "att_U", "att_v": "att_v",
    "tgt_emb": "tgt_emb.weight",
    "dec_weight_ih": "dec.weight_ih", "dec_weight_hh": "dec.weight_hh",
    "dec_bias_ih": "dec.bias_ih", "dec_bias_hh": "dec.bias_hh",
    "out_w": "out.weight", "out_b": "out.bias",
}


def _as_ids(src):
    if isinstance(src, str):
        src = dates.encode_source(src)
    return torch.as_tensor(np.asarray(src), dtype=torch.long)


def _as_f32(x):
    return x if isinstance(x, torch.Tensor) else torch.from_numpy(
        np.ascontiguousarray(x, dtype=np.float32))


class DateTranslator(nn.Module):
    def __init__(self, attention=True):
        super().__init__()
        self.attention = attention
        self.src_emb = nn.Embedding(VS, E)
        self.enc = nn.GRU(E, H, bidirectional=True, batch_first=True)
        self.init = nn.Linear(K, D)
        if attention:
            self.att_W = nn.Parameter(torch.empty(A, D))
            self.att_U = nn.Parameter(torch.empty(A, K))
            self.att_v = nn.Parameter(torch.empty(A))
            nn.init.xavier_uniform_(self.att_W)
            nn.init.xavier_uniform_(self.att_U)
            nn.init.uniform_(self.att_v, -A ** -0.5, A ** -0.5)
        self.tgt_emb = nn.Embedding(VT, F)
        self.dec = nn.GRUCell(F + K, D)
        self.out = nn.Linear(D + K, VT)

    # ---- batched training path -----------------------------------------
    def forward(self, src, lengths, y_in=None, steps=MAX_OUT):
        """Logits [B, T, Vt] for padded sources src[B, S] (lengths[B],
        padding id 0). Teacher forcing with decoder inputs y_in[B, T]; if
        y_in is None, greedy: starts from <s> and feeds back the argmax for
        `steps` steps (rows keep going after </s>; cut them when reading).
        Packing keeps padding out of both GRU directions; attention gives
        padded positions weight 0. Each row equals the sentence run alone."""
        B, S = src.shape
        x = self.src_emb(src)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, h_n = self.enc(packed)
        keys, _ = nn.utils.rnn.pad_packed_sequence(
            out, batch_first=True, total_length=S)            # [B, S, K]
        final = torch.cat([h_n[0], h_n[1]], dim=1)            # [B, K]
        s = torch.tanh(self.init(final))
        if self.attention:
            pkeys = keys @ self.att_U.t()                     # [B, S, A]
            pad = torch.arange(S, device=src.device)[None, :] >= lengths[:, None]
        logits = []
        y = torch.full((B,), START_ID, dtype=torch.long, device=src.device)
        for t in range(steps if y_in is None else y_in.shape[1]):
            if y_in is not None:
                y = y_in[:, t]
            if self.attention:
                q = (s @ self.att_W.t())[:, None, :]          # [B, 1, A]
                e = torch.tanh(q + pkeys) @ self.att_v        # [B, S]
                a = torch.softmax(e.masked_fill(pad, float("-inf")), dim=1)
                c = torch.bmm(a[:, None, :], keys)[:, 0]      # [B, K]
            else:
                c = final
            s = self.dec(torch.cat([self.tgt_emb(y), c], dim=1), s)
            logits.append(self.out(torch.cat([s, c], dim=1)))
            y = torch.argmax(logits[-1], dim=1)
        return torch.stack(logits, dim=1)

    # ---- single sentence, no batching (the contract with the C side) ---
    @torch.no_grad()
    def encode(self, src_ids):
        """src_ids: [S] ids (list, numpy, tensor) or a source string.
        Returns keys [S, K], pkeys [S, A] (None without attention), s0 [D]."""
        x = self.src_emb(_as_ids(src_ids))[None]             # [1, S, E]
        keys, h_n = self.enc(x)
        keys = keys[0]
        s0 = torch.tanh(self.init(torch.cat([h_n[0, 0], h_n[1, 0]])))
        pkeys = keys @ self.att_U.t() if self.attention else None
        return keys, pkeys, s0

    @staticmethod
    def final_context(keys):
        """[h_n[0]; h_n[1]] recovered from keys: the forward direction's last
        output and the backward direction's first (bit-identical to h_n)."""
        return torch.cat([keys[-1, :H], keys[0, H:]])

    @torch.no_grad()
    def step(self, y, s, keys, pkeys=None):
        """One decoder step. y: previous token id; s [D]; keys [S, K];
        pkeys [S, A] (attention only). Returns logits [Vt], s1 [D], and
        a [S] (None without attention, whose context is final_context(keys))."""
        s, keys = _as_f32(s), _as_f32(keys)
        if self.attention:
            pkeys = _as_f32(pkeys)
            e = torch.tanh(self.att_W @ s + pkeys) @ self.att_v
            a = torch.softmax(e, dim=0)
            c = a @ keys
        else:
            a, c = None, self.final_context(keys)
        x = torch.cat([self.tgt_emb.weight[int(y)], c])
        s1 = self.dec(x[None], s[None])[0]
        logits = self.out(torch.cat([s1, c]))
        return logits, s1, a

    @torch.no_grad()
    def greedy(self, src_ids):
        """Greedy decoding from <s>; stops at </s> or after MAX_OUT tokens.
        Returns the output token ids (including </s> if produced)."""
        keys, pkeys, s = self.encode(src_ids)
        y, out = START_ID, []
        for _ in range(MAX_OUT):
            logits, s, _ = self.step(y, s, keys, pkeys)
            y = int(torch.argmax(logits))
            out.append(y)
            if y == END_ID:
                break
        return out

    def translate(self, text):
        return dates.decode_target(self.greedy(dates.encode_source(text)))

    # ---- flat named tensors ---------------------------------------------
    def tensors(self):
        """Exported name -> float32 numpy array, in file order."""
        params = dict(self.named_parameters())
        return {name: params[TORCH_NAMES[name]].detach().cpu().numpy()
                .astype(np.float32)
                for name in param_shapes(self.attention)}

    def load_tensors(self, tensors):
        """Copies every tensor in; the names must be exactly this model's."""
        want = param_shapes(self.attention)
        if set(tensors) != set(want):
            raise ValueError(f"tensor names differ: missing "
                             f"{sorted(set(want) - set(tensors))}, unexpected "
                             f"{sorted(set(tensors) - set(want))}")
        params = dict(self.named_parameters())
        with torch.no_grad():
            for name, shape in want.items():
                arr = tensors[name]
                if list(arr.shape) != shape:
                    raise ValueError(f"{name}: shape {list(arr.shape)}, "
                                     f"expected {shape}")
                params[TORCH_NAMES[name]].copy_(torch.from_numpy(
                    np.ascontiguousarray(arr, dtype=np.float32)))
        return self


# ---- safetensors, by python/attnc_safetensors.py ---------------------------

def save_safetensors(path, tensors, metadata=None, align=8):
    """tensors: name -> array (stored as little-endian F32, in dict order).
    The data section starts at a multiple of `align` bytes."""
    save_file({name: np.asarray(arr, dtype=np.float32)
               for name, arr in tensors.items()}, path,
              {str(k): str(v) for k, v in (metadata or {}).items()},
              align=align)


def load_safetensors(path):
    """Reads an F32-only safetensors file -> (name -> array, metadata).
    Checks that the byte ranges tile the data section exactly."""
    header, metadata, _ = read_header(path)
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}")
    return load_file(path), metadata


def save_model(model, path):
    save_safetensors(path, model.tensors(), {
        "model": "date_attention" if model.attention else "date_noattention",
        "generated_by": "examples/seq2seq/train.py"})


def load_model(path, attention=None):
    """A fresh DateTranslator (eval mode) with the file's weights. attention:
    None detects it from the presence of att_W; True/False must match."""
    tensors, _ = load_safetensors(path)
    has = "att_W" in tensors
    if attention is not None and bool(attention) != has:
        raise ValueError(f"{path}: attention={attention} but the file "
                         f"{'has' if has else 'has no'} att_W")
    return DateTranslator(attention=has).load_tensors(tensors).eval()


# ---- plain numpy reference (what the C program computes) -------------------

def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """PyTorch GRU cell: gates stacked r, z, n in rows of w_ih / w_hh."""
    n = h.shape[0]
    gi = w_ih @ x + b_ih
    gh = w_hh @ h + b_hh
    r = _sigmoid(gi[:n] + gh[:n])
    z = _sigmoid(gi[n:2 * n] + gh[n:2 * n])
    c = np.tanh(gi[2 * n:] + r * gh[2 * n:])
    return (1 - z) * c + z * h


def numpy_encode(w, src_ids):
    """w: name -> array (as in the safetensors file). Returns keys [S, K],
    pkeys [S, A] (None without att_U), s0 [D]."""
    x = w["src_emb"][np.asarray(src_ids)]
    S = x.shape[0]
    keys = np.zeros((S, K), np.float32)
    h = np.zeros(H, np.float32)
    for j in range(S):
        h = numpy_gru_cell(x[j], h, w["enc_weight_ih"], w["enc_weight_hh"],
                           w["enc_bias_ih"], w["enc_bias_hh"])
        keys[j, :H] = h
    hb = np.zeros(H, np.float32)
    for j in reversed(range(S)):
        hb = numpy_gru_cell(x[j], hb, w["enc_weight_ih_reverse"],
                            w["enc_weight_hh_reverse"],
                            w["enc_bias_ih_reverse"], w["enc_bias_hh_reverse"])
        keys[j, H:] = hb
    s0 = np.tanh(w["init_w"] @ np.concatenate([h, hb]) + w["init_b"])
    pkeys = keys @ w["att_U"].T if "att_U" in w else None
    return keys, pkeys, s0.astype(np.float32)


def numpy_step(w, y, s, keys, pkeys=None):
    """One decoder step -> logits [Vt], s1 [D], a [S] (None w/o attention)."""
    if "att_W" in w:
        e = np.tanh(w["att_W"] @ s + pkeys) @ w["att_v"]
        a = np.exp(e - e.max())
        a /= a.sum()
        c = a @ keys
    else:
        a, c = None, np.concatenate([keys[-1, :H], keys[0, H:]])
    x = np.concatenate([w["tgt_emb"][y], c])
    s1 = numpy_gru_cell(x, s, w["dec_weight_ih"], w["dec_weight_hh"],
                        w["dec_bias_ih"], w["dec_bias_hh"])
    logits = w["out_w"] @ np.concatenate([s1, c]) + w["out_b"]
    return logits, s1, a


def numpy_greedy(w, src_ids):
    keys, pkeys, s = numpy_encode(w, src_ids)
    y, out = START_ID, []
    for _ in range(MAX_OUT):
        logits, s, _ = numpy_step(w, y, s, keys, pkeys)
        y = int(np.argmax(logits))
        out.append(y)
        if y == END_ID:
            break
    return out
