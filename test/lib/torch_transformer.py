"""PyTorch 1.13 references for the end-to-end tests of nn.TransformerEncoderLayer,
nn.TransformerDecoderLayer and their stacks compiled by attnc.

Modules are built batch_first=True, dropout=0, in eval mode, float32, with
every parameter drawn again from a seed: PyTorch's own init leaves
in_proj_bias and out_proj.bias at 0 and LayerNorm at weight 1, bias 0, which
would let a missing bias or norm affine go unnoticed. Weights go to attnc
as `module.state_dict()` unchanged (`export`); references run a float64
copy of the module. Inputs are numpy [B, S, D]; lengths give each batch
row's valid prefix (positions j >= length are padding), and masks are bool
(True = may not attend). GELU is the exact (erf) one; LayerNorm eps 1e-5.

Behaviour of PyTorch 1.13 (checked by the self-check at the bottom):

- Padded query rows (position >= length, length >= 1) are computed like any
  other row: they attend to the valid keys only (and, with a causal mask, to
  valid keys at or before them, which always include key 0), so they are
  finite, and they never change the valid rows. Compare only the valid rows
  unless attnc defines the padded ones the same way.
- A length of 0 masks every key: softmax over nothing gives NaN in PyTorch
  for the whole batch row (encoder: src length 0; decoder: tgt length 0 or
  memory length 0). Other batch rows stay finite. There is no PyTorch
  reference for such rows (attnc's attention gives 0 there instead).
  nn.TransformerEncoder with enable_nested_tensor=True (its default; we pass
  False) returns exactly 0 at every padded position and for length 0 when it
  takes its nested-tensor path (see below): not the same outputs.
- Fast path. TransformerEncoderLayer.forward calls the fused
  torch._transformer_encoder_layer_fwd when all of these hold: src is 3-D;
  the layer is in eval mode; self_attn.batch_first; q, k, v have the same
  embed dim; activation is relu or gelu (string, F.relu/F.gelu,
  nn.ReLU/nn.GELU); norm1.eps == norm2.eps; src_mask is None (so a causal
  encoder never takes it); not (src nested and src_key_padding_mask given);
  an even number of heads; autocast off; no __torch_function__ override on
  src or the 12 parameters; all of them on CPU or CUDA; and not (grad mode
  on and any of them requires_grad), i.e. under torch.no_grad() /
  inference_mode (module parameters require grad by default). norm_first
  and src_key_padding_mask do not prevent it. nn.TransformerEncoder adds
  the nested-tensor conversion only when enable_nested_tensor is True, the
  first layer has norm_first False, a padding mask is given (left-aligned),
  no mask, and the same conditions hold.
  TransformerDecoderLayer has no fused layer path; its self-attention
  (query is key is value) calls torch._native_multi_head_attention under the
  same conditions when attn_mask is None, so only a non-causal decoder; the
  cross-attention never does (query is not key).
  1.13 has no torch.backends.mha.set_fastpath_enabled. Measured (d=64,
  8 heads, ff 128, B=4, S=33, lengths 33/20/7/1, relu and gelu, post- and
  pre-norm, one layer and a 2-layer stack): fast vs plain path differ by at
  most 1.7e-6 in float32 (valid and padded rows alike) and 3e-15 in float64.

`forward(module, args, fast_path)` runs either path: fast_path=True calls the
module under torch.no_grad() (PyTorch takes the fast path where the
conditions above hold); False runs it with grad mode on, so the parameters'
requires_grad rules the fast path out and the plain path (the composition of
MultiheadAttention, Linear and LayerNorm ops) runs. The references use the
plain path by default, the textbook computation whatever the conditions.
`count_fast_path()` counts the fused calls, to see which path ran."""

import contextlib
import copy
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
from attnc_safetensors import load_file, save_file  # noqa: E402


def randomize(module, seed):
    """Redraws every parameter: weights N(0, 1/fan_in), biases 0.1 N(0, 1),
    LayerNorm weights 1 + 0.1 N(0, 1). Float32 draws, so the values do not
    depend on torch's default dtype (torch_ref sets float64)."""
    gen = torch.Generator().manual_seed(seed)

    def normal(shape):
        return torch.randn(shape, generator=gen, dtype=torch.float32)

    with torch.no_grad():
        for sub in module.modules():
            is_norm = isinstance(sub, nn.LayerNorm)
            for name, p in sub.named_parameters(recurse=False):
                if p.dim() >= 2:
                    p.copy_(normal(p.shape) / math.sqrt(p.shape[1]))
                elif is_norm and name == "weight":
                    p.copy_(1 + 0.1 * normal(p.shape))
                else:
                    p.copy_(0.1 * normal(p.shape))
    return module


