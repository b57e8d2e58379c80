#!/usr/bin/env python3
"""NumPy timings of the element-wise and reduction workloads of Scry's tensor benchmark.

Prints one JSON line per workload: {"workload": NAME, "seconds": MEDIAN}. Same inputs, same
rule (median of 5 runs after 2 warm-ups) as bench/Sources/TensorWorkloads.swift.
"""
import json

import numpy as np
from timing import median_seconds

N = 16 * 1024 * 1024
rng = np.random.default_rng(0)
a = rng.standard_normal(N, dtype=np.float32)
b = rng.standard_normal(N, dtype=np.float32)
m = a.reshape(4096, 4096)

workloads = {
    "add_16m": lambda: a + b,
    "mul_16m": lambda: a * b,
    "exp_16m": lambda: np.exp(a),
    "tanh_16m": lambda: np.tanh(a),
    "relu_16m": lambda: np.maximum(a, 0),
    "sqrt_16m": lambda: np.sqrt(np.abs(a)),
    "broadcast_add_16m": lambda: m + m[0],
    "sum_16m": lambda: a.sum(),
    "mean_rows_16m": lambda: m.mean(axis=1),
    "sum_columns_16m": lambda: m.sum(axis=0),
    "max_16m": lambda: a.max(),
}

for name, fn in workloads.items():
    print(json.dumps({"workload": name, "seconds": median_seconds(fn), "peer": "numpy " + np.__version__}), flush=True)
