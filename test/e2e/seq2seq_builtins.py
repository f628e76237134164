# Every seq2seq builtin (embed, gru and lstm in each direction, the cells,
# linear, concat, flatten, log_softmax, argmax) against PyTorch's modules
# with the same weights, within 1e-4 relative; and the run-time checks of
# token ids and padding lengths, which return an error and write nothing.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import CompiledModel, Env, check_close, np, write_safetensors

import torch

env = Env.from_argv()
rng = np.random.default_rng(5)
V, E, H = 11, 6, 5


def rand(*shape):
    return (rng.standard_normal(shape) * 0.5).astype(np.float32)


weights = {"emb": rand(V, E), "lin_w": rand(3, 2 * H), "lin_b": rand(3)}
for prefix, gates in (("g", 3), ("l", 4)):
    for suffix in ("", "_r"):
        weights[f"{prefix}_wih{suffix}"] = rand(gates * H, E)
        weights[f"{prefix}_whh{suffix}"] = rand(gates * H, H)
        weights[f"{prefix}_bih{suffix}"] = rand(gates * H)
        weights[f"{prefix}_bhh{suffix}"] = rand(gates * H)
weights_path = os.path.join(env.work, "rnn.safetensors")
write_safetensors(weights_path, weights)
t = {k: torch.tensor(v, dtype=torch.float64) for k, v in weights.items()}


def torch_rnn(kind, prefix, bidirectional, bias=True):
    """nn.GRU / nn.LSTM loaded with our weights under PyTorch's names."""
    module = getattr(torch.nn, kind)(E, H, bias=bias, bidirectional=bidirectional)
    state = {}
    for suffix, torch_suffix in (("", ""), ("_r", "_reverse")):
        if torch_suffix and not bidirectional:
            continue
        state[f"weight_ih_l0{torch_suffix}"] = t[f"{prefix}_wih{suffix}"]
        state[f"weight_hh_l0{torch_suffix}"] = t[f"{prefix}_whh{suffix}"]
        if bias:
            state[f"bias_ih_l0{torch_suffix}"] = t[f"{prefix}_bih{suffix}"]
            state[f"bias_hh_l0{torch_suffix}"] = t[f"{prefix}_bhh{suffix}"]
    module.load_state_dict(state)
    return module.double()


model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "seq2seq_builtins.attn"),
    "rnn", {
        "grus": (["S"], [("ids", "i32"), ("h0", "f32"), ("h02", "f32")],
                 [(n, "f32") for n in ("fwd", "fwd_h", "rev", "rev_h", "bi",
                                       "bi_h", "nobias")]),
        "lstms": (["S"], [("ids", "i32"), ("h0", "f32"), ("c0", "f32")],
                  [(n, "f32") for n in ("out", "hn", "cn", "uni", "uni_h",
                                        "uni_c")]),
        "cells": ([], [("y", "i32"), ("h", "f32"), ("c", "f32")],
                  [(n, "f32") for n in ("e", "gh", "lh", "lc")]),
        "heads": (["S"], [("z", "f32"), ("v", "f32"), ("m", "f32")],
                  [("rows", "f32"), ("one", "f32"), ("nobias", "f32"),
                   ("logp", "f32"), ("best", "i32"), ("best1", "i32"),
                   ("cat", "f32"), ("flat", "f32"), ("next", "f32")]),
        "pad": (["S"], [("e", "f32"), ("len", "i32")], [("a", "f32")]),
    })

gru_uni, gru_bi = torch_rnn("GRU", "g", False), torch_rnn("GRU", "g", True)
gru_nobias = torch_rnn("GRU", "g", False, bias=False)
lstm_uni, lstm_bi = torch_rnn("LSTM", "l", False), torch_rnn("LSTM", "l", True)

