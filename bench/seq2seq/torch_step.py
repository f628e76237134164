#!/usr/bin/python3
"""The decoder-step benchmark's driver (run by bench/seq2seq_step.sh).

For each model (the date translator, and bench/seq2seq/large.attn at hidden
size 512): writes the weights (random ones when the file is missing) and an
input, runs the attnc harness (step_bench, one binary per model) once per
thread count, checks that attnc's encode and step give what the same step in
PyTorch gives on the same inputs, times PyTorch eager and TorchScript, and
prints a markdown table / writes JSON.

    torch_step.py --work DIR --out JSON [--samples N] [--threads 1,2]
                  [--runs 3] MODEL:ATTN_FILE:WEIGHTS:S:HARNESS ...

The PyTorch step is the one of examples/seq2seq/model.py (DateTranslator.
step), written for any sizes:
    e      = att_v . tanh(att_W @ s + pkeys_j)
    a      = softmax(e);  c = a @ keys
    s1     = GRUCell([tgt_emb[y]; c], s)        (nn.GRUCell, PyTorch order)
    logits = out_w @ [s1; c] + out_b;  token = argmax(logits)
"""

import argparse
import datetime
import json
import os
import platform
import struct
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "seq2seq"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import model as M  # noqa: E402
from benchlib import best_of, cpu_model, ints, loadavg, measure  # noqa: E402


# ---- model sizes from the .attn file -----------------------------------------

def read_consts(attn_path):
    """name -> value of the `const` declarations (simple integer
    expressions of earlier names, as in date.attn)."""
    consts = {}
    text = open(attn_path).read()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("const "):
            continue
        for item in line[len("const "):].split(","):
            name, expr = (part.strip() for part in item.split("=", 1))
            consts[name] = int(eval(expr, {"__builtins__": {}}, dict(consts)))
    return consts


def param_shapes(c):
    """Every parameter of the seq2seq model, in file order (as model.py)."""
    H, D, A, E, F, K, VS, VT = (c[n] for n in
                                ("H", "D", "A", "E", "F", "K", "VS", "VT"))
    return {
        "src_emb": [VS, E],
        "enc_weight_ih": [3 * H, E], "enc_weight_hh": [3 * H, H],
        "enc_bias_ih": [3 * H], "enc_bias_hh": [3 * H],
        "enc_weight_ih_reverse": [3 * H, E],
        "enc_weight_hh_reverse": [3 * H, H],
        "enc_bias_ih_reverse": [3 * H], "enc_bias_hh_reverse": [3 * H],
        "init_w": [D, K], "init_b": [D],
        "att_W": [A, D], "att_U": [A, K], "att_v": [A],
        "tgt_emb": [VT, F],
        "dec_weight_ih": [3 * D, F + K], "dec_weight_hh": [3 * D, D],
        "dec_bias_ih": [3 * D], "dec_bias_hh": [3 * D],
        "out_w": [VT, D + K], "out_b": [VT],
    }


# The weight matrices one step multiplies (the floor streams each once).
STEP_MATRICES = ("att_W", "dec_weight_ih", "dec_weight_hh", "out_w")


