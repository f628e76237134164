"""Concurrent callers (bench/concurrency.sh): the date translator's `step`
called by T application threads at once on one shared handle, against the
same number of calls on one thread, under several OMP_NUM_THREADS settings
(unset: libgomp's default, one thread per core). Median of RUNS runs each.
Writes a markdown table to stdout and the same rows as JSON."""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from benchlib import cpu_model, isa_flags, loadavg, run  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--driver", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--calls", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args()

    rows = []
    for omp in (None, "1", "2"):
        env = dict(os.environ)
        env.pop("OMP_NUM_THREADS", None)
        if omp:
            env["OMP_NUM_THREADS"] = omp
        times = {}
        for threads in (1, args.threads):
            per_thread = args.calls // threads
            samples = [float(run([args.driver, args.weights, str(threads),
                                  str(per_thread)], env=env))
                       for _ in range(args.runs)]
            times[threads] = statistics.median(samples)
        rows.append({
            "omp_num_threads": omp or "unset",
            "calls": args.calls,
            "one_thread_s": times[1],
            "threads": args.threads,
            "many_threads_s": times[args.threads],
            "ratio_many_over_one": times[args.threads] / times[1],
        })

    print(f"CPU: {cpu_model()} ({', '.join(isa_flags() or [])}), "
          f"{os.cpu_count()} logical CPUs, load {loadavg()}")
    print(f"\n{args.calls} calls of date_step (S = 20), median of "
          f"{args.runs} runs:\n")
    print(f"| OMP_NUM_THREADS | 1 thread x {args.calls} | {args.threads} "
          f"threads x {args.calls // args.threads} | {args.threads} threads "
          "/ 1 thread |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(f"| {row['omp_num_threads']} | {row['one_thread_s']:.3f} s | "
              f"{row['many_threads_s']:.3f} s | "
              f"{row['ratio_many_over_one']:.2f} |")
    with open(args.out, "w") as f:
        json.dump({"benchmark": "concurrency", "command": args.command,
                   "cpu": cpu_model(), "isa": isa_flags(),
                   "logical_cpus": os.cpu_count(), "load": loadavg(),
                   "rows": rows}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
