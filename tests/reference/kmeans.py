"""Plain NumPy references for k-means (scikit-learn's Lloyd semantics), the 1 - IoU distance of
corner-aligned boxes, and brute-force nearest neighbours. Loops over clusters and points, float64."""

import numpy as np


def iou_distance(x, c):
    """(n, k) 1 - IoU of (w, h) boxes aligned at a common corner."""
    x = np.asarray(x, np.float64)
    c = np.asarray(c, np.float64)
    out = np.empty((len(x), len(c)))
    for j, (cw, ch) in enumerate(c):
        inter = np.minimum(x[:, 0], cw) * np.minimum(x[:, 1], ch)
        out[:, j] = 1.0 - inter / (x[:, 0] * x[:, 1] + cw * ch - inter)
    return out


def sq_distance(x, c):
    """(n, k) squared Euclidean distances, one centre at a time."""
    x = np.asarray(x, np.float64)
    out = np.empty((len(x), len(c)))
    for j, cj in enumerate(np.asarray(c, np.float64)):
        out[:, j] = ((x - cj) ** 2).sum(axis=1)
    return out


def distance(x, c, metric):
    return iou_distance(x, c) if metric == "iou" else sq_distance(x, c)


def weighted_lower_median(v, w):
    order = np.argsort(v, kind="stable")
    cw = np.cumsum(w[order])
    return v[order][np.searchsorted(cw, 0.5 * cw[-1])]


def lloyd(x, init, max_iter=300, tol=1e-4, sample_weight=None, metric="euclidean", update="mean"):
    """(centers, labels, inertia, n_iter) from the initial centres, scikit-learn's loop:
    strict convergence on unchanged labels, else shift <= tol * mean variance, then a final E-step;
    empty clusters take the farthest points from their old centres."""
    x = np.asarray(x, np.float64)
    n, d = x.shape
    c = np.array(init, np.float64)
    k = len(c)
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    tol_abs = tol * x.var(axis=0).mean()
    labels = np.full(n, -1)
    strict = False
    for it in range(max_iter):
        dist = distance(x, c, metric)
        new_labels = dist.argmin(axis=1)
        changed = (new_labels != labels).any()
        labels = new_labels
        sums = np.zeros((k, d))
        wsum = np.zeros(k)
        for i in range(n):
            sums[labels[i]] += w[i] * x[i]
            wsum[labels[i]] += w[i]
        new_c = np.zeros((k, d))
        empty = np.flatnonzero(wsum == 0)
        far_dist = dist[np.arange(n), labels]
        moved = {}
        if len(empty) and far_dist.max() > 0:
            far = sorted(range(n), key=lambda i: (-far_dist[i], i))[: len(empty)]
            for e, f in zip(empty, far):
                o = labels[f]
                sums[o] -= w[f] * x[f]
                sums[e] = w[f] * x[f]
                wsum[o] -= w[f]
                wsum[e] = w[f]
                moved[e] = f
        for j in range(k):
            if wsum[j] > 0:
                if update == "median":
                    members = (labels == j) & (w > 0)
                    if j in moved:
                        new_c[j] = x[moved[j]]
                    else:
                        new_c[j] = [weighted_lower_median(x[members, t], w[members]) for t in range(d)]
                else:
                    new_c[j] = sums[j] / wsum[j]
        heaviest = int(np.argmax(wsum))
        for j in range(k):
            if wsum[j] <= 0:
                new_c[j] = new_c[heaviest]
        shift = ((new_c - c) ** 2).sum()
        c = new_c
        if not changed:
            strict = True
            break
        if shift <= tol_abs:
            break
    if not strict:
        labels = distance(x, c, metric).argmin(axis=1)
    inertia = float((w * distance(x, c, metric)[np.arange(n), labels]).sum())
    return c, labels, inertia, it + 1


def knn(train, query, k):
    """(distances, indices) of the k nearest training rows, ties by lower index (stable sort)."""
    d = np.sqrt(sq_distance(query, train))
    idx = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, idx, axis=1), idx
