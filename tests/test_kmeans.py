"""k-means against the NumPy reference Lloyd in tests/reference/kmeans.py."""

import re

import numpy as np
import pytest

import cvcore
from cvcore.cluster import KMeans, kmeans, kmeans_plusplus
from conftest import run_threads
from reference import kmeans as ref


def blobs(rng, n, d, k, dtype=np.float64, spread=0.5):
    centres = rng.uniform(-10, 10, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return (centres[labels] + spread * rng.standard_normal((n, d))).astype(dtype)


def boxes(rng, n, shapes, jitter=0.08):
    shapes = np.asarray(shapes, np.float64)
    pick = rng.integers(0, len(shapes), size=n)
    return shapes[pick] * np.exp(jitter * rng.standard_normal((n, 2)))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n,d,k", [(300, 2, 4), (257, 3, 7), (400, 9, 5), (200, 33, 3), (50, 1, 5)])
def test_lloyd_matches_reference(isa, seed, n, d, k):
    rng = np.random.default_rng(seed)
    x = blobs(rng, n, d, k, spread=2.0)
    init = x[rng.choice(n, k, replace=False)]
    c, labels, inertia, n_iter = kmeans(x, k, init=init, tol=1e-4)
    rc, rlabels, rinertia, rn_iter = ref.lloyd(x, init, tol=1e-4)
    np.testing.assert_array_equal(labels, rlabels)
    np.testing.assert_allclose(c, rc, rtol=1e-10, atol=1e-10)
    assert inertia == pytest.approx(rinertia, rel=1e-6)
    assert n_iter == rn_iter
    assert c.dtype == np.float64 and labels.dtype == np.int32


@pytest.mark.parametrize("tol,max_iter", [(0.0, 300), (1e-2, 300), (0.0, 2), (1e-4, 1)])
def test_stopping_rules(rng, tol, max_iter):
    x = blobs(rng, 500, 4, 6, spread=3.0)
    init = x[:6]
    c, labels, inertia, n_iter = kmeans(x, 6, init=init, tol=tol, max_iter=max_iter)
    rc, rlabels, rinertia, rn_iter = ref.lloyd(x, init, tol=tol, max_iter=max_iter)
    assert n_iter == rn_iter
    np.testing.assert_array_equal(labels, rlabels)
    np.testing.assert_allclose(c, rc, rtol=1e-10, atol=1e-10)


def test_sample_weight_matches_reference(rng):
    x = blobs(rng, 300, 3, 4, spread=2.0)
    w = rng.uniform(0, 3, size=300)
    w[::7] = 0
    init = x[[1, 50, 100, 150]]
    c, labels, inertia, _ = kmeans(x, 4, init=init, sample_weight=w)
    rc, rlabels, rinertia, _ = ref.lloyd(x, init, sample_weight=w)
    np.testing.assert_array_equal(labels, rlabels)
    np.testing.assert_allclose(c, rc, rtol=1e-10, atol=1e-10)
    assert inertia == pytest.approx(rinertia, rel=1e-6)
    # integer weights = repeated points
    wi = rng.integers(1, 4, size=300)
    c1, _, i1, _ = kmeans(x, 4, init=init, sample_weight=wi)
    c2, _, i2, _ = kmeans(np.repeat(x, wi, axis=0), 4, init=init)
    np.testing.assert_allclose(c1, c2, rtol=1e-10)
    assert i1 == pytest.approx(i2, rel=1e-10)


def test_empty_cluster_relocation(rng):
    x = np.concatenate([rng.normal(0, 1, (100, 2)), rng.normal(20, 1, (5, 2))])
    init = np.array([[0.0, 0.0], [0.1, 0.1], [500.0, 500.0], [-500.0, 0.0]])  # two centres get no points
    c, labels, inertia, n_iter = kmeans(x, 4, init=init)
    rc, rlabels, rinertia, rn_iter = ref.lloyd(x, init)
    np.testing.assert_array_equal(labels, rlabels)
    np.testing.assert_allclose(c, rc, rtol=1e-10, atol=1e-10)
    assert len(np.unique(labels)) == 4


def test_more_clusters_than_distinct_points():
    x = np.array([[0.0, 0.0]] * 5 + [[1.0, 1.0]] * 5)
    c, labels, inertia, _ = kmeans(x, 3, random_state=0)
    assert inertia == 0.0
    assert set(map(tuple, c)) <= {(0.0, 0.0), (1.0, 1.0)}


@pytest.mark.parametrize("d", [2, 16])  # the low-d fused kernel and the GEMM path
def test_float32_stays_float32_and_close_to_float64(isa, rng, d):
    x = blobs(rng, 2000, d, 8, dtype=np.float32, spread=1.0)
    init = x[rng.choice(2000, 8, replace=False)]
    c, labels, inertia, n_iter = kmeans(x, 8, init=init)
    assert c.dtype == np.float32
    rc, rlabels, rinertia, _ = ref.lloyd(x, init)
    np.testing.assert_array_equal(labels, rlabels)  # well separated: no near ties
    np.testing.assert_allclose(c, rc, rtol=1e-5, atol=1e-4)
    assert inertia == pytest.approx(rinertia, rel=1e-5)


# n > 4096 points: several accumulation blocks, shared by the threads.
@pytest.mark.parametrize("n,d,k,dtype", [(12000, 2, 9, np.float32), (9000, 40, 20, np.float32),
                                          (9000, 7, 5, np.float64), (5000, 1, 3, np.float64)])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_thread_invariance(n, d, k, dtype, init):
    x = np.random.default_rng(3).normal(size=(n, d)).astype(dtype)
    w = np.random.default_rng(4).uniform(0.5, 2, size=n).astype(dtype)
    runs = run_threads(lambda: kmeans(x, k, init=init, sample_weight=w, random_state=7))
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)


