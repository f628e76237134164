#!/usr/bin/python3
"""The transformer layer benchmark's driver (run by
bench/transformer_layer.sh).

Compiles bench/transformer/layer.attn (one nn.TransformerEncoderLayer, d 512,
8 heads, ffn 2048, post-norm, relu, padding mask by lengths) with attnc and
driver.c once, writes random weights (torch_transformer's layer, its
state_dict unchanged), checks attnc's output against PyTorch's three paths
(torch_layer.py: fast, plain, plain-nograd) on the same inputs, then times,
per row (S, B, threads), each in a fresh process of its own: attnc and the
OpenBLAS GEMM floor (one driver process), where attnc's time goes (the
profile build of the driver), and each PyTorch path (one worker each); plus
the sgemm peak (one 2048^3 product) per thread count. Names what limits each
row that misses its target. Prints markdown tables and writes JSON.

    run.py --root SRC --build BUILD --out JSON [--samples 20] [--seconds 3]
           [--threads 1,2] [--s 128,512,2048] [--b 1,8] [--runs 1]
           [--command TEXT]
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
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
sys.path.insert(0, os.path.join(ROOT, "python"))
from benchlib import (  # noqa: E402
    best_of, cpu_model, describe_tree, fmt_ms as ms, fmt_pair as pair, ints,
    isa_flags, loadavg, run)
import torch_layer as TL  # noqa: E402
import torch_transformer as tt  # noqa: E402
from attnc_safetensors import save_file  # noqa: E402

CBLAS_INCLUDE = "/usr/include/x86_64-linux-gnu/openblas-openmp"
MODEL = "encoder_layer"  # the model name in layer.attn
D, HEADS, F = TL.D, TL.HEADS, TL.F
TOLERANCE = 1e-4  # max |attnc - PyTorch| / max |PyTorch|
# The targets: attnc's median at least this many times faster than
# the best PyTorch path's, by S (none at other S).
TARGETS = {512: 1.5, 2048: 2.0}
FLOPS = ("B*S*(8*d*d + 4*d*ffn) + 4*B*S*S*d: 2 flops per multiply-add of "
         "the in_proj (3 d x d), out_proj (d x d), linear1 (ffn x d) and "
         "linear2 (d x ffn) products on B*S rows, and of attention's two "
         "products Q K^T and P V (B * heads of S x S x d/heads each); "
         "biases, softmax, relu, layer norms and residual adds not counted; "
         "d = 512, ffn = 2048, heads = 8")


def layer_flops(b, s):
    return b * s * (8 * D * D + 4 * D * F) + 4 * b * s * s * D


def threads_env(threads):
    return {**os.environ, "OMP_NUM_THREADS": str(threads)}


# ---- build ------------------------------------------------------------------

def build(args):
    os.makedirs(args.work, exist_ok=True)
    base = os.path.join(args.work, MODEL)
    run([os.path.join(args.build, "bin", "attnc"),
         os.path.join(HERE, "layer.attn"),
         *os.environ.get("ATTNC_FLAGS", "").split(),
         "-o", base + ".o", "--header", base + ".h"])
    lib = os.path.join(args.build, "lib")
    drivers = {}
    # The timed driver, and the profile build (BLAS and parallel-loop
    # wrappers: driver.c's profile role).
    for name, profile in (("driver", 0), ("driver_profile", 1)):
        drivers[name] = os.path.join(args.work, name)
        run([args.cc, "-O2", "-Wall", "-std=c11", "-D_POSIX_C_SOURCE=200809L",
             f"-DMODEL={MODEL}", f"-DBENCH_PROFILE={profile}",
             "-include", base + ".h",
             "-I", os.path.join(args.root, "runtime", "include"),
             "-I", CBLAS_INCLUDE, os.path.join(HERE, "driver.c"),
             base + ".o", "-L", lib, "-Wl,-rpath," + lib, "-lattnrt",
             "-lopenblas", "-lgomp", "-lm", "-o", drivers[name]])
    # torch_transformer's layer (every parameter drawn from the seed), its
    # state_dict unchanged as torch_transformer.export writes it, with the
    # data 64-byte aligned: the runtime maps it without copies.
    weights = os.path.join(args.work, "layer.safetensors")
    layer = tt.make_encoder_layer(D, HEADS, F, seed=0)
    save_file({k: t.float() for k, t in layer.state_dict().items()}, weights,
              align=64)
    return drivers, weights


# ---- checks -----------------------------------------------------------------

def check(driver, weights, b, s, lens, threads, work, checks):
    """attnc against every PyTorch path on the driver's random src."""
    directory = os.path.join(work, "check")
    os.makedirs(directory, exist_ok=True)
    cmd = [driver, "check", str(b), str(s), "--weights", weights,
           "--out", directory]
    if lens is not None:
        cmd += ["--lens", ",".join(map(str, lens))]
    run(cmd, env=threads_env(threads))

    def read(name, dtype, shape):
        path = os.path.join(directory, name + ".bin")
        data = np.fromfile(path, dtype=dtype).reshape(shape)
        os.remove(path)
        return data

    src = read("src", np.float32, (b, s, D))
    got = read("out", np.float32, (b, s, D)).astype(np.float64)
    read("lens", np.int32, (b,))
    kpm = tt.padding_mask(lens, s, b) if lens is not None else None
    layer = TL.make_layer(weights)
    result = {"B": b, "S": s, "lens": lens if lens is not None else "all S",
              "paths": {}}
    worst = 0.0
    for path in TL.PATHS:
        fn = TL.runner(path, layer)
        with tt.count_fast_path() as counts:
            ref = fn(torch.from_numpy(src), kpm).numpy().astype(np.float64)
        fused = counts["encoder_layer"] + counts["mha"]
        if (path == "fast") != (counts["encoder_layer"] == 1) or \
                (path != "fast" and fused):
            sys.exit(f"check B={b} S={s}: PyTorch path {path} ran "
                     f"{counts} fused calls")
        err = np.abs(got - ref)
        rel = float(err.max() / np.abs(ref).max())
        result["paths"][path] = {
            "max_abs_diff": float(err.max()), "relative": rel,
            # the e2e tests' elementwise bound |x - ref| <= 1e-5 + 1e-4 |ref|
            "elementwise_over_bound": float(
                np.max(err / (1e-5 + 1e-4 * np.abs(ref)))),
            "fused_calls": dict(counts)}
        worst = max(worst, rel) if np.isfinite(rel) else np.inf
    result["worst_relative"] = worst
    checks.append(result)
    print(f"check B={b} S={s} lens={result['lens']}: max |attnc - PyTorch| "
          f"/ max |PyTorch| = " + ", ".join(
              f"{p} {r['relative']:.1e}" for p, r in result["paths"].items()),
          file=sys.stderr)
    if not worst <= TOLERANCE:
        sys.exit(f"check B={b} S={s}: attnc and PyTorch differ by more than "
                 f"{TOLERANCE} relative: {result}")


