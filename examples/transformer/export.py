#!/usr/bin/python3
"""Writes the weights of the example's 2-layer nn.TransformerEncoder and
nn.TransformerDecoder as safetensors files that encoder.attn and
decoder.attn load: encoder.safetensors and decoder.safetensors.

The files hold each module's state_dict() as it is: the same names
(layers.0.self_attn.in_proj_weight, ...), shapes and layouts, as float32.

Two sources of weights:
  - random, from a seed (default): the modules are built with PyTorch and
    every parameter is drawn again (PyTorch's own init leaves the attention
    biases at 0 and the LayerNorms at weight 1, bias 0, so a check against
    it could not tell whether those are used);
  - your own trained modules: --encoder-state / --decoder-state take a file
    written by torch.save(module.state_dict(), path) (or torch.save(module,
    path)). It is loaded into a module of the example's architecture with
    load_state_dict(strict=True) first, so a missing, extra or misshapen
    tensor is reported here rather than silently ignored by the compiled
    model (attnc reads the tensors it declares and nothing else).

The architecture is the example's (see encoder.attn, decoder.attn):
batch_first=True, post-norm (norm_first=False), relu, LayerNorm eps 1e-5,
no final norm; the sizes are options, and must match the consts of the
.attn files (D, Heads, F, and `repeat = N` for the number of layers).

Run with Debian's /usr/bin/python3 (numpy and PyTorch 1.13):
  export.py [--out-dir DIR] [--seed N]
  export.py --encoder-state enc.pt --decoder-state dec.pt [--out-dir DIR]
"""

import argparse
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from attnc_safetensors import save_file  # noqa: E402

# The sizes of encoder.attn and decoder.attn.
LAYERS, D_MODEL, NHEAD, DIM_FF = 2, 512, 8, 2048


def _layer_args(d_model, nhead, dim_ff):
    return dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_ff,
                dropout=0.0, activation="relu", batch_first=True,
                norm_first=False)


def build_encoder(layers=LAYERS, d_model=D_MODEL, nhead=NHEAD, dim_ff=DIM_FF):
    """The example's nn.TransformerEncoder, in eval mode (PyTorch's init)."""
    layer = nn.TransformerEncoderLayer(**_layer_args(d_model, nhead, dim_ff))
    return nn.TransformerEncoder(layer, layers,
                                 enable_nested_tensor=False).eval()


def build_decoder(layers=LAYERS, d_model=D_MODEL, nhead=NHEAD, dim_ff=DIM_FF):
    """The example's nn.TransformerDecoder, in eval mode (PyTorch's init)."""
    layer = nn.TransformerDecoderLayer(**_layer_args(d_model, nhead, dim_ff))
    return nn.TransformerDecoder(layer, layers).eval()


def randomize(module, seed):
    """Draws every parameter from a seed: matrices N(0, 1/fan_in), biases
    0.1 N(0, 1), LayerNorm weights 1 + 0.1 N(0, 1)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for sub in module.modules():
            for name, p in sub.named_parameters(recurse=False):
                noise = torch.randn(p.shape, generator=gen)
                if p.dim() >= 2:
                    p.copy_(noise / math.sqrt(p.shape[1]))
                elif isinstance(sub, nn.LayerNorm) and name == "weight":
                    p.copy_(1 + 0.1 * noise)
                else:
                    p.copy_(0.1 * noise)
    return module


def load_state(module, path):
    """Loads a torch.save'd state_dict (or whole module) into `module`,
    strictly: the names and shapes must be the architecture's."""
    # A whole pickled module needs the full unpickler: trusted files only.
    loaded = torch.load(path, map_location="cpu")
    if isinstance(loaded, nn.Module):
        loaded = loaded.state_dict()
    if not isinstance(loaded, dict):
        sys.exit(f"error: {path}: holds a {type(loaded).__name__}, not a "
                 "state_dict or nn.Module")
    try:
        module.load_state_dict(loaded, strict=True)
    except RuntimeError as e:
        sys.exit(f"error: {path} does not fit the example's "
                 f"{type(module).__name__} (see README.md, 'Your own "
                 f"model'):\n{e}")
    return module


def export(module, path):
    """Writes module.state_dict(), names and layouts unchanged, as F32."""
    state = module.state_dict()
    save_file({name: t.float() for name, t in state.items()}, path)
    print(f"wrote {path}: {len(state)} tensors")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Writes encoder.safetensors and decoder.safetensors for "
        "examples/transformer: the state_dict() of a 2-layer "
        "nn.TransformerEncoder and nn.TransformerDecoder, random from a seed "
        "or loaded from torch.save'd files.",
        epilog="The sizes must match the consts of encoder.attn and "
        "decoder.attn (D, Heads, F, repeat = N).")
    parser.add_argument("--out-dir", default=".",
                        help="where to write the two files (default: .)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random weights (default 0)")
    parser.add_argument("--encoder-state", metavar="FILE",
                        help="a torch.save'd state_dict (or module) of an "
                        "nn.TransformerEncoder of this architecture, instead "
                        "of random weights")
    parser.add_argument("--decoder-state", metavar="FILE",
                        help="the same for the nn.TransformerDecoder")
    parser.add_argument("--layers", type=int, default=LAYERS,
                        help=f"number of layers (default {LAYERS})")
    parser.add_argument("--d-model", type=int, default=D_MODEL,
                        help=f"model width (default {D_MODEL})")
    parser.add_argument("--nhead", type=int, default=NHEAD,
                        help=f"attention heads (default {NHEAD})")
    parser.add_argument("--dim-feedforward", type=int, default=DIM_FF,
                        help=f"feed-forward width (default {DIM_FF})")
    args = parser.parse_args(argv)
    sizes = (args.layers, args.d_model, args.nhead, args.dim_feedforward)

    os.makedirs(args.out_dir, exist_ok=True)
    encoder, decoder = build_encoder(*sizes), build_decoder(*sizes)
    if args.encoder_state:
        load_state(encoder, args.encoder_state)
    else:
        randomize(encoder, args.seed)
    if args.decoder_state:
        load_state(decoder, args.decoder_state)
    else:
        # Not the encoder's draws: another seed.
        randomize(decoder, args.seed + 1)
    export(encoder, os.path.join(args.out_dir, "encoder.safetensors"))
    export(decoder, os.path.join(args.out_dir, "decoder.safetensors"))


if __name__ == "__main__":
    main()
