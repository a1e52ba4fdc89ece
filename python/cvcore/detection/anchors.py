"""Anchor boxes for detectors by k-means on the (w, h) of the training boxes (darknet / YOLOv5)."""

from typing import NamedTuple

import numpy as np

from .. import _cvcore
from .._validation import as_float64, as_int, check_finite_scalar
from ..cluster.kmeans import kmeans


class AnchorFit(NamedTuple):
    """Anchors (n_anchors, 2) as (w, h) in pixels, sorted by area, and how well they cover the boxes."""

    anchors: np.ndarray
    mean_iou: float   # mean over boxes of the best IoU with any anchor (darknet's "avg IoU")
    recall: float     # fraction of boxes whose best anchor has IoU >= 0.5
    bpr: float        # YOLOv5 best possible recall: fraction of boxes with an anchor within ratio thr
    aat: float        # YOLOv5 anchors above threshold: mean number of anchors within ratio thr per box


def _wh(op, name, wh, sizes=False):
    """wh as finite float64 (n, 2) (width, height) rows; with ``sizes``, at least one row, all > 0."""
    arr = as_float64(op, name, wh)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{op}: {name} must have shape (n, 2) of (width, height), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{op}: {name} must not contain NaN or infinity")
    if sizes and not len(arr):
        raise ValueError(f"{op}: {name} must hold at least one (width, height) row, got shape {arr.shape}")
    if sizes and (arr <= 0).any():
        raise ValueError(f"{op}: {name} must hold sizes > 0, got {arr[(arr <= 0).any(axis=1)][0].tolist()}")
    return arr


def _thr(op, thr):
    thr = check_finite_scalar(op, "thr", thr)
    if thr <= 1:
        raise ValueError(f"{op}: thr must be > 1, got {thr}")
    return thr


def anchor_quality(wh, anchors, thr=4.0):
    """Coverage of boxes ``wh`` (n, 2) by ``anchors`` (k, 2), both in pixels and > 0.

    Returns (mean_iou, recall, bpr, aat): the mean best corner-aligned IoU, the fraction of boxes
    whose best IoU is >= 0.5, and YOLOv5's best possible recall and anchors-above-threshold under the
    side-ratio threshold ``thr`` (a box matches an anchor when ``max(w/a_w, a_w/w, h/a_h, a_h/h) < thr``).
    """
    op = "anchor_quality"
    wh = _wh(op, "wh", wh, sizes=True)
    anchors = _wh(op, "anchors", anchors, sizes=True)
    thr = _thr(op, thr)
    iou = 1.0 - _cvcore.kmeans_transform(wh, anchors, "iou", "cpu", op)
    best_iou = iou.max(axis=1)
    r = wh[:, None, :] / anchors[None, :, :]
    x = np.minimum(r, 1.0 / r).min(axis=2)
    best = x.max(axis=1)
    return (float(best_iou.mean()), float((best_iou >= 0.5).mean()), float((best > 1.0 / thr).mean()),
            float((x > 1.0 / thr).sum(axis=1).mean()))


def kmeans_anchors(wh, n_anchors=9, img_size=640, *, thr=4.0, min_size=2.0, update="mean", n_init=5,
                   max_iter=300, random_state=0):
    """Cluster box sizes into ``n_anchors`` anchors with the 1 - IoU distance.

    Parameters
    ----------
    wh : array_like (n, 2)
        Box widths and heights: in pixels of the network input, or normalised to [0, 1] (YOLO
        labels) when every value is <= 1, in which case they are scaled by ``img_size``.
    n_anchors : int
    img_size : int
        Network input size (long side), for normalised sizes.
    thr : float
        YOLOv5's anchor-ratio threshold for the BPR / AAT quality numbers.
    min_size : float
        Boxes with both sides below this many pixels are left out of the clustering (YOLOv5: 2).
    update : "mean" or "median"
        Centre update (darknet uses the mean).
    n_init, max_iter, random_state
        As in :func:`cvcore.cluster.kmeans` (k-means++ seeding with the IoU distance).

    Returns
    -------
    AnchorFit(anchors, mean_iou, recall, bpr, aat); anchors (n_anchors, 2) float64 sorted by area, the
    quality measured on all boxes given.
    """
    op = "kmeans_anchors"
    wh = _wh(op, "wh", wh, sizes=True)
    n_anchors = as_int(op, "n_anchors", n_anchors, minimum=1)
    img_size = as_int(op, "img_size", img_size, minimum=1)
    min_size = check_finite_scalar(op, "min_size", min_size)
    _thr(op, thr)
    if wh.max() <= 1.0:
        wh = wh * img_size
    used = wh[(wh >= min_size).any(axis=1)]
    if len(used) < n_anchors:
        raise ValueError(f"{op}: n_anchors ({n_anchors}) must be <= the number of boxes with a side >= {min_size} px "
                         f"({len(used)})")
    centers, _, _, _ = kmeans(used, n_anchors, metric="iou", update=update, n_init=n_init, max_iter=max_iter,
                              random_state=random_state)
    anchors = centers[np.argsort(centers.prod(axis=1), kind="stable")]
    return AnchorFit(anchors, *anchor_quality(wh, anchors, thr))
