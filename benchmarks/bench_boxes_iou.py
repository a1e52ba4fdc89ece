"""Pairwise box IoU family, float32: cvcore against torchvision.ops in the same run, at 1 and 2
threads.

    python benchmarks/bench_boxes_iou.py [--threads 1 2] [--sizes 1000 5000] [--budget 0.5]

Prints, per op and size: cvcore ms, ns per pair, torchvision ms, and speed = torchvision time /
cvcore time (> 1: cvcore is faster); then the geometric mean of speed per thread count.
Boxes are random valid xyxy boxes (sides 1-200 on a 1000 x 1000 canvas).
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore import ops
from _harness import geomean, median_time, set_threads, try_import_torch

OPS = ["box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"]


def try_import_torchvision():
    """torchvision.ops when installed (a dev-only peer, never a cvcore dependency), else None."""
    try:
        import torchvision.ops
    except ImportError:
        return None
    return torchvision.ops


def random_boxes(rng, n):
    xy = rng.uniform(0, 1000, (n, 2))
    wh = rng.uniform(1, 200, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1).astype(np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timing per case and library")
    parser.add_argument("--ops", nargs="*", default=None, help="subset of " + ", ".join(OPS))
    args = parser.parse_args(argv)
    torch = try_import_torch()
    tvops = try_import_torchvision() if torch is not None else None
    rng = np.random.default_rng(0)
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']} compiler={info['compiler']}")
    if tvops is not None:
        import torchvision
        print(f"torch {torch.__version__}, torchvision {torchvision.__version__} (peer, same process)")
    names = [n for n in OPS if not args.ops or n in args.ops]
    for threads in args.threads:
        set_threads(threads, torch)
        print(f"{'op':20s} {'N x M':>11s} | {'cvcore ms':>9s} {'ns/pair':>7s} | {'tv ms':>8s} | speed")
        speeds = []
        for n in args.sizes:
            b1, b2 = random_boxes(rng, n), random_boxes(rng, n)
            for name in names:
                mine = getattr(ops, name)
                t_cv = median_time(lambda: mine(b1, b2), min_reps=3, budget_s=args.budget)
                line = f"{name:20s} {f'{n}x{n}':>11s} | {t_cv * 1e3:9.3f} {t_cv / (n * n) * 1e9:7.3f} |"
                if tvops is not None:
                    theirs = getattr(tvops, name)
                    t1, t2 = torch.from_numpy(b1), torch.from_numpy(b2)
                    with torch.no_grad():
                        t_tv = median_time(lambda: theirs(t1, t2), min_reps=3, budget_s=args.budget,
                                           warmup=1)
                    speeds.append(t_tv / t_cv)
                    line += f" {t_tv * 1e3:8.2f} | {t_tv / t_cv:6.1f}"
                print(line, flush=True)
        if speeds:
            print(f"geomean speed vs torchvision (threads={threads}): {geomean(speeds):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