def test_random_state_reproducible(rng):
    x = blobs(rng, 500, 5, 6, spread=3.0)
    a = KMeans(6, random_state=3).fit(x)
    b = KMeans(6, random_state=3).fit(x)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    c = KMeans(6, random_state=np.random.default_rng(5)).fit(x)
    assert c.cluster_centers_.shape == (6, 5)


def test_kmeans_plusplus_seeding(isa, rng):
    x = blobs(rng, 1000, 3, 5, spread=0.1)
    centers, idx = kmeans_plusplus(x, 5, random_state=0)
    np.testing.assert_array_equal(centers, x[idx])
    assert len(np.unique(idx)) == 5
    # well-separated blobs: greedy k-means++ puts one seed in each blob
    true_centres = KMeans(5, n_init=5, random_state=0).fit(x).cluster_centers_
    assert len(np.unique(ref.sq_distance(centers, true_centres).argmin(axis=1))) == 5
    # zero-weight points are never chosen
    w = np.zeros(1000)
    w[:100] = 1
    _, idx = kmeans_plusplus(x, 5, sample_weight=w, random_state=1)
    assert (idx < 100).all()


def test_n_init_keeps_lowest_inertia(rng):
    x = blobs(rng, 600, 2, 8, spread=1.5)
    runs = [kmeans(x, 8, init="random", n_init=1, random_state=s)[2] for s in range(3)]
    best = kmeans(x, 8, init="random", n_init=10, random_state=0)[2]
    assert best <= min(runs) * (1 + 1e-12) or best <= min(runs) * 1.05


def test_estimator_api(rng):
    x = blobs(rng, 400, 3, 4, spread=0.5)
    km = KMeans(4, random_state=0)
    labels = km.fit_predict(x)
    np.testing.assert_array_equal(labels, km.labels_)
    np.testing.assert_array_equal(km.predict(x), km.labels_)
    t = km.transform(x)
    np.testing.assert_allclose(t, np.sqrt(ref.sq_distance(x, km.cluster_centers_)), rtol=1e-10, atol=1e-10)
    assert km.score(x) == pytest.approx(-km.inertia_, rel=1e-12)
    assert km.n_iter_ >= 1 and km.cluster_centers_.shape == (4, 3)
    assert km.predict(x[:3].astype(np.float32)).dtype == np.int32


