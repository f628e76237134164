# The Luong-style LSTM encoder-decoder of examples/seq2seq/luong.attn
# (general and dot scores, input feeding, padding by length) against a
# PyTorch implementation with nn.LSTM / nn.LSTMCell and the same random
# weights, within 1e-4 relative; greedy-decodes a few steps through both.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, write_safetensors

import torch

env = Env.from_argv()
rng = np.random.default_rng(17)
VS, VT, E, F, H = 40, 30, 16, 12, 32
shapes = {
    "src_emb": (VS, E), "enc_weight_ih": (4 * H, E), "enc_weight_hh": (4 * H, H),
    "enc_bias_ih": (4 * H,), "enc_bias_hh": (4 * H,), "tgt_emb": (VT, F),
    "dec_weight_ih": (4 * H, F + H), "dec_weight_hh": (4 * H, H),
    "dec_bias_ih": (4 * H,), "dec_bias_hh": (4 * H,), "att_W": (H, H),
    "W_c": (H, 2 * H), "W_s": (VT, H), "b_s": (VT,),
}
weights = {n: (rng.standard_normal(s) * 0.3).astype(np.float32) for n, s in shapes.items()}
path = os.path.join(env.work, "luong.safetensors")
write_safetensors(path, weights)
w = {n: torch.tensor(a, dtype=torch.float64) for n, a in weights.items()}

encoder = torch.nn.LSTM(E, H).double()
encoder.load_state_dict({"weight_ih_l0": w["enc_weight_ih"], "weight_hh_l0": w["enc_weight_hh"],
                         "bias_ih_l0": w["enc_bias_ih"], "bias_hh_l0": w["enc_bias_hh"]})
cell = torch.nn.LSTMCell(F + H, H).double()
cell.load_state_dict({"weight_ih": w["dec_weight_ih"], "weight_hh": w["dec_weight_hh"],
                      "bias_ih": w["dec_bias_ih"], "bias_hh": w["dec_bias_hh"]})


def torch_step(y, h, c, feed, keys, length, score):
    """Luong et al.'s global attention step with input feeding."""
    x = torch.cat([w["tgt_emb"][y], feed])
    h1, c1 = cell(x[None], (h[None], c[None]))
    h1, c1 = h1[0], c1[0]
    e = keys @ (w["att_W"].T @ h1) if score == "general" else keys @ h1
    if length is not None:
        e = e.masked_fill(torch.arange(len(e)) >= length, float("-inf"))
    a = torch.softmax(e, 0)
    if length == 0:
        a = torch.zeros_like(e)  # every key masked: zero weights, not NaN
    ctx = a @ keys
    att = torch.tanh(w["W_c"] @ torch.cat([ctx, h1]))
    logp = torch.log_softmax(w["W_s"] @ att + w["b_s"], 0)
    return logp, h1, c1, att, a


model = CompiledModel(
    env, os.path.join(env.src_root, "examples", "seq2seq", "luong.attn"), "luong", {
        "encode": (["S"], [("src", "i32")], [("keys", "f32"), ("h0", "f32"), ("c0", "f32")]),
        "step": (["S"], [("y", "i32"), ("h", "f32"), ("c", "f32"), ("feed", "f32"),
                         ("keys", "f32"), ("len", "i32")],
                 [("logp", "f32"), ("h1", "f32"), ("c1", "f32"),
                  ("attentional", "f32"), ("align", "f32")]),
        "step_dot": (["S"], [("y", "i32"), ("h", "f32"), ("c", "f32"), ("feed", "f32"),
                             ("keys", "f32")],
                     [("logp", "f32"), ("attentional", "f32"), ("align", "f32")]),
    })

with torch.no_grad():
    for S, length in ((1, 1), (9, 9), (9, 4), (9, 0), (57, 31)):
        src = rng.integers(0, VS, S).astype(np.int32)
        got = model.call("encode", path, {"S": S}, [src], [(S, H), (H,), (H,)])
        out, (hn, cn) = encoder(w["src_emb"][torch.tensor(src, dtype=torch.long)])
        check_close(f"encode keys S={S}", got["keys"], out)
        check_close(f"encode h0 S={S}", got["h0"], hn[0])
        check_close(f"encode c0 S={S}", got["c0"], cn[0])

        # Greedy decoding, three steps, each side feeding itself.
        keys = out
        ours = dict(h=got["h0"], c=got["c0"], feed=np.zeros(H, np.float32), y=0)
        theirs = dict(h=hn[0], c=cn[0], feed=torch.zeros(H, dtype=torch.float64), y=0)
        for t in range(3):
            step = model.call("step", path, {"S": S},
                              [np.array(ours["y"]), ours["h"], ours["c"], ours["feed"],
                               got["keys"], np.array(length)],
                              [(VT,), (H,), (H,), (H,), (S,)])
            logp, h1, c1, att, a = torch_step(theirs["y"], theirs["h"], theirs["c"],
                                              theirs["feed"], keys, length, "general")
            tag = f"general S={S} len={length} t={t}"
            check_close(f"{tag} log_softmax", step["logp"], logp)
            check_close(f"{tag} h", step["h1"], h1)
            check_close(f"{tag} c", step["c1"], c1)
            check_close(f"{tag} attentional", step["attentional"], att)
            check_close(f"{tag} align", step["align"], a)
            assert int(np.argmax(step["logp"])) == int(torch.argmax(logp)), tag
            ours = dict(h=step["h1"], c=step["c1"], feed=step["attentional"],
                        y=int(np.argmax(step["logp"])))
            theirs = dict(h=h1, c=c1, feed=att, y=int(torch.argmax(logp)))

        feed = rng.standard_normal(H).astype(np.float32)
        dot = model.call("step_dot", path, {"S": S},
                         [np.array(3), got["h0"], got["c0"], feed, got["keys"]],
                         [(VT,), (H,), (S,)])
        logp, _, _, att, a = torch_step(3, hn[0], cn[0], torch.tensor(feed, dtype=torch.float64),
                                        keys, None, "dot")
        check_close(f"dot S={S} log_softmax", dot["logp"], logp)
        check_close(f"dot S={S} attentional", dot["attentional"], att)
        check_close(f"dot S={S} align", dot["align"], a)
