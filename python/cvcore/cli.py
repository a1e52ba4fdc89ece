"""The ``cvcore`` command line: one subcommand per task, each a function ``_cmd_<name>(args)``.

    cvcore anchors PATH [-n 9] [--img-size 640]   anchors from a COCO JSON file or a YOLO labels folder
    cvcore bench [--threads 1 2] [--quick]          time the core kernels on this machine
    cvcore eval GT.json DETS.json [--plot OUT.png]  COCO bbox evaluation, pycocotools' numbers
    cvcore info                                     build, threads and SIMD ISA
    cvcore detect [IMAGE ...] [-o OUT] [--model M]  faces by MTCNN or RetinaFace (box, probability); annotated PNGs
    cvcore summary ARCH [--input-shape 1 3 224 224] layers, output shapes, parameters and MACs of a model
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from ._json import load_json


def _coco_wh(path, img_size):
    """(w, h) of every box in a COCO-format JSON file, scaled so each image's long side is img_size.
    ValueError naming the record for a file that is not such JSON."""
    data = load_json(path, "cvcore anchors")
    if not isinstance(data, dict):
        raise ValueError(f"the file must hold a JSON object with 'images' and 'annotations', got {type(data).__name__}")
    try:
        images = {im["id"]: (float(im["width"]), float(im["height"])) for im in data.get("images", [])}
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"every image must have an 'id' and a numeric 'width' and 'height' ({e!r})") from None
    wh = []
    for i, ann in enumerate(data.get("annotations", [])):
        try:
            if ann.get("iscrowd", 0):
                continue
            w, h = float(ann["bbox"][2]), float(ann["bbox"][3])
            size = images.get(ann["image_id"])
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as e:
            raise ValueError(f"annotations[{i}] must have an 'image_id' and a 'bbox' [x, y, w, h] ({e!r})") from None
        scale = img_size / max(size) if size and max(size) > 0 else 1.0
        wh.append((w * scale, h * scale))
    return np.asarray(wh, dtype=np.float64).reshape(-1, 2)


def _yolo_wh(folder, img_size):
    """(w, h) of every box in the YOLO label files (class x y w h, normalised) under a folder, times img_size.
    ValueError naming the file and line of a value that is not a number."""
    rows = []
    for f in sorted(Path(folder).rglob("*.txt")):
        for number, line in enumerate(f.read_text().splitlines(), 1):
            parts = line.split()
            if len(parts) >= 5:
                try:
                    rows.append((float(parts[3]), float(parts[4])))
                except ValueError:
                    raise ValueError(f"{f}:{number}: the width and height must be numbers, got {line!r}") from None
    return np.asarray(rows, dtype=np.float64).reshape(-1, 2) * img_size


def _cmd_anchors(args):
    from .detection import kmeans_anchors

    path = Path(args.path)
    try:
        if path.is_dir():
            wh = _yolo_wh(path, args.img_size)
        elif path.is_file():
            wh = _coco_wh(path, args.img_size)
        else:
            raise SystemExit(f"cvcore anchors: {path} is neither a COCO JSON file nor a YOLO labels folder")
    except (OSError, ValueError) as e:  # the JSON reader's errors name the file, line and column already
        message = str(e)
        raise SystemExit(message if message.startswith("cvcore anchors: ") else f"cvcore anchors: {path}: {message}") from None
    wh = wh[np.isfinite(wh).all(axis=1) & (wh > 0).all(axis=1)]
    if len(wh) == 0:
        raise SystemExit(f"cvcore anchors: no boxes found in {path}")
    try:
        fit = kmeans_anchors(wh, args.n_anchors, args.img_size, thr=args.thr, update=args.update, n_init=args.n_init,
                             random_state=args.seed)
    except (TypeError, ValueError) as e:
        raise SystemExit(f"cvcore anchors: {e}") from None
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
    try:
        for r in run(args.threads, quick=args.quick):
            print(f"{r.name:40s} {r.threads:7d} {r.ms:9.3f}  {r.rate:.1f} {r.unit}")
    except (TypeError, ValueError) as e:
        raise SystemExit(f"cvcore bench: --threads: {e}") from None
    return 0


def _cmd_info(args):
    import cvcore

    info = cvcore.build_info()
    for key, value in info.items():
        print(f"{key}: {', '.join(value) if isinstance(value, (list, tuple)) else value}")
    print(f"threads: {cvcore.get_num_threads()}")
    return 0


def _detect_outputs(images, out):
    """The annotated-PNG path of each input: ``<stem>_faces.png`` in OUT (a folder, created), or OUT
    itself for a single input when it is not an existing folder and does not end with a separator."""
    names = [f"{Path(p).stem if p else 'astronaut'}_faces.png" for p in images]
    if out is None:
        return [Path(n) for n in names]
    folder = Path(out)
    if len(images) == 1 and not folder.is_dir() and not out.endswith(("/", "\\")):
        return [folder]
    if folder.exists() and not folder.is_dir():
        raise SystemExit(f"cvcore detect: -o {out} is a file; several images need an output folder")
    folder.mkdir(parents=True, exist_ok=True)
    return [folder / n for n in names]


class _Progress:
    """A one-line progress bar on stderr (a terminal), redrawn in place; other output clears it first."""

    def __init__(self, total, width=30):
        self.total, self.width, self.shown = total, width, False

    def update(self, done):
        filled = done * self.width // self.total
        print(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total}", end="", file=sys.stderr,
              flush=True)
        self.shown = True

    def clear(self):
        if self.shown:
            print("\r" + " " * (self.width + 2 * len(str(self.total)) + 4) + "\r", end="", file=sys.stderr, flush=True)
            self.shown = False


def _cmd_eval(args):
    from .metrics import COCOEvaluator

    try:
        result = COCOEvaluator(args.gt, args.dets).evaluate()
    except (OSError, ValueError) as e:
        raise SystemExit(f"cvcore eval: {e}") from None
    print(result.summary())
    print(f"\n{'category':>10s}  {'name':24s} {'AP':>6s} {'AP50':>6s} {'AP75':>6s}")
    for cid, name, ap, ap50, ap75 in result.per_class_ap():
        print(f"{cid:>10d}  {str(name)[:24]:24s} {ap:6.3f} {ap50:6.3f} {ap75:6.3f}")
    if args.plot:
        try:
            result.plot_pr(args.plot)
        except ImportError as e:
            raise SystemExit(f"cvcore eval: --plot: {e}") from None
        print(f"precision-recall curves -> {args.plot}")
    return 0


def _detector(args):
    """The face detector that --model names, with its options."""
    from .detection import MTCNN, RetinaFace

    if args.model == "retinaface":
        if args.min_face_size is not None:
            raise SystemExit("cvcore detect: --min-face-size is an option of --model mtcnn")
        try:
            return RetinaFace()
        except (ImportError, ValueError) as e:  # the onnx package missing; a model cvcore cannot run
            raise SystemExit(f"cvcore detect: --model retinaface: {e}") from None
    try:
        return MTCNN() if args.min_face_size is None else MTCNN(min_face_size=args.min_face_size)
    except ValueError as e:
        raise SystemExit(f"cvcore detect: {e}") from None


def _cmd_detect(args):
    from .detection import sample_image
    from .image import draw_detections, read_image, write_png

    detector = _detector(args)
    images = args.images or [None]  # None: the sample photograph shipped with cvcore
    outputs = _detect_outputs(images, args.output)
    progress = _Progress(len(images)) if len(images) > 1 and sys.stderr.isatty() else None
    failed = 0
    for i, (path, out) in enumerate(zip(images, outputs)):
        name = path or "sample photograph (NASA, astronaut Eileen Collins)"
        try:
            image = sample_image() if path is None else read_image(path)
            boxes, probs, points = detector.detect(image)
        except (OSError, ValueError) as e:
            if progress:
                progress.clear()
            print(f"cvcore detect: cannot read {path}: {e}", file=sys.stderr)
            failed += 1
            continue
        if progress:
            progress.clear()
        print(f"{name}: {len(boxes)} face{'' if len(boxes) == 1 else 's'} -> {out}")
        for box, prob in zip(boxes, probs):
            print(f"  box {box[0]:7.1f} {box[1]:7.1f} {box[2]:7.1f} {box[3]:7.1f}  prob {prob:.6f}", flush=True)
        write_png(out, draw_detections(image, boxes, points))
        if progress:
            progress.update(i + 1)
    if progress and progress.shown:
        print(file=sys.stderr)
    return 1 if failed else 0


def _cmd_summary(args):
    from .nn import ARCHITECTURES, summary

    try:
        model = ARCHITECTURES[args.arch](num_classes=args.num_classes)
        summary(model, args.input_shape)
    except (TypeError, ValueError, MemoryError) as e:
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

    p = sub.add_parser("eval", help="COCO bbox evaluation (pycocotools' 12 numbers) and a per-class AP table")
    p.add_argument("gt", help="COCO ground truth JSON file")
    p.add_argument("dets", help="detections JSON file (a list of {image_id, category_id, bbox, score})")
    p.add_argument("--plot", metavar="OUT.png", help="write the precision-recall curves (needs matplotlib)")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("info", help="build information, threads and the SIMD ISA in use")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("detect", help="detect faces (MTCNN or RetinaFace) and write the images with boxes and "
                                      "landmarks drawn")
    p.add_argument("images", nargs="*", metavar="IMAGE",
                   help="PNG files (other formats need Pillow); none: the sample photograph shipped with cvcore")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="output PNG (one image) or folder; default <name>_faces.png in the current folder")
    p.add_argument("--model", choices=("mtcnn", "retinaface"), default="mtcnn",
                   help="mtcnn (default): the three-stage cascade; retinaface: RetinaFace-MobileNet0.25 run by "
                        "cvcore.onnx (needs the onnx package)")
    p.add_argument("--min-face-size", type=float, default=None,
                   help="MTCNN: smallest face side in pixels, >= 1 (default 20)")
    p.set_defaults(func=_cmd_detect)

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
