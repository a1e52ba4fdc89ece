"""Timing helpers shared by the benchmarks: warm-up, then the median of repeated calls."""

import statistics
import time


def median_time(fn, min_reps=5, budget_s=0.5, warmup=2):
    """Median wall time of fn() in seconds over at least min_reps calls (more while under budget_s)."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < budget_s and len(times) < 200):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_times_interleaved(fns, budget_s=1.0, block_s=0.25, min_reps=5):
    """Median wall time in seconds of each of fns, timed in alternating blocks of about block_s (a's
    block, b's block, a's, ...; each block after one untimed call, so that every library runs with its
    own data in the caches, as when it processes a stream) until budget_s has passed and each has
    min_reps calls: on a machine whose speed drifts during the run (a shared VM), each sees the same
    conditions, so their ratio is fair."""
    times = [[] for _ in fns]
    start = time.perf_counter()
    while time.perf_counter() - start < budget_s or min(len(t) for t in times) < min_reps:
        for fn, t in zip(fns, times):
            fn()
            block = time.perf_counter()
            while True:  # at least one timed call per block
                t0 = time.perf_counter()
                fn()
                t.append(time.perf_counter() - t0)
                if time.perf_counter() - block >= block_s:
                    break
    return [statistics.median(t) for t in times]


def geomean(values):
    values = [v for v in values if v > 0]
    if not values:
        return float("nan")
    product = 1.0
    for v in values:
        product *= v
    return product ** (1.0 / len(values))


def print_geomean(speeds, threads):
    """The summary line of a benchmark table: the geometric mean of speed vs torch, when measured."""
    if speeds:
        print(f"geomean speed vs torch (threads={threads}): {geomean(speeds):.2f}")


def set_threads(threads, torch=None):
    """Sets cvcore's thread count, and torch's when the peer is loaded, and prints the section header."""
    import cvcore

    cvcore.set_num_threads(threads)
    if torch is not None:
        torch.set_num_threads(threads)
    print(f"\n== threads={threads} ==")


def try_import_torch():
    """torch when installed (a dev-only peer, never a cvcore dependency), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch
