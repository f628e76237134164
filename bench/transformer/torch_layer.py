#!/usr/bin/python3
"""PyTorch's side of the transformer layer benchmark
(bench/transformer_layer.sh): the ways PyTorch 1.13 runs one
nn.TransformerEncoderLayer(512, 8, 2048, batch_first=True, dropout 0,
post-norm, relu), and a worker that times one of them in a fresh process.

Paths (test/lib/torch_transformer.py's docstring has the fast path's
conditions):

    fast          eval mode under torch.no_grad(): PyTorch takes its fused
                  torch._transformer_encoder_layer_fwd (the "fast path")
    plain         eval mode, grad mode on, parameters requiring grad
                  (torch_transformer.forward(..., fast_path=False)): the
                  composition of MultiheadAttention, Linear, LayerNorm ops,
                  recording the autograd graph as a training step would
    plain-nograd  the same ops under torch.no_grad(), without the graph:
                  train mode, which rules out both fused paths (the layer's
                  and MultiheadAttention's); with dropout 0 train mode
                  computes the same function (F.dropout with p = 0 returns
                  its input)

Every call is counted with torch_transformer.count_fast_path(): the worker
reports how many of its calls took the fused encoder-layer kernel and how
many the fused MultiheadAttention kernel, so run.py can check that the fast
rows ran the fast path and the plain rows did not.

    torch_layer.py PATH B S THREADS SAMPLES SECONDS WEIGHTS

times PATH in this process (torch.set_num_threads(THREADS)) on random
src : f32[B, S, 512] without a padding mask (all lengths S) and prints one
JSON object: min and median seconds per call (benchlib.measure: warm-up
>= 0.2 s and >= 1 call, at most SAMPLES samples, fewer when they would take
more than SECONDS, at least 3) and the peak RSS (VmHWM) before and after
the timed calls: reset to the current RSS (after malloc_trim(0) returned
free heap memory to the system) once the layer (weights from
WEIGHTS, the file attnc loads) and src are made and one call of the same
path at B = 1, S = 1 warmed up the BLAS, the threads and the path's code.
"""

import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "lib"))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
sys.path.insert(0, os.path.join(ROOT, "python"))
from benchlib import measure, peak_rss_kib, reset_peak_rss  # noqa: E402
import torch_transformer as tt  # noqa: E402
from attnc_safetensors import load_file  # noqa: E402

D, HEADS, F = 512, 8, 2048

# name -> what it is, for the tables and the JSON
PATHS = {
    "fast": "eval, torch.no_grad(): the fused "
            "torch._transformer_encoder_layer_fwd",
    "plain": "eval, grad mode on with parameters requiring grad "
             "(torch_transformer.forward(fast_path=False)): "
             "MultiheadAttention + Linear + LayerNorm ops, autograd graph "
             "recorded",
    "plain-nograd": "train mode (dropout 0: the same function), "
                    "torch.no_grad(): the same ops as plain without the "
                    "autograd graph",
}


def make_layer(weights):
    """The layer with the weights attnc loads (eval mode, float32)."""
    layer = tt.make_encoder_layer(D, HEADS, F)
    state = {k: torch.from_numpy(v) for k, v in load_file(weights).items()}
    layer.load_state_dict(state)
    return layer.eval()


def runner(path, layer):
    """A function of (src, key_padding_mask) -> output for the path."""
    if path == "fast":
        layer.eval()
        return lambda x, kpm: tt.forward(layer, (x, None, kpm), True)
    if path == "plain":
        layer.eval()
        return lambda x, kpm: tt.forward(layer, (x, None, kpm), False)
    if path == "plain-nograd":
        assert all(m.p == 0 for m in layer.modules()
                   if isinstance(m, torch.nn.Dropout))
        assert layer.self_attn.dropout == 0
        layer.train()

        def call(x, kpm):
            with torch.no_grad():
                return layer(x, None, kpm)
        return call
    raise ValueError(path)


def random_src(b, s, seed=2026):
    """src : f32[b, s, 512], uniform with variance 1 (as driver.c's)."""
    g = torch.Generator().manual_seed(seed)
    half = math.sqrt(3)
    return torch.rand(b, s, D, generator=g) * (2 * half) - half


def worker(path, b, s, threads, samples, seconds, weights):
    torch.set_num_threads(threads)
    layer = make_layer(weights)
    src = random_src(b, s)
    fn = runner(path, layer)
    calls = [0]

    def call():
        calls[0] += 1
        fn(src, None)

    with tt.count_fast_path() as counts:
        fn(random_src(1, 1), None)  # warm-up: BLAS, threads, the path
        warm = dict(counts)
        reset_peak_rss()
        rss_before = peak_rss_kib()
        best, median, reps, taken = measure(call, samples, warmup_calls=1,
                                            max_seconds=seconds)
        rss_after = peak_rss_kib()
    return {"path": path, "B": b, "S": s,
            "threads": torch.get_num_threads(), "min_s": best,
            "median_s": median, "reps": reps, "samples": taken,
            "calls": calls[0],
            "fast_path_calls": {k: counts[k] - warm[k] for k in counts},
            "rss_before_kib": rss_before, "rss_after_kib": rss_after}


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    path = sys.argv[1]
    b, s, threads, samples = (int(x) for x in sys.argv[2:6])
    seconds, weights = float(sys.argv[6]), sys.argv[7]
    print(json.dumps(worker(path, b, s, threads, samples, seconds, weights)))


if __name__ == "__main__":
    main()
