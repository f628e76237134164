# attnc and `attn-opt --attnc-lower` run one pipeline: for every model of the
# project (examples/, bench/ and every .attn under test/ that compiles, i.e.
# that is not a diagnostics test), the frontend's IR (attnc --emit=attn)
# lowered by attn-opt with the registered attnc-lower pipeline is the IR of
# `attnc --emit=llvm-mlir` with the same options, byte for byte; also at the
# intermediate stages, and for -O0, --unfused-attention and other block sizes.
# RUN: %e2e
import concurrent.futures
import glob
import os
import subprocess
import sys

src, build, scratch = sys.argv[1], sys.argv[2], sys.argv[3]
attnc = os.path.join(build, "bin", "attnc")
attn_opt = os.path.join(build, "bin", "attn-opt")

# attnc's flags and the same options of attnc-lower.
OPTION_SETS = [
    ([], ""),
    (["-O0"], "opt-level=0"),
    (["--unfused-attention"], "unfused-attention=1"),
    (["-O3", "--query-block=16", "--key-block=40"],
     "opt-level=3 query-block=16 key-block=40"),
]
STAGES = ["fused", "tiled", "linalg", "bufferized", "llvm-mlir"]


def models():
    """Every .attn file of the project that is a model rather than a test
    of diagnostics."""
    files = sorted(glob.glob(os.path.join(src, "examples", "**", "*.attn"),
                             recursive=True)
                   + glob.glob(os.path.join(src, "bench", "**", "*.attn"),
                               recursive=True)
                   + glob.glob(os.path.join(src, "test", "**", "*.attn"),
                               recursive=True))
    for path in files:
        with open(path) as f:
            text = f.read()
        if ("--verify-diagnostics" in text or "expected-error" in text
                or "not attnc" in text):
            continue
        if "# -----" in text:  # several parts: split-input-file tests
            continue
        yield path


def run(cmd, stdin=None):
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (" ".join(cmd), result.stderr))
    return result.stdout


def check(path, flags, pipeline_options, stage):
    frontend = run([attnc, path, "--emit=attn"] + flags)
    options = " ".join(filter(None, ["stop=" + stage, pipeline_options]))
    by_opt = run([attn_opt, "--attnc-lower=" + options], stdin=frontend)
    by_attnc = run([attnc, path, "--emit=" + stage] + flags)
    if by_opt != by_attnc:
        lines_opt, lines_attnc = by_opt.splitlines(), by_attnc.splitlines()
        first = next((i for i, (a, b) in enumerate(zip(lines_opt, lines_attnc))
                      if a != b), min(len(lines_opt), len(lines_attnc)))
        return ("%s %s --emit=%s: attn-opt --attnc-lower='%s' differs at "
                "line %d:\n  attn-opt: %s\n  attnc:    %s" % (
                    os.path.relpath(path, src), " ".join(flags), stage,
                    options, first + 1,
                    lines_opt[first] if first < len(lines_opt) else "<end>",
                    lines_attnc[first] if first < len(lines_attnc) else "<end>"))
    return None


jobs = []
for path in models():
    # Every stage with the default options; the final stage with the others.
    for stage in STAGES:
        jobs.append((path, [], "", stage))
    for flags, pipeline_options in OPTION_SETS[1:]:
        jobs.append((path, flags, pipeline_options, "llvm-mlir"))

# The examples alone are nine models: a glob that finds fewer is broken.
assert len({job[0] for job in jobs}) >= 9, "too few models found"

with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    failures = [f for f in pool.map(lambda job: check(*job), jobs) if f]

print("%d comparisons of %d models" % (
    len(jobs), len({job[0] for job in jobs})))
if failures:
    print("\n".join(failures))
    sys.exit(1)
