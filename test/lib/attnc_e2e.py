"""End-to-end test helpers: compile a .attn model with attnc, link it into a
generated C caller with libattnrt, run it on given weights and inputs, and
return its outputs for comparison with an independent numpy reference.

Runs under Debian's /usr/bin/python3 (numpy). Paths come from the lit
substitutions passed on the command line (see `Env.from_argv`)."""

import os
import subprocess
import sys

import numpy as np

# The project's safetensors writer lives in python/ at the top of the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
from attnc_safetensors import save_file  # noqa: E402


def write_safetensors(path, tensors):
    """Writes {name: np.ndarray} (f32 or i32, the dtypes attnc reads) as a
    safetensors file, in dict order."""
    for name, array in tensors.items():
        if np.asarray(array).dtype not in (np.float32, np.int32):
            raise TypeError(f"{name}: dtype {np.asarray(array).dtype}, "
                            "expected float32 or int32")
    save_file(tensors, path)


class Env:
    """Where the tools are: argv = [script, src_root, obj_root, work_dir]."""

    def __init__(self, src_root, obj_root, work_dir):
        self.src_root, self.obj_root, self.work = src_root, obj_root, work_dir
        self.attnc = os.path.join(obj_root, "bin", "attnc")
        self.lib_dir = os.path.join(obj_root, "lib")
        self.include = os.path.join(src_root, "runtime", "include")
        os.makedirs(work_dir, exist_ok=True)

    @staticmethod
    def from_argv():
        if len(sys.argv) != 4:
            sys.exit("usage: test.py <src_root> <obj_root> <work_dir>")
        return Env(*sys.argv[1:4])


def run(cmd, env=None, **kwargs):
    # A test that preloads the sanitizer runtime into Python (%python_dlopen
    # in a sanitizer build) must not preload it into tools that link it.
    env = {k: v for k, v in (env or os.environ).items() if k != "LD_PRELOAD"}
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, **kwargs)
    if result.returncode != 0:
        sys.stderr.write("$ " + " ".join(cmd) + "\n" + result.stdout + result.stderr)
        raise SystemExit(f"command failed with exit code {result.returncode}")
    return result


