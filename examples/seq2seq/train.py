#!/usr/bin/python3
"""Trains the date translator with and without attention and exports both.

usage: train.py [--out DIR] [--steps N] [--batch B] [--lr LR] [--seed S]
                [--only attention|noattention]

Writes DIR/date_attention.safetensors, DIR/date_noattention.safetensors and
DIR/vocab.h (DIR defaults to this directory). Teacher forcing,
cross-entropy, Adam with warm-up and cosine decay, gradient clipping;
sources are padded per batch and packed, so padding changes nothing.
Deterministic for a given seed, thread count, machine and torch build.

--threads defaults to 1: on the 2-core build machine a second intra-op
thread is about 5% faster when the machine is idle, but when other jobs
keep the cores busy every small parallel op waits for a descheduled thread
and a training step went from 55 ms to 4.5 s (1 thread: 90 ms). The
committed weights were trained with the defaults.
"""

import argparse
import os
import random
import time

import torch
import torch.nn as nn

import dates
import export
import model as M


def make_batch(stream, size):
    pairs = [next(stream) for _ in range(size)]
    return tensors_of(pairs)


def tensors_of(pairs):
    srcs = [dates.encode_source(s) for s, _ in pairs]
    lengths = torch.tensor([len(s) for s in srcs])
    src = torch.zeros(len(srcs), int(lengths.max()), dtype=torch.long)
    for i, s in enumerate(srcs):
        src[i, :len(s)] = torch.tensor(s)
    tgt = torch.tensor([dates.encode_target(t) for _, t in pairs])  # [B, 11]
    y_in = torch.cat([torch.full((len(pairs), 1), M.START_ID), tgt[:, :-1]], 1)
    return src, lengths, y_in, tgt


@torch.no_grad()
def heldout_accuracy(model, pairs, batch=500):
    """Exact match of batched greedy decoding (a quick progress check; the
    reported numbers come from evaluate.py, one sentence at a time)."""
    model.eval()
    right = 0
    for i in range(0, len(pairs), batch):
        src, lengths, _, tgt = tensors_of(pairs[i:i + batch])
        ids = torch.argmax(model(src, lengths, steps=tgt.shape[1]), dim=2)
        right += int((ids == tgt).all(dim=1).sum())
    model.train()
    return right / len(pairs)


def train(attention, args):
    name = "attention" if attention else "noattention"
    seed = args.seed + (0 if attention else 1)
    torch.manual_seed(seed)
    random.seed(seed)
    model = M.DateTranslator(attention=attention)
    stream = dates.training_stream(seed)
    heldout = dates.read_heldout()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    warmup = max(1, args.steps // 50)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(
        (k + 1) / warmup,
        0.02 + 0.98 * 0.5 * (1 + torch.cos(torch.tensor(
            3.14159265 * k / args.steps)).item())))
    loss_fn = nn.CrossEntropyLoss()
    start, cpu_start = time.time(), time.process_time()
    running = None
    for step in range(1, args.steps + 1):
        src, lengths, y_in, tgt = make_batch(stream, args.batch)
        logits = model(src, lengths, y_in)
        loss = loss_fn(logits.reshape(-1, M.VT), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        running = loss.item() if running is None else \
            0.98 * running + 0.02 * loss.item()
        if step % args.log_every == 0 or step == args.steps:
            line = (f"[{name}] step {step:5d}/{args.steps}  loss {running:.4f}"
                    f"  lr {sched.get_last_lr()[0]:.2e}"
                    f"  {time.time() - start:6.1f}s")
            if step % (4 * args.log_every) == 0 or step == args.steps:
                line += f"  held-out exact {heldout_accuracy(model, heldout):.4f}"
            print(line, flush=True)
    wall, cpu = time.time() - start, time.process_time() - cpu_start
    model.eval()
    path = export.export_model(model, args.out)
    print(f"[{name}] trained in {wall:.1f}s wall ({cpu:.1f}s CPU over "
          f"{torch.get_num_threads()} threads), wrote {path}", flush=True)
    return wall


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=here)
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--only", choices=["attention", "noattention"])
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    start, load = time.time(), os.getloadavg()
    walls = {}
    for attention in (True, False):
        name = "attention" if attention else "noattention"
        if args.only in (None, name):
            walls[name] = train(attention, args)
    print("wrote", export.write_vocab_h(args.out))
    print("wall time: " + ", ".join(f"{k} {v:.1f}s" for k, v in walls.items())
          + f", whole script {time.time() - start:.1f}s (load average at "
          f"start {load[0]:.2f}, at end {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