# ---- timing -----------------------------------------------------------------

def mib(kib):
    return kib / 1024


def gflops(flops, ms):
    return flops / (ms * 1e-3) / 1e9


def time_peak(driver, threads, args):
    common = ["--samples", str(args.samples), "--seconds", str(args.seconds)]
    r = best_of(args.runs, lambda: json.loads(run(
        [driver, "peak", *common], env=threads_env(threads))), "median_us")
    n = r["size"]
    r["gflops"] = gflops(2 * n ** 3, r["median_us"] / 1e3)
    print(f"sgemm peak threads={threads}: {r['gflops']:.1f} GFLOP/s",
          file=sys.stderr)
    return r


def time_row(drivers, weights, s, b, threads, peak, args):
    common = ["--samples", str(args.samples), "--seconds", str(args.seconds)]
    flops = layer_flops(b, s)
    unit_bytes = b * s * D * 4  # B*S*d floats: one activation tensor
    attnc = best_of(args.runs, lambda: json.loads(run(
        [drivers["driver"], "attnc", str(b), str(s), "--weights", weights,
         "--gemm", *common], env=threads_env(threads))), "median_us")
    parts = json.loads(run(
        [drivers["driver_profile"], "profile", str(b), str(s), "--weights",
         weights, "--seconds", str(args.seconds / 3)],
        env=threads_env(threads)))
    paths = {}
    for path in TL.PATHS:
        r = best_of(args.runs, lambda: json.loads(run(
            [sys.executable, os.path.join(HERE, "torch_layer.py"), path,
             str(b), str(s), str(threads), str(args.samples),
             str(args.seconds), weights], env=threads_env(threads))),
            "median_s")
        fused = r["fast_path_calls"]
        ran_fast = fused["encoder_layer"] == r["calls"]
        if (path == "fast") != ran_fast or \
                (path != "fast" and fused["encoder_layer"] + fused["mha"]):
            sys.exit(f"S={s} B={b} threads={threads}: PyTorch path {path}: "
                     f"{fused} fused calls of {r['calls']}")
        growth = (r["rss_after_kib"] - r["rss_before_kib"]) * 1024
        paths[path] = {
            "min_ms": r["min_s"] * 1e3, "median_ms": r["median_s"] * 1e3,
            "gflops": gflops(flops, r["median_s"] * 1e3),
            "samples": r["samples"], "calls": r["calls"],
            "fused_calls": fused, "fast_path_ran": ran_fast,
            "mem_mib": growth / 2**20, "mem_over_bsd": growth / unit_bytes,
            "runs": r["runs"]}
    best_path = min(paths, key=lambda p: paths[p]["median_ms"])
    best = paths[best_path]
    growth = (attnc["rss_after_kib"] - attnc["rss_before_kib"]) * 1024
    dense_ms = attnc["dense_median_us"] / 1e3
    attention_ms = attnc["attention_median_us"] / 1e3
    floor_ms = dense_ms + attention_ms
    row = {
        "S": s, "B": b, "threads": threads, "flops": flops,
        "attnc_min_ms": attnc["min_us"] / 1e3,
        "attnc_median_ms": attnc["median_us"] / 1e3,
        "attnc_gflops": gflops(flops, attnc["median_us"] / 1e3),
        "attnc_samples": attnc["samples"],
        "attnc_mem_mib": growth / 2**20,
        "attnc_mem_over_bsd": growth / unit_bytes,
        "torch": paths,
        "torch_best_path": best_path,
        "torch_best_median_ms": best["median_ms"],
        "torch_best_gflops": best["gflops"],
        "speedup_vs_torch": best["median_ms"] * 1e3 / attnc["median_us"],
        "gemm_dense_min_ms": attnc["dense_min_us"] / 1e3,
        "gemm_dense_median_ms": dense_ms,
        "gemm_attention_min_ms": attnc["attention_min_us"] / 1e3,
        "gemm_attention_median_ms": attention_ms,
        "gemm_floor_ms": floor_ms,
        "gemm_floor_gflops": gflops(flops, floor_ms),
        "peak_gflops": peak["gflops"],
        "at_peak_ms": flops / (peak["gflops"] * 1e9) * 1e3,
        "bsd_mib": unit_bytes / 2**20,
        "scores_mib": b * HEADS * s * s * 4 / 2**20,
        "attnc_runs": attnc["runs"],
        # Where attnc's time goes (driver.c's profile role, its own process;
        # the median of its calls): weight products in OpenBLAS, the tiled
        # attention's parallel loop (its BLAS tiles included), the rest.
        "attnc_profile": parts,
        "attnc_part_dense_ms": parts["blas_us"] / 1e3,
        "attnc_part_attention_ms": parts["loop_us"] / 1e3,
        "attnc_part_other_ms": parts["other_us"] / 1e3,
        "attnc_part_total_ms": parts["total_us"] / 1e3,
    }
    row["attnc_over_floor"] = floor_ms / row["attnc_median_ms"]
    row["torch_best_over_floor"] = floor_ms / best["median_ms"]
    row["target"] = TARGETS.get(s)
    row["limit"] = limit(row)
    print(f"S={s} B={b} threads={threads}: attnc {row['attnc_median_ms']:.2f}"
          f" ms, " + ", ".join(f"{p} {r['median_ms']:.2f} ms"
                               for p, r in paths.items())
          + f", GEMM floor {floor_ms:.2f} ms ({dense_ms:.2f} dense + "
          f"{attention_ms:.2f} attention)", file=sys.stderr)
    return row


