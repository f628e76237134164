# The causal and padding masks and their combination, unfused chain and fused
# attention(...), against PyTorch within 1e-4 relative (Inputs/chain_cases.py):
# causal with T below, equal to and above S; padding of one decoder step
# (scalar length), of a batch of steps and of a batch of sequences (one length
# per sequence, per query, or one for all), with lengths 1, S, 0 and in
# between; causal | padding, also over two run-time batch dims. Rows whose
# keys are all masked (length 0) must have weights and contexts of exactly 0,
# masked keys weights of exactly 0. A length outside [0, S] is refused before
# the kernel runs (ATTNRT_ERROR_OUT_OF_RANGE).
# RUN: %e2e
import os
import re
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "Inputs"))
from attnc_e2e import Env, np
from chain_cases import MK, MV, run_mask_cases

# fn: (batch dims, query rows, mask operands, score kind, mask, torch_ref
# mask keywords besides the lengths)
FNS = {
    "causal": ("", "T", [], "scaled_dot", "causal", {"causal": True}),
    "pad_step": ("", "", [("len", "i32")], "dot", "padding(len)", {}),
    "pad_steps": ("B", "B", [("len", "i32[B]")], "general", "padding(len)", {}),
    "pad_seqs": ("B", "B, T", [("len", "i32[B]")], "additive", "padding(len)", {}),
    "pad_queries": ("B", "B, T", [("len", "i32[B, T]")], "cosine",
                    "padding(len)", {}),
    "pad_all": ("B", "B, T", [("len", "i32")], "scaled_dot", "padding(len)", {}),
    "causal_pad": ("B", "B, T", [("len", "i32[B]")], "dot",
                   "causal | padding(len)", {"causal": True}),
    # two run-time batch dims (collapsed into one inside, then restored)
    "causal_pad2": ("B, C", "B, C, T", [("len", "i32[B, C]")], "general",
                    "causal | padding(len)", {"causal": True}),
}
SIZES = [dict(zip("STBC", size)) for size in
         ((1, 1, 1, 2), (7, 3, 4, 3), (97, 13, 3, 1), (5, 9, 2, 2), (7, 7, 4, 1))]


def lengths(fn, S, shapes):
    """1, S, 0 (a fully masked row) and one in between: each in turn for one
    length, else repeated over the lengths' shape."""
    pool = np.array([1, S, 0, (S + 1) // 2], np.int32)
    if "len" not in shapes:
        yield {}
    elif shapes["len"] == ():
        for n in pool[:3]:
            yield {"len": n}
    else:
        yield {"len": np.resize(pool, shapes["len"])}


env = Env.from_argv()
model, entries, weights_path = run_mask_cases(env, "masks", FNS, SIZES, lengths,
                                              seed=21)

# A length outside [0, S] is refused before anything is computed (the
# buffers have room for every input and output at this size).
size = SIZES[1]
room = (int(np.prod(list(size.values()))) * max(MK, MV),)
for fn, (dims, inputs) in entries.items():
    if "len" not in dict(inputs):
        continue
    for bad in (size["S"] + 1, -1):
        arrays = [np.full(room, bad, np.int32) if n == "len" else np.zeros(room)
                  for n, _ in inputs]
        err = model.call(fn, weights_path, size, arrays, [room] * 5,
                         expect_status=3)
        # A scalar length is named without an index, an array's first one
        # with [0].
        assert "ATTNRT_ERROR_OUT_OF_RANGE" in err and \
            re.search(rf"len(\[0\])? = {bad} is not a padding length", err), err
print("lengths outside [0, S] refused")
