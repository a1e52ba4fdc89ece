"""Average precision from a precision-recall curve (VOC07 11-point, VOC all-point, COCO 101-point) and
a PASCAL VOC detection evaluator with the "difficult" flag."""

import numpy as np

from .. import _cvcore
from .._validation import as_float64, as_sequence, check_finite_scalar

METHODS = ("voc07", "voc", "coco")


def average_precision(recall, precision, method="voc"):
    """AP of a precision-recall curve given as points in detection order (recall non-decreasing).

    method
        "voc07": mean over t = 0, 0.1, ..., 1 of the largest precision at recall >= t (0 if none),
        VOC2007's 11 points. "voc": the area under the curve made monotone from the right, VOC2010+
        (``mrec = [0, recall, 1]``, ``mpre = [0, precision, 0]``). "coco": the mean over 101 recall
        thresholds 0, 0.01, ..., 1 of the monotone precision at the first point reaching the
        threshold (0 beyond the last), as pycocotools' accumulate.
    """
    if method not in METHODS:
        raise ValueError(f"average_precision: method must be 'voc07', 'voc' or 'coco', got {method!r}")
    op = "average_precision"
    rec, prec = as_float64(op, "recall", recall).ravel(), as_float64(op, "precision", precision).ravel()
    if rec.shape != prec.shape:
        raise ValueError(f"average_precision: recall and precision must have the same length, got {rec.size} "
                         f"and {prec.size}")
    for name, values in (("recall", rec), ("precision", prec)):
        if not ((values >= 0) & (values <= 1)).all():  # NaN included
            bad = values[~((values >= 0) & (values <= 1))][0]
            raise ValueError(f"{op}: {name} must hold values in [0, 1], got {bad}")
    if (np.diff(rec) < 0).any():
        at = int(np.argmax(np.diff(rec) < 0))
        raise ValueError(f"{op}: recall must be non-decreasing (points in detection order), got {rec[at]} then "
                         f"{rec[at + 1]} at {at}")
    if method == "voc07":
        ap = 0.0
        for t in np.arange(0.0, 1.1, 0.1):
            ap += (np.max(prec[rec >= t]) if (rec >= t).any() else 0.0) / 11.0
        return float(ap)
    if method == "voc":
        mrec = np.concatenate(([0.0], rec, [1.0]))
        mpre = np.concatenate(([0.0], prec, [0.0]))
        mpre = np.maximum.accumulate(mpre[::-1])[::-1]
        i = np.nonzero(mrec[1:] != mrec[:-1])[0]
        return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))
    envelope = np.maximum.accumulate(prec[::-1])[::-1] if prec.size else prec
    thresholds = np.linspace(0.0, 1.00, 101)
    at = np.searchsorted(rec, thresholds, side="left")
    q = np.where(at < rec.size, envelope[np.minimum(at, max(rec.size - 1, 0))] if rec.size else 0.0, 0.0)
    return float(np.mean(q))


def _class_index(classes, labels):
    """The position of every label in ``classes``, -1 for labels that are none of them (compared with
    ``==``, as NumPy compares a label array with a class)."""
    index = np.full(len(labels), -1, np.int64)
    for k, c in enumerate(classes.tolist()):
        index[labels == c] = k
    return index


def _flatten(records, columns):
    """The images' arrays of each column concatenated, the image of every row, and the rows' count."""
    counts = [len(r[0]) for r in records]
    flat = [np.concatenate([r[c] for r in records]) for c in columns]
    return flat, np.repeat(np.arange(len(records), dtype=np.int64), counts)


def _field(op, what, record, key, default=None):
    """record[key] of the dict ``what`` (``ground_truth[i]``), or ``default`` when given."""
    if not isinstance(record, dict):
        raise TypeError(f"{op}: {what} must be a dict, got {type(record).__name__}")
    if key not in record and default is None:
        raise ValueError(f"{op}: {what} has no {key!r}")
    return record.get(key, default)


def _voc_boxes(op, name, value):
    """Finite float64 (n, 4) boxes from an (n, 4) array (or a single (4,) box, or an empty one)."""
    arr = as_float64(op, name, value)
    if arr.size % 4 or (arr.size and arr.shape[-1] != 4):
        raise ValueError(f"{op}: {name} must have shape (n, 4), got {arr.shape}")
    arr = arr.reshape(-1, 4)
    if not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr).all(axis=1)][0]
        raise ValueError(f"{op}: {name} must have finite coordinates, got {bad.tolist()}")
    return arr