class CompiledModel:
    """A .attn model compiled once, callable per entry point.

    `entries` maps an fn name to (dims, inputs, outputs): dims is the list of
    the run-time dims the fn takes (in model order), inputs and outputs lists
    of (name, dtype) with dtype "f32" or "i32", in declaration order."""

    def __init__(self, env, attn_path, model, entries, attnc_flags=()):
        self.env, self.model, self.entries = env, model, entries
        base = os.path.join(env.work, model)
        self.obj, self.header = base + ".o", base + ".h"
        run([env.attnc, attn_path, "-o", self.obj, "--header", self.header,
             *attnc_flags])
        self.caller = self._build_caller()

    def _build_caller(self):
        """One C program for all entry points (one compile per model):
        argv = fn, weights, dims..., input files..., output sizes in
        bytes..., output files."""
        ctype = {"f32": "float", "i32": "int32_t"}
        lines = [
            "#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>",
            f'#include "{self.header}"',
            "static void *slurp(const char *path, long *size) {",
            '  FILE *f = fopen(path, "rb"); if (!f) { perror(path); exit(4); }',
            "  fseek(f, 0, SEEK_END); *size = ftell(f); fseek(f, 0, SEEK_SET);",
            "  void *data = malloc(*size ? *size : 1);",
            "  if (fread(data, 1, *size, f) != (size_t)*size) exit(4);",
            "  fclose(f); return data; }",
        ]
        for fn, (dims, inputs, outputs) in self.entries.items():
            # argv: the fn's arguments only, from its first dim.
            lines += [f"static int call_{fn}(const {self.model} *model, "
                      "char **argv) {", "  int arg = 0;"]
            for dim in dims:
                lines.append(f"  int64_t {dim} = atoll(argv[arg++]);")
            for name, dtype in inputs:
                lines.append(f"  long {name}_bytes; const {ctype[dtype]} *{name} = "
                             f"slurp(argv[arg++], &{name}_bytes);")
            for name, dtype in outputs:
                lines.append(f"  long {name}_bytes = atol(argv[arg++]);")
                # Canary-filled so an unwritten element shows.
                lines.append(f"  {ctype[dtype]} *{name} = malloc({name}_bytes ? "
                             f"{name}_bytes : 1);")
                lines.append(f"  for (long i = 0; i < {name}_bytes; ++i) "
                             f"((unsigned char *){name})[i] = 0x7f;")
            call_args = ["model"] + list(dims) + [n for n, _ in inputs] + \
                [n for n, _ in outputs]
            lines += [
                f"  attnrt_status status = {self.model}_{fn}({', '.join(call_args)});",
                "  if (status) fprintf(stderr, \"%s: %s\\n\", "
                "attnrt_status_name(status), attnrt_last_error());",
            ]
            # Written also after a failed call, to show what it left there.
            for name, _ in outputs:
                lines += [f'  {{ FILE *out_file = fopen(argv[arg++], "wb"); '
                          f"fwrite({name}, 1, {name}_bytes, out_file); fclose(out_file); }}"]
            # Freed so LeakSanitizer (sanitizer build) sees no leaks.
            lines += [f"  free((void *){name});" for name, _ in inputs + outputs]
            lines += ["  return status ? 3 : 0;", "}"]
        lines += [
            "int main(int argc, char **argv) {",
            "  if (argc < 3) { fprintf(stderr, \"usage: caller fn weights ...\\n\"); "
            "return 4; }",
            f"  {self.model} *model;",
            f"  attnrt_status status = {self.model}_create(argv[2], &model);",
            "  if (status) { fprintf(stderr, \"create: %s: %s\\n\", "
            "attnrt_status_name(status), attnrt_last_error()); return 2; }",
            "  int result = 4;",
        ]
        for fn in self.entries:
            lines.append(f'  if (!strcmp(argv[1], "{fn}")) '
                         f"result = call_{fn}(model, argv + 3);")
        lines += ["  if (result == 4) fprintf(stderr, \"unknown fn %s\\n\", argv[1]);",
                  f"  {self.model}_destroy(model);", "  return result;", "}"]
        source = os.path.join(self.env.work, f"{self.model}_caller.c")
        with open(source, "w") as f:
            f.write("\n".join(lines) + "\n")
        binary = source[:-2]
        # In a sanitizer build, instrumented like libattnrt (test/lit.cfg.py).
        sanitizer = os.environ.get("ATTNC_TEST_CFLAGS", "").split()
        run(["clang-19", *sanitizer, "-O1", "-Wall", "-Wextra", "-Werror", "-I", self.env.include,
             source, self.obj, "-o", binary, "-L", self.env.lib_dir,
             "-Wl,-rpath," + self.env.lib_dir, "-lattnrt", "-lopenblas", "-lm"])
        return binary

    def call(self, fn, weights_path, dims, inputs, output_shapes,
             expect_status=None):
        """Runs fn; returns {output: array}, or the stderr text if
        expect_status (an exit code: 2 create failed, 3 call failed)."""
        dim_names, input_specs, output_specs = self.entries[fn]
        args = [self.caller, fn, weights_path] + [str(dims[d]) for d in dim_names]
        for (name, dtype), array in zip(input_specs, inputs):
            path = os.path.join(self.env.work, f"{fn}_{name}.in")
            np.ascontiguousarray(array, dtype=np.float32 if dtype == "f32"
                                 else np.int32).tofile(path)
            args.append(path)
        for (name, dtype), shape in zip(output_specs, output_shapes):
            args.append(str(4 * int(np.prod(shape))))
        out_paths = []
        for name, _ in output_specs:
            out_paths.append(os.path.join(self.env.work, f"{fn}_{name}.out"))
            args.append(out_paths[-1])
            if os.path.exists(out_paths[-1]):
                os.remove(out_paths[-1])
        result = subprocess.run(args, capture_output=True, text=True)
        if expect_status is not None:
            if result.returncode != expect_status:
                raise SystemExit(f"expected exit {expect_status}, got "
                                 f"{result.returncode}: {result.stderr}")
            # What a failed call left in each output (canary bytes 0x7f
            # where it wrote nothing).
            self.last_raw_outputs = {
                name: open(path, "rb").read() if os.path.exists(path) else None
                for (name, _), path in zip(output_specs, out_paths)}
            return result.stderr
        if result.returncode != 0:
            raise SystemExit(f"{fn} failed ({result.returncode}): {result.stderr}")
        outputs = {}
        for (name, dtype), shape, path in zip(output_specs, output_shapes, out_paths):
            outputs[name] = np.fromfile(
                path, dtype=np.float32 if dtype == "f32" else np.int32).reshape(shape)
        return outputs


def check_close(name, actual, expected, rtol=1e-4, atol=1e-5):
    """Fails unless |actual - expected| <= atol + rtol * |expected| everywhere
    (relative error 1e-4, with a small absolute floor near zero)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise SystemExit(f"{name}: shape {actual.shape} != {expected.shape}")
    if not np.all(np.isfinite(actual)):
        raise SystemExit(f"{name}: non-finite values in the output")
    err = np.abs(actual - expected)
    bound = atol + rtol * np.abs(expected)
    worst = np.max(err / bound) if err.size else 0.0
    if worst > 1.0:
        i = np.unravel_index(np.argmax(err / bound), err.shape)
        raise SystemExit(f"{name}: mismatch at {i}: {actual[i]} vs {expected[i]} "
                         f"(max error {np.max(err):.3g})")
    print(f"{name}: ok, max abs error {np.max(err) if err.size else 0:.3g}")


def check_zeros(name, actual, expected):
    """Fails unless `actual` is exactly 0 wherever `expected` is (masked
    keys, fully masked rows): near zero is not enough there."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    wrong = (expected == 0) & (actual != 0)
    if np.any(wrong):
        i = tuple(np.argwhere(wrong)[0])
        raise SystemExit(f"{name}: {actual[i]} at {i} where exactly 0 is expected")


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
