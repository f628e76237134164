#!/usr/bin/python3
"""The attention benchmark's driver (run by bench/attention.sh).

Writes one small .attn model per configuration (single head, `dim N`,
const D, fn attend(q, k, v : f32[N, D]) -> (o) with the attention(...)
builtin), compiles each with attnc and driver.c, checks that attnc, the
naive OpenBLAS implementation (naive.c) and PyTorch (torch_attention.py)
agree, then times, per row (N, D, causal, threads), each implementation in
a fresh process of its own: attnc and then the OpenBLAS sgemm reference
(one driver process), naive (another), every PyTorch variant (one worker
each). Extra rows at one N, D = 64, non-causal: the additive and general
scores tiled (-O2) against unfused (-O2 --unfused-attention: the whole
score matrix, otherwise the same code generation), and scaled_dot returning its weights against
the output alone. Prints markdown tables and writes JSON.

    run.py --root SRC --build BUILD --out JSON [--samples 20] [--seconds 3]
           [--threads 1,2] [--n 512,1024,2048,4096,8192] [--d 64,128]
           [--causal 0,1] [--extra-n 4096] [--runs 1] [--command TEXT]
"""

import argparse
import datetime
import json
import os
import platform
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bench", "lib"))
sys.path.insert(0, os.path.join(ROOT, "examples", "seq2seq"))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
from benchlib import (  # noqa: E402
    best_of, cpu_model, describe_tree, fmt_pair as pair, ints, loadavg, run)
import model as seq2seq_model  # noqa: E402  (save_safetensors)
import torch_attention as TA  # noqa: E402
import torch_ref  # noqa: E402  (the e2e tests' float64 references)

torch.set_default_dtype(torch.float32)  # torch_ref sets float64
CBLAS_INCLUDE = "/usr/include/x86_64-linux-gnu/openblas-openmp"
A = 64  # attention size of the additive score (extra rows)
TOLERANCE = 1e-3  # max abs difference between implementations


# ---- models ---------------------------------------------------------------

MODEL_TEXT = """\
# Written by bench/attention/run.py: {what}
model {name} {{
  dim N
  const D = {d}{consts}
{params}  fn attend(q: f32[N, D], k: f32[N, D], v: f32[N, D]){outputs} {{
{body}
  }}
}}
"""