def voc_evaluate(ground_truth, detections, iou_threshold=0.5, method="voc", pixel_inclusive=True):
    """PASCAL VOC detection AP per class (the devkit's ``voc_eval``).

    Parameters
    ----------
    ground_truth : list (one per image) of dicts ``{"boxes": (G, 4) xyxy, "labels": (G,),
        "difficult": (G,) bool, optional}``
    detections : list (same images) of dicts ``{"boxes": (D, 4), "scores": (D,), "labels": (D,)}``
    iou_threshold : float
        A detection is a true positive when its best overlap with a ground truth of its class and
        image is ``> iou_threshold`` and that ground truth is not yet taken; a match to a
        "difficult" box counts as neither true nor false positive; difficult boxes are not counted
        in the recall.
    method : "voc" (all-point, VOC2010+) or "voc07" (11-point)
    pixel_inclusive : bool
        The devkit's +1 pixel widths and heights (default); False uses torchvision's box IoU.

    Returns
    -------
    dict ``{label: AP}`` over the labels that have ground truth (non-difficult), and the mAP as the
    mean of those, in a tuple ``(ap_per_class, mAP)``.

    Notes
    -----
    The matching (detections of each class by decreasing score, ties in input order) runs in C++,
    beside the COCO matcher and with the same overlap routine; boxes must be finite.
    """
    op = "voc_evaluate"
    ground_truth, detections = as_sequence(op, "ground_truth", ground_truth), as_sequence(op, "detections", detections)
    iou_threshold = check_finite_scalar(op, "iou_threshold", iou_threshold)
    if not isinstance(pixel_inclusive, (bool, np.bool_)):
        raise TypeError(f"{op}: pixel_inclusive must be a bool, got {pixel_inclusive!r}")
    if len(ground_truth) != len(detections):
        raise ValueError(f"{op}: ground_truth and detections must list the same images, got "
                         f"{len(ground_truth)} and {len(detections)}")
    if method not in ("voc", "voc07"):
        raise ValueError(f"{op}: method must be 'voc' or 'voc07', got {method!r}")
    gts = []
    for i, g in enumerate(ground_truth):
        what = f"ground_truth[{i}]"
        boxes = _voc_boxes(op, f"{what}['boxes']", _field(op, what, g, "boxes"))
        labels = np.asarray(_field(op, what, g, "labels")).ravel()
        difficult = np.asarray(_field(op, what, g, "difficult", np.zeros(len(labels), bool))).ravel()
        if difficult.dtype != bool and not (np.issubdtype(difficult.dtype, np.integer) and np.isin(difficult, (0, 1)).all()):
            raise TypeError(f"{op}: {what}['difficult'] must hold bools (or 0 / 1), got "
                            f"{difficult.dtype} {difficult[:4].tolist()!r}")
        difficult = difficult.astype(bool)
        if not len(boxes) == len(labels) == len(difficult):
            raise ValueError(f"{op}: {what} boxes, labels and difficult must have the same length, got "
                             f"{len(boxes)}, {len(labels)} and {len(difficult)}")
        gts.append((boxes, labels, difficult))
    dets = []
    for i, d in enumerate(detections):
        what = f"detections[{i}]"
        boxes = _voc_boxes(op, f"{what}['boxes']", _field(op, what, d, "boxes"))
        scores = as_float64(op, f"{what}['scores']", _field(op, what, d, "scores")).ravel()
        labels = np.asarray(_field(op, what, d, "labels")).ravel()
        if not len(boxes) == len(scores) == len(labels):
            raise ValueError(f"{op}: {what} boxes, scores and labels must have the same length, got "
                             f"{len(boxes)}, {len(scores)} and {len(labels)}")
        if np.isnan(scores).any():
            raise ValueError(f"{op}: {what}['scores'] must not hold NaN")
        dets.append((boxes, labels, scores))
    classes = np.unique(np.concatenate([g[1][~g[2]] for g in gts] or [np.zeros(0)]))
    if not classes.size:
        return {}, float("nan")
    (gt_boxes, gt_labels, gt_difficult), gt_image = _flatten(gts, range(3))
    (dt_boxes, dt_labels, dt_scores), dt_image = _flatten(dets, range(3))
    gt_class, dt_class = _class_index(classes, gt_labels), _class_index(classes, dt_labels)
    g, d = gt_class >= 0, dt_class >= 0  # records of other labels take no part
    class_start, tp_flags, fp_flags, npos = _cvcore.voc_match(
        gt_image[g], gt_class[g], gt_boxes[g], gt_difficult[g].astype(np.uint8), dt_image[d], dt_class[d], dt_boxes[d],
        dt_scores[d], len(gts), len(classes), iou_threshold, bool(pixel_inclusive))
    result = {}
    for k, c in enumerate(classes.tolist()):
        rows = slice(class_start[k], class_start[k + 1])
        tp, fp = np.cumsum(tp_flags[rows], dtype=np.float64), np.cumsum(fp_flags[rows], dtype=np.float64)
        rec = tp / npos[k]
        prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
        result[c] = average_precision(rec, prec, method)
    mean_ap = float(np.mean(list(result.values())))
    return result, mean_ap
