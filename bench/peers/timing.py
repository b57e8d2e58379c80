"""The timing rule every peer script shares: median of 5 runs after 2 warm-ups."""
import time


def median_seconds(fn, warmup=2, runs=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2]
