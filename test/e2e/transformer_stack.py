# The 2-layer models of examples/transformer, encoder.attn and decoder.attn
# as they are (d 512, 8 heads, ffn 2048, post-norm, relu), against
# torch_transformer.make_encoder(2, ...) / make_decoder(2, ...)
# (nn.TransformerEncoder / nn.TransformerDecoder, every parameter random,
# the two layers with different weights, state_dict() written unchanged)
# run by PyTorch 1.13 in float64, within |x - ref| <= 1e-5 + 1e-4 |ref|
# (check_close's default) on every row, padded ones included.
# B = 3, S in {1, 17, 512}, src lengths [S, 1, ceil(S / 2)]; the decoder
# takes the encoder's reference output as its memory (memory lengths = the
# src lengths), T in {1, 17, 512} with each S, tgt lengths [T, ceil(T / 2),
# 1], causal self-attention. Also the encoder's weights file with layers 0
# and 1 exchanged must not match (layer i really uses layers.{i}.*).
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, write_safetensors
import torch_transformer as tt

env = Env.from_argv()
EXAMPLE = os.path.join(env.src_root, "examples", "transformer")
D, HEADS, F = 512, 8, 2048

encoder = tt.make_encoder(2, D, HEADS, F, seed=31)
decoder = tt.make_decoder(2, D, HEADS, F, seed=32)
enc_weights = os.path.join(env.work, "encoder.safetensors")
dec_weights = os.path.join(env.work, "decoder.safetensors")
tt.export(encoder, enc_weights)
tt.export(decoder, dec_weights)
enc = CompiledModel(env, os.path.join(EXAMPLE, "encoder.attn"), "encoder",
                    {"forward": (["B", "S"], [("src", "f32"), ("lens", "i32")],
                                 [("out", "f32")])})
dec = CompiledModel(env, os.path.join(EXAMPLE, "decoder.attn"), "decoder",
                    {"forward": (["B", "T", "S"],
                                 [("tgt", "f32"), ("memory", "f32"),
                                  ("tgt_lens", "i32"), ("mem_lens", "i32")],
                                 [("out", "f32")])})

rng = np.random.default_rng(30)
B = 3
for S in (1, 17, 512):
    src = rng.standard_normal((B, S, D)).astype(np.float32)
    lens = [S, 1, (S + 1) // 2]
    got = enc.call("forward", enc_weights, {"B": B, "S": S},
                   [src, np.array(lens, np.int32)], [(B, S, D)])["out"]
    memory = tt.encoder_reference(encoder, src, lens)
    check_close(f"encoder B={B} S={S} lens={lens}", got, memory)
    memory = memory.astype(np.float32)
    for T in (1, 17, 512):
        tgt = rng.standard_normal((B, T, D)).astype(np.float32)
        tgt_lens = [T, (T + 1) // 2, 1]
        got = dec.call("forward", dec_weights, {"B": B, "T": T, "S": S},
                       [tgt, memory, np.array(tgt_lens, np.int32),
                        np.array(lens, np.int32)], [(B, T, D)])["out"]
        check_close(f"decoder B={B} T={T} S={S} tgt_lens={tgt_lens} "
                    f"mem_lens={lens}", got,
                    tt.decoder_reference(decoder, tgt, memory, tgt_lens, lens,
                                         causal=True))

# Layers 0 and 1 exchanged in the file: the output must change (a model
# that used one layer's weights for both would not notice).
state = {name: t.numpy() for name, t in encoder.state_dict().items()}
swapped = {name.replace("layers.0.", "layers.#.").replace("layers.1.", "layers.0.")
           .replace("layers.#.", "layers.1."): value
           for name, value in state.items()}
swapped_path = os.path.join(env.work, "encoder_swapped.safetensors")
write_safetensors(swapped_path, swapped)
S = 17
src = rng.standard_normal((B, S, D)).astype(np.float32)
lens = [S, 1, 9]
ref = tt.encoder_reference(encoder, src, lens)
got = enc.call("forward", swapped_path, {"B": B, "S": S},
               [src, np.array(lens, np.int32)], [(B, S, D)])["out"]
if np.max(np.abs(got - ref)) < 0.1:
    raise SystemExit("encoder with layers 0 and 1 swapped still matches")
print(f"encoder, layers swapped: differs by {np.max(np.abs(got - ref)):.3g} (ok)")
