"""A whole-network forward pass: VGG-16 (and VGG-16-BN, its batch norms folded with nn.fuse) built with
cvcore.nn, against the same network in torch (eval mode, no_grad) loaded from cvcore's state dict, at 1
and 2 threads.

    python benchmarks/bench_vgg.py [--threads 1 2] [--batch 1] [--size 224] [--budget 2] [--arch vgg16 vgg16_bn]

Prints, per architecture and thread count: cvcore ms and GFLOP/s (2 * MACs from nn.summary / time),
torch ms, speed = torch time / cvcore time (> 1: cvcore is faster) and the largest difference between the
two outputs relative to the largest output. torch is a dev-only peer: without it only cvcore is timed.
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore import nn
from _harness import median_time, print_geomean, set_threads, try_import_torch


def to_torch(torch, module):
    """The torch.nn equivalent of a cvcore.nn model (the layers VGG uses), weights loaded from its state dict
    with torch's strict key check: the keys are the same as torchvision's."""
    t = torch.nn

    def convert(m):
        if isinstance(m, nn.Sequential):
            return t.Sequential(*(convert(c) for c in m))
        if isinstance(m, nn.Conv2d):
            return t.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation, m.groups,
                            bias=m.bias is not None)
        if isinstance(m, nn.BatchNorm2d):
            return t.BatchNorm2d(m.num_features, eps=m.eps)
        if isinstance(m, nn.Linear):
            return t.Linear(m.in_features, m.out_features, bias=m.bias is not None)
        if isinstance(m, nn.MaxPool2d):
            return t.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation, ceil_mode=m.ceil_mode)
        if isinstance(m, nn.AdaptiveAvgPool2d):
            return t.AdaptiveAvgPool2d(m.output_size)
        simple = {nn.ReLU: t.ReLU, nn.Flatten: t.Flatten, nn.Dropout: t.Dropout, nn.Identity: t.Identity}
        return simple[type(m)]()

    model = t.Sequential()
    for name, child in module.named_children():
        model.add_module(name, convert(child))
    state = {k: torch.from_numpy(np.array(v)) for k, v in module.state_dict().items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    return model.eval()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--size", type=int, default=224, help="input height and width")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of timing per case and library")
    parser.add_argument("--arch", nargs="+", default=["vgg16", "vgg16_bn"], choices=sorted(nn.ARCHITECTURES))
    args = parser.parse_args(argv)
    torch = try_import_torch()
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']} compiler={info['compiler']}")
    if torch is not None:
        print(f"torch {torch.__version__} (peer, same process)")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (args.batch, 3, args.size, args.size)).astype(np.float32)
    cases = []
    for arch in args.arch:
        model = nn.ARCHITECTURES[arch]()
        for _, m in model.named_modules():  # non-trivial batch-norm statistics
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean = rng.standard_normal(m.num_features) * 0.1
                m.running_var = rng.uniform(0.5, 2.0, m.num_features)
        flops = nn.summary(model, x.shape, verbose=False).total_flops
        peer = to_torch(torch, model) if torch is not None else None
        # cvcore runs the fused model (nn.fuse is a no-op for plain vgg16); torch runs the model as built
        cases.append((arch + ("+fuse" if arch.endswith("_bn") else ""), nn.fuse(model), peer, flops))
        del model
    for threads in args.threads:
        set_threads(threads, torch)
        print(f"{'model':14s} {'GFLOP':>6s} | {'cvcore ms':>9s} {'GF/s':>6s} | {'torch ms':>8s} {'GF/s':>6s} | speed"
              " | max rel diff")
        speeds = []
        for name, model, peer, flops in cases:
            t_cv = median_time(lambda: model(x), min_reps=3, budget_s=args.budget, warmup=1)
            line = f"{name:14s} {flops / 1e9:6.2f} | {t_cv * 1e3:9.1f} {flops / t_cv / 1e9:6.1f} |"
            if peer is not None:
                tx = torch.from_numpy(x)
                with torch.no_grad():
                    t_pt = median_time(lambda: peer(tx), min_reps=3, budget_s=args.budget, warmup=1)
                    expected = peer(tx).numpy()
                diff = np.abs(model(x) - expected).max() / np.abs(expected).max()
                speeds.append(t_pt / t_cv)
                line += f" {t_pt * 1e3:8.1f} {flops / t_pt / 1e9:6.1f} | {t_pt / t_cv:5.2f} | {diff:.1e}"
            print(line, flush=True)
        print_geomean(speeds, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
