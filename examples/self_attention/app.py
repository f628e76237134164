#!/usr/bin/env python3
"""app.c in Python: the compiled self-attention model called through the
module that attnc writes with --python (numpy only, no compiler at run time).

    attnc self_attention.attn -o self_attention.o --python self_attention.py
    cc -shared -o libself_attention.so self_attention.o -L<attnc>/build/lib \\
       -Wl,-rpath,<attnc>/build/lib -lattnrt -lopenblas -lm
    PYTHONPATH=. python3 app.py ./libself_attention.so weights.safetensors [tokens]

It prints what app.c prints for the same input (x[i][j] = sin(0.1 * (i * D
+ j)), rounded to float32), so check.py checks it the same way."""

import math
import sys

import numpy as np

import self_attention  # written by attnc --python

D = 64


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    tokens = int(sys.argv[3]) if len(sys.argv) == 4 else 6
    # math.sin is the C library's sin, as in app.c.
    x = np.array([math.sin(0.1 * i) for i in range(tokens * D)],
                 dtype=np.float32).reshape(tokens, D)
    try:
        with self_attention.Model(sys.argv[1], sys.argv[2]) as model:
            y = model.forward(x)
    except self_attention.AttncError as error:
        # Bad arguments (here, too many tokens) come back as an exception.
        sys.exit(f"error: {error}")
    print(f"self_attention_forward: {tokens} tokens of width {D}")
    for t in range(tokens):
        print(f"  y[{t}][0:6] =" + "".join(f" {v:9.5f}" for v in y[t, :6]))


if __name__ == "__main__":
    main()