def random_weights(shapes, seed):
    """PyTorch-like initialization: U(-1/sqrt(fan), 1/sqrt(fan))."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in shapes.items():
        fan = shape[-1] if len(shape) == 2 else shape[0]
        if name.endswith("_emb"):
            out[name] = rng.standard_normal(shape).astype(np.float32)
        else:
            bound = fan ** -0.5
            out[name] = rng.uniform(-bound, bound, shape).astype(np.float32)
    return out


# ---- the PyTorch model --------------------------------------------------------

class Seq2Seq(nn.Module):
    """model.py's DateTranslator (attention variant) for any sizes."""

    def __init__(self, c):
        super().__init__()
        H, D, A, E, F, K, VS, VT = (c[n] for n in
                                    ("H", "D", "A", "E", "F", "K", "VS", "VT"))
        self.src_emb = nn.Embedding(VS, E)
        self.enc = nn.GRU(E, H, bidirectional=True, batch_first=True)
        self.init = nn.Linear(K, D)
        self.att_W = nn.Parameter(torch.empty(A, D))
        self.att_U = nn.Parameter(torch.empty(A, K))
        self.att_v = nn.Parameter(torch.empty(A))
        self.tgt_emb = nn.Embedding(VT, F)
        self.dec = nn.GRUCell(F + K, D)
        self.out = nn.Linear(D + K, VT)

    # exported name -> parameter, as in the date model of examples/seq2seq
    NAMES = M.TORCH_NAMES

    def load(self, weights):
        params = dict(self.named_parameters())
        with torch.no_grad():
            for name, attr in self.NAMES.items():
                params[attr].copy_(torch.from_numpy(weights[name]))
        return self.eval()

    @torch.no_grad()
    def encode(self, src):
        x = self.src_emb(torch.as_tensor(src, dtype=torch.long))[None]
        keys, h_n = self.enc(x)
        keys = keys[0]
        s0 = torch.tanh(self.init(torch.cat([h_n[0, 0], h_n[1, 0]])))
        return keys, keys @ self.att_U.t(), s0


class Step(nn.Module):
    """One decoder step, the module that is timed (eager and scripted)."""

    def __init__(self, model):
        super().__init__()
        self.att_W, self.att_v = model.att_W, model.att_v
        self.tgt_emb, self.dec, self.out = model.tgt_emb, model.dec, model.out

    def forward(self, y: int, s: torch.Tensor, keys: torch.Tensor,
                pkeys: torch.Tensor):
        e = torch.tanh(self.att_W @ s + pkeys) @ self.att_v
        a = torch.softmax(e, dim=0)
        c = a @ keys
        x = torch.cat([self.tgt_emb.weight[y], c])
        s1 = self.dec(x[None], s[None])[0]
        logits = self.out(torch.cat([s1, c]))
        return logits, torch.argmax(logits), s1, a


# ---- one model ----------------------------------------------------------------

def read_outputs(path, c, S):
    raw = np.fromfile(path, dtype=np.uint8)
    sizes = [("keys", S * c["K"]), ("pkeys", S * c["A"]), ("s0", c["D"]),
             ("logits", c["VT"]), ("token", 1), ("s1", c["D"]), ("align", S)]
    out, pos = {}, 0
    for name, n in sizes:
        dtype = np.int32 if name == "token" else np.float32
        out[name] = raw[pos:pos + 4 * n].view(dtype).copy()
        pos += 4 * n
    assert pos == raw.size, (path, pos, raw.size)
    out["keys"] = out["keys"].reshape(S, c["K"])
    out["pkeys"] = out["pkeys"].reshape(S, c["A"])
    out["token"] = int(out["token"][0])
    return out


