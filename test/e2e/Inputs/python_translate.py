"""translate.c's greedy decoding through the Python module of date.attn:
one translation per line of stdin, as translate prints them.
    usage: python_translate.py LIBRARY WEIGHTS   (module `date` on PYTHONPATH,
    examples/seq2seq on sys.path for its vocabularies)"""
import sys

import numpy as np

import date
import dates  # examples/seq2seq: SRC_CHARS, TGT_CHARS, START_ID, ...

with date.Model(sys.argv[1], sys.argv[2]) as model:
    for line in sys.stdin:
        ids = np.array(dates.encode_source(line.rstrip("\n")), dtype=np.int32)
        keys, pkeys, state = model.encode(ids)
        token, out = dates.START_ID, ""
        for _ in range(dates.MAX_OUT):
            logits, best, state, align = model.step(token, state, keys, pkeys)
            if best == dates.END_ID:
                break
            out += dates.TGT_CHARS[best - 2]
            token = best
        print(out)
