#!/usr/bin/python3
"""PyTorch's side of the attention benchmark (bench/attention.sh): the
variants, and a worker that times one of them in a fresh process.

torch 1.13 (Debian) has no public F.scaled_dot_product_attention. Its
private `torch.nn.functional._scaled_dot_product_attention(q, k, v,
attn_mask=None, dropout_p=0.0, need_attn_weights=False, is_causal=False)`
is a builtin (aten::_scaled_dot_product_attention), and on the CPU it runs
aten::_scaled_dot_product_attention_math: q * scale, then with is_causal a
tril bool mask turned into a float -inf mask (ones, tril, logical_not,
masked_fill) per call, matmul, softmax, matmul: unfused, the N x N scores
in memory. It is timed as it is ("sdpa"), beside two hand-written
matmul + softmax + matmul variants for the causal mask, with the mask built
once (as a model's buffer) rather than per call:

    mm+fill  s = (q * scale) @ k.T; s.masked_fill_(triu(1) bool, -inf)
    mm+add   s = torch.addmm(triu(1) -inf float mask, q, k.T, alpha=scale)

and, non-causal, `mm`: s = (q * scale) @ k.T; then
o = torch.softmax(s, -1) @ v in all three.

    torch_attention.py VARIANT N D CAUSAL THREADS SAMPLES SECONDS

times VARIANT in this process (torch.no_grad(), torch.set_num_threads
(THREADS)) on random q, k, v : f32[N, D] and prints one JSON object: min
and median seconds per call (benchlib.measure: warm-up >= 0.2 s and >= 1
call, at most SAMPLES samples, fewer when they would take more than SECONDS,
at least 3) and the peak RSS (VmHWM) before (reset to the current RSS
after the inputs are made and s = q @ k.T, s @ v have warmed up the BLAS
and the threads; s stays allocated) and after the timed calls; the mask of
mm+fill / mm+add is built after the first reading, so it counts in the
growth.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from benchlib import measure, peak_rss_kib, reset_peak_rss  # noqa: E402

# name -> what it is, for the tables and the JSON
VARIANTS = {
    "sdpa": "torch.nn.functional._scaled_dot_product_attention "
            "(aten math path: matmul, softmax, matmul; is_causal builds its "
            "mask per call)",
    "mm": "(q * scale) @ k.T, torch.softmax, @ v",
    "mm+fill": "(q * scale) @ k.T, masked_fill_(triu(1) bool mask, -inf), "
               "torch.softmax, @ v",
    "mm+add": "torch.addmm(triu(1) -inf float mask, q, k.T, alpha=scale), "
              "torch.softmax, @ v",
}


def variants_for(causal):
    return ["sdpa", "mm+fill", "mm+add"] if causal else ["sdpa", "mm"]


def make(variant, n, d, causal):
    """A function of (q, k, v) -> o for the variant; builds its mask now."""
    scale = 1 / math.sqrt(d)
    if variant == "sdpa":
        return lambda q, k, v: F._scaled_dot_product_attention(
            q, k, v, None, 0.0, False, bool(causal))[0]
    if variant == "mm":
        assert not causal
        return lambda q, k, v: torch.softmax((q * scale) @ k.t(), -1) @ v
    upper = torch.ones(n, n, dtype=torch.bool).triu_(1)
    if variant == "mm+fill":
        return lambda q, k, v: torch.softmax(
            ((q * scale) @ k.t()).masked_fill_(upper, float("-inf")), -1) @ v
    if variant == "mm+add":
        additive = torch.zeros(n, n).masked_fill_(upper, float("-inf"))
        del upper
        return lambda q, k, v: torch.softmax(
            torch.addmm(additive, q, k.t(), alpha=scale), -1) @ v
    raise ValueError(variant)


def random_inputs(n, d, seed=2026):
    """q, k, v : f32[n, d], uniform with variance 1 (as driver.c's)."""
    g = torch.Generator().manual_seed(seed)
    half = math.sqrt(3)
    return [torch.rand(n, d, generator=g) * (2 * half) - half
            for _ in range(3)]


def worker(variant, n, d, causal, threads, samples, seconds):
    torch.set_num_threads(threads)
    with torch.no_grad():
        q, k, v = random_inputs(n, d)
        # BLAS buffers and threads, on the shapes of attention; s stays
        # allocated until the end (as driver.c's warm-up).
        s = q @ k.t()
        s @ v
        reset_peak_rss(trim=False)  # as driver.c: no malloc_trim
        rss_before = peak_rss_kib()
        fn = make(variant, n, d, causal)
        best, median, reps, taken = measure(
            lambda: fn(q, k, v), samples, warmup_calls=1, max_seconds=seconds)
        rss_after = peak_rss_kib()
        del s
    return {"variant": variant, "N": n, "D": d, "causal": causal,
            "threads": torch.get_num_threads(), "min_s": best,
            "median_s": median, "reps": reps, "samples": taken,
            "rss_before_kib": rss_before, "rss_after_kib": rss_after}


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    variant = sys.argv[1]
    n, d, causal, threads, samples = (int(x) for x in sys.argv[2:7])
    seconds = float(sys.argv[7])
    print(json.dumps(worker(variant, n, d, causal, threads, samples,
                            seconds)))


if __name__ == "__main__":
    main()
