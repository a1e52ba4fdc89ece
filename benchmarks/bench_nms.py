"""nms, batched_nms and soft_nms on clustered boxes: cvcore against torchvision.ops and
cv2.dnn (each when importable) on the same data in the same run.

    python benchmarks/bench_nms.py [--threads 1 2] [--sizes 1000 10000 50000] [--budget 0.5]

The data follow the research notes (detection_ops.md section 7): N/2 base boxes spread sparsely over a
canvas plus N/2 duplicates, each a copy of a random base box jittered by +-8% of its sides, random
scores, so about half the boxes are suppressed at IoU 0.5; for batched_nms each base box draws one
of 80 classes and its duplicates inherit it. Prints, per case, the milliseconds of each library,
whether the peer kept the same indices (for batched_nms the same set), and speed = peer time / cvcore time (> 1: cvcore is faster).
"""

import argparse

import numpy as np

import cvcore
from cvcore.ops import batched_nms, nms, soft_nms
from _harness import median_time, set_threads, try_import_torch

IOU = 0.5


def clustered_boxes(n, rng, classes=80):
    """(boxes float32 (n, 4), scores float32 (n,), labels int64 (n,)) as described above."""
    nb = n - n // 2
    side = rng.uniform(16, 128, nb)
    canvas = 256.0 * np.sqrt(nb)  # about 8% of the canvas covered by base boxes
    w = side * rng.uniform(0.7, 1.3, nb)
    h = side * rng.uniform(0.7, 1.3, nb)
    cx = rng.uniform(0, canvas, nb)
    cy = rng.uniform(0, canvas, nb)
    base = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    parent = rng.integers(0, nb, n // 2)
    jitter = rng.uniform(-0.08, 0.08, (n // 2, 4)) * np.stack([w, h, w, h], axis=1)[parent]
    boxes = np.concatenate([base, base[parent] + jitter]).astype(np.float32)
    labels = rng.integers(0, classes, nb)
    labels = np.concatenate([labels, labels[parent]]).astype(np.int64)
    scores = rng.uniform(0, 1, n).astype(np.float32)
    return boxes, scores, labels


def peer_time(fn, budget):
    """Median time of a peer; a slow one (> 1 s a call) is timed over 3 calls with no warm-up."""
    import time
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > 1.0:
        return median_time(fn, min_reps=3, budget_s=0, warmup=0)
    return median_time(fn, budget_s=budget)


def report(name, t_cv, peers):
    line = f"{name:34s} cvcore {t_cv * 1e3:9.3f} ms"
    for peer, (t, same) in peers.items():
        line += f" | {peer} {t * 1e3:9.3f} ms same={same} speed={t / t_cv:7.1f}x"
    print(line, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timing per case and library")
    args = parser.parse_args(argv)
    torch = try_import_torch()
    tv = cv2 = None
    if torch is not None:
        try:
            import torchvision as tv
        except ImportError:
            tv = None
    try:
        import cv2
    except ImportError:
        cv2 = None
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__} isa={info['isa']} compiler={info['compiler']}")
    if tv is not None:
        print(f"torch {torch.__version__} torchvision {tv.__version__} (peer, same process)")
    if cv2 is not None:
        print(f"cv2 {cv2.__version__} (peer, same process)")
    rng = np.random.default_rng(0)
    data = {n: clustered_boxes(n, rng) for n in args.sizes}
    for threads in args.threads:
        set_threads(threads, torch)
        for n, (boxes, scores, labels) in data.items():
            keep = nms(boxes, scores, IOU)
            t_cv = median_time(lambda: nms(boxes, scores, IOU), budget_s=args.budget)
            peers = {}
            if tv is not None:
                tb, ts = torch.from_numpy(boxes), torch.from_numpy(scores)
                same = np.array_equal(tv.ops.nms(tb, ts, IOU).numpy(), keep)
                peers["torchvision"] = (peer_time(lambda: tv.ops.nms(tb, ts, IOU), args.budget), same)
            if cv2 is not None:
                xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1).astype(np.float64)
                sl = scores.tolist()
                got = np.asarray(cv2.dnn.NMSBoxes(xywh, sl, 0.0, IOU)).reshape(-1)
                peers["cv2"] = (peer_time(lambda: cv2.dnn.NMSBoxes(xywh, sl, 0.0, IOU), args.budget),
                                np.array_equal(got, keep))
            report(f"nms N={n} (kept {len(keep)})", t_cv, peers)

            keep = batched_nms(boxes, scores, labels, IOU)
            t_cv = median_time(lambda: batched_nms(boxes, scores, labels, IOU), budget_s=args.budget)
            peers = {}
            if tv is not None:
                tl = torch.from_numpy(labels)
                # torchvision's per-class path orders equal scores by an unstable sort: compare the sets.
                same = set(tv.ops.batched_nms(tb, ts, tl, IOU).tolist()) == set(keep.tolist())
                peers["torchvision"] = (peer_time(lambda: tv.ops.batched_nms(tb, ts, tl, IOU), args.budget), same)
            if cv2 is not None:
                ll = labels.tolist()
                got = np.asarray(cv2.dnn.NMSBoxesBatched(xywh, sl, ll, 0.0, IOU)).reshape(-1)
                peers["cv2"] = (peer_time(lambda: cv2.dnn.NMSBoxesBatched(xywh, sl, ll, 0.0, IOU), args.budget),
                                np.array_equal(got, keep))
            report(f"batched_nms N={n} C=80 (kept {len(keep)})", t_cv, peers)

        n = 1000
        boxes, scores, _ = data[n] if n in data else clustered_boxes(n, rng)
        for method in ("gaussian", "linear"):
            idx, _ = soft_nms(boxes, scores, method=method)
            t_cv = median_time(lambda: soft_nms(boxes, scores, method=method), budget_s=args.budget)
            peers = {}
            if cv2 is not None:  # OpenCV's soft-NMS takes integer Rects only: compare timings, not results
                rects = np.round(np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)).astype(np.int32)
                flag = (cv2.dnn.SoftNMSMethod_SOFTNMS_GAUSSIAN if method == "gaussian" else cv2.dnn.SoftNMSMethod_SOFTNMS_LINEAR)
                sl = scores.tolist()
                call = lambda: cv2.dnn.softNMSBoxes(rects.tolist(), sl, 0.001, 0.3, 0, 0.5, flag)  # noqa: E731
                peers["cv2(int rects)"] = (peer_time(call, args.budget), "n/a")
            report(f"soft_nms N={n} {method} (kept {len(idx)})", t_cv, peers)


if __name__ == "__main__":
    main()