def _layer_args(d_model, nhead, dim_ff, activation, norm_first):
    if activation not in ("relu", "gelu"):
        raise ValueError(f"activation must be relu or gelu, not {activation!r}")
    return dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_ff,
                dropout=0.0, activation=activation, batch_first=True,
                norm_first=norm_first, dtype=torch.float32)


def make_encoder_layer(d_model, nhead, dim_ff, activation="relu",
                       norm_first=False, seed=0):
    layer = nn.TransformerEncoderLayer(**_layer_args(d_model, nhead, dim_ff,
                                                     activation, norm_first))
    return randomize(layer, seed).eval()


def make_decoder_layer(d_model, nhead, dim_ff, activation="relu",
                       norm_first=False, seed=0):
    layer = nn.TransformerDecoderLayer(**_layer_args(d_model, nhead, dim_ff,
                                                     activation, norm_first))
    return randomize(layer, seed).eval()


def _final_norm(d_model, final_norm):
    return nn.LayerNorm(d_model, dtype=torch.float32) if final_norm else None


def make_encoder(num_layers, d_model, nhead, dim_ff, activation="relu",
                 norm_first=False, seed=0, final_norm=False):
    """nn.TransformerEncoder (enable_nested_tensor=False); final_norm adds
    its closing LayerNorm ("norm.weight", "norm.bias")."""
    layer = nn.TransformerEncoderLayer(**_layer_args(d_model, nhead, dim_ff,
                                                     activation, norm_first))
    stack = nn.TransformerEncoder(layer, num_layers,
                                  norm=_final_norm(d_model, final_norm),
                                  enable_nested_tensor=False)
    # After cloning: each layer gets its own weights, so using layer 0's
    # weights everywhere cannot pass.
    return randomize(stack, seed).eval()


def make_decoder(num_layers, d_model, nhead, dim_ff, activation="relu",
                 norm_first=False, seed=0, final_norm=False):
    layer = nn.TransformerDecoderLayer(**_layer_args(d_model, nhead, dim_ff,
                                                     activation, norm_first))
    stack = nn.TransformerDecoder(layer, num_layers,
                                  norm=_final_norm(d_model, final_norm))
    return randomize(stack, seed).eval()


def export(module, path):
    """Writes module.state_dict(), names and layouts unchanged, as F32."""
    save_file({name: t.float() for name, t in module.state_dict().items()}, path)


def padding_mask(lengths, n, batch):
    """[batch, n] bool, True at padded positions j >= length; None if
    lengths is None."""
    if lengths is None:
        return None
    lengths = list(lengths)
    if len(lengths) != batch or not all(0 <= int(l) <= n for l in lengths):
        raise ValueError(f"lengths {lengths}: need {batch} values in [0, {n}]")
    return torch.arange(n)[None, :] >= torch.tensor(lengths)[:, None]


def causal_mask(n):
    """[n, n] bool, True above the diagonal (a later key may not be seen)."""
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def forward(module, args, fast_path=False):
    """module(*args): fast path allowed (no_grad) or plain path forced."""
    if fast_path:
        with torch.no_grad():
            return module(*args)
    if not any(p.requires_grad for p in module.parameters()):
        raise ValueError("the plain path needs parameters that require grad")
    with torch.enable_grad():
        return module(*args).detach()


@contextlib.contextmanager
def count_fast_path():
    """Counts calls of the fused kernels: {"encoder_layer": n, "mha": n}."""
    counts = {"encoder_layer": 0, "mha": 0}
    originals = (torch._transformer_encoder_layer_fwd,
                 torch._native_multi_head_attention)

    def counted(key, fn):
        def call(*args, **kwargs):
            counts[key] += 1
            return fn(*args, **kwargs)
        return call

    torch._transformer_encoder_layer_fwd = counted("encoder_layer", originals[0])
    torch._native_multi_head_attention = counted("mha", originals[1])
    try:
        yield counts
    finally:
        (torch._transformer_encoder_layer_fwd,
         torch._native_multi_head_attention) = originals


def _tensor64(x):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"expected a [B, S, D] input, got shape {x.shape}")
    return torch.as_tensor(x, dtype=torch.float64)


def encoder_reference(module, src, lengths=None, causal=False, fast_path=False):
    """Output [B, S, D] (np.float64) of an encoder layer or stack in float64
    with src_key_padding_mask from `lengths` and a causal mask if asked."""
    module, src = copy.deepcopy(module).double().eval(), _tensor64(src)
    mask = causal_mask(src.shape[1]) if causal else None
    kpm = padding_mask(lengths, src.shape[1], src.shape[0])
    # Positional: the layer calls the mask src_mask, the stack mask.
    return forward(module, (src, mask, kpm), fast_path).numpy()