with torch.no_grad():
    for S in (1, 2, 7, 40):
        ids = rng.integers(0, V, S).astype(np.int32)
        ids[0], ids[-1] = 0, V - 1  # both ends of the table
        x = t["emb"][torch.tensor(ids, dtype=torch.long)]
        h0, h02 = rand(H), rand(2, H)
        got = model.call("grus", weights_path, {"S": S}, [ids, h0, h02],
                         [(S, H), (H,), (S, H), (H,), (S, 2 * H), (2, H), (S, H)])
        th0 = torch.tensor(h0, dtype=torch.float64)[None]
        out, hn = gru_uni(x, th0)
        check_close(f"gru forward S={S}", got["fwd"], out)
        check_close(f"gru forward h_n S={S}", got["fwd_h"], hn[0])
        out, hn = gru_uni(x.flip(0), th0)  # reverse: the sequence read backwards
        check_close(f"gru reverse S={S}", got["rev"], out.flip(0))
        check_close(f"gru reverse h_n S={S}", got["rev_h"], hn[0])
        out, hn = gru_bi(x, torch.tensor(h02, dtype=torch.float64))
        check_close(f"gru bidirectional S={S}", got["bi"], out)
        check_close(f"gru bidirectional h_n S={S}", got["bi_h"], hn)
        out, _ = gru_nobias(x)
        check_close(f"gru without biases, zero h0 S={S}", got["nobias"], out)

        h0, c0 = rand(2, H), rand(2, H)
        got = model.call("lstms", weights_path, {"S": S}, [ids, h0, c0],
                         [(S, 2 * H), (2, H), (2, H), (S, H), (H,), (H,)])
        out, (hn, cn) = lstm_bi(x, (torch.tensor(h0, dtype=torch.float64),
                                    torch.tensor(c0, dtype=torch.float64)))
        check_close(f"lstm bidirectional S={S}", got["out"], out)
        check_close(f"lstm bidirectional h_n S={S}", got["hn"], hn)
        check_close(f"lstm bidirectional c_n S={S}", got["cn"], cn)
        out, (hn, cn) = lstm_uni(x)
        check_close(f"lstm forward, zero states S={S}", got["uni"], out)
        check_close(f"lstm forward h_n S={S}", got["uni_h"], hn[0])
        check_close(f"lstm forward c_n S={S}", got["uni_c"], cn[0])

    gru_cell = torch.nn.GRUCell(E, H).double()
    gru_cell.load_state_dict({"weight_ih": t["g_wih"], "weight_hh": t["g_whh"],
                              "bias_ih": t["g_bih"], "bias_hh": t["g_bhh"]})
    lstm_cell = torch.nn.LSTMCell(E, H).double()
    lstm_cell.load_state_dict({"weight_ih": t["l_wih"], "weight_hh": t["l_whh"],
                               "bias_ih": t["l_bih"], "bias_hh": t["l_bhh"]})
    for y in (0, 4, V - 1):
        h, c = rand(H), rand(H)
        got = model.call("cells", weights_path, {},
                         [np.array(y, np.int32), h, c], [(E,), (H,), (H,), (H,)])
        e = t["emb"][y]
        th, tc = torch.tensor(h, dtype=torch.float64), torch.tensor(c, dtype=torch.float64)
        check_close(f"embed y={y}", got["e"], e)
        check_close(f"gru_cell y={y}", got["gh"], gru_cell(e[None], th[None])[0])
        lh, lc = lstm_cell(e[None], (th[None], tc[None]))
        check_close(f"lstm_cell h y={y}", got["lh"], lh[0])
        check_close(f"lstm_cell c y={y}", got["lc"], lc[0])

    for S in (1, 6):
        z, v, m = rand(S, 2 * H), rand(2 * H), rand(2, H)
        z[0] = 0  # a row of ties: argmax takes the first, as torch.argmax
        got = model.call("heads", weights_path, {"S": S}, [z, v, m],
                         [(S, 3), (3,), (3,), (S, 3), (S,), (), (S, 2 * H + 3),
                          (2 * H,), (E,)])
        tz, tv = torch.tensor(z, dtype=torch.float64), torch.tensor(v, dtype=torch.float64)
        rows = torch.nn.functional.linear(tz, t["lin_w"], t["lin_b"])
        one = torch.nn.functional.linear(tv, t["lin_w"], t["lin_b"])
        check_close(f"linear rows S={S}", got["rows"], rows)
        check_close(f"linear one S={S}", got["one"], one)
        check_close(f"linear without bias S={S}", got["nobias"],
                    torch.nn.functional.linear(tv, t["lin_w"]))
        check_close(f"log_softmax S={S}", got["logp"], torch.log_softmax(rows, -1))
        expected = torch.argmax(torch.tensor(got["rows"]), -1).numpy()
        assert (got["best"] == expected).all(), (got["best"], expected)
        assert int(got["best1"]) == int(torch.argmax(one)), (got["best1"], one)
        check_close(f"concat S={S}", got["cat"], torch.cat([tz, rows], -1))
        check_close(f"flatten S={S}", got["flat"], m.reshape(-1))
        check_close(f"embed of an argmax S={S}", got["next"], t["emb"][int(got["best1"])])
        print(f"argmax S={S}: ok")
    # Ties: all equal rows pick index 0.
    got = model.call("heads", weights_path, {"S": 1},
                     [np.zeros((1, 2 * H)), np.zeros(2 * H), np.zeros((2, H))],
                     [(1, 3), (3,), (3,), (1, 3), (1,), (), (1, 2 * H + 3),
                      (2 * H,), (E,)])
    assert got["best"][0] == int(torch.argmax(torch.tensor(got["rows"][0]))), got
    print("argmax ties: ok")

