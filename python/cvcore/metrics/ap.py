"""Average precision from a precision-recall curve (VOC07 11-point, VOC all-point, COCO 101-point) and
a PASCAL VOC detection evaluator with the "difficult" flag."""

import numpy as np

from .. import ops

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
    rec, prec = np.asarray(recall, np.float64).ravel(), np.asarray(precision, np.float64).ravel()
    if rec.shape != prec.shape:
        raise ValueError(f"average_precision: recall and precision must have the same length, got {rec.size} "
                         f"and {prec.size}")
    if np.isnan(rec).any() or np.isnan(prec).any():
        raise ValueError("average_precision: recall and precision must not hold NaN")
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


def _pixel_iou(box, boxes):
    """VOC devkit overlaps with inclusive pixel coordinates (+1 on widths and heights)."""
    iw = np.maximum(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]) + 1.0, 0.0)
    ih = np.maximum(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]) + 1.0, 0.0)
    inter = iw * ih
    union = ((box[2] - box[0] + 1.0) * (box[3] - box[1] + 1.0)
             + (boxes[:, 2] - boxes[:, 0] + 1.0) * (boxes[:, 3] - boxes[:, 1] + 1.0) - inter)
    return inter / union


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
    """
    if len(ground_truth) != len(detections):
        raise ValueError(f"voc_evaluate: ground_truth and detections must list the same images, got "
                         f"{len(ground_truth)} and {len(detections)}")
    if method not in ("voc", "voc07"):
        raise ValueError(f"voc_evaluate: method must be 'voc' or 'voc07', got {method!r}")
    gts = []
    for i, g in enumerate(ground_truth):
        boxes = np.asarray(g["boxes"], np.float64).reshape(-1, 4)
        labels = np.asarray(g["labels"]).ravel()
        difficult = np.asarray(g.get("difficult", np.zeros(len(labels), bool)), bool).ravel()
        if not len(boxes) == len(labels) == len(difficult):
            raise ValueError(f"voc_evaluate: ground_truth[{i}] boxes, labels and difficult must have the same length")
        gts.append((boxes, labels, difficult))
    dets = []
    for i, d in enumerate(detections):
        boxes = np.asarray(d["boxes"], np.float64).reshape(-1, 4)
        scores, labels = np.asarray(d["scores"], np.float64).ravel(), np.asarray(d["labels"]).ravel()
        if not len(boxes) == len(scores) == len(labels):
            raise ValueError(f"voc_evaluate: detections[{i}] boxes, scores and labels must have the same length")
        if np.isnan(scores).any():
            raise ValueError(f"voc_evaluate: detections[{i}] has NaN scores")
        dets.append((boxes, scores, labels))
    classes = np.unique(np.concatenate([g[1][~g[2]] for g in gts] or [np.zeros(0)]))
    result = {}
    for c in classes.tolist():
        npos = sum(int(np.sum((g[1] == c) & ~g[2])) for g in gts)
        img_of, box_of, score_of = [], [], []
        for i, (boxes, scores, labels) in enumerate(dets):
            sel = np.nonzero(labels == c)[0]
            img_of += [i] * len(sel)
            box_of.append(boxes[sel])
            score_of.append(scores[sel])
        boxes_c = np.concatenate(box_of) if box_of else np.zeros((0, 4))
        order = np.argsort(-np.concatenate(score_of), kind="stable") if score_of else np.zeros(0, np.int64)
        taken = [np.zeros(int(np.sum(g[1] == c)), bool) for g in gts]
        tp, fp = np.zeros(len(order)), np.zeros(len(order))
        for rank, j in enumerate(order):
            gboxes, glabels, gdiff = gts[img_of[j]]
            mine = np.nonzero(glabels == c)[0]
            if len(mine) == 0:
                fp[rank] = 1
                continue
            if pixel_inclusive:
                ov = _pixel_iou(boxes_c[j], gboxes[mine])
            else:
                ov = ops.box_iou(boxes_c[j][None], gboxes[mine])[0]
            best = int(np.argmax(ov))
            if ov[best] > iou_threshold:
                if gdiff[mine[best]]:
                    continue
                if not taken[img_of[j]][best]:
                    tp[rank] = 1
                    taken[img_of[j]][best] = True
                else:
                    fp[rank] = 1
            else:
                fp[rank] = 1
        tp, fp = np.cumsum(tp), np.cumsum(fp)
        rec = tp / npos
        prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
        result[c] = average_precision(rec, prec, method)
    mean_ap = float(np.mean(list(result.values()))) if result else float("nan")
    return result, mean_ap
