"""The ``cvcore`` command line: one subcommand per task, each a function ``_cmd_<name>(args)``.

    cvcore anchors PATH [-n 9] [--img-size 640]   anchors from a COCO JSON file or a YOLO labels folder
    cvcore bench [--threads 1 2] [--quick]          time the core kernels on this machine
    cvcore info                                     build, threads and SIMD ISA
    cvcore summary ARCH [--input-shape 1 3 224 224] layers, output shapes, parameters and MACs of a model
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _coco_wh(path, img_size):
    """(w, h) of every box in a COCO-format JSON file, scaled so each image's long side is img_size."""
    data = json.loads(Path(path).read_text())
    images = {im["id"]: (im["width"], im["height"]) for im in data.get("images", [])}
    wh = []
    for ann in data.get("annotations", []):
        if ann.get("iscrowd", 0):
            continue
        w, h = ann["bbox"][2], ann["bbox"][3]
        size = images.get(ann["image_id"])
        scale = img_size / max(size) if size else 1.0
        wh.append((w * scale, h * scale))
    return np.asarray(wh, dtype=np.float64).reshape(-1, 2)


def _yolo_wh(folder, img_size):
    """(w, h) of every box in the YOLO label files (class x y w h, normalised) under a folder, times img_size."""
    rows = []
    for f in sorted(Path(folder).rglob("*.txt")):
        for line in f.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5:
                rows.append((float(parts[3]), float(parts[4])))
    return np.asarray(rows, dtype=np.float64).reshape(-1, 2) * img_size


def _cmd_anchors(args):
    from .detection import kmeans_anchors

    path = Path(args.path)
    if path.is_dir():
        wh = _yolo_wh(path, args.img_size)
    elif path.is_file():
        wh = _coco_wh(path, args.img_size)
    else:
        raise SystemExit(f"cvcore anchors: {path} is neither a COCO JSON file nor a YOLO labels folder")
    wh = wh[(wh > 0).all(axis=1)]
    if len(wh) == 0:
        raise SystemExit(f"cvcore anchors: no boxes found in {path}")
    fit = kmeans_anchors(wh, args.n_anchors, args.img_size, thr=args.thr, update=args.update, n_init=args.n_init,
                         random_state=args.seed)
    print(f"boxes: {len(wh)}  img_size: {args.img_size}")
    print("anchors (w,h): " + ", ".join(f"{w:.0f},{h:.0f}" for w, h in fit.anchors))
    print(f"mean IoU: {fit.mean_iou:.4f}  recall@0.5: {fit.recall:.4f}  BPR(thr={args.thr:g}): {fit.bpr:.4f}  "
          f"anchors/target: {fit.aat:.2f}")
    return 0


def _cmd_bench(args):
    import cvcore
    from .bench import run

    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__}  isa: {info['isa']}  compiler: {info['compiler']}")
    print(f"{'case':40s} {'threads':>7s} {'ms':>9s}  rate")
    for r in run(args.threads, quick=args.quick):
        print(f"{r.name:40s} {r.threads:7d} {r.ms:9.3f}  {r.rate:.1f} {r.unit}")
    return 0


def _cmd_info(args):
    import cvcore

    info = cvcore.build_info()
    for key, value in info.items():
        print(f"{key}: {', '.join(value) if isinstance(value, (list, tuple)) else value}")
    print(f"threads: {cvcore.get_num_threads()}")
    return 0


def _cmd_summary(args):
    from .nn import ARCHITECTURES, summary

    try:
        model = ARCHITECTURES[args.arch](num_classes=args.num_classes)
        summary(model, args.input_shape)
    except (TypeError, ValueError) as e:
        raise SystemExit(f"cvcore summary: {e}") from None
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="cvcore", description="cvcore command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("anchors", help="cluster box sizes into detector anchors (k-means, 1 - IoU)")
    p.add_argument("path", help="COCO-format JSON file, or a folder of YOLO label .txt files")
    p.add_argument("-n", "--n-anchors", type=int, default=9)
    p.add_argument("--img-size", type=int, default=640, help="network input size (long side)")
    p.add_argument("--thr", type=float, default=4.0, help="YOLOv5 anchor ratio threshold for BPR")
    p.add_argument("--update", choices=("mean", "median"), default="mean")
    p.add_argument("--n-init", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_anchors)

    p = sub.add_parser("bench", help="time the core kernels (conv, GEMM, IoU, NMS, RoIAlign, k-means) here")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to time")
    p.add_argument("--quick", action="store_true", help="small inputs, few repetitions (a smoke test)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("info", help="build information, threads and the SIMD ISA in use")
    p.set_defaults(func=_cmd_info)

    from .nn import ARCHITECTURES

    p = sub.add_parser("summary", help="per-layer output shapes, parameters, MACs and FLOPs of an architecture")
    p.add_argument("arch", choices=sorted(ARCHITECTURES), help="architecture name")
    p.add_argument("--input-shape", type=int, nargs="+", default=[1, 3, 224, 224], metavar="DIM",
                   help="input shape, batch included (default: 1 3 224 224)")
    p.add_argument("--num-classes", type=int, default=1000, help="classifier outputs (default: 1000)")
    p.set_defaults(func=_cmd_summary)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
