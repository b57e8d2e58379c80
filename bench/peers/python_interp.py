#!/usr/bin/env python3
"""CPython timings of the interpreter workloads of Scry's benchmark (same programs as
bench/Sources/InterpreterWorkloads.swift): median of 5 runs after 2 warm-ups."""
import json
import platform

from timing import median_seconds


def interp_loop():
    s = 0
    for i in range(3000000):
        s += i * i
    return s


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)

peer = "cpython " + platform.python_version()
print(json.dumps({"workload": "interp_loop", "seconds": median_seconds(interp_loop), "peer": peer}), flush=True)
print(json.dumps({"workload": "interp_fib", "seconds": median_seconds(lambda: fib(27)), "peer": peer}), flush=True)
