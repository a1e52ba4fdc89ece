"""MTCNN face detection: cvcore.detection.MTCNN against facenet-pytorch's MTCNN in the same run.

    python benchmarks/bench_mtcnn.py [--threads 1 2] [--budget 2.0] [--image astronaut.png]

Images: the astronaut photograph at 512x512 (the shipped 256x256 sample upscaled 2x bilinearly, or
the file given with --image, e.g. scikit-image's original astronaut.png) and a 1920x1080 mosaic of
six copies of it at two sizes (640 and 540 pixels). Both detectors use min_face_size 20, thresholds
(0.6, 0.7, 0.7) and scale factor 0.709. Prints the median time per image (the two detectors timed
in alternating blocks of about 0.25 s, so that a drift in the machine's speed affects both alike),
speed = facenet-pytorch time / cvcore time (> 1: cvcore is faster), the faces each finds and, for
each cvcore face, the IoU with the best-matching facenet-pytorch face (their mean and minimum).
facenet-pytorch is a dev-only peer (it needs torch and torchvision); without it only cvcore is timed.
"""

import argparse
import sys

import numpy as np

import cvcore
from cvcore.detection import MTCNN, sample_image
from cvcore.image import read_image
from cvcore.ops import box_iou
from _harness import median_time, median_times_interleaved, set_threads, try_import_torch


def resize_bilinear(img, height, width):
    """(H, W, 3) uint8 resized with bilinear interpolation at pixel centres (OpenCV's INTER_LINEAR)."""
    h, w = img.shape[:2]

    def axis(out, size):
        pos = np.clip((np.arange(out) + 0.5) * size / out - 0.5, 0, size - 1)
        lo = np.floor(pos).astype(int)
        return lo, np.minimum(lo + 1, size - 1), pos - lo

    y0, y1, fy = axis(height, h)
    x0, x1, fx = axis(width, w)
    f = img.astype(np.float64)
    rows = f[y0] * (1 - fy)[:, None, None] + f[y1] * fy[:, None, None]
    out = rows[:, x0] * (1 - fx)[None, :, None] + rows[:, x1] * fx[None, :, None]
    # C-contiguous (H, W, 3), as an image read from a file: the fancy indexing above leaves the
    # pixels width-major (strides (3, 3 * H, 1)), which slows down every reader of them.
    return np.ascontiguousarray(np.clip(np.rint(out), 0, 255).astype(np.uint8))


def mosaic(photo):
    """1920x1080: three 640-pixel copies (cropped to 540 rows) over three 540-pixel copies, and a
    300x540 strip of the photo's right side (shuttle and helmet, no face): six faces."""
    canvas = np.zeros((1080, 1920, 3), np.uint8)
    big, small = resize_bilinear(photo, 640, 640), resize_bilinear(photo, 540, 540)
    for i in range(3):
        canvas[:540, 640 * i:640 * (i + 1)] = big[:540]
        canvas[540:, 540 * i:540 * (i + 1)] = small
    canvas[540:, 1620:] = big[100:, 340:]
    return canvas


def match_iou(ours, theirs):
    """For each of our boxes, the IoU with the best-matching peer box (0 when the peer found none)."""
    if len(ours) == 0 or len(theirs) == 0:
        return np.zeros(len(ours))
    return box_iou(ours, np.asarray(theirs, np.float32)).max(axis=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of timing per image and library")
    parser.add_argument("--image", help="the 512x512 photo (default: the shipped sample upscaled 2x)")
    args = parser.parse_args(argv)

    photo = read_image(args.image) if args.image else resize_bilinear(sample_image(), 512, 512)
    images = {f"photo {photo.shape[1]}x{photo.shape[0]}": photo, "mosaic 1920x1080": mosaic(photo)}
    ours = MTCNN(min_face_size=20, thresholds=(0.6, 0.7, 0.7), scale_factor=0.709)

    torch = try_import_torch()
    peer = None
    if torch is not None:
        try:
            from facenet_pytorch import MTCNN as FacenetMTCNN
        except ImportError:
            FacenetMTCNN = None
        if FacenetMTCNN is not None:
            peer = FacenetMTCNN(min_face_size=20, thresholds=[0.6, 0.7, 0.7], factor=0.709, keep_all=True,
                                device="cpu")
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']}; facenet-pytorch: "
          f"{'same process, torch ' + torch.__version__ if peer else 'not installed (cvcore only)'}")

    for threads in args.threads:
        set_threads(threads, torch)
        print(f"{'image':18s} | {'cvcore ms':>9s} | {'facenet ms':>10s} | speed | faces (cvcore / facenet) | "
              f"IoU mean / min")
        for name, img in images.items():
            boxes = ours.detect(img)[0]
            if peer is None:
                t_cv = median_time(lambda: ours.detect(img), budget_s=args.budget)
                print(f"{name:18s} | {t_cv * 1e3:9.1f} | {'-':>10s} |   -   | {len(boxes):>5d} / -", flush=True)
                continue
            with torch.no_grad():
                theirs = peer.detect(img)[0]
                theirs = np.zeros((0, 4)) if theirs is None else theirs
                # In alternating blocks: the VM's speed drifts by up to 2x within minutes, alike for both.
                t_cv, t_fp = median_times_interleaved([lambda: ours.detect(img), lambda: peer.detect(img)],
                                                      budget_s=2 * args.budget)
            line = f"{name:18s} | {t_cv * 1e3:9.1f} |"
            iou = match_iou(boxes, theirs)
            iou_text = f"{iou.mean():.3f} / {iou.min():.3f}" if len(iou) else "-"
            print(f"{line} {t_fp * 1e3:10.1f} | {t_fp / t_cv:5.2f} | {len(boxes):>5d} / {len(theirs):<5d}"
                  f"             | {iou_text}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
