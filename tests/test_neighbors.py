"""KNeighborsClassifier against a brute-force NumPy reference."""

import numpy as np
import pytest

from cvcore.cluster import KNeighborsClassifier
from conftest import run_threads
from reference import kmeans as ref


@pytest.mark.parametrize("nt,nq,d,k", [(50, 7, 3, 1), (300, 260, 8, 5), (1500, 40, 2, 10), (2100, 30, 17, 7)])
def test_kneighbors_matches_reference(isa, rng, threads, nt, nq, d, k):
    x = rng.normal(size=(nt, d))
    q = rng.normal(size=(nq, d))
    clf = KNeighborsClassifier(k).fit(x, rng.integers(0, 3, nt))
    dist, idx = clf.kneighbors(q)
    rdist, ridx = ref.knn(x, q, k)
    np.testing.assert_array_equal(idx, ridx)
    np.testing.assert_allclose(dist, rdist, rtol=1e-12, atol=1e-12)
    assert idx.dtype == np.int64 and dist.dtype == np.float64


def test_float32_gemm_path(isa, rng):
    x = rng.normal(size=(3000, 24)).astype(np.float32)
    q = rng.normal(size=(100, 24)).astype(np.float32)
    dist, idx = KNeighborsClassifier(5).fit(x, np.zeros(3000)).kneighbors(q)
    rdist, ridx = ref.knn(x, q, 5)
    assert dist.dtype == np.float32
    np.testing.assert_allclose(dist, rdist, rtol=1e-4, atol=1e-4)
    assert (idx == ridx).mean() > 0.99  # float32 rounding may swap near-equal neighbours
    a, b = run_threads(lambda: KNeighborsClassifier(5).fit(x, np.zeros(3000)).kneighbors(q))
    np.testing.assert_array_equal(a[1], b[1])


def test_ties_by_lower_index():
    x = np.array([[1.0], [-1.0], [1.0], [0.0], [-1.0]])
    dist, idx = KNeighborsClassifier(5).fit(x, np.arange(5)).kneighbors([[0.0]])
    np.testing.assert_array_equal(idx, [[3, 0, 1, 2, 4]])


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_predict_proba_matches_reference(rng, weights):
    x = rng.normal(size=(200, 4))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 200)]
    q = np.concatenate([rng.normal(size=(30, 4)), x[:3]])  # exact training points: zero distances
    clf = KNeighborsClassifier(6, weights=weights).fit(x, y)
    proba = clf.predict_proba(q)
    rdist, ridx = ref.knn(x, q, 6)
    classes = np.unique(y)
    expected = np.zeros((len(q), 3))
    for i in range(len(q)):
        if weights == "uniform":
            w = np.ones(6)
        elif (rdist[i] == 0).any():
            w = (rdist[i] == 0).astype(float)
        else:
            w = 1 / rdist[i]
        for j, wj in zip(ridx[i], w):
            expected[i, np.searchsorted(classes, y[j])] += wj
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(q), classes[expected.argmax(axis=1)])
    if weights == "distance":
        np.testing.assert_array_equal(clf.predict(x[:3]), y[:3])


def test_kneighbors_without_x_leaves_self_out(rng):
    x = rng.normal(size=(40, 2))
    clf = KNeighborsClassifier(3).fit(x, np.zeros(40))
    dist, idx = clf.kneighbors()
    assert not (idx == np.arange(40)[:, None]).any()
    rdist, ridx = ref.knn(x, x, 4)
    np.testing.assert_array_equal(idx, ridx[:, 1:])


def test_bad_input(rng):
    x = rng.normal(size=(10, 2))
    with pytest.raises(ValueError, match="weights"):
        KNeighborsClassifier(weights="gaussian").fit(x, np.zeros(10))
    with pytest.raises(ValueError, match="y must have shape"):
        KNeighborsClassifier().fit(x, np.zeros(9))
    with pytest.raises(ValueError, match="NaN"):
        KNeighborsClassifier().fit(np.full((10, 2), np.nan), np.zeros(10))
    clf = KNeighborsClassifier(11).fit(x, np.zeros(10))
    with pytest.raises(ValueError, match="n_neighbors must be <="):
        clf.kneighbors(x)
    with pytest.raises(ValueError, match="features"):
        KNeighborsClassifier(2).fit(x, np.zeros(10)).kneighbors(np.zeros((1, 3)))
    with pytest.raises(RuntimeError, match="not fitted"):
        KNeighborsClassifier().predict(x)


@pytest.mark.parametrize("dtype, computed", [(np.float32, np.float32), (np.float64, np.float64),
                                             (np.float16, np.float32), (np.int32, np.float64), (np.uint8, np.float64)])
def test_dtype_rule(dtype, computed):
    # As k-means: float32 / float64 kept, float16 in float32, integers in float64; queries take the
    # training data's dtype.
    x = np.random.default_rng(0).integers(0, 50, (60, 3)).astype(dtype)
    y = np.arange(60) % 3
    clf = KNeighborsClassifier(4).fit(x, y)
    ref_clf = KNeighborsClassifier(4).fit(x.astype(computed), y)
    for query in (x[:7], x[:7].astype(np.float64), x[:7].astype(np.int16)):
        dist, idx = clf.kneighbors(query)
        rdist, ridx = ref_clf.kneighbors(x[:7].astype(computed))
        assert dist.dtype == computed
        np.testing.assert_array_equal(dist, rdist)
        np.testing.assert_array_equal(idx, ridx)


def test_messages(rng):
    x = rng.normal(size=(10, 2))
    clf = KNeighborsClassifier(3).fit(x, np.zeros(10))
    with pytest.raises(ValueError, match=r"^KNeighborsClassifier.kneighbors: n_neighbors must be in \[1, 9\] \(the "
                                         r"training samples other than the row itself\), got 10$"):
        clf.kneighbors(n_neighbors=10)
    with pytest.raises(ValueError, match=r"^KNeighborsClassifier.kneighbors: n_neighbors must be >= 1, got 0$"):
        clf.kneighbors(x, n_neighbors=0)
    with pytest.raises(ValueError, match=r"^KNeighborsClassifier.fit: X must have 2 dimensions \(samples, features\), "
                                         r"got 1"):
        KNeighborsClassifier().fit(np.zeros(10), np.zeros(10))
    with pytest.raises(TypeError, match=r"^KNeighborsClassifier.fit: X must be a real numeric array, got dtype bool$"):
        KNeighborsClassifier().fit(np.zeros((10, 2), bool), np.zeros(10))