@pytest.mark.parametrize("update", ["mean", "median"])
@pytest.mark.parametrize("seed", [0, 1])
def test_iou_metric_matches_reference(isa, seed, update):
    rng = np.random.default_rng(seed)
    wh = boxes(rng, 400, [[10, 13], [30, 61], [116, 90], [156, 198], [373, 326]], jitter=0.3)
    init = wh[rng.choice(400, 5, replace=False)]
    c, labels, inertia, n_iter = kmeans(wh, 5, init=init, metric="iou", update=update)
    rc, rlabels, rinertia, rn_iter = ref.lloyd(wh, init, metric="iou", update=update)
    np.testing.assert_array_equal(labels, rlabels)
    np.testing.assert_allclose(c, rc, rtol=1e-10)
    assert inertia == pytest.approx(rinertia, rel=1e-9)
    assert n_iter == rn_iter


def test_iou_transform_and_predict(rng):
    wh = boxes(rng, 200, [[10, 20], [50, 40]])
    km = KMeans(2, metric="iou", random_state=0).fit(wh)
    np.testing.assert_allclose(km.transform(wh), ref.iou_distance(wh, km.cluster_centers_), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(km.predict(wh), ref.iou_distance(wh, km.cluster_centers_).argmin(axis=1))


@pytest.mark.parametrize("bad,exc,message", [
    (dict(n_clusters=0), ValueError, "kmeans: n_clusters must be >= 1, got 0"),
    (dict(n_clusters=11), ValueError, "kmeans: n_clusters must be <= the number of samples (10), got 11"),
    (dict(X=np.full((10, 2), np.nan)), ValueError, "kmeans: X must not contain NaN or infinity"),
    (dict(X=np.zeros((10, 0))), ValueError, "kmeans: X must have at least one feature (d >= 1), got shape (10, 0)"),
    (dict(X=np.zeros(10)), ValueError, "kmeans: X must have 2 dimensions (samples, features), got 1 (shape (10,))"),
    (dict(X=np.array([["a", "b"]] * 10)), TypeError, "kmeans: X must be a real numeric array, got dtype <U1"),
    (dict(sample_weight=-np.ones(10)), ValueError, "kmeans: sample_weight must be >= 0, got a negative weight"),
    (dict(sample_weight=np.ones(9)), ValueError, "kmeans: sample_weight must have 10 elements, got 9"),
    (dict(sample_weight=np.zeros(10)), ValueError, "kmeans: sample_weight must have a positive sum, got 0"),
    (dict(init=np.zeros((3, 2))), ValueError, "kmeans: init must have n_clusters = 2 rows, got shape (3, 2)"),
    (dict(init=np.zeros((2, 3))), ValueError,
     "kmeans: X and init must have the same number of features, got shapes (10, 2) and (2, 3)"),
    (dict(init="kmeans"), ValueError, "kmeans: init must be an array or one of 'k-means++', 'random', got 'kmeans'"),
    (dict(metric="cosine"), ValueError, "kmeans: metric must be one of 'euclidean', 'iou', got 'cosine'"),
    (dict(metric=None), TypeError, "kmeans: metric must be a str, got None"),
    (dict(metric="iou", X=np.ones((10, 3))), ValueError,
     "kmeans: metric 'iou' needs (w, h) pairs, so X must have 2 columns, got shape (10, 3)"),
    (dict(metric="iou", X=-np.ones((10, 2))), ValueError,
     "kmeans: metric 'iou' needs box sizes > 0, but X has a width or height <= 0"),
    (dict(update="median"), ValueError, "kmeans: update 'median' is only for metric 'iou'"),
    (dict(update="avg"), ValueError, "kmeans: update must be one of 'mean', 'median', got 'avg'"),
    (dict(tol=-1), ValueError, "kmeans: tol must be a finite number >= 0, got -1"),
    (dict(max_iter=0), ValueError, "kmeans: max_iter must be in [1, 100000], got 0"),
    (dict(max_iter=100001), ValueError, "kmeans: max_iter must be in [1, 100000], got 100001"),
    (dict(max_iter=2**63 - 1), ValueError, f"kmeans: max_iter must be in [1, 100000], got {2**63 - 1}"),
    (dict(n_init=0), ValueError, "kmeans: n_init must be in [1, 1000], got 0"),
    (dict(n_init=1001), ValueError, "kmeans: n_init must be in [1, 1000], got 1001"),
    (dict(n_init=2**62), ValueError, f"kmeans: n_init must be in [1, 1000], got {2**62}"),
    (dict(n_local_trials=11), ValueError, "kmeans: n_local_trials must be in [1, n_samples = 10], got 11"),
    (dict(n_local_trials=2**63 - 1), ValueError,
     f"kmeans: n_local_trials must be in [1, n_samples = 10], got {2**63 - 1}"),
    (dict(n_clusters=2.5), TypeError, "kmeans: n_clusters must be an int, got 2.5"),
    (dict(random_state="x"), TypeError, "kmeans: random_state must be None, an int or a numpy Generator, got 'x'"),
    (dict(device="gpu"), ValueError, "kmeans: device must be one of 'cpu', 'cuda', got 'gpu'"),
])
def test_bad_input(bad, exc, message):
    # Every rule but the Python types is the C++ op's, which names itself, the argument and the value.
    args = dict(X=np.random.default_rng(0).uniform(1, 2, (10, 2)), n_clusters=2)
    args.update(bad)
    X, k = args.pop("X"), args.pop("n_clusters")
    with pytest.raises(exc, match="^" + re.escape(message) + "$"):
        kmeans(X, k, **args)


def test_not_fitted_and_feature_mismatch(rng):
    with pytest.raises(RuntimeError, match="not fitted"):
        KMeans(2).predict(np.zeros((3, 2)))
    km = KMeans(2, random_state=0).fit(rng.normal(size=(20, 3)))
    message = "X and centers must have the same number of features, got shapes (3, 2) and (2, 3)"
    with pytest.raises(ValueError, match=re.escape(f"KMeans.predict: {message}")):
        km.predict(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=re.escape(f"KMeans.transform: {message}")):
        km.transform(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=re.escape(f"KMeans.score: {message}")):
        km.score(np.zeros((3, 2)))


@pytest.mark.parametrize("dtype, computed", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.float16, np.float32), (np.int32, np.float64),
                                             (np.uint8, np.float64), (np.int64, np.float64)])
