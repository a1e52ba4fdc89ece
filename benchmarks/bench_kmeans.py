"""k-means: cvcore against scikit-learn's Lloyd (and faiss / cv2.kmeans when installed).

Same data, same initial centres C0, same number of Lloyd iterations (tol=0); time per iteration
(median of --reps fits / iterations), and the final inertia recomputed in float64 under nearest
assignment. Then k-means++ seeding time, and a default fit (k-means++, n_init) of both libraries
to compare the inertia they reach.

    python benchmarks/bench_kmeans.py [--cases 0,1,2] [--threads 1,2] [--iters 10] [--reps 3]
"""

import argparse
import statistics
import time

import numpy as np

import cvcore
from cvcore import _cvcore
from cvcore.cluster import KMeans, kmeans, kmeans_plusplus

CASES = [  # (n, d, k): box shapes, mid-d codebook, large-k codebook
    (1_000_000, 2, 9),
    (200_000, 64, 256),
    (100_000, 128, 1000),
]


def make_data(n, d, k, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 100, size=(max(k // 2, 1), d))
    x = centres[rng.integers(0, len(centres), n)] + rng.normal(0, 8, size=(n, d))
    if d == 2:
        x = np.abs(x) * 4 + 2  # box-size-like
    return x.astype(np.float32)


def inertia64(x, c):
    return _cvcore.kmeans_assign(x.astype(np.float64), c.astype(np.float64), None, "euclidean")[2]


def timed(fn, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="0,1,2")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-seeding", action="store_true")
    ap.add_argument("--n-init", type=int, default=1, help="restarts of the default-fit quality comparison (0: skip)")
    args = ap.parse_args()
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.cluster import kmeans_plusplus as sk_plusplus
    from threadpoolctl import threadpool_limits
    try:
        import faiss
    except ImportError:
        faiss = None
    try:
        import cv2
    except ImportError:
        cv2 = None
    print(f"cvcore {cvcore.__version__} isa={cvcore.build_info()['isa']}; faiss={'yes' if faiss else 'no'} "
          f"cv2={'yes' if cv2 else 'no'}")
    print("| case (float32) | threads | cvcore ms/iter | sklearn lloyd ms/iter | speed-up | faiss | cv2 | "
          "inertia cvcore / sklearn - 1 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    M = args.iters
    for ci in map(int, args.cases.split(",")):
        n, d, k = CASES[ci]
        x = make_data(n, d, k)
        c0 = x[np.random.default_rng(1).choice(n, k, replace=False)].copy()
        for th in map(int, args.threads.split(",")):
            cvcore.set_num_threads(th)
            t_cv, (c_cv, _, _, it_cv) = timed(lambda: kmeans(x, k, init=c0, max_iter=M, tol=0.0), args.reps)
            with threadpool_limits(th):
                t_sk, sk = timed(lambda: SkKMeans(k, init=c0, n_init=1, max_iter=M, tol=0.0,
                                                  algorithm="lloyd").fit(x), max(1, args.reps - 1))
            ms_cv, ms_sk = t_cv / it_cv * 1e3, t_sk / sk.n_iter_ * 1e3
            ms_fa = ms_cv2 = "-"
            if faiss is not None:
                faiss.omp_set_num_threads(th)
                km = faiss.Kmeans(d, k, niter=M, max_points_per_centroid=n)
                t0 = time.perf_counter()
                km.train(x, init_centroids=c0)
                ms_fa = f"{(time.perf_counter() - t0) / M * 1e3:.1f}"
            if cv2 is not None and n * d * k <= 2e8:
                cv2.setNumThreads(th)
                t0 = time.perf_counter()
                cv2.kmeans(x, k, None, (cv2.TERM_CRITERIA_MAX_ITER, M, 0), 1, cv2.KMEANS_PP_CENTERS)
                ms_cv2 = f"{(time.perf_counter() - t0) / M * 1e3:.1f}"
            rel = inertia64(x, c_cv) / inertia64(x, sk.cluster_centers_) - 1
            print(f"| {n}x{d}, k={k} | {th} | {ms_cv:.1f} | {ms_sk:.1f} | {ms_sk / ms_cv:.2f}x | {ms_fa} | {ms_cv2} | "
                  f"{rel:+.1e} (its {it_cv}/{sk.n_iter_}) |", flush=True)
        cvcore.set_num_threads(max(map(int, args.threads.split(","))))
        if not args.no_seeding:
            th = cvcore.get_num_threads()
            t_cv, _ = timed(lambda: kmeans_plusplus(x, k, random_state=0), 1)
            with threadpool_limits(th):
                t_sk, _ = timed(lambda: sk_plusplus(x, k, random_state=0), 1)
            print(f"|   k-means++ seeding, {th} threads | | {t_cv:.2f} s | {t_sk:.2f} s | {t_sk / t_cv:.1f}x | | | |",
                  flush=True)
        if args.n_init > 0:
            th = cvcore.get_num_threads()
            t_cv, ours = timed(lambda: KMeans(k, n_init=args.n_init, random_state=0).fit(x), 1)
            with threadpool_limits(th):
                t_sk, theirs = timed(lambda: SkKMeans(k, n_init=args.n_init, random_state=0).fit(x), 1)
            rel = inertia64(x, ours.cluster_centers_) / inertia64(x, theirs.cluster_centers_) - 1
            print(f"|   default fit (k-means++, n_init={args.n_init}), {th} threads | | {t_cv:.2f} s "
                  f"({ours.n_iter_} its) | {t_sk:.2f} s ({theirs.n_iter_} its) | {t_sk / t_cv:.1f}x | | | "
                  f"{rel:+.1e} |", flush=True)


if __name__ == "__main__":
    main()
