"""Timing and machine information shared by the Python drivers of bench/
(seq2seq/torch_step.py, attention/run.py). Runs under /usr/bin/python3."""

import os
import platform
import re
import subprocess
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