def decoder_reference(module, tgt, memory, tgt_lengths=None,
                      memory_lengths=None, causal=True, fast_path=False):
    """Output [B, T, D] (np.float64) of a decoder layer or stack in float64:
    tgt_mask causal if asked, tgt and memory key padding from the lengths."""
    module = copy.deepcopy(module).double().eval()
    tgt, memory = _tensor64(tgt), _tensor64(memory)
    tgt_mask = causal_mask(tgt.shape[1]) if causal else None
    tgt_kpm = padding_mask(tgt_lengths, tgt.shape[1], tgt.shape[0])
    mem_kpm = padding_mask(memory_lengths, memory.shape[1], memory.shape[0])
    # Same parameter order in TransformerDecoderLayer and TransformerDecoder.
    return forward(module, (tgt, memory, tgt_mask, None, tgt_kpm, mem_kpm),
                   fast_path).numpy()


# ---- self-check --------------------------------------------------------------

def _check_export(name, module, path):
    export(module, path)
    state, loaded = module.state_dict(), load_file(path)
    assert list(loaded) == list(state), f"{name}: keys differ"
    for key, tensor in state.items():
        assert loaded[key].dtype == np.float32, key
        assert np.array_equal(loaded[key], tensor.numpy()), f"{name}: {key}"
        # Redrawn: no bias left at 0, no LayerNorm weight left at 1.
        assert not np.all(loaded[key] == 0) and not np.all(loaded[key] == 1), key
    print(f"{name}: {len(state)} tensors")
    for key, tensor in state.items():
        print(f"  {key} {list(tensor.shape)}")


def _check_paths():
    """The docstring's claims about padded rows, length 0 and the fast path."""
    rng = np.random.default_rng(0)
    B, S, T, D = 3, 6, 5, 16
    src = rng.standard_normal((B, S, D)).astype(np.float32)
    tgt = rng.standard_normal((B, T, D)).astype(np.float32)
    for norm_first in (False, True):
        enc = make_encoder(2, D, 4, 32, "gelu", norm_first, seed=1)
        with count_fast_path() as fast:
            a = encoder_reference(enc, src, [6, 3, 1], fast_path=True)
        with count_fast_path() as plain:
            b = encoder_reference(enc, src, [6, 3, 1])
        assert fast["encoder_layer"] == 2 and plain == {"encoder_layer": 0, "mha": 0}
        assert np.all(np.isfinite(b)) and np.max(np.abs(a - b)) < 1e-12
        args = (torch.from_numpy(src), None, padding_mask([6, 3, 1], S, B))
        f32 = forward(enc, args, True) - forward(enc, args, False)
        assert f32.abs().max() < 1e-5, "float32 fast and plain paths differ"
        # Padded rows never change valid rows.
        c = encoder_reference(enc, np.where(padding_mask([6, 3, 1], S, B)[..., None]
                                            .numpy(), 7.0, src), [6, 3, 1])
        assert np.max(np.abs((b - c)[~padding_mask([6, 3, 1], S, B).numpy()])) < 1e-12
        assert np.all(np.isnan(encoder_reference(enc, src, [6, 3, 0])[2]))
        dec = make_decoder(2, D, 4, 32, "relu", norm_first, seed=2)
        with count_fast_path() as counts:
            d = decoder_reference(dec, tgt, src, [5, 2, 1], [6, 3, 1],
                                  fast_path=True)
        assert counts == {"encoder_layer": 0, "mha": 0}  # causal: no fast path
        assert np.all(np.isfinite(d))
        d = decoder_reference(dec, tgt, src, [5, 2, 1], [6, 0, 1])
        assert np.all(np.isnan(d[1])) and np.all(np.isfinite(d[[0, 2]]))
    print("padded rows finite, length 0 NaN, fast path == plain path: ok")


def main():
    import tempfile
    d, nhead, dim_ff = 16, 4, 32
    modules = {
        "TransformerEncoderLayer": make_encoder_layer(d, nhead, dim_ff, seed=1),
        "TransformerDecoderLayer": make_decoder_layer(d, nhead, dim_ff, seed=2),
        "TransformerEncoder (2 layers)": make_encoder(2, d, nhead, dim_ff, seed=3),
        "TransformerDecoder (2 layers)": make_decoder(2, d, nhead, dim_ff, seed=4),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, module) in enumerate(modules.items()):
            _check_export(name, module, os.path.join(tmp, f"{i}.safetensors"))
    layers = modules["TransformerEncoder (2 layers)"].layers
    assert not torch.equal(layers[0].linear1.weight, layers[1].linear1.weight)
    _check_paths()


if __name__ == "__main__":
    main()
