"""conv2d per layer, batch 1, float32: cvcore against torch.nn.functional.conv2d (oneDNN) in the
same run, at 1 and 2 threads.

    python benchmarks/bench_conv.py [--threads 1 2] [--isa avx2] [--budget 0.5] [--peak GFLOPS]

Prints, per layer: cvcore ms and GFLOP/s (2 * MACs / time), torch ms, and speed = torch time /
cvcore time (> 1: cvcore is faster); then the geometric mean of speed per thread count.
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore.ops import conv2d
from _harness import geomean, median_time, try_import_torch

# name: (C, H, W, O, k, stride, padding, dilation, groups)
SUITE = {
    "vgg16_conv1_1": (3, 224, 224, 64, 3, 1, 1, 1, 1),
    "vgg16_conv1_2": (64, 224, 224, 64, 3, 1, 1, 1, 1),
    "vgg16_conv3_2": (256, 56, 56, 256, 3, 1, 1, 1, 1),
    "vgg16_conv5_1": (512, 14, 14, 512, 3, 1, 1, 1, 1),
    "r50_1x1_256_64@56": (256, 56, 56, 64, 1, 1, 0, 1, 1),
    "r50_3x3_64@56": (64, 56, 56, 64, 3, 1, 1, 1, 1),
    "r50_1x1_1024_256@14": (1024, 14, 14, 256, 1, 1, 0, 1, 1),
    "r50_3x3s2_128@28": (128, 28, 28, 128, 3, 2, 1, 1, 1),
    "r50_stem_7x7s2": (3, 224, 224, 64, 7, 2, 3, 1, 1),
    "mbv2_dw3x3_144@56": (144, 56, 56, 144, 3, 1, 1, 1, 144),
    "dilated_3x3d2_256@28": (256, 28, 28, 256, 3, 1, 2, 2, 1),
}


def flops(c, h, w, o, k, s, p, d, g):
    ho = (h + 2 * p - d * (k - 1) - 1) // s + 1
    wo = (w + 2 * p - d * (k - 1) - 1) // s + 1
    return 2.0 * o * (c // g) * k * k * ho * wo


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--isa", default=None, help="cvcore kernels to use (default: the best supported)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timing per layer and library")
    parser.add_argument("--layers", nargs="*", default=None, help="subset of layer names")
    parser.add_argument("--peak", type=float, default=None,
                        help="measured 1-thread FMA peak in GFLOP/s (benchmarks/peak.cpp) to print %% of peak")
    args = parser.parse_args(argv)
    if args.isa:
        cvcore._runtime._set_isa(args.isa)
    torch = try_import_torch()
    rng = np.random.default_rng(0)
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']} compiler={info['compiler']}")
    if torch is not None:
        print(f"torch {torch.__version__} (peer, same process)")
    layers = {k: v for k, v in SUITE.items() if not args.layers or k in args.layers}
    for threads in args.threads:
        cvcore.set_num_threads(threads)
        if torch is not None:
            torch.set_num_threads(threads)
        print(f"\n== threads={threads} ==")
        peak_col = " %peak" if args.peak else ""
        print(f"{'layer':22s} {'GFLOP':>6s} | {'cvcore ms':>9s} {'GF/s':>6s}{peak_col} | {'torch ms':>8s} {'GF/s':>6s}"
              " | speed")
        speeds = []
        for name, (c, h, w, o, k, s, p, d, g) in layers.items():
            x = rng.standard_normal((1, c, h, w)).astype(np.float32)
            wt = rng.standard_normal((o, c // g, k, k)).astype(np.float32)
            b = rng.standard_normal(o).astype(np.float32)
            fl = flops(c, h, w, o, k, s, p, d, g)
            t_cv = median_time(lambda: conv2d(x, wt, b, s, p, d, g), budget_s=args.budget)
            line = f"{name:22s} {fl / 1e9:6.3f} | {t_cv * 1e3:9.3f} {fl / t_cv / 1e9:6.1f}"
            if args.peak:
                line += f" {100 * fl / t_cv / 1e9 / (args.peak * threads):5.0f}%"
            line += " |"
            if torch is not None:
                tx, tw, tb = torch.from_numpy(x), torch.from_numpy(wt), torch.from_numpy(b)
                with torch.no_grad():
                    t_pt = median_time(lambda: torch.nn.functional.conv2d(tx, tw, tb, s, p, d, g),
                                       budget_s=args.budget)
                speeds.append(t_pt / t_cv)
                line += f" {t_pt * 1e3:8.3f} {fl / t_pt / 1e9:6.1f} | {t_pt / t_cv:5.2f}"
            print(line, flush=True)
        if speeds:
            print(f"geomean speed vs torch (threads={threads}): {geomean(speeds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
