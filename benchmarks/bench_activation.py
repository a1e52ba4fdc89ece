"""Transcendental activations, softmax and log_softmax on a (1, 64, 112, 112) float32 array:
cvcore against PyTorch's CPU kernels in the same run, at 1 and 2 threads.

    python benchmarks/bench_activation.py [--threads 1 2] [--isa avx2] [--budget 0.5] [--shape 1 64 112 112]

Prints, per function: cvcore ms, torch ms and speed = torch time / cvcore time (> 1: cvcore is
faster); then the geometric mean of speed per thread count.
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore import ops
from _harness import median_time, print_geomean, set_threads, try_import_torch


def suite(torch):
    """name: (cvcore call, torch call or None) on an array x (numpy) / tx (torch)."""
    f = torch.nn.functional if torch is not None else None

    def peer(fn):
        return fn if torch is not None else None

    return {
        "relu": (ops.relu, peer(lambda t: torch.relu(t))),
        "sigmoid": (ops.sigmoid, peer(lambda t: torch.sigmoid(t))),
        "tanh": (ops.tanh, peer(lambda t: torch.tanh(t))),
        "silu": (ops.silu, peer(lambda t: f.silu(t))),
        "gelu": (ops.gelu, peer(lambda t: f.gelu(t))),
        "gelu_tanh": (lambda x: ops.gelu(x, approximate="tanh"), peer(lambda t: f.gelu(t, approximate="tanh"))),
        "elu": (ops.elu, peer(lambda t: f.elu(t))),
        "selu": (ops.selu, peer(lambda t: f.selu(t))),
        "softplus": (ops.softplus, peer(lambda t: f.softplus(t))),
        "mish": (ops.mish, peer(lambda t: f.mish(t))),
        "softmax(axis=1)": (lambda x: ops.softmax(x, axis=1), peer(lambda t: torch.softmax(t, 1))),
        "log_softmax(axis=1)": (lambda x: ops.log_softmax(x, axis=1), peer(lambda t: torch.log_softmax(t, 1))),
        "softmax(axis=-1)": (lambda x: ops.softmax(x, axis=-1), peer(lambda t: torch.softmax(t, -1))),
        "log_softmax(axis=-1)": (lambda x: ops.log_softmax(x, axis=-1), peer(lambda t: torch.log_softmax(t, -1))),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--isa", default=None, help="cvcore kernels to use (default: the best supported)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timing per function and library")
    parser.add_argument("--shape", type=int, nargs="+", default=[1, 64, 112, 112])
    parser.add_argument("--only", nargs="*", default=None, help="subset of function names")
    args = parser.parse_args(argv)
    if args.isa:
        cvcore._runtime._set_isa(args.isa)
    torch = try_import_torch()
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']} compiler={info['compiler']} shape={tuple(args.shape)}")
    if torch is not None:
        print(f"torch {torch.__version__} (peer, same process)")
    x = (np.random.default_rng(0).standard_normal(args.shape) * 3).astype(np.float32)
    tx = torch.from_numpy(x) if torch is not None else None
    cases = {k: v for k, v in suite(torch).items() if not args.only or k in args.only}
    for threads in args.threads:
        set_threads(threads, torch)
        print(f"{'function':22s} | {'cvcore ms':>9s} | {'torch ms':>8s} | speed")
        speeds = []
        for name, (ours, theirs) in cases.items():
            t_cv = median_time(lambda: ours(x), budget_s=args.budget)
            line = f"{name:22s} | {t_cv * 1e3:9.3f} |"
            if theirs is not None:
                with torch.no_grad():
                    t_pt = median_time(lambda: theirs(tx), budget_s=args.budget)
                speeds.append(t_pt / t_cv)
                line += f" {t_pt * 1e3:8.3f} | {t_pt / t_cv:5.2f}"
            print(line, flush=True)
        print_geomean(speeds, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
