# attnc --report: the peak scratch memory it derives from the IR, a formula
# of the run-time dims, agrees within 10% with the peak measured by
# libattnrt's allocator (attnrt_scratch_usage) on a run, at two sizes of
# each model: the self-attention example tiled (-O2, parallel query blocks)
# and unfused (-O0, the whole score matrix), the date translator's encoder
# (a bidirectional GRU) and step, and the transformer example's encoder
# (two layers, B and S). One thread (OMP_NUM_THREADS=1): the formula's
# `threads` is 1.
# RUN: %e2e_dlopen
import ctypes
import importlib
import os
import re
import subprocess
import sys

os.environ["OMP_NUM_THREADS"] = "1"  # before libgomp loads

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import Env, np, run  # noqa: E402

env = Env.from_argv()
for stale in os.listdir(env.work):  # a .so named like a module shadows it
    if stale.endswith(".so"):
        os.remove(os.path.join(env.work, stale))
sys.path.insert(0, env.work)
rng = np.random.default_rng(0)

UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def parse_formula(text, at):
    """Evaluates `1.25 KiB * S + 132 KiB * threads + 320 B` at `at`."""
    total = 0.0
    for term in text.split(" + "):
        factors = term.split(" * ")
        number, unit = factors[0].split(" ")
        value = float(number) * UNITS[unit]
        for factor in factors[1:]:
            name, _, power = factor.partition("^")
            value *= at[name] ** int(power or 1)
        total += value
    return total


def report_of(text, entry, what):
    """The formula of `what` for `entry` in attnc --report's output."""
    block = text.split(entry + "(", 1)[1]
    match = re.search(r"^  " + what + r" = (.*?)(   \(.*)?$", block, re.M)
    return match.group(1)


def compile_model(name, source, flags):
    out = os.path.join(env.work, name)
    result = run([env.attnc, source, "-o", out + ".o", "--python",
                  out + ".py", "--report"] + flags)
    library = os.path.join(env.work, "lib" + name + ".so")
    run(["cc", "-shared", "-o", library, out + ".o", "-L" + env.lib_dir,
         "-Wl,-rpath," + env.lib_dir, "-lattnrt", "-lopenblas", "-lm"])
    return result.stdout, library


def check(name, source, flags, weights, entry, calls):
    """calls: [(dims, inputs)], each run once after a warm-up call."""
    text, library = compile_model(name, source, flags)
    formula = report_of(text, entry, "peak scratch")
    module = importlib.import_module(name)
    model = module.Model(library, weights)
    usage = ctypes.CDLL(library).attnrt_scratch_usage
    reset = ctypes.CDLL(library).attnrt_scratch_reset_peak
    fn = getattr(model, entry.split("_", 1)[1] if name == "date" else
                 entry.rsplit("_", 1)[1])
    for dims, inputs in calls:
        live, peak = ctypes.c_int64(), ctypes.c_int64()
        usage(ctypes.byref(live), None)
        reset()
        fn(*inputs)
        usage(None, ctypes.byref(peak))
        measured = peak.value - live.value
        predicted = parse_formula(formula, dict(dims, threads=1))
        error = abs(measured - predicted) / predicted
        print(f"{name} {entry} {dims}: predicted {predicted:.0f} B "
              f"({formula}), measured {measured} B, {100 * error:.1f}%")
        assert error <= 0.10, "the report is off by more than 10%"
    model.close()


sa = os.path.join(env.src_root, "examples", "self_attention")
weights = os.path.join(env.work, "sa.safetensors")
run([sys.executable, os.path.join(sa, "make_weights.py"), weights, "3"])
for level in ("-O2", "-O0"):
    name = "sa" + level[2]
    subprocess.run(["sed", "s/^model self_attention /model " + name + " /",
                    os.path.join(sa, "self_attention.attn")],
                   stdout=open(os.path.join(env.work, name + ".attn"), "w"),
                   check=True)
    check(name, os.path.join(env.work, name + ".attn"), [level], weights,
          name + "_forward",
          [({"S": s}, [rng.standard_normal((s, 64)).astype(np.float32)])
           for s in (256, 512)])

seq2seq = os.path.join(env.src_root, "examples", "seq2seq")
date_weights = os.path.join(seq2seq, "date_attention.safetensors")
check("date", os.path.join(seq2seq, "date.attn"), [], date_weights,
      "date_encode",
      [({"S": s}, [rng.integers(0, 10, s).astype(np.int32)]) for s in (20, 64)])

run([sys.executable, os.path.join(env.src_root, "examples", "transformer",
                                  "export.py"), "--seed", "5", "--out-dir",
     env.work])
check("encoder", os.path.join(env.src_root, "examples", "transformer",
                              "encoder.attn"), [],
      os.path.join(env.work, "encoder.safetensors"), "encoder_forward",
      [({"B": b, "S": s},
        [rng.standard_normal((b, s, 512)).astype(np.float32),
         np.full(b, s, np.int32)]) for b, s in ((2, 64), (3, 200))])
print("the reported peaks agree with the measured ones")