class Model:
    """One .attn model of the benchmark, compiled, with its driver."""

    def __init__(self, name, what, d, score="scaled_dot", causal=False,
                 opt="-O2", weights_out=False):
        self.name, self.what, self.d = name, what, d
        self.score, self.causal, self.opt = score, causal, opt
        self.weights_out = weights_out
        self.weights_path = None

    def source(self):
        args = f"score = {self.score}"
        consts, params = "", ""
        if self.score == "general":
            params = "  param Wg : f32[D, D]\n"
            args += ", W = Wg"
        elif self.score == "additive":
            consts = f", A = {A}"
            params = "  param Wa, Ua : f32[A, D]\n  param va : f32[A]\n"
            args += ", W = Wa, U = Ua, v = va"
        if self.causal:
            args += ", mask = causal"
        if self.weights_out:
            outputs = " -> (o: f32[N, D], w: f32[N, N])"
            body = (f"    let out, weights = attention(q, k, v, {args})\n"
                    "    o = out\n    w = weights")
        else:
            outputs = " -> (o: f32[N, D])"
            body = f"    o = attention(q, k, v, {args})"
        return MODEL_TEXT.format(what=self.what, name=self.name, d=self.d,
                                 consts=consts, params=params,
                                 outputs=outputs, body=body)

    def weights(self):
        """Random parameters (seeded), None for a model without any."""
        rng = np.random.default_rng(11)
        d = self.d
        if self.score == "general":  # q^T W k ~ unit variance
            return {"Wg": rng.standard_normal((d, d)) / d}
        if self.score == "additive":
            return {"Wa": rng.standard_normal((A, d)) / np.sqrt(d),
                    "Ua": rng.standard_normal((A, d)) / np.sqrt(d),
                    "va": rng.standard_normal(A) / np.sqrt(A)}
        return None

    def build(self, args, naive_obj):
        base = os.path.join(args.work, self.name)
        with open(base + ".attn", "w") as f:
            f.write(self.source())
        weights = self.weights()
        if weights:
            self.weights_path = base + ".safetensors"
            # 64-byte aligned data: the runtime maps it without copies.
            seq2seq_model.save_safetensors(self.weights_path, weights,
                                           align=64)
        run([os.path.join(args.build, "bin", "attnc"), base + ".attn",
             *self.opt.split(), *os.environ.get("ATTNC_FLAGS", "").split(),
             "-o", base + ".o", "--header", base + ".h"])
        defines = [f"-DMODEL={self.name}", f"-DCAUSAL={int(self.causal)}",
                   f"-DNAIVE={int(self.score == 'scaled_dot')}",
                   f"-DWEIGHTS_OUT={int(self.weights_out)}"]
        lib = os.path.join(args.build, "lib")
        self.driver = base + "_driver"
        run([args.cc, "-O2", "-Wall", "-std=c11", "-D_POSIX_C_SOURCE=200809L",
             *defines, "-include", base + ".h",
             "-I", os.path.join(args.root, "runtime", "include"),
             "-I", CBLAS_INCLUDE, os.path.join(HERE, "driver.c"), naive_obj,
             base + ".o", "-L", lib, "-Wl,-rpath," + lib, "-lattnrt",
             "-lopenblas", "-lgomp", "-lm", "-o", self.driver])
        return self

    def call(self, role, n, threads, *extra):
        cmd = [self.driver, role, str(n), *extra]
        if self.weights_path:
            cmd += ["--weights", self.weights_path]
        out = run(cmd, env={**os.environ, "OMP_NUM_THREADS": str(threads)})
        return json.loads(out) if role != "check" else None


def build_models(args):
    os.makedirs(args.work, exist_ok=True)
    naive_obj = os.path.join(args.work, "naive.o")
    # gcc: OpenMP with libgomp (OpenBLAS's pool) and glibc's vector expf.
    run([args.omp_cc, "-O3", "-march=native", "-fopenmp", "-ffast-math",
         "-std=c11", "-Wall", "-I", CBLAS_INCLUDE, "-c",
         os.path.join(HERE, "naive.c"), "-o", naive_obj])
    models = {}

    def add(model):
        models[model.name] = model.build(args, naive_obj)

    for d in args.d:
        for causal in args.causal:
            add(Model(main_name(d, causal),
                      f"scaled_dot, D = {d}, "
                      f"{'causal' if causal else 'no mask'}, -O2",
                      d, causal=bool(causal)))
    if args.extra_n:
        if main_name(64, 0) not in models:
            add(Model(main_name(64, 0), "scaled_dot, D = 64, no mask, -O2",
                      64))
        add(Model("sdw_d64", "scaled_dot returning its weights, D = 64, -O2",
                  64, weights_out=True))
        for score in ("additive", "general"):
            # The unfused form at the same -O level: only the tiling differs.
            for key, opt in (("o2", "-O2"),
                             ("unfused", "-O2 --unfused-attention")):
                add(Model(f"{score[:3]}_d64_{key}",
                          f"{score} score, D = 64, {opt}", 64, score=score,
                          opt=opt))
    return models


def main_name(d, causal):
    return f"sd_d{d}" + ("_causal" if causal else "")


# ---- checks -----------------------------------------------------------------

def read_floats(directory, name, shape):
    return np.fromfile(os.path.join(directory, name + ".bin"),
                       dtype=np.float32).reshape(shape)