def test_dtype_rule(dtype, computed):
    # The rule of the ops that keep the caller's precision: float32 / float64 kept, float16 in float32,
    # integers in float64; weights, initial centres and new data take the data's (centres') dtype.
    x = np.random.default_rng(0).integers(1, 60, (80, 2)).astype(dtype)
    w, init = np.arange(1, 81), x[:3].astype(np.int64)
    for metric in ("euclidean", "iou"):
        got = kmeans(x, 3, sample_weight=w, init=init, metric=metric)
        want = kmeans(x.astype(computed), 3, sample_weight=w.astype(computed), init=init.astype(computed),
                      metric=metric)
        assert got[0].dtype == computed
        for g, v in zip(got, want):
            np.testing.assert_array_equal(g, v)
        centers, idx = kmeans_plusplus(x, 3, sample_weight=w, random_state=0, metric=metric)
        assert centers.dtype == computed
        np.testing.assert_array_equal(centers, x[idx].astype(computed))
    km = KMeans(3, random_state=0).fit(x, sample_weight=w)
    for new in (x.astype(np.float64), x.astype(np.float32), x.astype(np.int16)):
        np.testing.assert_array_equal(km.predict(new), km.labels_)
        assert km.transform(new).dtype == computed
        assert km.score(new, sample_weight=1) == km.score(x.astype(computed))


def test_explicit_init_with_n_init_warns(rng):
    x = rng.normal(size=(20, 2))
    with pytest.warns(RuntimeWarning, match="n_init"):
        kmeans(x, 2, init=x[:2], n_init=3)


def test_top_level_namespace():
    assert cvcore.cluster.KMeans is KMeans
