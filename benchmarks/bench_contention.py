"""cvcore on a busy machine: each op family, MTCNN and a whole network (ResNet-18 run op by op), timed
at 1 thread on a quiet machine, at 2 threads quiet, at 2 threads while another process keeps one core
busy, and at 1 and 2 threads beside PyTorch ops in the same process.

    python benchmarks/bench_contention.py [--rounds 3] [--budget 0.4] [--only conv nms ...]

Each condition runs in a fresh process (so that no other engine's threads linger), in alternating
rounds; a workload's time is the median of its per-round medians. The competing process is a Python
busy loop pinned to the last CPU; cvcore's process is not pinned. "Beside torch" (torch1, torch2: cvcore
on 1 or 2 threads): before every timed cvcore call the same process runs a torch convolution on 2
threads (whose OpenMP threads then spin); only the cvcore call is timed. torch is a dev-only peer:
without it those columns are left out.

Prints per workload: the median milliseconds in each condition, `loaded2 / quiet1` (the target: at
most 1.25), `quiet1 / quiet2` (the speed-up of the second thread on a quiet machine), and how much
torch's spinning threads slow cvcore at 1 and 2 threads (`torch1 / quiet1`, `torch2 / quiet1`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

CONDITIONS = [("quiet1", 1, False, False), ("quiet2", 2, False, False), ("loaded2", 2, True, False),
              ("torch1", 1, False, True), ("torch2", 2, False, True)]
# The ratios printed: (numerator, denominator) conditions.
RATIOS = [("loaded2", "quiet1"), ("quiet1", "quiet2"), ("torch1", "quiet1"), ("torch2", "quiet1")]


def resnet18(rng):
    """ResNet-18 (batch norms folded into the convolutions, as an exported model has them) run op by op:
    conv2d with its fused ReLU, NumPy for the residual additions."""
    from cvcore import ops

    def conv(cin, cout, k, stride):
        w = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k))).astype(np.float32)
        b = (rng.standard_normal(cout) * 0.01).astype(np.float32)
        return w, b, stride, k // 2

    stem = conv(3, 64, 7, 2)
    blocks = []
    cin = 64
    for cout, stride in [(64, 1), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1)]:
        down = conv(cin, cout, 1, stride) if stride != 1 or cin != cout else None
        blocks.append((conv(cin, cout, 3, stride), conv(cout, cout, 3, 1), down))
        cin = cout
    fc_w = (rng.standard_normal((1000, 512)) * 0.03).astype(np.float32)
    fc_b = np.zeros(1000, np.float32)

    def run(x):
        w, b, s, p = stem
        x = ops.conv2d(x, w, b, stride=s, padding=p, activation="relu")
        x = ops.max_pool2d(x, 3, 2, 1)
        for (w1, b1, s1, p1), (w2, b2, s2, p2), down in blocks:
            y = ops.conv2d(x, w1, b1, stride=s1, padding=p1, activation="relu")
            y = ops.conv2d(y, w2, b2, stride=s2, padding=p2)
            if down is not None:
                wd, bd, sd, pd = down
                x = ops.conv2d(x, wd, bd, stride=sd, padding=pd)
            x = ops.relu(y + x)
        x = ops.adaptive_avg_pool2d(x, 1).reshape(1, 512)
        return ops.linear(x, fc_w, fc_b)

    return run


def workloads():
    """name -> a function of no arguments, each on fixed data."""
    import cvcore
    from cvcore import ops
    from cvcore.cluster import KMeans
    from cvcore.detection import MTCNN
    from cvcore.detection.mtcnn import sample_image

    rng = np.random.default_rng(0)
    f32 = np.float32
    fmap = rng.standard_normal((1, 64, 56, 56)).astype(f32)
    w3 = (rng.standard_normal((64, 64, 3, 3)) * 0.05).astype(f32)
    big = rng.standard_normal((1, 64, 112, 112)).astype(f32)
    mean, var = rng.random(64).astype(f32), (rng.random(64) + 0.5).astype(f32)
    gamma, beta = rng.random(64).astype(f32), rng.random(64).astype(f32)
    head = rng.standard_normal((1, 512, 7, 7)).astype(f32)
    lx, lw = rng.standard_normal((64, 1024)).astype(f32), rng.standard_normal((1024, 1024)).astype(f32)

    def boxes(n, size=1000.0):
        xy = rng.random((n, 2)) * size
        wh = rng.random((n, 2)) * size / 8 + 1
        return np.concatenate([xy, xy + wh], axis=1).astype(f32)

    b1000 = boxes(1000)
    scores = rng.random(1000).astype(f32)
    classes = rng.integers(0, 80, 1000)
    roi_map = rng.standard_normal((1, 256, 50, 50)).astype(f32)
    rois = np.concatenate([np.zeros((1000, 1), f32), boxes(1000, 50.0 * 16)], axis=1)
    points = rng.standard_normal((100_000, 2)).astype(f32)
    init = points[:9].copy()
    frame = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    from bench_mtcnn import resize_bilinear

    photo = resize_bilinear(sample_image(), 512, 512)
    detector = MTCNN(min_face_size=20, thresholds=(0.6, 0.7, 0.7), scale_factor=0.709)
    net = resnet18(rng)
    image = rng.standard_normal((1, 3, 224, 224)).astype(f32)
    return {
        "conv 3x3 64ch 56x56": lambda: ops.conv2d(fmap, w3, padding=1),
        "max_pool2d 3x3/2 64x112x112": lambda: ops.max_pool2d(big, 3, 2, 1),
        "adaptive_avg_pool2d 512x7x7": lambda: ops.adaptive_avg_pool2d(head, 1),
        "batch_norm 64x112x112": lambda: ops.batch_norm(big, mean, var, gamma, beta),
        "sigmoid 64x112x112": lambda: ops.sigmoid(big),
        "linear 64x1024x1024": lambda: ops.linear(lx, lw),
        "box_iou 1000x1000": lambda: ops.box_iou(b1000, b1000),
        "batched_nms 1000 / 80 classes": lambda: ops.batched_nms(b1000, scores, classes, 0.5),
        "roi_align 1000 RoIs 256x50x50": lambda: ops.roi_align(roi_map, rois, 7, 1 / 16, 2, True),
        "kmeans 1e5x2 k=9, 10 iters": lambda: KMeans(9, init=init, n_init=1, max_iter=10, tol=0).fit(points),
        "to_blob 1080p": lambda: cvcore.detection.to_blob(frame, scale=1 / 255),
        "MTCNN photo 512x512": lambda: detector.detect(photo),
        "ResNet-18 op by op 224": lambda: net(image),
    }


def worker(condition, threads, beside_torch, budget, only):
    """Times every workload in this process; prints {name: median seconds} as JSON."""
    sys.path.insert(0, HERE)
    import cvcore
    from _harness import median_time

    torch_step = None
    if beside_torch:
        import torch

        torch.set_num_threads(2)
        tx = torch.randn(1, 64, 56, 56)
        tconv = torch.nn.Conv2d(64, 64, 3, padding=1).eval()

        def torch_step():
            with torch.no_grad():
                tconv(tx)

    cvcore.set_num_threads(threads)
    result = {}
    for name, fn in workloads().items():
        if only and not any(o in name for o in only):
            continue
        if torch_step is None:
            result[name] = median_time(fn, budget_s=budget)
        else:
            times = []
            start = time.perf_counter()
            for _ in range(2):
                torch_step()
                fn()
            while len(times) < 5 or (time.perf_counter() - start < budget and len(times) < 200):
                torch_step()
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            result[name] = statistics.median(times)
    print(json.dumps(result))


def start_competitor():
    """A Python busy loop pinned to the last CPU."""
    code = ("import os\nos.sched_setaffinity(0, {max(os.sched_getaffinity(0))})\n"
            "while True:\n    pass\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(0.3)  # let it start spinning
    return proc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds over the conditions")
    parser.add_argument("--budget", type=float, default=0.4, help="seconds of timing per workload and condition")
    parser.add_argument("--only", nargs="*", help="workloads whose names contain one of these")
    parser.add_argument("--worker", nargs=3, metavar=("CONDITION", "THREADS", "TORCH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        condition, threads, beside = args.worker
        worker(condition, int(threads), beside == "1", args.budget, args.only)
        return

    import cvcore

    try:
        import torch  # noqa: F401

        conditions = CONDITIONS
    except ImportError:
        conditions = [c for c in CONDITIONS if not c[3]]
    info = cvcore.build_info()
    print(f"cvcore {cvcore.__version__}, isa={info['isa']}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds, budget {args.budget} s")
    runs = {c[0]: [] for c in conditions}
    for r in range(args.rounds):
        for name, threads, loaded, beside in conditions:
            competitor = start_competitor() if loaded else None
            try:
                cmd = [sys.executable, __file__, "--worker", name, str(threads), "1" if beside else "0",
                       "--budget", str(args.budget)]
                if args.only:
                    cmd += ["--only", *args.only]
                out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            finally:
                if competitor is not None:
                    competitor.kill()
                    competitor.wait()
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
        print(f"round {r + 1} done", file=sys.stderr, flush=True)

    names = list(runs[conditions[0][0]][0])
    ms = {c: {n: 1e3 * statistics.median(run[n] for run in runs[c]) for n in names} for c in runs}
    ratios = [(a, b) for a, b in RATIOS if a in runs and b in runs]
    print(f"{'workload':32s} |" + "".join(f" {c + ' ms':>10s} |" for c in runs) +
          " |".join(f" {a + ' / ' + b:>17s}" for a, b in ratios))
    for n in names:
        print(f"{n:32s} |" + "".join(f" {ms[c][n]:10.3f} |" for c in runs) +
              " |".join(f" {ms[a][n] / ms[b][n]:17.2f}" for a, b in ratios))


if __name__ == "__main__":
    main()