def run_check(model, n, threads, work):
    """Runs the driver's check role; returns (q, k, v, outputs dict)."""
    directory = os.path.join(work, "check", f"{model.name}_{n}")
    os.makedirs(directory, exist_ok=True)
    model.call("check", n, threads, "--out", directory)
    d = model.d
    q, k, v = (read_floats(directory, x, (n, d)) for x in "qkv")
    names = ["attnc_o"] + (["attnc_w"] if model.weights_out else []) + \
        (["naive_o"] if model.score == "scaled_dot" else [])
    outputs = {}
    for name in names:
        outputs[name] = read_floats(directory, name,
                                    (n, n) if name.endswith("_w") else (n, d))
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    os.rmdir(directory)
    return q, k, v, outputs


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) -
                               np.asarray(b, np.float64))))


def verdict(label, diffs, checks):
    worst = max(diffs.values())
    checks.append({"case": label, "max_abs_diff": diffs, "worst": worst})
    print(f"check {label}: max abs diff {worst:.2e} ("
          + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()) + ")",
          file=sys.stderr)
    if not np.isfinite(worst) or worst > TOLERANCE:
        sys.exit(f"{label}: implementations differ by more than "
                 f"{TOLERANCE}: {diffs}")


def check_main(model, n, threads, work, checks):
    q, k, v, out = run_check(model, n, threads, work)
    diffs = {"attnc-naive": max_diff(out["attnc_o"], out["naive_o"])}
    tq, tk, tv = (torch.from_numpy(x) for x in (q, k, v))
    with torch.no_grad():
        for variant in TA.variants_for(model.causal):
            o = TA.make(variant, n, model.d, model.causal)(tq, tk, tv)
            diffs[f"attnc-{variant}"] = max_diff(out["attnc_o"], o)
            diffs[f"naive-{variant}"] = max_diff(out["naive_o"], o)
    verdict(f"{model.name} N={n}", diffs, checks)


def reference(score, q, k, v, weights, block=256):
    """float64 attention(q, k, v, score = ...) without a mask, from the
    e2e tests' torch_ref, a block of queries at a time (the additive score's
    tanh(W s_i + U h_j) would be N x N x A at once)."""
    params = {"general": lambda w: {"W": w["Wg"]},
              "additive": lambda w: {"W": w["Wa"], "U": w["Ua"],
                                     "v": w["va"]},
              "scaled_dot": lambda w: {}}[score](weights or {})
    outs, ws = [], []
    for start in range(0, q.shape[0], block):
        o, w = torch_ref.attention(score, q[start:start + block], k, v,
                                   **params)
        outs.append(o.numpy())
        ws.append(w.float().numpy() if score == "scaled_dot" else None)
    o = np.concatenate(outs)
    return o, (np.concatenate(ws) if score == "scaled_dot" else None)


def check_extras(models, n, threads, work, checks):
    torch.set_num_threads(threads)
    for score in ("additive", "general"):
        fast, slow = (models[f"{score[:3]}_d64_{o}"] for o in ("o2", "unfused"))
        q, k, v, out2 = run_check(fast, n, threads, work)
        _, _, _, out0 = run_check(slow, n, threads, work)
        ref, _ = reference(score, q, k, v, fast.weights())
        verdict(f"{score} N={n}", {
            "tiled-unfused": max_diff(out2["attnc_o"], out0["attnc_o"]),
            "tiled-float64": max_diff(out2["attnc_o"], ref),
            "unfused-float64": max_diff(out0["attnc_o"], ref)}, checks)
    q, k, v, out = run_check(models["sdw_d64"], n, threads, work)
    _, _, _, plain = run_check(models[main_name(64, 0)], n, threads, work)
    ref, ref_w = reference("scaled_dot", q, k, v, None)
    verdict(f"weights N={n}", {
        "o-float64": max_diff(out["attnc_o"], ref),
        "w-float64": max_diff(out["attnc_w"], ref_w),
        "o-(o only)": max_diff(out["attnc_o"], plain["attnc_o"])}, checks)


# ---- timing -----------------------------------------------------------------

def mib(kib):
    return kib / 1024


