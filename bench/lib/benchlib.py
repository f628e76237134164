"""Timing, peak memory and machine information shared by the Python
drivers of bench/ (seq2seq/torch_step.py, attention/run.py and
torch_attention.py, transformer/run.py and torch_layer.py). Runs under
/usr/bin/python3."""

import os
import platform
import re
import subprocess
import sys
import time


def measure(fn, samples, warmup_calls=20, max_seconds=0):
    """min and median seconds per call, repetitions per sample, samples:
    warm-up >= 0.2 s and >= `warmup_calls` calls, then up to `samples`
    samples of `reps` calls each, reps chosen so that a sample >= 1 ms.
    With max_seconds > 0, fewer samples when all of them would last longer
    than that, but at least min(3, samples) (bench.h's bench_measure)."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 0.2 or calls < warmup_calls:
        fn()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    reps = int(1e-3 / per_call) + 1
    if max_seconds > 0:
        affordable = int(max_seconds / (per_call * reps))
        samples = min(samples, max(affordable, min(3, samples)))
    samples = max(samples, 1)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    times.sort()
    return times[0], times[len(times) // 2], reps, samples


def loadavg():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return None


def cpu_model():
    """One line from lscpu: model, family/model, CPUs, caches, VM."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True,
                             env={**os.environ, "LC_ALL": "C"}).stdout
    except OSError:
        return platform.processor()
    fields = dict(re.findall(r"^([^:\n]+):\s*(.*)$", out, re.M))
    parts = [fields.get("Model name", "?")]
    if "CPU family" in fields:
        parts.append(f"family {fields['CPU family']} model "
                     f"{fields.get('Model', '?')}")
    parts.append(f"{fields.get('CPU(s)', '?')} CPUs")
    if "L2 cache" in fields:
        parts.append(f"L2 {fields['L2 cache']}")
    if "L3 cache" in fields:
        parts.append(f"L3 {fields['L3 cache']}")
    if "Hypervisor vendor" in fields:
        parts.append(f"{fields['Hypervisor vendor']} VM")
    return ", ".join(parts)


def isa_flags():
    """The vector ISA extensions the CPU reports (from /proc/cpuinfo's
    flags), e.g. ["avx", "avx2", "fma", "f16c"]; None if unknown."""
    wanted = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
              "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile")
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [x for x in wanted if x in flags]
    except OSError:
        pass
    return None


def peak_rss_kib():
    """VmHWM of this process, in KiB; -1 if unknown (not ru_maxrss, which a
    process inherits from its parent across exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def reset_peak_rss(trim=True):
    """The peak RSS becomes the current RSS (Linux: clear_refs 5); with
    `trim`, first malloc_trim(0) (free heap memory back to the system, so
    that it is not resident at the baseline; transformer/torch_layer.py
    trims, attention/torch_attention.py does not). bench.h's
    bench_reset_peak_rss."""
    if trim:
        import ctypes
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def best_of(runs, measure_once, key):
    """Calls measure_once() `runs` times (one process each) and keeps the
    result with the lowest `key` (a median: 2 threads on a VM give one of
    two speeds per process start); "runs" lists every run's min/median."""
    results = [measure_once() for _ in range(runs)]
    best = dict(min(results, key=lambda r: r[key]))
    best["runs"] = [{k: r[k] for k in r if k.endswith(("min_us", "median_us",
                                                       "min_s", "median_s"))}
                    for r in results]
    return best


def describe_tree(root):
    """`git describe --always --dirty` of the source tree, None if unknown."""
    try:
        return subprocess.run(["git", "-C", root, "describe", "--always",
                               "--dirty"], capture_output=True,
                              text=True).stdout.strip() or None
    except OSError:
        return None


def run(cmd, env=None):
    """Runs cmd (a list) and returns its stdout; if it fails, exits with the
    command, its output and its exit code."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode:
        sys.exit(f"$ {' '.join(cmd)}\n{result.stdout}{result.stderr}"
                 f"failed with exit code {result.returncode}")
    return result.stdout


def ints(text):
    """"1,2,4" -> [1, 2, 4] (command-line lists)."""
    return [int(x) for x in text.split(",") if x]


def fmt_ms(x):
    """Milliseconds for the tables: 3 significant digits or so."""
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}"


def fmt_pair(a, b):
    """"min / median" in milliseconds for the tables (fmt_ms each)."""
    return f"{fmt_ms(a)} / {fmt_ms(b)}"
