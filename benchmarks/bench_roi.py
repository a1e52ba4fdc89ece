"""roi_align, roi_pool and crop_resize: cvcore against torchvision.ops in the same run, at 1 and 2 threads.

    python benchmarks/bench_roi.py [--threads 1 2] [--isa avx2] [--budget 1.0] [--rois 1000]

Setup (Faster R-CNN's RoI head on a stride-16 map): input (1, 256, 50, 50), K RoIs in 800x800 image
coordinates with sides 32-400 px, spatial_scale 1/16, output 7x7. Then image crops (MTCNN's R-Net
input): K boxes with sides 20-120 px in a 1920x1080 RGB image, 24x24 crops, aligned, adaptive
sampling; cvcore's crop_resize and roi_align read the uint8 image, torchvision its float32 copy.
Prints cvcore ms, torchvision ms and speed = torchvision time / cvcore time (> 1: cvcore is faster).
torchvision computes these in a single-threaded loop; it is timed at the same torch thread count.
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore.ops import crop_resize, roi_align, roi_pool
from _harness import median_time, set_threads, try_import_torch


def make_inputs(rois, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 256, 50, 50)).astype(np.float32)
    side = rng.uniform(32, 400, (rois, 2))
    xy = rng.uniform(0, 800 - side, (rois, 2))
    boxes = np.concatenate([np.zeros((rois, 1)), xy, xy + side], axis=1).astype(np.float32)
    return x, boxes


def make_image_crops(rois, seed=0):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (1, 3, 1080, 1920), dtype=np.uint8)
    side = rng.uniform(20, 120, rois)
    xy = rng.uniform(0, 1, (rois, 2)) * (np.array([1920.0, 1080.0]) - side[:, None])
    boxes = np.concatenate([np.zeros((rois, 1)), xy, xy + side[:, None]], axis=1).astype(np.float32)
    return image, boxes


# name: (op, keyword arguments after (input, boxes, output_size, spatial_scale))
CASES = {
    "roi_align sr=2": ("align", dict(sampling_ratio=2, aligned=False)),
    "roi_align sr=2 aligned": ("align", dict(sampling_ratio=2, aligned=True)),
    "roi_align sr=-1 aligned": ("align", dict(sampling_ratio=-1, aligned=True)),
    "roi_pool": ("pool", {}),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--isa", default=None, help="cvcore kernels to use (default: the best supported)")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of timing per case and library")
    parser.add_argument("--rois", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.isa:
        cvcore._runtime._set_isa(args.isa)
    torch = try_import_torch()
    tv = None
    if torch is not None:
        try:
            import torchvision.ops as tv
        except ImportError:
            tv = None
    x, boxes = make_inputs(args.rois)
    scale, size = 1.0 / 16, (7, 7)
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']}; input {x.shape}, {args.rois} RoIs, 7x7, scale 1/16")
    if tv is not None:
        import torchvision
        print(f"torchvision {torchvision.__version__} (peer, same process)")
        tx, tb = torch.from_numpy(x), torch.from_numpy(boxes)
    image, crops = make_image_crops(args.rois)
    if tv is not None:
        timage, tcrops = torch.from_numpy(image.astype(np.float32)), torch.from_numpy(crops)

    def report(name, fn, peer):
        t_cv = median_time(fn, budget_s=args.budget)
        line = f"{name:26s} | {t_cv * 1e3:9.2f} |"
        if peer is not None:
            with torch.no_grad():
                t_tv = median_time(peer, budget_s=args.budget)
            line += f" {t_tv * 1e3:14.2f} | {t_tv / t_cv:5.2f}"
        print(line, flush=True)

    for threads in args.threads:
        set_threads(threads, torch)
        print(f"{'case':26s} | {'cvcore ms':>9s} | {'torchvision ms':>14s} | speed")
        for name, (kind, kw) in CASES.items():
            if kind == "align":
                fn = lambda: roi_align(x, boxes, size, scale, **kw)
                peer = (lambda: tv.roi_align(tx, tb, size, scale, **kw)) if tv is not None else None
            else:
                fn = lambda: roi_pool(x, boxes, size, scale)
                peer = (lambda: tv.roi_pool(tx, tb, size, scale)) if tv is not None else None
            report(name, fn, peer)
        # Image crops: torchvision's roi_align (aligned, adaptive) on the float32 copy is the peer of both.
        peer = (lambda: tv.roi_align(timage, tcrops, 24, 1.0, -1, True)) if tv is not None else None
        report("crop_resize 24x24 uint8", lambda: crop_resize(image, crops, 24), peer)
        report("roi_align 24x24 uint8", lambda: roi_align(image, crops, 24, 1.0, -1, True), peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