def time_row(models, n, d, causal, threads, args):
    model = models[main_name(d, causal)]
    common = ["--samples", str(args.samples), "--seconds", str(args.seconds)]
    attnc = best_of(args.runs, lambda: model.call(
        "attnc", n, threads, "--sgemm", *common), "median_us")
    naive = best_of(args.runs, lambda: model.call(
        "naive", n, threads, *common), "median_us")
    torch_runs = {}
    for variant in TA.variants_for(causal):
        torch_runs[variant] = best_of(args.runs, lambda: json.loads(run(
            [sys.executable, os.path.join(HERE, "torch_attention.py"),
             variant, str(n), str(d), str(causal), str(threads),
             str(args.samples), str(args.seconds)],
            env={**os.environ, "OMP_NUM_THREADS": str(threads)})),
            "median_s")
    best_variant = min(torch_runs, key=lambda v: torch_runs[v]["median_s"])
    best = torch_runs[best_variant]
    flops = 4 * n * n * d * (0.5 if causal else 1)
    full = 4 * n * n * d

    def gflops(f, us):
        return f / (us * 1e-6) / 1e9

    row = {
        "N": n, "D": d, "causal": bool(causal), "threads": threads,
        "flops": flops,
        "attnc_min_ms": attnc["min_us"] / 1e3,
        "attnc_median_ms": attnc["median_us"] / 1e3,
        "attnc_gflops": gflops(flops, attnc["median_us"]),
        "attnc_samples": attnc["samples"],
        "attnc_mem_mib": mib(attnc["rss_after_kib"] - attnc["rss_before_kib"]),
        "naive_min_ms": naive["min_us"] / 1e3,
        "naive_median_ms": naive["median_us"] / 1e3,
        "naive_gflops": gflops(flops, naive["median_us"]),
        "naive_samples": naive["samples"],
        "naive_mem_mib": mib(naive["rss_after_kib"] - naive["rss_before_kib"]),
        "torch_best_variant": best_variant,
        "torch_best_min_ms": best["min_s"] * 1e3,
        "torch_best_median_ms": best["median_s"] * 1e3,
        "torch_best_gflops": gflops(flops, best["median_s"] * 1e6),
        "torch_best_mem_mib": mib(best["rss_after_kib"] -
                                  best["rss_before_kib"]),
        "torch_variants": {
            v: {"min_ms": r["min_s"] * 1e3, "median_ms": r["median_s"] * 1e3,
                "samples": r["samples"],
                "mem_mib": mib(r["rss_after_kib"] - r["rss_before_kib"]),
                "runs": r["runs"]}
            for v, r in torch_runs.items()},
        "sgemm_min_ms": attnc["sgemm_min_us"] / 1e3,
        "sgemm_median_ms": attnc["sgemm_median_us"] / 1e3,
        "sgemm_gflops": gflops(full, attnc["sgemm_median_us"]),
        "sgemm_samples": attnc["sgemm_samples"],
        "qkvo_mib": 4 * n * d * 4 / 2**20,
        "scores_mib": n * n * 4 / 2**20,
        "attnc_runs": attnc["runs"], "naive_runs": naive["runs"],
    }
    row["attnc_over_sgemm"] = row["attnc_gflops"] / row["sgemm_gflops"]
    row["speedup_vs_torch"] = (row["torch_best_median_ms"] /
                               row["attnc_median_ms"])
    print(f"N={n} D={d} causal={causal} threads={threads}: attnc "
          f"{row['attnc_median_ms']:.3f} ms, naive "
          f"{row['naive_median_ms']:.3f} ms, PyTorch {best_variant} "
          f"{row['torch_best_median_ms']:.3f} ms, sgemm "
          f"{row['sgemm_median_ms']:.3f} ms", file=sys.stderr)
    return row


EXTRA_CASES = [
    # case, (model A, label A), (model B, label B)
    ("additive score (A = 64)", ("add_d64_o2", "tiled"),
     ("add_d64_unfused", "unfused")),
    ("general score", ("gen_d64_o2", "tiled"), ("gen_d64_unfused", "unfused")),
    ("scaled_dot, -O2", ("sd_d64", "o only"), ("sdw_d64", "o and w [N, N]")),
]


