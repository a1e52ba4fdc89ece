"""COCO bbox evaluation: cvcore.metrics.COCOEvaluator against pycocotools (and faster-coco-eval when
importable) on a seeded synthetic set, end to end (JSON files loaded by each library).

    python benchmarks/bench_coco.py [--images 5000] [--categories 80] [--threads 1 2] [--skip-pycocotools]

The set: about 7 ground-truth boxes per image (1% crowd, COCO-like 'area' below the box area so that
the area ranges differ from the box sizes) and 100 detections per image (jittered true positives, a
few with the wrong class, duplicates, random false positives), scores rounded to 3 decimals so that
many tie. Prints each library's time, the ratio and whether the 12 summary numbers agree to 1e-9.
"""

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time

import numpy as np

import cvcore
from cvcore.metrics import COCOEvaluator


def synthetic(n_images, n_categories, gt_per_image=7, dets_per_image=100, seed=0):
    rng = np.random.default_rng(seed)
    images = [{"id": int(i) + 1, "width": 640, "height": 480, "file_name": f"{i:06d}.jpg"} for i in range(n_images)]
    categories = [{"id": int(3 * c + 1), "name": f"class{c}"} for c in range(n_categories)]
    cat_ids = np.array([c["id"] for c in categories])
    n_gt = rng.poisson(gt_per_image, n_images)
    gt_img = np.repeat(np.arange(n_images), n_gt)
    G = len(gt_img)
    wh = np.exp(rng.uniform(np.log(8), np.log(300), (G, 2)))
    xy = rng.uniform(0, 1, (G, 2)) * (np.array([640, 480]) - wh).clip(1)
    gt_box = np.concatenate([xy, wh], 1).round(2)
    gt_cat = cat_ids[rng.integers(0, n_categories, G)]
    crowd = rng.uniform(size=G) < 0.01
    area = (gt_box[:, 2] * gt_box[:, 3] * rng.uniform(0.55, 0.95, G)).round(2)
    annotations = [{"id": int(i) + 1, "image_id": int(gt_img[i]) + 1, "category_id": int(gt_cat[i]),
                    "bbox": gt_box[i].tolist(), "area": float(area[i]), "iscrowd": int(crowd[i])} for i in range(G)]
    # Detections: per image, true positives (jittered, 5% wrong class), duplicates, random boxes.
    dets = []
    starts = np.concatenate([[0], np.cumsum(n_gt)])
    for i in range(n_images):
        g = np.arange(starts[i], starts[i + 1])
        src = rng.choice(g, size=min(len(g) * 2, dets_per_image), replace=True) if len(g) else np.zeros(0, int)
        jit = gt_box[src] + rng.normal(0, 1, (len(src), 4)) * gt_box[src][:, [2, 3, 2, 3]] * 0.08
        jit[:, 2:] = np.abs(jit[:, 2:]) + 1
        cls = np.where(rng.uniform(size=len(src)) < 0.05, cat_ids[rng.integers(0, n_categories, len(src))], gt_cat[src])
        score_tp = rng.beta(5, 2, len(src))
        n_fp = dets_per_image - len(src)
        fwh = np.exp(rng.uniform(np.log(8), np.log(300), (n_fp, 2)))
        fxy = rng.uniform(0, 1, (n_fp, 2)) * (np.array([640, 480]) - fwh).clip(1)
        boxes = np.concatenate([jit, np.concatenate([fxy, fwh], 1)]).round(2)
        classes = np.concatenate([cls, cat_ids[rng.integers(0, n_categories, n_fp)]])
        scores = np.concatenate([score_tp, rng.beta(1, 6, n_fp)]).round(3)
        for b, c, s in zip(boxes.tolist(), classes.tolist(), scores.tolist()):
            dets.append({"image_id": i + 1, "category_id": int(c), "bbox": b, "score": s})
    return {"images": images, "categories": categories, "annotations": annotations}, dets


def run_pycocotools(gt_path, dt_path, module):
    COCO, COCOeval = module
    with contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        e = COCOeval(gt, dt, "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
        return time.perf_counter() - t0, np.array(e.stats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--categories", type=int, default=80)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-pycocotools", action="store_true", help="it takes about a minute")
    args = parser.parse_args(argv)
    gt, dets = synthetic(args.images, args.categories)
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, dt_path = os.path.join(tmp, "gt.json"), os.path.join(tmp, "dt.json")
        with open(gt_path, "w") as f:
            json.dump(gt, f)
        with open(dt_path, "w") as f:
            json.dump(dets, f)
        print(f"synthetic set: {args.images} images, {args.categories} categories, {len(gt['annotations'])} gt "
              f"({sum(a['iscrowd'] for a in gt['annotations'])} crowd), {len(dets)} detections; "
              f"gt.json {os.path.getsize(gt_path) / 1e6:.1f} MB, dt.json {os.path.getsize(dt_path) / 1e6:.1f} MB")
        del gt, dets
        ours = {}
        for threads in args.threads:
            cvcore.set_num_threads(threads)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                load = time.perf_counter()
                evaluator = COCOEvaluator(gt_path, dt_path)
                load = time.perf_counter() - load
                result = evaluator.evaluate()
                times.append((time.perf_counter() - t0, load))
            total, load = min(times)
            ours[threads] = (total, result.stats)
            print(f"cvcore, {threads} thread(s): {total:.3f} s end to end ({load:.3f} s reading and checking the JSON, "
                  f"{total - load:.3f} s evaluating)")
        print(result.summary())
        peers = []
        if not args.skip_pycocotools:
            try:
                from pycocotools.coco import COCO
                from pycocotools.cocoeval import COCOeval
                peers.append(("pycocotools", (COCO, COCOeval)))
            except ImportError:
                print("pycocotools not importable: skipped")
        try:
            from faster_coco_eval import COCO as FCOCO, COCOeval_faster
            peers.append(("faster-coco-eval", (FCOCO, COCOeval_faster)))
        except ImportError:
            print("faster-coco-eval not importable: skipped")
        for name, module in peers:
            t, stats = run_pycocotools(gt_path, dt_path, module)
            for threads, (ours_t, ours_stats) in ours.items():
                diff = np.abs(ours_stats - stats).max()
                print(f"{name}: {t:.2f} s; cvcore at {threads} thread(s) is {t / ours_t:.1f}x faster; "
                      f"12 numbers agree to 1e-9: {bool(diff <= 1e-9)} (max difference {diff:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
