"""A quick self-benchmark of the core kernels on this machine (``cvcore bench``).

Times a fixed set of representative calls (no peer library involved) so that a user can check what
a build delivers on a CPU: the ISA in use, GFLOP/s of convolution and GEMM, and the throughput of
the detection kernels. ``benchmarks/`` in the source tree holds the side-by-side comparisons with
PyTorch, torchvision, OpenCV and scikit-learn.
"""

import statistics
import time
from dataclasses import dataclass

import numpy as np

from . import cluster, get_num_threads, ops, set_num_threads
from ._validation import as_int, as_sequence


@dataclass
class BenchResult:
    """One timed case: ``ms`` is the median wall time of a call; ``rate`` is in ``unit``."""

    name: str
    threads: int
    ms: float
    rate: float
    unit: str


def _median_ms(fn, reps):
    fn()  # warm-up: first-touch of outputs and scratch buffers
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _random_boxes(rng, n, extent=1000.0):
    xy = rng.uniform(0, extent, size=(n, 2))
    wh = rng.uniform(10, 100, size=(n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(np.float32)


def _cases(quick):
    """(name, call, work, unit): work per call in the unit's numerator (GFLOP, Mpairs, kboxes, ...)."""
    rng = np.random.default_rng(0)
    size = 28 if quick else 56
    x = rng.standard_normal((1, 256, size, size), dtype=np.float32)
    w = rng.standard_normal((256, 256, 3, 3), dtype=np.float32)
    conv_flop = 2.0 * 256 * 256 * 9 * size * size
    a = rng.standard_normal((512, 1024), dtype=np.float32)
    wl = rng.standard_normal((1024, 1024), dtype=np.float32)
    n_boxes = 2000 if quick else 10000
    boxes = _random_boxes(rng, n_boxes)
    scores = rng.uniform(size=n_boxes).astype(np.float32)
    n_iou = 500 if quick else 2000
    fmap = rng.standard_normal((1, 256, 50, 50), dtype=np.float32)
    rois = np.concatenate([np.zeros((1000, 1), np.float32), _random_boxes(rng, 1000, extent=700.0)], axis=1)
    points = rng.standard_normal((100_000 if quick else 1_000_000, 2)).astype(np.float32)
    init = points[:9].copy()
    return [
        (f"conv2d 3x3 256->256 @{size}x{size}", lambda: ops.conv2d(x, w, padding=1), conv_flop / 1e9, "GFLOP/s"),
        ("linear 512x1024 @ 1024x1024", lambda: ops.linear(a, wl), 2.0 * 512 * 1024 * 1024 / 1e9, "GFLOP/s"),
        (f"box_iou {n_iou}x{n_iou}", lambda: ops.box_iou(boxes[:n_iou], boxes[:n_iou]), n_iou * n_iou / 1e6,
         "Mpairs/s"),
        (f"nms {n_boxes} boxes", lambda: ops.nms(boxes, scores, 0.5), n_boxes / 1e3, "kboxes/s"),
        ("roi_align 1000 RoIs 7x7", lambda: ops.roi_align(fmap, rois, 7, 1 / 16, 2), 1000 / 1e3, "kRoIs/s"),
        (f"k-means iteration {len(points)}x2 k=9",
         lambda: cluster.kmeans(points, 9, init=init, max_iter=1, tol=0.0), len(points) / 1e6, "Mpoints/s"),
    ]


def run(threads=(1, 2), quick=False):
    """Times every case at each thread count and returns a list of :class:`BenchResult`.

    The thread count in effect before the call is restored. ``quick`` uses smaller inputs and fewer
    repetitions (a few seconds in all), for a smoke test of the build.
    """
    threads = [as_int("bench.run", "threads", t) for t in as_sequence("bench.run", "threads", threads)]
    if not threads:
        raise ValueError(f"bench.run: threads must be a non-empty list of thread counts, got {threads}")
    default = get_num_threads()
    results = []
    try:
        for t in threads:  # every count is checked (set_num_threads' range) before any timing
            set_num_threads(t)
        reps = 3 if quick else 15
        cases = _cases(quick)
        for t in threads:
            set_num_threads(t)
            for name, call, work, unit in cases:
                ms = _median_ms(call, reps)
                results.append(BenchResult(name, t, ms, work / (ms / 1e3), unit))
    finally:
        set_num_threads(default)
    return results
