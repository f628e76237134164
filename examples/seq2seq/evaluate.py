#!/usr/bin/python3
"""Evaluates the exported date translators on heldout.tsv.

usage: evaluate.py [--dir DIR] [--heldout FILE] [--dump FILE]
                   [--model attention|noattention]

Loads DIR/date_attention.safetensors and DIR/date_noattention.safetensors
with model.py's own reader into fresh models and greedy-decodes every
held-out source one sentence at a time (no batching, no padding). Prints
exact-match accuracy overall and by input length as a markdown table.

--dump FILE writes only the decoded output of one model (--model, default
attention) for every held-out source, one line each, in heldout.tsv order;
the C program's output is compared to this file line by line.
"""

import argparse
import os
import sys
import time

import torch

import dates
import export
import model as M

BUCKETS = [(6, 8), (9, 11), (12, 15), (16, 19), (20, 24), (25, 29)]


def decode_all(m, sources):
    return [m.translate(src) for src in sources]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=here)
    p.add_argument("--heldout", default=dates.HELDOUT_PATH)
    p.add_argument("--dump")
    p.add_argument("--model", choices=["attention", "noattention"],
                   default="attention")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    pairs = dates.read_heldout(args.heldout)
    sources = [s for s, _ in pairs]

    if args.dump:
        attention = args.model == "attention"
        m = M.load_model(os.path.join(args.dir, export.FILES[attention]),
                         attention=attention)
        outputs = decode_all(m, sources)
        with open(args.dump, "w") as f:
            for out in outputs:
                f.write(out + "\n")
        right = sum(o == t for o, (_, t) in zip(outputs, pairs))
        print(f"wrote {len(outputs)} outputs of the {args.model} model to "
              f"{args.dump} ({right}/{len(pairs)} exact)")
        return

    correct = {}
    for attention in (True, False):
        path = os.path.join(args.dir, export.FILES[attention])
        m = M.load_model(path, attention=attention)
        start = time.time()
        outputs = decode_all(m, sources)
        correct[attention] = [o == t for o, (_, t) in zip(outputs, pairs)]
        n = sum(correct[attention])
        print(f"{os.path.basename(path)}: {n}/{len(pairs)} = "
              f"{100 * n / len(pairs):.2f}% exact "
              f"({time.time() - start:.1f}s)", file=sys.stderr)

    def pct(flags):
        return f"{100 * sum(flags) / len(flags):.2f}%" if flags else "-"

    print("| input length | count | with attention | without attention |")
    print("|---|---:|---:|---:|")
    for lo, hi in BUCKETS:
        idx = [i for i, s in enumerate(sources) if lo <= len(s) <= hi]
        print(f"| {lo}-{hi} | {len(idx)} | "
              f"{pct([correct[True][i] for i in idx])} | "
              f"{pct([correct[False][i] for i in idx])} |")
    print(f"| all | {len(pairs)} | {pct(correct[True])} | "
          f"{pct(correct[False])} |")


if __name__ == "__main__":
    main()
