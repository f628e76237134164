#!/usr/bin/python3
"""Self-checks of the PyTorch reference (about half a minute):

- the data generator: SRC_CHARS exact, no ambiguous source, heldout.tsv
  fresh and disjoint from training (dates.check);
- unknown characters are rejected;
- batched, padded training forward == each sentence run alone;
- torch single-sentence path == plain numpy path (what the C program does);
- safetensors round trip, names and shapes exactly as in the contract;
- vocab.h in DIR is what export.py generates.

usage: test_model.py [DIR]   (DIR holds the exported files; default here)
"""

import os
import sys

import numpy as np
import torch

import dates
import export
import model as M
import train


def check_vocab():
    for bad in ("24 Kov 2026", "2026\t11", "", "24 Nov 2026!"):
        try:
            dates.encode_source(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} accepted")
    assert dates.decode_target(dates.encode_target("2026-11-24")) == "2026-11-24"
    assert dates.TGT_TOKENS[:2] == ["<s>", "</s>"] and M.VT == 13


def check_batched_equals_single(m):
    stream = dates.training_stream(123)
    pairs = [next(stream) for _ in range(32)]
    src, lengths, y_in, tgt = train.tensors_of(pairs)
    with torch.no_grad():
        batched = m(src, lengths, y_in)
        greedy = m(src, lengths, steps=M.MAX_OUT).argmax(2)
    worst = 0.0
    for i, (s, _) in enumerate(pairs):
        keys, pkeys, st = m.encode(s)
        for t in range(y_in.shape[1]):
            logits, st, _ = m.step(int(y_in[i, t]), st, keys, pkeys)
            worst = max(worst, float((logits - batched[i, t]).abs().max()))
        ids = m.greedy(dates.encode_source(s))
        assert ids == greedy[i, :len(ids)].tolist(), (s, ids)
    assert worst < 1e-4, f"batched vs single: {worst}"
    return worst


def check_numpy_equals_torch(m):
    w = m.tensors()
    worst = 0.0
    for src, _ in dates.read_heldout()[::150]:
        ids = dates.encode_source(src)
        keys, pkeys, s = m.encode(ids)
        nk, npk, ns = M.numpy_encode(w, ids)
        worst = max(worst, float(np.abs(keys.numpy() - nk).max()),
                    float(np.abs(s.numpy() - ns).max()))
        # h_n is recoverable from keys, bit for bit
        x = m.src_emb(torch.tensor(ids))[None]
        _, h_n = m.enc(x)
        assert torch.equal(m.final_context(keys),
                           torch.cat([h_n[0, 0], h_n[1, 0]]))
        y = M.START_ID
        for _ in range(M.MAX_OUT):
            logits, s, a = m.step(y, s, keys, pkeys)
            nl, ns, na = M.numpy_step(w, y, ns, nk, npk)
            worst = max(worst, float(np.abs(logits.numpy() - nl).max()))
            if a is not None:
                assert abs(float(a.sum()) - 1) < 1e-5
                worst = max(worst, float(np.abs(a.numpy() - na).max()))
            y = int(torch.argmax(logits))
            if y == M.END_ID:
                break
        assert M.numpy_greedy(w, ids) == m.greedy(ids), src
    assert worst < 1e-4, f"numpy vs torch: {worst}"
    return worst


def check_files(directory):
    for attention, name in export.FILES.items():
        path = os.path.join(directory, name)
        tensors, meta = M.load_safetensors(path)
        shapes = M.param_shapes(attention)
        assert list(tensors) == list(shapes), (name, list(tensors))
        for k, v in tensors.items():
            assert list(v.shape) == shapes[k] and v.dtype == np.float32, k
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
        assert n % 8 == 0
        m = M.load_model(path)
        assert m.attention == attention
        yield m
    with open(os.path.join(directory, "vocab.h")) as f:
        assert f.read() == export.vocab_h(), "vocab.h is stale"


def main():
    torch.set_num_threads(1)
    directory = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.abspath(__file__))
    dates.check()
    check_vocab()
    for m in check_files(directory):
        tag = "attention" if m.attention else "noattention"
        print(f"{tag}: batched vs single max |diff| "
              f"{check_batched_equals_single(m):.2e}, numpy vs torch "
              f"{check_numpy_equals_torch(m):.2e}")
        print(f"{tag}: '24 November 2026' -> "
              f"{m.translate('24 November 2026')!r}")
    # also an untrained model, whose padding sensitivity would not hide
    torch.manual_seed(0)
    for attention in (True, False):
        check_batched_equals_single(M.DateTranslator(attention).eval())
    print("all checks passed")


if __name__ == "__main__":
    main()
