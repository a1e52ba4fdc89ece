"""Brute-force k-nearest-neighbour classification over the C++ blocked distance kernel."""

import numpy as np

from .. import _cvcore
from .._validation import as_float32_or_64, as_float_dtype, as_int, as_str


class KNeighborsClassifier:
    """k-nearest-neighbour classifier with scikit-learn's interface (brute force, Euclidean).

    Parameters
    ----------
    n_neighbors : int
    weights : "uniform" or "distance"
        "distance" weighs each neighbour by 1 / distance; a query with neighbours at distance 0 uses
        only those (scikit-learn's rule).

    Neighbours are found with blocked distances (the SIMD GEMM for float32 data) and a per-row
    partial top-k; equal distances are broken by the lower training index. float32 and float64 data
    keep their precision, float16 is computed in float32 and integers in float64 (as k-means); queries
    are converted to the training data's dtype.
    device : "cpu" or "cuda"
        Where fit and the searches run, as the ops' ``device`` (a constructor parameter, as
        scikit-learn's ``n_jobs``): "cuda" raises RuntimeError saying why it cannot run there.
    """

    def __init__(self, n_neighbors=5, *, weights="uniform", device="cpu"):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.device = device

    def fit(self, X, y):
        """Store the training data X (n_samples, n_features) and labels y (n_samples,); returns self."""
        op = "KNeighborsClassifier.fit"
        if self.weights not in ("uniform", "distance"):
            raise ValueError(f"{op}: weights must be 'uniform' or 'distance', got {self.weights!r}")
        as_int(op, "n_neighbors", self.n_neighbors, minimum=1)
        X = as_float32_or_64(op, "X", X)
        # C++ checks the data (rank, at least one row, values) and the device now, in a search for the
        # first row.
        _cvcore.knn_search(X, np.atleast_1d(X)[:1], 1, as_str(op, "device", self.device), op, "X", "X")
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"{op}: y must have shape ({X.shape[0]},), got {y.shape}")
        self.classes_, self._y = np.unique(y, return_inverse=True)
        self._X = X
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """Distances (Euclidean) and indices (int64) of the nearest training rows, nearest first.

        With X None the training rows are queried and each row is left out of its own neighbours.
        """
        dist, idx = self._kneighbors("KNeighborsClassifier.kneighbors", X, n_neighbors)
        return (dist, idx) if return_distance else idx

    def _kneighbors(self, op, X, n_neighbors=None):
        """kneighbors' distances and indices, errors naming the public method ``op``."""
        if not hasattr(self, "_X"):
            raise RuntimeError(f"{op}: this KNeighborsClassifier instance is not fitted yet; call fit first")
        k = as_int(op, "n_neighbors", self.n_neighbors if n_neighbors is None else n_neighbors)
        self_query = X is None
        if self_query:  # one neighbour more, each row itself, which C++ would count as a training sample
            if not 1 <= k < self.n_samples_fit_:
                raise ValueError(f"{op}: n_neighbors must be in [1, {self.n_samples_fit_ - 1}] (the training "
                                 f"samples other than the row itself), got {k}")
            X, k_search = self._X, k + 1
        else:
            X, k_search = as_float_dtype(op, "X", X, self._X.dtype), k
        dist, idx = _cvcore.knn_search(self._X, X, k_search, as_str(op, "device", self.device), op, "the fitted X",
                                       "X")
        if self_query:  # drop each row itself (or, if a duplicate outranked it, the farthest)
            rows = np.arange(X.shape[0])
            own = idx == rows[:, None]
            drop = np.where(own.any(axis=1), own.argmax(axis=1), k_search - 1)
            keep = np.ones(idx.shape, dtype=bool)
            keep[rows, drop] = False
            dist, idx = dist[keep].reshape(-1, k), idx[keep].reshape(-1, k)
        return dist, idx

    def predict_proba(self, X):
        """Class probabilities (n_queries, n_classes), columns in the order of ``classes_``."""
        return self._predict_proba("KNeighborsClassifier.predict_proba", X)

    def _predict_proba(self, op, X):
        dist, idx = self._kneighbors(op, X)
        labels = self._y[idx]
        if self.weights == "uniform":
            w = np.ones(dist.shape, dtype=np.float64)
        else:
            with np.errstate(divide="ignore"):
                w = 1.0 / dist.astype(np.float64)
            zero = dist == 0
            rows = zero.any(axis=1)
            w[rows] = zero[rows]
        proba = np.zeros((dist.shape[0], len(self.classes_)), dtype=np.float64)
        np.add.at(proba, (np.repeat(np.arange(dist.shape[0]), dist.shape[1]), labels.ravel()), w.ravel())
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """The most probable class of every query (ties: the first class in ``classes_``)."""
        return self._predict("KNeighborsClassifier.predict", X)

    def _predict(self, op, X):
        proba = self._predict_proba(op, X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y):
        """Mean accuracy of predict(X) against y."""
        op = "KNeighborsClassifier.score"
        predicted = self._predict(op, X)
        y = np.asarray(y)
        if y.shape != predicted.shape:
            raise ValueError(f"{op}: y must have shape {predicted.shape} (one label per row of X), got {y.shape}")
        return float(np.mean(predicted == y))
