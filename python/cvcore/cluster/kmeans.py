"""k-means (scikit-learn's KMeans semantics) over the C++ Lloyd / k-means++ kernels."""

import numbers
import warnings

import numpy as np

from .. import _cvcore
from .._validation import as_float, as_float32_or_64, as_float_dtype, as_int, as_str


def _weights(op, sample_weight, X):
    """sample_weight in X's dtype, a scalar repeated for every row; None when unweighted."""
    if sample_weight is None:
        return None
    w = as_float_dtype(op, "sample_weight", sample_weight, X.dtype)
    return np.full(X.shape[:1], w, X.dtype) if w.ndim == 0 else w


def seed_from(op, random_state):
    """A 63-bit seed for the C++ generator from None (fresh entropy), an int, a numpy Generator or a
    RandomState."""
    if random_state is None:
        return int(np.random.default_rng().integers(2**63))
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return int(random_state.randint(2**63) if isinstance(random_state, np.random.RandomState)
                   else random_state.integers(2**63))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"{op}: random_state must be >= 0, got {random_state}")
        return int(np.random.default_rng(int(random_state)).integers(2**63))
    raise TypeError(f"{op}: random_state must be None, an int or a numpy Generator, got {random_state!r}")


def kmeans(X, n_clusters, *, sample_weight=None, init="k-means++", n_init="auto", max_iter=300, tol=1e-4,
           metric="euclidean", update="mean", random_state=None, n_local_trials=None, device="cpu"):
    """Lloyd's k-means (the functional form of :class:`KMeans`).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        float32 and float64 data keep their precision, float16 is computed in float32 and integers in
        float64 (the rule of the ops that keep the caller's precision); sample_weight and an init
        array are converted to that dtype. Must be finite.
    n_clusters : int, 1 <= n_clusters <= n_samples
    sample_weight : array_like, shape (n_samples,), optional
        Non-negative weights (used by the seeding, the centre means and the inertia).
    init : "k-means++", "random" or array_like (n_clusters, n_features)
        "k-means++" is scikit-learn's greedy variant (``2 + floor(ln k)`` candidates per centre, the
        one lowering the potential most kept); "random" draws distinct points with probability
        proportional to their weight.
    n_init : "auto" or int
        Restarts, 1 to 1000; the run with the lowest inertia is kept. "auto": 1 for "k-means++" or an
        array, 10 for "random" (scikit-learn >= 1.4).
    max_iter : int
        Lloyd iterations of a run at most, 1 to 100000 (a run stops earlier once no label changes).
    tol : float
        Stop when ``sum_j ||c_j(new) - c_j(old)||^2 <= tol * mean(X.var(axis=0))``; a run also stops
        when no label changes.
    metric : "euclidean" or "iou"
        "iou": X holds (w, h) box sizes (> 0) and the distance is ``1 - IoU`` of boxes aligned at a
        common corner (darknet / YOLO anchor clustering).
    update : "mean" or "median"
        The centre update for metric "iou": weighted means (darknet) or weighted lower medians.
    random_state : None, int or numpy Generator
        Same seed, same result, on any thread count.
    n_local_trials : int, optional
        k-means++ candidates per centre, drawn among the samples: 1 to n_samples (default
        ``2 + floor(ln k)``).
    device : "cpu" or "cuda"
        Where it runs, as the ops' ``device``: "cuda" raises RuntimeError saying why it cannot run
        there (no CUDA backend in this build, no CUDA device, or no CUDA kernel yet).

    Returns
    -------
    centers : ndarray (n_clusters, n_features), X's precision
    labels : ndarray int32 (n_samples,)
    inertia : float
        ``sum_i w_i * distance(x_i, centre)`` (squared Euclidean or 1 - IoU), accumulated in float64.
    n_iter : int
        Lloyd iterations of the kept run.

    Raises
    ------
    TypeError for non-numeric data; ValueError for bad shapes, NaN / inf, n_clusters outside
    [1, n_samples], negative weights, or bad options, such as ``n_init``, ``max_iter`` or
    ``n_local_trials`` outside their bounds (checked by the C++ op, whose messages name it).
    """
    op = "kmeans"
    X = as_float32_or_64(op, "X", X)
    n_clusters = as_int(op, "n_clusters", n_clusters)
    trials = 0 if n_local_trials is None else as_int(op, "n_local_trials", n_local_trials, minimum=1)
    random_init = isinstance(init, str) and init == "random"
    if not isinstance(init, str):
        init = as_float_dtype(op, "init", init, X.dtype)
    if isinstance(n_init, str):
        if n_init != "auto":
            raise ValueError(f"{op}: n_init must be 'auto' or an int, got {n_init!r}")
        n_init = 10 if random_init else 1
    else:
        n_init = as_int(op, "n_init", n_init)
        if not isinstance(init, str) and n_init > 1:
            warnings.warn(f"{op}: explicit initial centres given, so n_init={n_init} is ignored and one run is made",
                          RuntimeWarning, stacklevel=2)
            n_init = 1
    centers, labels, inertia, n_iter = _cvcore.kmeans(
        X, n_clusters, _weights(op, sample_weight, X), init, n_init, as_int(op, "max_iter", max_iter),
        as_float(op, "tol", tol), as_str(op, "metric", metric), as_str(op, "update", update),
        seed_from(op, random_state), trials, as_str(op, "device", device))
    return centers, labels, float(inertia), int(n_iter)


