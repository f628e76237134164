# No input crashes attnc: random mutations of real models (cut short, bytes
# deleted, duplicated or replaced, tokens swapped) must each end with exit 0
# or 1 and, on 1, a `file:line:col: error:` message; never a signal or a
# stack dump. Deterministic (fixed seed).
# RUN: %e2e
import glob
import os
import random
import subprocess
import sys

src_root, obj_root, work = sys.argv[1:4]
attnc = os.path.join(obj_root, "bin", "attnc")
os.makedirs(work, exist_ok=True)
models = sorted(glob.glob(os.path.join(src_root, "examples", "*", "*.attn")))
assert models, "no example models found"
tokens = ["@", "(", ")", "[", "]", "{", "}", ",", ":", "=", "->", "<=", "|",
          ".T", "let", "fn", "dim", "const", "param", "model", "0", "-1",
          "1e99", "99999999999999999999", "f32", "i32", "S", "mask", "causal",
          "heads", "score.", "softmax(", "#", "\n", "\t", "\xff", "é"]
rng = random.Random(1234)
failures = []
for case in range(400):
    text = open(models[case % len(models)], encoding="utf-8").read()
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(text) + 1)
        j = min(len(text), i + rng.randint(0, 12))
        choice = rng.random()
        if choice < 0.15:
            text = text[:i]  # cut short
        elif choice < 0.45:
            text = text[:i] + text[j:]
        elif choice < 0.6:
            text = text[:i] + text[i:j] * 2 + text[j:]
        else:
            text = text[:i] + rng.choice(tokens) + text[j:]
    path = os.path.join(work, f"case{case}.attn")
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    result = subprocess.run([attnc, path, "--emit=attn", "-o", os.devnull],
                            capture_output=True, text=True, errors="replace")
    bad = result.returncode not in (0, 1) or "Stack dump" in result.stderr or \
        (result.returncode == 1 and ": error: " not in result.stderr)
    if bad:
        failures.append(f"{path}: exit {result.returncode}\n{result.stderr[-2000:]}")
    else:
        os.remove(path)
for failure in failures[:5]:
    print(failure)
print(f"{400 - len(failures)} of 400 mutated models handled without a crash")
sys.exit(1 if failures else 0)