def bench_model(spec, args, rows, checks):
    name, attn, weights_path, S, harness = spec.split(":")
    S = int(S)
    c = read_consts(attn)
    shapes = param_shapes(c)
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    if os.path.exists(weights_path):
        weights, origin = M.load_safetensors(weights_path)[0], "trained"
    else:
        weights, origin = random_weights(shapes, seed=5), "random"
        weights_path = os.path.join(work, f"{name}.safetensors")
        # 64-byte aligned data: the runtime maps it without copies.
        M.save_safetensors(weights_path, weights, align=64)
    for pname, shape in shapes.items():
        assert list(weights[pname].shape) == shape, (pname, shape)

    # Input: S random source ids (1..VS-1; 0 is padding), previous token
    # y = 0 (<s> in the date vocabularies): the first step of a sentence.
    rng = np.random.default_rng(7)
    src = rng.integers(1, c["VS"], S).astype(np.int32)
    y = 0
    input_path = os.path.join(work, "input.bin")
    with open(input_path, "wb") as f:
        f.write(struct.pack("<ii", S, y))
        f.write(src.tobytes())
    floor_shapes = ",".join(f"{shapes[m][0]}x{shapes[m][1]}"
                            for m in STEP_MATRICES)

    # attnc, per thread count, in `args.runs` processes (each also dumps its
    # outputs): with 2 threads this VM gives one of two speeds per process
    # start (e.g. 4.7 or 8.0 us for the date step, the floor alike), so the
    # row is the process with the lowest attnc median; all are in the JSON.
    attnc = {}
    for threads in args.threads:
        out_path = os.path.join(work, f"attnc_out_t{threads}.bin")
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}

        def run_harness():
            run = subprocess.run([harness, weights_path, input_path, out_path,
                                  floor_shapes, str(args.samples)],
                                 capture_output=True, text=True, env=env)
            if run.returncode:
                sys.exit(f"{harness} failed:\n{run.stderr}")
            return json.loads(run.stdout)

        # "runs": attnc_min_us, attnc_median_us, floor_min_us and
        # floor_median_us of each process.
        best = best_of(args.runs, run_harness, "attnc_median_us")
        best["outputs"] = read_outputs(out_path, c, S)
        attnc[threads] = best

    # Equal work: PyTorch's encode and step on the same weights and inputs.
    torch.set_num_threads(1)
    model = Seq2Seq(c).load(weights)
    step = Step(model).eval()
    got = attnc[args.threads[0]]["outputs"]
    keys_t, pkeys_t, s0_t = model.encode(src)
    s0 = torch.from_numpy(got["s0"])
    keys = torch.from_numpy(got["keys"])
    pkeys = torch.from_numpy(got["pkeys"])
    with torch.no_grad():
        logits, token, s1, a = step(y, s0, keys, pkeys)
    diff = {
        "encode_keys": float((keys_t - keys).abs().max()),
        "encode_pkeys": float((pkeys_t - pkeys).abs().max()),
        "encode_s0": float((s0_t - s0).abs().max()),
        "step_logits": float((logits - torch.from_numpy(got["logits"])).abs().max()),
        "step_s1": float((s1 - torch.from_numpy(got["s1"])).abs().max()),
        "step_align": float((a - torch.from_numpy(got["align"])).abs().max()),
    }
    same_token = int(token) == got["token"]
    worst = max(diff.values())
    checks.append({"model": name, "max_abs_diff": diff, "worst": worst,
                   "token_attnc": got["token"], "token_torch": int(token),
                   "same_token": same_token})
    print(f"{name}: max |attnc - PyTorch| = {worst:.2e} "
          f"({', '.join(f'{k} {v:.1e}' for k, v in diff.items())}); "
          f"token {got['token']} vs {int(token)}", file=sys.stderr)
    if worst > 1e-4 or not same_token:
        sys.exit(f"{name}: attnc and PyTorch differ: {diff}, token "
                 f"{got['token']} vs {int(token)}")
    for threads in args.threads[1:]:
        other = attnc[threads]["outputs"]
        assert np.array_equal(other["token"], got["token"])
        assert np.abs(other["logits"] - got["logits"]).max() <= 1e-4

    # PyTorch, per thread count: eager, then TorchScript (scripted, frozen).
    scripted = torch.jit.freeze(torch.jit.script(Step(model).eval()))
    torch_times = {}
    with torch.no_grad():
        for threads in args.threads:
            torch.set_num_threads(threads)
            torch_times[("eager", threads)] = measure(
                lambda: step(y, s0, keys, pkeys), args.samples)
            torch_times[("script", threads)] = measure(
                lambda: scripted(y, s0, keys, pkeys), args.samples)

    weight_bytes = sum(4 * int(np.prod(shapes[m])) for m in STEP_MATRICES)
    act_bytes = 4 * (S * c["K"] + S * c["A"])
    for threads in args.threads:
        a = attnc[threads]
        eager_min, eager_med, _, _ = torch_times[("eager", threads)]
        script_min, script_med, _, _ = torch_times[("script", threads)]
        rows.append({
            "model": name, "weights": origin, "S": S,
            "H": c["H"], "D": c["D"], "A": c["A"], "K": c["K"],
            "threads": threads,
            "attnc_min_us": a["attnc_min_us"],
            "attnc_median_us": a["attnc_median_us"],
            "eager_variant": f"PyTorch {torch.__version__} eager, no_grad, "
                             f"set_num_threads({threads})",
            "eager_min_us": eager_min * 1e6, "eager_median_us": eager_med * 1e6,
            "script_variant": "torch.jit.script + torch.jit.freeze, "
                              f"set_num_threads({threads})",
            "script_min_us": script_min * 1e6,
            "script_median_us": script_med * 1e6,
            "floor_variant": "OpenBLAS cblas_sgemv, one per step weight "
                             f"matrix ({floor_shapes}), OMP_NUM_THREADS="
                             f"{threads}",
            "floor_min_us": a["floor_min_us"],
            "floor_median_us": a["floor_median_us"],
            "floor_bytes": a["floor_bytes"],
            "harness_runs": a["runs"],
            "keys_pkeys_bytes": act_bytes,
            "speedup_vs_eager": eager_med * 1e6 / a["attnc_median_us"],
            "speedup_vs_script": script_med * 1e6 / a["attnc_median_us"],
            "attnc_over_floor": a["attnc_median_us"] / a["floor_median_us"],
        })
        assert a["floor_bytes"] == weight_bytes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--command", default="bench/seq2seq_step.sh")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    args.threads = ints(args.threads)

    load_before = loadavg()
    rows, checks = [], []
    for spec in args.models:
        bench_model(spec, args, rows, checks)
    load_after = loadavg()

    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "command": args.command,
        "loadavg_before": load_before, "loadavg_after": load_after,
        "samples": args.samples,
        "timing": "per step: min and median over samples; each sample times "
                  "enough consecutive steps (same inputs) to last >= 1 ms, "
                  "after >= 0.2 s of warm-up",
        "torch": torch.__version__, "python": platform.python_version(),
    }
    with open(args.out, "w") as f:
        json.dump({"info": info, "checks": checks, "rows": rows}, f, indent=1)
        f.write("\n")

    print(f"Decoder step (`step` after `encode`), {info['date']}, "
          f"{info['cpu']}; load average {load_before} before, {load_after} "
          f"after.\n")
    print("| model | threads | attnc us (min / median) | PyTorch eager us "
          "| TorchScript us | floor us (weights MB) | attnc vs eager "
          "| attnc vs TorchScript | attnc / floor |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['model']} (S={r['S']}, H={r['H']}, {r['weights']} "
              f"weights) | {r['threads']} "
              f"| {r['attnc_min_us']:.2f} / {r['attnc_median_us']:.2f} "
              f"| {r['eager_min_us']:.1f} / {r['eager_median_us']:.1f} "
              f"| {r['script_min_us']:.1f} / {r['script_median_us']:.1f} "
              f"| {r['floor_min_us']:.2f} / {r['floor_median_us']:.2f} "
              f"({r['floor_bytes'] / 1e6:.2f}) "
              f"| {r['speedup_vs_eager']:.1f}x "
              f"| {r['speedup_vs_script']:.1f}x "
              f"| {r['attnc_over_floor']:.2f} |")
    print()
    print(f"Times are per step, min / median; ratios use medians. attnc: the "
          f"compiled `step` called from bench/seq2seq/step_bench.c "
          f"(OMP_NUM_THREADS = threads; best of {args.runs} processes). "
          f"PyTorch eager: torch {torch.__version__}, no_grad, "
          f"torch.set_num_threads(threads). TorchScript: torch.jit.script + "
          f"torch.jit.freeze of the same module. Floor: one OpenBLAS "
          f"cblas_sgemv per weight matrix the step multiplies ("
          f"{', '.join(STEP_MATRICES)}), same shapes, same threads; besides "
          f"the weights a step reads keys and pkeys (S*(K+A) floats).")
    print()
    for chk in checks:
        print(f"- {chk['model']}: max |attnc - PyTorch| over encode and step "
              f"outputs {chk['worst']:.1e}; same token "
              f"({chk['token_attnc']}).")


if __name__ == "__main__":
    main()