def time_extras(models, n, threads, args):
    common = ["--samples", str(args.samples), "--seconds", str(args.seconds)]
    rows = []
    for case, (name_a, label_a), (name_b, label_b) in EXTRA_CASES:
        got = {}
        for side, name in (("a", name_a), ("b", name_b)):
            r = best_of(args.runs, lambda: models[name].call(
                "attnc", n, threads, *common), "median_us")
            got[side] = r
        row = {"case": case, "N": n, "D": 64, "causal": False,
               "threads": threads}
        for side, name, label in (("a", name_a, label_a),
                                  ("b", name_b, label_b)):
            r = got[side]
            row.update({f"{side}_model": name, f"{side}_label": label,
                        f"{side}_min_ms": r["min_us"] / 1e3,
                        f"{side}_median_ms": r["median_us"] / 1e3,
                        f"{side}_samples": r["samples"],
                        f"{side}_mem_mib": mib(r["rss_after_kib"] -
                                               r["rss_before_kib"]),
                        f"{side}_runs": r["runs"]})
        row["b_over_a"] = row["b_median_ms"] / row["a_median_ms"]
        print(f"extra {case} threads={threads}: {label_a} "
              f"{row['a_median_ms']:.1f} ms, {label_b} "
              f"{row['b_median_ms']:.1f} ms", file=sys.stderr)
        rows.append(row)
    return rows


# ---- output -----------------------------------------------------------------