def kmeans_plusplus(X, n_clusters, *, sample_weight=None, random_state=None, n_local_trials=None, metric="euclidean",
                    device="cpu"):
    """Greedy k-means++ seeding alone (scikit-learn's ``kmeans_plusplus``).

    Returns ``(centers, indices)``: the chosen rows of X (in X's precision, as :func:`kmeans`) and their
    indices (int64). ``n_local_trials`` (1 to n_samples) and ``device`` as :func:`kmeans`.
    """
    op = "kmeans_plusplus"
    X = as_float32_or_64(op, "X", X)
    n_clusters = as_int(op, "n_clusters", n_clusters)
    trials = 0 if n_local_trials is None else as_int(op, "n_local_trials", n_local_trials, minimum=1)
    return _cvcore.kmeans_plusplus(X, n_clusters, _weights(op, sample_weight, X), seed_from(op, random_state), trials,
                                   as_str(op, "metric", metric), as_str(op, "device", device))


class KMeans:
    """k-means clustering with scikit-learn's ``KMeans`` interface.

    Parameters are those of :func:`kmeans` (``update`` chooses mean or median centres for the iou
    metric). ``device`` is a constructor parameter, as scikit-learn's ``n_jobs``: fit, predict,
    transform and score all run there. Attributes after ``fit``: ``cluster_centers_`` (k, d) in the
    data's precision, ``labels_`` (int32), ``inertia_``, ``n_iter_``, ``n_features_in_``. The data
    given to predict, transform and score is converted to the centres' dtype.

    Differences from scikit-learn: restarts compare inertias only (scikit-learn also skips a run
    giving the same partition); the inertia is accumulated in float64 for float32 data; random
    numbers come from cvcore's own generator, so seeds do not reproduce scikit-learn's centres.
    """

    def __init__(self, n_clusters=8, *, init="k-means++", n_init="auto", max_iter=300, tol=1e-4, metric="euclidean",
                 update="mean", random_state=None, n_local_trials=None, device="cpu"):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.metric = metric
        self.update = update
        self.random_state = random_state
        self.n_local_trials = n_local_trials
        self.device = device

    def fit(self, X, y=None, sample_weight=None):
        """Cluster X (n_samples, n_features); returns self."""
        centers, labels, inertia, n_iter = kmeans(
            X, self.n_clusters, sample_weight=sample_weight, init=self.init, n_init=self.n_init,
            max_iter=self.max_iter, tol=self.tol, metric=self.metric, update=self.update,
            random_state=self.random_state, n_local_trials=self.n_local_trials, device=self.device)
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.n_features_in_ = centers.shape[1]
        return self

    def fit_predict(self, X, y=None, sample_weight=None):
        """``fit(X).labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def fit_transform(self, X, y=None, sample_weight=None):
        """``fit(X).transform(X)``."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def _fitted(self, op, X):
        """The arguments of a C++ call on new data: X in the centres' dtype, the metric and the device."""
        if not hasattr(self, "cluster_centers_"):
            raise RuntimeError(f"{op}: this KMeans instance is not fitted yet; call fit first")
        return (as_float_dtype(op, "X", X, self.cluster_centers_.dtype), as_str(op, "metric", self.metric),
                as_str(op, "device", self.device))

    def predict(self, X, sample_weight=None):
        """The index (int32) of the nearest centre for every row of X."""
        op = "KMeans.predict"
        X, metric, device = self._fitted(op, X)
        return _cvcore.kmeans_assign(X, self.cluster_centers_, None, metric, device, op)[0]

    def transform(self, X):
        """Distances (n_samples, n_clusters) to every centre: Euclidean (not squared), or 1 - IoU."""
        op = "KMeans.transform"
        X, metric, device = self._fitted(op, X)
        return _cvcore.kmeans_transform(X, self.cluster_centers_, metric, device, op)

    def score(self, X, y=None, sample_weight=None):
        """Minus the inertia of X under the fitted centres (higher is better)."""
        op = "KMeans.score"
        X, metric, device = self._fitted(op, X)
        w = _weights(op, sample_weight, X)
        return -float(_cvcore.kmeans_assign(X, self.cluster_centers_, w, metric, device, op)[2])

    def __repr__(self):
        return (f"KMeans(n_clusters={self.n_clusters!r}, init={self.init if isinstance(self.init, str) else 'array'!r}, "
                f"n_init={self.n_init!r}, max_iter={self.max_iter!r}, tol={self.tol!r}, metric={self.metric!r}, "
                f"random_state={self.random_state!r})")
