"""From decoded head outputs to detections: score threshold, top-k, (class-aware) NMS, a cap."""

from dataclasses import dataclass

import numpy as np

from .. import ops
from .._validation import as_float32_or_64, as_int, check_finite_scalar


@dataclass
class Detections:
    """The detections of one image, by decreasing score: ``boxes`` (K, 4) x1, y1, x2, y2, ``scores``
    (K,) and ``labels`` (K,) int64 class indices."""

    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray

    def __len__(self):
        return len(self.scores)


def _check_finite_candidates(op, cb, box_idx, image):
    """The candidate boxes (those over the score threshold) must have finite coordinates; the error names
    the first bad one by its place in ``boxes``."""
    bad = ~np.isfinite(cb).all(axis=1)
    if bad.any():
        k = int(np.argmax(bad))
        where = f"{'' if image is None else f'{image}, '}{box_idx[k]}"
        raise ValueError(f"{op}: boxes must have finite coordinates, got {cb[k].tolist()} at boxes[{where}] "
                         f"(a candidate over score_threshold)")


def postprocess(boxes, scores, score_threshold=0.25, iou_threshold=0.45, pre_nms_top_k=None, max_detections=300,
                class_agnostic=False, multi_label=False):
    """Detections per image from decoded boxes and per-class scores.

    Parameters
    ----------
    boxes : array_like, shape (N, A, 4) or (A, 4)
        x1, y1, x2, y2 of A candidate boxes per image. Boxes and scores are computed and returned
        in float32 when both are float32 (or float16), else in float64 (integers included).
    scores : array_like, shape (N, A, C) or (A, C)
        Per-class scores (probabilities: e.g. objectness times class for YOLOv5, the class
        probabilities for SSD without the background column, sigmoid outputs for YOLOv8).
    score_threshold : float
        Candidates with a score ``> score_threshold`` are kept.
    iou_threshold : float
        NMS suppresses a box whose IoU with a kept box of its class is ``> iou_threshold``.
    pre_nms_top_k : int, optional
        Keep only this many best candidates per image before NMS.
    max_detections : int, optional
        At most this many detections per image (None: all).
    class_agnostic : bool
        One NMS over all classes instead of one per class.
    multi_label : bool
        Every (box, class) pair over the threshold is a candidate; otherwise each box takes its best
        class only (the first of equal scores).

    Returns
    -------
    list of :class:`Detections`, one per image (a single one for 2-D input), each ordered by
    decreasing score, equal scores by candidate order (box index, then class). NMS is cvcore's C++
    ``batched_nms`` / ``nms``.
    """
    op = "postprocess"
    b, s = as_float32_or_64(op, "boxes", boxes, "scores", scores)
    single = b.ndim == 2
    if single:
        b, s = b[None], s[None]
    if b.ndim != 3 or b.shape[2] != 4:
        raise ValueError(f"{op}: boxes must have shape (N, A, 4) or (A, 4), got {np.shape(boxes)}")
    if s.ndim != 3 or s.shape[:2] != b.shape[:2]:
        raise ValueError(f"{op}: scores must have shape {(b.shape[:2] + ('C',))[1 if single else 0:]} to match boxes "
                         f"{np.shape(boxes)}, got {np.shape(scores)}")
    score_threshold = check_finite_scalar(op, "score_threshold", score_threshold)
    iou_threshold = check_finite_scalar(op, "iou_threshold", iou_threshold)
    top_k = None if pre_nms_top_k is None else as_int(op, "pre_nms_top_k", pre_nms_top_k, 0)
    cap = None if max_detections is None else as_int(op, "max_detections", max_detections, 0)
    if np.isnan(s).any():
        raise ValueError(f"{op}: scores must not be NaN")
    out = []
    for bi, si in zip(b, s):
        if multi_label:
            box_idx, labels = np.nonzero(si > score_threshold)
            cand = si[box_idx, labels]
        else:
            labels = np.argmax(si, axis=1) if si.shape[1] else np.zeros(len(si), np.int64)
            best = si[np.arange(len(si)), labels] if si.shape[1] else np.zeros(len(si), si.dtype)
            box_idx = np.nonzero(best > score_threshold)[0]
            labels, cand = labels[box_idx], best[box_idx]
        if top_k is not None and len(cand) > top_k:
            keep = np.argsort(-cand, kind="stable")[:top_k]
            keep.sort()
            box_idx, labels, cand = box_idx[keep], labels[keep], cand[keep]
        cb = bi[box_idx]
        _check_finite_candidates(op, cb, box_idx, len(out) if not single else None)
        labels = labels.astype(np.int64)
        if class_agnostic:
            keep = ops.nms(cb, cand, iou_threshold, max_output=cap)
        else:
            keep = ops.batched_nms(cb, cand, labels, iou_threshold, max_output=cap)
        out.append(Detections(cb[keep], cand[keep], labels[keep]))
    return out
