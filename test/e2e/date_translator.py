# The trained date translator (examples/seq2seq): translate.c built with
# the compiled date.attn / date_noattention.attn must agree token for token
# with the PyTorch model (examples/seq2seq/model.py, same weights) on held-out
# dates, and the attention model must get at least 99% of them right. Also
# checks the heatmap file and the errors of bad input lines.
# RUN: %e2e
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(sys.argv[1], "test", "lib"))
from attnc_e2e import Env, run

env = Env.from_argv()
example = os.path.join(env.src_root, "examples", "seq2seq")
sys.path.insert(0, example)
import torch  # noqa: E402
import model as reference  # noqa: E402

torch.set_num_threads(1)
NUM = 1000  # held-out dates checked here; the README reports all of them

binary = run(["bash", os.path.join(example, "build.sh"), env.work],
             env={**os.environ, "ATTNC_BUILD_DIR": env.obj_root}
             ).stdout.strip().splitlines()[-1]
with open(os.path.join(example, "heldout.tsv")) as f:
    pairs = [line.rstrip("\n").split("\t") for line in f][:NUM]
sources = "".join(source + "\n" for source, _ in pairs)

for name, flag in (("attention", []), ("noattention", ["--no-attention"])):
    weights = os.path.join(example, f"date_{name}.safetensors")
    heatmap = os.path.join(env.work, "heatmap.svg")
    args = [binary, "--weights", weights] + flag
    if name == "attention":
        args += ["--heatmap", heatmap]
    compiled = run(args, input=sources).stdout.splitlines()
    torch_model = reference.load_model(weights)
    with torch.no_grad():
        expected = [torch_model.translate(source) for source, _ in pairs]
    assert len(compiled) == NUM, len(compiled)
    differ = [(s, c, e) for (s, _), c, e in zip(pairs, compiled, expected) if c != e]
    if differ:
        raise SystemExit(f"{name}: {len(differ)} of {NUM} translations differ "
                         f"from PyTorch, e.g. {differ[:3]}")
    correct = sum(c == target for c, (_, target) in zip(compiled, pairs))
    print(f"{name}: {NUM} of {NUM} equal to PyTorch; accuracy "
          f"{correct}/{NUM} = {100 * correct / NUM:.1f}%")
    if name == "attention":
        assert correct >= 0.99 * NUM, correct
        svg = open(heatmap).read()
        # One cell per (output character, source character) of the first line.
        cells = svg.count("<rect x=")
        assert cells == len(compiled[0]) * len(pairs[0][0]), cells
        print(f"heatmap: ok, {cells} cells")

# A character outside the vocabulary and an empty line: a message, an empty
# output line in its place, exit status 1; the other lines still translate.
result = subprocess.run(
    [binary, "--weights", os.path.join(example, "date_attention.safetensors")],
    input="24 November 2026\n24 Novemb€r 2026\n\n11/24/26\n",
    capture_output=True, text=True)
assert result.returncode == 1, result
assert result.stdout.split("\n")[:4] == ["2026-11-24", "", "", "2026-11-24"], result.stdout
assert "byte 0xe2 (outside ASCII) is not in the vocabulary" in result.stderr, result.stderr
assert "0 characters, expected 1 to 64" in result.stderr, result.stderr
print("bad lines: ok")
