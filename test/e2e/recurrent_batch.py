# gru / lstm over a batch [B, S, I] with lengths = lens, and gru_cell over a
# batch [B, I], against PyTorch 1.13 run on each sequence alone (what
# pack_padded_sequence computes): outputs of the valid steps, zeros after
# them, h_n (and c_n) at each sequence's last valid step, bidirectional too;
# a length of 0 leaves the outputs zero and h_n = h0. Tolerance
# |x - ref| <= 1e-5 + 1e-4 |ref|. A length above S is refused at run time.
# RUN: %e2e
import os
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(sys.argv[1], "python"))
from attnc_e2e import CompiledModel, Env, check_close, np
import attnc_safetensors
import torch

env = Env.from_argv()
torch.manual_seed(0)
gru = torch.nn.GRU(5, 7, batch_first=True, bidirectional=True)
lstm = torch.nn.LSTM(5, 7, batch_first=True)
state = {"gru." + k: v for k, v in gru.state_dict().items()}
state.update({"lstm." + k: v for k, v in lstm.state_dict().items()})
weights = os.path.join(env.work, "recurrent_batch.safetensors")
attnc_safetensors.save_file(state, weights)
outputs = [("out", "f32"), ("hn", "f32"), ("lo", "f32"), ("lh", "f32"),
           ("lc", "f32"), ("ch", "f32")]
model = CompiledModel(
    env, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs",
                      "recurrent_batch.attn"),
    "rnn", {"f": (["B", "S"], [("x", "f32"), ("lens", "i32"), ("h0", "f32")],
                  outputs)})
cell = torch.nn.GRUCell(5, 7)
cell.load_state_dict({k.replace("_l0", ""): v for k, v in gru.state_dict().items()
                      if "reverse" not in k})

for B, S, lens in ((1, 1, [1]), (4, 9, [9, 3, 1, 0]), (3, 40, [40, 17, 39])):
    x, h0 = torch.randn(B, S, 5), torch.randn(2, B, 7)
    got = model.call("f", weights, {"B": B, "S": S},
                     [x.numpy(), np.array(lens, np.int32), h0.numpy()],
                     [(B, S, 14), (2, B, 7), (B, S, 7), (B, 7), (B, 7), (B, 7)])
    with torch.no_grad():
        for b, n in enumerate(lens):
            tag = f"B={B} S={S} b={b} len={n}"
            out, lo = np.zeros((S, 14)), np.zeros((S, 7))
            hn, lh, lc = h0[:, b].numpy(), np.zeros(7), np.zeros(7)
            if n:
                o, h = gru(x[b:b + 1, :n], h0[:, b:b + 1].contiguous())
                out[:n], hn = o[0].numpy(), h[:, 0].numpy()
                o, (h, c) = lstm(x[b:b + 1, :n])
                lo[:n], lh, lc = o[0].numpy(), h[0, 0].numpy(), c[0, 0].numpy()
            check_close(f"gru outputs {tag}", got["out"][b], out)
            check_close(f"gru h_n {tag}", got["hn"][:, b], hn)
            check_close(f"lstm outputs {tag}", got["lo"][b], lo)
            check_close(f"lstm h_n {tag}", got["lh"][b], lh)
            check_close(f"lstm c_n {tag}", got["lc"][b], lc)
        check_close(f"gru_cell B={B}", got["ch"], cell(x[:, 0], h0[0]).numpy())

# A length above S would read past the sequence: refused before any work.
message = model.call("f", weights, {"B": 2, "S": 3},
                     [np.zeros((2, 3, 5), np.float32), np.array([3, 4], np.int32),
                      np.zeros((2, 2, 7), np.float32)],
                     [(2, 3, 14), (2, 2, 7), (2, 3, 7), (2, 7), (2, 7), (2, 7)],
                     expect_status=3)
if "lens[1] = 4 is not a sequence length (0 to 3)" not in message:
    raise SystemExit(f"unexpected message: {message}")
print("length above S refused:", message.strip())