def limit(row):
    """What keeps a row from its target (or, without one, from beating the
    best PyTorch path): the GEMM floor, or attnc's time beyond it, by part
    (attnc's profile against the floor's two groups)."""
    factor = row["target"] or 1.0
    attnc, best = row["attnc_median_ms"], row["torch_best_median_ms"]
    floor = row["gemm_floor_ms"]
    needed = best / factor
    if attnc <= needed:
        return "met" if row["target"] else ""
    if floor > needed:
        return (f"GEMM floor: OpenBLAS takes {ms(floor)} ms for the GEMMs "
                f"alone, > the {ms(needed)} ms needed ({factor:g}x "
                f"{row['torch_best_path']}, which runs at "
                f"{row['torch_best_over_floor']:.2f}x the floor's speed; "
                f"attnc at {row['attnc_over_floor']:.2f}x)")
    share = row["attnc_median_ms"] / row["attnc_part_total_ms"]
    return (f"attnc beyond the GEMM floor ({ms(floor)} ms; {ms(needed)} ms "
            f"needed): weight products "
            f"{ms(row['attnc_part_dense_ms'] * share)} ms (floor "
            f"{ms(row['gemm_dense_median_ms'])}), attention "
            f"{ms(row['attnc_part_attention_ms'] * share)} ms (floor "
            f"{ms(row['gemm_attention_median_ms'])}), the rest (serial "
            f"bias/relu/residual/layer norm) "
            f"{ms(row['attnc_part_other_ms'] * share)} ms")


