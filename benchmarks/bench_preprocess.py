"""to_blob: cvcore against OpenCV's cv2.dnn.blobFromImage in the same run, at 1 and 2 threads.

    python benchmarks/bench_preprocess.py [--threads 1 2] [--budget 1.0]

Inputs: random RGB uint8 images of 512x512 and 1920x1080. Cases: a float32 blob with a per-channel
mean, a scale and the R/B swap (a classifier's or SSD's input), and a uint8 blob (the layout alone,
MTCNN's input; OpenCV's ddepth=CV_8U). Prints cvcore ms, OpenCV ms and speed = OpenCV time / cvcore
time (> 1: cvcore is faster), and the same against the NumPy expression a user would write
(``((img[..., ::-1] - mean) * scale).transpose(2, 0, 1)``). OpenCV (opencv-python-headless) is a
dev-only peer; without it only NumPy is compared.
"""

import argparse

import numpy as np

import cvcore
from cvcore.detection import to_blob
from _harness import median_time, set_threads

MEAN = (103.94, 116.78, 123.68)
SCALE = 0.017


def numpy_blob(img, uint8):
    if uint8:
        return np.ascontiguousarray(img.transpose(2, 0, 1)[None])
    x = (img[..., ::-1].astype(np.float32) - np.array(MEAN, np.float32)) * np.float32(SCALE)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of timing per case and library")
    args = parser.parse_args(argv)
    try:
        import cv2
    except ImportError:
        cv2 = None
    rng = np.random.default_rng(0)
    images = {f"{w}x{h}": rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for w, h in [(512, 512), (1920, 1080)]}
    print(f"cvcore {cvcore.__version__} isa={cvcore.build_info()['isa']}; "
          f"OpenCV: {cv2.__version__ + ' (peer, same process)' if cv2 else 'not installed'}")
    for threads in args.threads:
        set_threads(threads)
        if cv2 is not None:
            cv2.setNumThreads(threads)
        print("case                   | cvcore ms | opencv ms | speed | numpy ms | speed")
        for size, img in images.items():
            for uint8 in (False, True):
                if uint8:
                    ours = lambda: to_blob(img, dtype=np.uint8)  # noqa: E731
                    peer = cv2 and (lambda: cv2.dnn.blobFromImage(img, ddepth=cv2.CV_8U))
                else:
                    ours = lambda: to_blob(img, scale=SCALE, mean=MEAN, swap_rb=True)  # noqa: E731
                    peer = cv2 and (lambda: cv2.dnn.blobFromImage(img, SCALE, mean=MEAN, swapRB=True))
                if peer:  # the same blob (OpenCV subtracts and scales in float32 too)
                    np.testing.assert_allclose(ours(), peer(), rtol=1e-6, atol=1e-5)
                np.testing.assert_array_equal(ours(), numpy_blob(img, uint8))
                t_cv = median_time(ours, budget_s=args.budget)
                t_np = median_time(lambda: numpy_blob(img, uint8), budget_s=args.budget)
                name = f"{size} {'uint8' if uint8 else 'float32'}"
                cells = f"{t_cv * 1e3:9.3f} |"
                if peer:
                    t_peer = median_time(peer, budget_s=args.budget)
                    cells += f" {t_peer * 1e3:9.3f} | {t_peer / t_cv:5.2f} |"
                else:
                    cells += "         - |     - |"
                print(f"{name:22s} | {cells} {t_np * 1e3:8.3f} | {t_np / t_cv:5.2f}")


if __name__ == "__main__":
    main()
