"""Calls test/attnc/Inputs/python.attn through its Python module: results
against numpy, then each misuse, printing the exception for FileCheck.
    usage: python_pym.py LIBRARY WEIGHTS   (module `pym` on PYTHONPATH)"""
import sys

import numpy as np

import pym

rng = np.random.default_rng(11)
w = rng.standard_normal((4, 4)).astype(np.float32)
emb = rng.standard_normal((10, 4)).astype(np.float32)
sys.path.insert(0, sys.argv[3])  # the project's python/
from attnc_safetensors import save_file  # noqa: E402
save_file({"w": w, "emb": emb}, sys.argv[2])


def close(name, actual, expected):
    """|actual - expected| <= 1e-5 + 1e-5 |expected| (fp32 against float64)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, (name, actual.shape, expected.shape)
    assert np.all(np.abs(actual - expected) <= 1e-5 + 1e-5 * np.abs(expected)), \
        (name, actual, expected)
    print(f"{name}: ok")


def report(call):
    try:
        call()
    except (TypeError, ValueError, OverflowError) as e:
        print(f"{type(e).__name__}: {e}")
    except pym.AttncError as e:
        print(f"AttncError {e.status}: {e}")
    else:
        print("no exception")


model = pym.Model(sys.argv[1], sys.argv[2])
x = rng.standard_normal((5, 4)).astype(np.float32)
lam = np.array([0.5, -1, 3, 2], np.float32)

# Scalars in: a Python int or float, a 0-d array or a numpy scalar; scalars
# out: numpy scalars of the declared dtype.
for scale in (2, 2.5, np.array(2.5, np.float32), np.float32(-1)):
    y, best, total = model.project(x, lam, scale)
    close(f"project y (scale {scale!r})", y, x.astype(np.float64) @ w * float(scale))
    assert type(best) is np.int32 and best == 2, (type(best), best)
    assert type(total) is np.float32 and total == np.float32(4.5), (type(total), total)
print("scalars: ok")

# Non-contiguous inputs are copied: a transposed view and a strided slice.
xt = np.asfortranarray(x)
wide = np.zeros((5, 8), np.float32)
wide[:, ::2] = x
for view in (xt, wide[:, ::2]):
    assert np.array_equal(model.project(view, lam, 2)[0], model.project(x, lam, 2)[0])
print("non-contiguous: ok")

# Keyword-named inputs by their Python names; the two-input dim N.
keep = rng.uniform(size=(3, 4)).astype(np.float32)
n = rng.standard_normal((3, 4)).astype(np.float32)
close("close_", model.close_(None_=7, None__=n, keep=keep), np.tanh(n.astype(np.float64)) * keep)
ids = np.array([9, 0, 4], np.int32)
close("_attnc_call_", model._attnc_call_(ids), emb[ids])

# Misuse: dtypes and shapes in Python, dims and ids by the compiled model.
report(lambda: model.project(x.astype(np.float64), lam, 2))
report(lambda: model.project(x, lam.astype(">f4"), 2))
report(lambda: model.project(x.tolist(), lam, 2))
report(lambda: model.project(x, lam, 2j))
report(lambda: model.close_(n, 1.5, keep))
report(lambda: model.close_(n, 1 << 31, keep))
report(lambda: model.close_(n, True, keep))
report(lambda: model.project(x[:, :3], lam, 2))
report(lambda: model.project(x, lam[None], 2))
report(lambda: model.project(x, lam, np.ones(1, np.float32)))
report(lambda: model.close_(n, 1, keep[:2]))
report(lambda: model.project(np.zeros((17, 4), np.float32), lam, 2))
report(lambda: model.project(np.zeros((0, 4), np.float32), lam, 2))
report(lambda: model._attnc_call_(np.array([1, 10], np.int32)))
report(lambda: model._attnc_call_(np.array([-1], np.int32)))
model.close()
model.close()
report(lambda: model.project(x, lam, 2))
report(lambda: pym.Model(sys.argv[1], sys.argv[2] + ".missing"))
report(lambda: pym.Model(sys.argv[1], None))
with pym.Model(sys.argv[1], sys.argv[2]) as again:
    assert again.project(x, lam, 1)[1] == 2
print("done")