# ---- output -----------------------------------------------------------------

def print_tables(info, rows, peaks, checks):
    print(f"nn.TransformerEncoderLayer (d 512, 8 heads, ffn 2048, post-norm, "
          f"relu), {info['date']}, {info['cpu']}; load average "
          f"{info['loadavg_before']} before, {info['loadavg_after']} after; "
          f"attnc {info['attnc']}; sgemm peak (2048^3) "
          + ", ".join(f"{p['gflops']:.1f} GFLOP/s on {t} thread"
                      f"{'s' if t > 1 else ''}" for t, p in peaks.items())
          + ".\n")
    names = list(TL.PATHS)
    print("| S | B | threads | attnc ms (min / median) | attnc GFLOP/s "
          "| attnc parts ms: weights / attention / rest | "
          + " | ".join(f"{p} ms | {p} GFLOP/s" for p in names)
          + " | GEMM floor ms (dense + attention) | floor GFLOP/s "
          "| attnc / floor | attnc vs best PyTorch | target | limit |")
    print("|--:|--:|--:|--:|--:|--:|" + "--:|--:|" * len(names)
          + "--:|--:|--:|--:|--:|---|")
    for r in rows:
        t = r["torch"]
        print(f"| {r['S']} | {r['B']} | {r['threads']} "
              f"| {pair(r['attnc_min_ms'], r['attnc_median_ms'])} "
              f"| {r['attnc_gflops']:.1f} "
              f"| {ms(r['attnc_part_dense_ms'])} / "
              f"{ms(r['attnc_part_attention_ms'])} / "
              f"{ms(r['attnc_part_other_ms'])} | "
              + " | ".join(f"{ms(t[p]['median_ms'])} | {t[p]['gflops']:.1f}"
                           for p in names)
              + f" | {ms(r['gemm_floor_ms'])} "
              f"({ms(r['gemm_dense_median_ms'])} + "
              f"{ms(r['gemm_attention_median_ms'])}) "
              f"| {r['gemm_floor_gflops']:.1f} | {r['attnc_over_floor']:.2f} "
              f"| {r['speedup_vs_torch']:.2f}x ({r['torch_best_path']}) "
              f"| {str(r['target']) + 'x' if r['target'] else '-'} "
              f"| {r['limit'] or '-'} |")
    print()
    print("Peak RSS growth over the timed calls, MiB, and divided by one "
          "B x S x d float32 tensor (O(B*S*d) memory keeps the ratio flat "
          "across S; the B x 8 x S x S attention weights would make it "
          "grow with S):\n")
    print("| S | B | threads | B*S*d*4 MiB | B*8*S*S*4 MiB | growth MiB "
          "attnc / " + " / ".join(names) + " | growth / (B*S*d*4) attnc / "
          + " / ".join(names) + " |")
    print("|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        t = r["torch"]
        print(f"| {r['S']} | {r['B']} | {r['threads']} | {r['bsd_mib']:.1f} "
              f"| {r['scores_mib']:.1f} | {r['attnc_mem_mib']:.1f} / "
              + " / ".join(f"{t[p]['mem_mib']:.1f}" for p in names)
              + f" | {r['attnc_mem_over_bsd']:.2f} / "
              + " / ".join(f"{t[p]['mem_over_bsd']:.2f}" for p in names)
              + " |")
    print()
    print("Times per call, min / median over the samples; GFLOP/s, ratios "
          "and speed-ups from medians; all lengths S (no padding: attnc gets "
          "lens = S, PyTorch no src_key_padding_mask). Flops: " + FLOPS
          + ". GEMM floor: the same products with OpenBLAS cblas_sgemm, same "
          "shapes, same threads, same process as attnc (dense: the four "
          "weight products; attention: Q K^T and P V per batch row and "
          "head); attnc / floor = floor time / attnc time. attnc parts: "
          "from a second process with BLAS and parallel-loop wrappers "
          "(median call): time in OpenBLAS for the weight products, in the "
          "tiled attention's parallel loop, and the rest (attnc's serial "
          "code: biases, relu, residual adds, layer norms); the limit scales "
          "them to the timed median. Target: the "
          "issue's speed-up over the best PyTorch path. PyTorch paths: "
          + "; ".join(f"{k}: {v}" for k, v in TL.PATHS.items()) + ".")
    print()
    for c in checks:
        print(f"- check B={c['B']} S={c['S']} lens {c['lens']}: max |attnc - "
              "PyTorch| / max |PyTorch| " + ", ".join(
                  f"{p} {r['relative']:.1e}" for p, r in c["paths"].items()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=ROOT)
    parser.add_argument("--build", required=True)
    parser.add_argument("--work")
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--s", default="128,512,2048")
    parser.add_argument("--b", default="1,8")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--cc", default=os.environ.get("CC", "clang-19"))
    parser.add_argument("--command", default="bench/transformer_layer.sh")
    args = parser.parse_args()
    args.build = os.path.abspath(args.build)
    args.work = os.path.abspath(args.work or os.path.join(
        args.build, "bench", "transformer"))
    args.threads, args.s, args.b = (ints(args.threads), ints(args.s),
                                    ints(args.b))
    if max(args.s) > 2048 or max(args.b) > 8:
        sys.exit("layer.attn is compiled for S <= 2048, B <= 8")

    started = datetime.datetime.now().astimezone()
    drivers, weights = build(args)
    checks = []
    top = max(args.threads)
    torch.set_num_threads(top)
    for s in args.s:
        for b in args.b:
            check(drivers["driver"], weights, b, s, None, top, args.work,
                  checks)
    # Padding (not timed): four sequences, lengths S, 1, about S/2, S - 5.
    s = min(args.s)
    check(drivers["driver"], weights, 4, s, [s, 1, s // 2 + 3, max(s - 5, 1)],
          top, args.work, checks)

    load_before = loadavg()
    timing_started = datetime.datetime.now().astimezone()
    peaks = {t: time_peak(drivers["driver"], t, args) for t in args.threads}
    rows = []
    for s in args.s:
        for b in args.b:
            for threads in args.threads:
                rows.append(time_row(drivers, weights, s, b, threads,
                                     peaks[threads], args))
    load_after = loadavg()
    finished = datetime.datetime.now().astimezone()

    info = {
        "date": started.isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "isa": isa_flags(),
        "openblas": {"core": peaks[top]["openblas_core"],
                     "config": peaks[top]["openblas_config"]},
        "command": args.command,
        "attnc": describe_tree(args.root),
        "attnc_flags": os.environ.get("ATTNC_FLAGS", ""),
        "loadavg_before": load_before, "loadavg_after": load_after,
        "timing_seconds": round((finished - timing_started).total_seconds()),
        "total_seconds": round((finished - started).total_seconds()),
        "threads": args.threads,
        "samples": args.samples, "seconds_per_measurement": args.seconds,
        "processes_per_measurement": args.runs,
        "layer": "nn.TransformerEncoderLayer(512, 8, 2048, dropout=0, "
                 "batch_first=True), post-norm, relu, eval; random weights "
                 "(torch_transformer.make_encoder_layer, seed 0), the same "
                 "file for attnc and PyTorch",
        "inputs": "src uniform with variance 1; timed with every length S "
                  "(no padding: attnc lens = S, PyTorch "
                  "src_key_padding_mask=None); padding is only checked",
        "flops": FLOPS,
        "gemm_floor": "cblas_sgemm (alpha 1, beta 0) on the layer's shapes, "
                      "same threads, same process as attnc: dense = "
                      "in_proj [B*S, 512] x [512, 1536]^T, out_proj x "
                      "[512, 512]^T, linear1 x [2048, 512]^T, linear2 "
                      "[B*S, 2048] x [512, 2048]^T; attention = per batch "
                      "row and head Q_h K_h^T (S x S x 64) into an S x S "
                      "buffer, then times V_h (S x 64 x S), Q/K/V in place "
                      "in the in_proj output; floor = dense + attention "
                      "medians",
        "attnc_parts": "driver.c's profile role, a second build that "
                       "interposes cblas_sgemm, cblas_sgemv and "
                       "attnrt_parallel_for: after a warm-up call, calls "
                       "for seconds_per_measurement / 3 (at least 1); the "
                       "median call's wall time in BLAS outside parallel "
                       "loops (the weight products), in the parallel loop "
                       "(the tiled attention, its BLAS tiles included) and "
                       "the rest",
        "sgemm_peak": "one 2048 x 2048 x 2048 cblas_sgemm per call, "
                      "GFLOP/s = 2*2048^3 / median",
        "targets": {str(k): v for k, v in TARGETS.items()},
        "timing": "per call: min and median over at most `samples` samples "
                  "(fewer when they would take more than "
                  "`seconds_per_measurement`, at least 3); each sample times "
                  "enough consecutive calls (same inputs) to last >= 1 ms, "
                  "after a warm-up of >= 0.2 s and >= 1 call; attnc (with "
                  "the GEMM floor) and each PyTorch path in a fresh process "
                  "per row",
        "memory": "growth of the peak RSS (VmHWM, reset with clear_refs 5) "
                  "over the timed calls, in the timing process, after "
                  "malloc_trim(0) (free heap memory returned to the system, "
                  "so it is not counted as resident at the baseline), the "
                  "inputs, weights and (attnc) the GEMM floor's buffers are "
                  "resident, and one call of the same implementation at "
                  "B = 1, S = 1 warmed up the BLAS, the threads and (attnc) "
                  "faulted in the mapped weights; mem_over_bsd = growth / "
                  "(B*S*512*4 bytes)",
        "checks": f"before timing, attnc against each PyTorch path on the "
                  f"same src at every (S, B) with all lengths S, and at "
                  f"B = 4, S = {min(args.s)} with padding; max |attnc - "
                  f"PyTorch| / max |PyTorch| <= {TOLERANCE}; the fast path "
                  f"verified with torch_transformer.count_fast_path (every "
                  f"timed call of the fast rows, none of the others)",
        "torch": torch.__version__, "python": platform.python_version(),
        "torch_blas": os.path.realpath(
            "/usr/lib/x86_64-linux-gnu/libblas.so.3"),
        "torch_paths": TL.PATHS,
    }
    with open(args.out, "w") as f:
        json.dump({"info": info, "checks": checks, "peaks": {
            str(t): p for t, p in peaks.items()}, "rows": rows}, f, indent=1)
        f.write("\n")
    print_tables(info, rows, peaks, checks)


if __name__ == "__main__":
    main()
