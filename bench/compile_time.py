"""Compile time against model size (bench/compile_time.sh): attnc on
generated models that grow in one direction at a time (params, fns, terms
of a sum split into lets, statements, nested calls up to the nesting limit),
at sizes doubling from N0. A table of seconds and of the ratio to the
previous size (2.0 is linear); JSON rows to --out."""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "lib"))
from benchlib import cpu_model, isa_flags, loadavg  # noqa: E402

HEAD = "model m {\n"
FN = "  fn f(x: f32[4]) -> (y: f32[4]) {\n"


def params(n):
    body = "".join(f"  param w{i} : f32[4]\n" for i in range(n))
    lets = "".join(f"    let t{i} = x + w{i}\n" for i in range(n))
    return HEAD + body + FN + lets + f"    y = t{n - 1}\n  }}\n}}\n"


def fns(n):
    return HEAD + "".join(
        f"  fn f{i}(x: f32[4]) -> (y: f32[4]) {{\n    y = tanh(x)\n  }}\n"
        for i in range(n)) + "}\n"


def statements(n):
    lets = "    let t0 = x\n" + "".join(
        f"    let t{i} = tanh(t{i - 1}) + x\n" for i in range(1, n))
    return HEAD + FN + lets + f"    y = t{n - 1}\n  }}\n}}\n"


def sum_terms(n):
    # A sum of n terms in lets of 100 terms each (the nesting limit is 256).
    lines, chunks = [], [["x"] * min(100, n - i) for i in range(0, n, 100)]
    for i, chunk in enumerate(chunks):
        lines.append(f"    let s{i} = " + " + ".join(chunk) +
                     (f" + s{i - 1}" if i else "") + "\n")
    return HEAD + FN + "".join(lines) + f"    y = s{len(chunks) - 1}\n  }}\n}}\n"


def nested_calls(n):
    depth = min(n, 250)
    return HEAD + FN + "    y = " + "tanh(" * depth + "x" + ")" * depth + \
        "\n  }\n}\n"


SHAPES = {"params": params, "fns": fns, "statements": statements,
          "sum terms": sum_terms, "nested calls": nested_calls}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attnc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for shape, make in SHAPES.items():
        previous = None
        for n in sizes:
            path = os.path.join(args.work, f"{shape.replace(' ', '_')}_{n}.attn")
            with open(path, "w") as f:
                f.write(make(n))
            start = time.perf_counter()
            result = subprocess.run([args.attnc, path, "-o", path + ".o"],
                                    capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if result.returncode:
                sys.exit(f"{shape} {n}: attnc failed:\n{result.stderr[:2000]}")
            rows.append({"shape": shape, "n": n, "seconds": seconds,
                         "ratio_to_half": seconds / previous if previous
                         else None})
            previous = seconds
    print(f"CPU: {cpu_model()} ({', '.join(isa_flags() or [])}), load "
          f"{loadavg()}\n")
    print("| model grows by | " + " | ".join(f"n = {n}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for shape in SHAPES:
        cells = []
        for row in rows:
            if row["shape"] == shape:
                ratio = row["ratio_to_half"]
                cells.append(f"{row['seconds']:.2f} s" +
                             (f" (x{ratio:.1f})" if ratio else ""))
        print(f"| {shape} | " + " | ".join(cells) + " |")
    with open(args.out, "w") as f:
        json.dump({"benchmark": "compile_time", "command": args.command,
                   "cpu": cpu_model(), "isa": isa_flags(), "load": loadavg(),
                   "rows": rows}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
