#!/usr/bin/env python3
"""Writes reference_ops.json: NumPy's results for Scry's tensor ops on fixed inputs.

Run once (python3 make_reference_ops.py) and commit the JSON; the tests read it and never
need NumPy. Each case names an op, its arguments, its inputs and NumPy's output.
"""
import json
import numpy as np

rng = np.random.default_rng(7)


def t(a):
    a = np.asarray(a)
    dtype = {"f": "float32", "i": "int64", "b": "bool"}[a.dtype.kind]
    # float32 values written with their shortest exact decimal form keep the file small
    flat = a.astype(np.float32).ravel() if dtype == "float32" else a.ravel()
    data = [float(str(v)) if dtype == "float32" else float(v) for v in flat]
    return {"shape": list(a.shape), "dtype": dtype, "data": data}


def randf(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


cases = []


def case(op, inputs, output, **args):
    cases.append({"op": op, "args": args, "inputs": [t(x) for x in inputs], "output": t(output)})


x = randf(3, 4)
pos = randf(3, 4, low=0.2, high=3.0)
for name, fn, src in [("neg", np.negative, x), ("abs", np.abs, x), ("exp", np.exp, x),
                      ("log", np.log, pos), ("sqrt", np.sqrt, pos), ("rsqrt", lambda v: 1 / np.sqrt(v), pos),
                      ("sin", np.sin, x), ("cos", np.cos, x), ("tanh", np.tanh, x),
                      ("sigmoid", lambda v: 1 / (1 + np.exp(-v)), x), ("relu", lambda v: np.maximum(v, 0), x)]:
    case(name, [src], fn(src).astype(np.float32))
wide = np.linspace(-80, 80, 41, dtype=np.float32)
case("exp", [wide], np.exp(wide.astype(np.float64)).astype(np.float32))
case("tanh", [wide / 8], np.tanh(wide / 8))
case("pow_scalar", [pos], pos ** 1.5, exponent=1.5)
case("pow_scalar", [x], x ** 2, exponent=2.0)
case("clamp", [x], np.clip(x, -0.5, 0.75), min=-0.5, max=0.75)

a, b, c = randf(2, 3, 4), randf(3, 1), randf(4)
bp = randf(3, 1, low=0.5, high=2.0)
for name, fn in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("maximum", np.maximum),
                 ("minimum", np.minimum)]:
    case(name, [a, b], fn(a, b))
    case(name, [c, a], fn(c, a))
case("div", [a, bp], a / bp)
case("pow", [np.abs(a) + 0.1, c], (np.abs(a) + 0.1) ** c)
ia, ib = np.arange(6).reshape(2, 3), np.array([[1], [-2]])
case("add", [ia, ib], ia + ib)
case("mul", [ia, ib], ia * ib)
case("div", [ia, ib], ia / ib)
case("add", [ia, x[:1, :3]], ia + x[:1, :3])
q = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], dtype=np.float32)
r = np.array([2.0, 2.0, 2.0], dtype=np.float32)
for name, fn in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                 ("gt", np.greater), ("ge", np.greater_equal)]:
    case(name, [q, r], fn(q, r))
other = randf(2, 1)
case("where", [q > r, q, other], np.where(q > r, q, other))

s = randf(2, 3, 4, 5)
for axes in [None, [0], [1], [3], [1, 2], [0, 2], [0, 3], [-1]]:
    ax = None if axes is None else tuple(axes)
    for keep in [False, True]:
        case("sum", [s], np.sum(s, axis=ax, keepdims=keep), axes=axes, keepDims=keep)
    case("mean", [s], np.mean(s, axis=ax), axes=axes, keepDims=False)
    case("max", [s], np.max(s, axis=ax), axes=axes, keepDims=False)
    case("min", [s], np.min(s, axis=ax, keepdims=True), axes=axes, keepDims=True)
    case("var", [s], np.var(s, axis=ax, ddof=1), axes=axes, keepDims=False, correction=1)
    case("var", [s], np.var(s, axis=ax, ddof=0), axes=axes, keepDims=False, correction=0)
    case("std", [s], np.std(s, axis=ax, ddof=1), axes=axes, keepDims=False, correction=1)
    case("norm", [s], np.sqrt(np.sum(s * s, axis=ax)), axes=axes, keepDims=False, p=2.0)
case("norm", [s], np.sum(np.abs(s), axis=(1,)), axes=[1], keepDims=False, p=1.0)
case("norm", [s], np.sum(np.abs(s) ** 3, axis=(2,)) ** (1 / 3), axes=[2], keepDims=False, p=3.0)
for axis in [None, 0, 1, 2, 3]:
    case("argmax", [s], np.argmax(s, axis=axis), axis=axis)
    case("argmin", [s], np.argmin(s, axis=axis), axis=axis)

for sa, sb in [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)),
               ((2, 1, 3, 4), (5, 4, 2)), ((1, 7), (7, 1))]:
    m1, m2 = randf(*sa), randf(*sb)
    case("matmul", [m1, m2], np.matmul(m1, m2))
m1, m2 = randf(5, 3), randf(4, 5)
case("matmul_tt", [m1, m2], np.matmul(m1.T, m2.T))

v = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
case("reshape", [v], v.reshape(4, -1), shape=[4, -1])
case("flatten", [v], v.reshape(2, 12), start=1, end=-1)
case("squeeze", [v.reshape(2, 1, 3, 1, 4)], v, axes=None)
case("unsqueeze", [v], v[:, None], axis=1)
case("permute", [v], v.transpose(2, 0, 1), order=[2, 0, 1])
case("transpose", [v], v.swapaxes(0, 2), a=0, b=2)
case("index", [v], v[1, :, 1:3], index=[["at", 1], ["slice", None, None, None], ["slice", 1, 3, None]])
case("index", [v], v[:, ::-1, -3::2], index=[["slice", None, None, None], ["slice", None, None, -1], ["slice", -3, None, 2]])
case("index", [v], v[..., -1], index=[["ellipsis"], ["at", -1]])
case("index", [v], v[None, 0, 5:1:-2], index=[["newaxis"], ["at", 0], ["slice", 5, 1, -2]])
case("index_select", [v, np.array([2, 0, 2])], np.take(v, [2, 0, 2], axis=1), axis=1)
case("concat", [v, v[:, :1] * 2], np.concatenate([v, v[:, :1] * 2], axis=1), axis=1)
case("stack", [v, v + 1], np.stack([v, v + 1], axis=-1), axis=-1)
case("split", [v], np.split(v, [1, 3], axis=2)[1], sizes=[1, 2, 1], axis=2, part=1)
case("pad", [v], np.pad(v, [(0, 0), (1, 2), (2, 0)], constant_values=-1), widths=[[0, 0], [1, 2], [2, 0]], value=-1.0)
case("repeat", [v[0]], np.tile(v[0], (2, 1, 3)), counts=[2, 1, 3])
case("flip", [v], np.flip(v, axis=(0, 2)), axes=[0, 2])
case("expand", [v[:, :1]], np.broadcast_to(v[:, :1], (2, 3, 4)), shape=[2, 3, 4])

json.dump({"numpy": np.__version__, "cases": cases}, open("reference_ops.json", "w"), separators=(",", ":"))
print(len(cases), "cases")