# Bad token ids and padding lengths: an error status and a message, and the
# outputs keep the caller's canary bytes (nothing written).
def expect_rejected(fn, dims, inputs, shapes, message,
                    status="ATTNRT_ERROR_OUT_OF_RANGE"):
    err = model.call(fn, weights_path, dims, inputs, shapes, expect_status=3)
    assert status in err and message in err, err
    for name, raw in model.last_raw_outputs.items():
        assert raw is not None and set(raw) == {0x7f}, f"{fn}: {name} was written"
    print(f"rejected: {err.strip()}")


grus_shapes = [(3, H), (H,), (3, H), (H,), (3, 2 * H), (2, H), (3, H)]
expect_rejected("grus", {"S": 3}, [np.array([1, V, 2]), rand(H), rand(2, H)],
                grus_shapes, "rnn_grus: ids[1] = 11 is not an id of the "
                "embedding table 'emb' (0 to 10)")
expect_rejected("grus", {"S": 3}, [np.array([1, 2, -1]), rand(H), rand(2, H)],
                grus_shapes, "rnn_grus: ids[2] = -1 is not an id")
expect_rejected("cells", {}, [np.array(1 << 30), rand(H), rand(H)],
                [(E,), (H,), (H,), (H,)],
                "rnn_cells: y = 1073741824 is not an id of the embedding "
                "table 'emb' (0 to 10)")
expect_rejected("pad", {"S": 4}, [rand(4), np.array(5)], [(4,)],
                "rnn_pad: len = 5 is not a padding length (0 to 4)")
expect_rejected("pad", {"S": 4}, [rand(4), np.array(-1)], [(4,)],
                "rnn_pad: len = -1 is not a padding length (0 to 4)")

# A source longer than the bound of S: refused before anything is read.
expect_rejected("grus", {"S": 41},
                [np.zeros(41, np.int32), rand(H), rand(2, H)],
                [(41, H), (H,), (41, H), (H,), (41, 2 * H), (2, H), (41, H)],
                "rnn_grus: dim S = 41 is above its bound 40",
                status="ATTNRT_ERROR_INVALID_ARGUMENT")

# Lengths at both ends of the range are fine; 0 masks every key.
e = rand(4)
got = model.call("pad", weights_path, {"S": 4}, [e, np.array(4)], [(4,)])
check_close("padding length S", got["a"], torch.softmax(torch.tensor(e, dtype=torch.float64), 0))
got = model.call("pad", weights_path, {"S": 4}, [e, np.array(0)], [(4,)])
assert (got["a"] == 0).all(), got["a"]
print("padding length 0: ok")
