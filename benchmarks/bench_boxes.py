"""The box-operation suite in one run: the IoU family, nms / batched_nms / soft_nms and roi_align /
roi_pool, each against torchvision.ops (and cv2.dnn's NMS where installed) on the same data.

    python benchmarks/bench_boxes.py [--threads 1 2] [--budget SECONDS]

It runs bench_boxes_iou.py, bench_nms.py and bench_roi.py in turn with their default cases
(box_iou family at 1000^2 and 5000^2; NMS on 1,000 / 10,000 / 50,000 clustered boxes, 80 classes
for batched_nms; a (1, 256, 50, 50) map with 1,000 RoIs, 7x7, sampling ratio 2); run one of those
scripts alone for its other options.
"""

import argparse
import sys

import bench_boxes_iou
import bench_nms
import bench_roi


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timing per case and library")
    args = parser.parse_args(argv)
    common = ["--threads", *map(str, args.threads), "--budget", str(args.budget)]
    for suite in (bench_boxes_iou, bench_nms, bench_roi):
        print(f"\n#### {suite.__name__}")
        suite.main(common)
    return 0


if __name__ == "__main__":
    sys.exit(main())