def print_tables(info, rows, extras, checks):
    print(f"Attention, one head, {info['date']}, {info['cpu']}; load average "
          f"{info['loadavg_before']} before, {info['loadavg_after']} after; "
          f"attnc {info['attnc']}.\n")
    print("| N | D | causal | threads | attnc ms (min / median) "
          "| attnc GFLOP/s | naive ms | naive GFLOP/s "
          "| best PyTorch ms (variant) | PyTorch GFLOP/s | sgemm GFLOP/s "
          "| attnc / sgemm | attnc vs PyTorch "
          "| memory MiB attnc / naive / PyTorch (Q+K+V+O) |")
    print("|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['N']} | {r['D']} | {'yes' if r['causal'] else 'no'} "
              f"| {r['threads']} "
              f"| {pair(r['attnc_min_ms'], r['attnc_median_ms'])} "
              f"| {r['attnc_gflops']:.1f} "
              f"| {pair(r['naive_min_ms'], r['naive_median_ms'])} "
              f"| {r['naive_gflops']:.1f} "
              f"| {pair(r['torch_best_min_ms'], r['torch_best_median_ms'])} "
              f"({r['torch_best_variant']}) "
              f"| {r['torch_best_gflops']:.1f} | {r['sgemm_gflops']:.1f} "
              f"| {r['attnc_over_sgemm']:.2f} | {r['speedup_vs_torch']:.2f}x "
              f"| {r['attnc_mem_mib']:.1f} / {r['naive_mem_mib']:.1f} / "
              f"{r['torch_best_mem_mib']:.1f} ({r['qkvo_mib']:.1f}) |")
    print()
    print("Times per call, min / median over the samples; GFLOP/s, ratios "
          "and speed-ups from medians. GFLOP/s = 4*N*N*D flops (halved when "
          "causal) / time; sgemm GFLOP/s = 4*N*N*D / the time of OpenBLAS's "
          "two products (Q K^T and P V, same shapes, same threads, same "
          "process as attnc). Memory: growth of the peak RSS over the timed "
          "calls, in a fresh process per implementation. PyTorch variants: "
          + "; ".join(f"{k}: {v}" for k, v in TA.VARIANTS.items()) + ".")
    if extras:
        print()
        print(f"| case (N = {extras[0]['N']}, D = 64, no mask) | threads "
              "| A ms (min / median) | B ms (min / median) | B / A "
              "| memory MiB A / B |")
        print("|---|--:|--:|--:|--:|--:|")
        for r in extras:
            print(f"| {r['case']}: A {r['a_label']}, B {r['b_label']} "
                  f"| {r['threads']} "
                  f"| {pair(r['a_min_ms'], r['a_median_ms'])} "
                  f"| {pair(r['b_min_ms'], r['b_median_ms'])} "
                  f"| {r['b_over_a']:.2f} "
                  f"| {r['a_mem_mib']:.1f} / {r['b_mem_mib']:.1f} |")
    print()
    for c in checks:
        print(f"- {c['case']}: max abs diff {c['worst']:.1e} ("
              + ", ".join(f"{k} {v:.1e}" for k, v in
                          c["max_abs_diff"].items()) + ")")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=ROOT)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work")
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--n", default="512,1024,2048,4096,8192")
    parser.add_argument("--d", default="64,128")
    parser.add_argument("--causal", default="0,1")
    parser.add_argument("--extra-n", type=int, default=4096)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--cc", default=os.environ.get("CC", "clang-19"))
    parser.add_argument("--omp-cc", default="gcc")
    parser.add_argument("--command", default="bench/attention.sh")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.work = os.path.abspath(args.work or os.path.join(args.build, "bench",
                                                          "attention"))
    args.threads, args.n = ints(args.threads), ints(args.n)
    args.d, args.causal = ints(args.d), ints(args.causal)

    models = build_models(args)
    checks = []
    top = max(args.threads)
    torch.set_num_threads(top)
    for d in args.d:
        for causal in args.causal:
            for n in args.n:
                check_main(models[main_name(d, causal)], n, top, args.work,
                           checks)
    if args.extra_n:
        check_extras(models, args.extra_n, top, args.work, checks)

    load_before = loadavg()
    started = datetime.datetime.now().astimezone()
    rows, extras = [], []
    for d in args.d:
        for causal in args.causal:
            for n in args.n:
                for threads in args.threads:
                    rows.append(time_row(models, n, d, causal, threads, args))
    if args.extra_n:
        for threads in args.threads:
            extras += time_extras(models, args.extra_n, threads, args)
    load_after = loadavg()
    elapsed = (datetime.datetime.now().astimezone() - started).total_seconds()

    info = {
        "date": started.isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "command": args.command,
        "attnc": describe_tree(args.root),
        "loadavg_before": load_before, "loadavg_after": load_after,
        "timing_seconds": round(elapsed),
        "threads": args.threads,
        "samples": args.samples, "seconds_per_measurement": args.seconds,
        "processes_per_measurement": args.runs,
        "timing": "per call: min and median over at most `samples` samples "
                  "(fewer when they would take more than "
                  "`seconds_per_measurement`, at least 3); each sample times "
                  "enough consecutive calls (same inputs) to last >= 1 ms, "
                  "after a warm-up of >= 0.2 s and >= 1 call; each "
                  "implementation in a fresh process per row",
        "memory": "growth of the peak RSS (VmHWM, reset with clear_refs) "
                  "over the timed calls, in the timing "
                  "process, after the inputs and outputs are allocated and "
                  "touched and the two products of attention (Q K^T into an "
                  "N x N buffer that stays allocated, then times V) warmed "
                  "up the BLAS and its threads",
        "flops": "4*N*N*D, halved when causal (sgemm: always 4*N*N*D)",
        "torch": torch.__version__, "python": platform.python_version(),
        "torch_variants": TA.VARIANTS,
        "naive": "naive.c: cblas_sgemm S = Q K^T / sqrt(D) into N x N, "
                 "row softmax (OpenMP, vector expf), cblas_sgemm O = P V",
    }
    with open(args.out, "w") as f:
        json.dump({"info": info, "checks": checks, "rows": rows,
                   "extra_rows": extras}, f, indent=1)
        f.write("\n")
    print_tables(info, rows, extras, checks)


if __name__ == "__main__":
    main()
