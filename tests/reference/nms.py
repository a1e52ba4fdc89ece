"""NumPy references for nms, batched_nms and soft_nms, written from the definitions.

Every overlap is computed in the boxes' dtype (float32 or float64 NumPy arithmetic, operation by
operation as torchvision's kernel) and compared as a Python float with the threshold. Greedy NMS
is written in its "check against the kept boxes" form (a box is kept when no kept box overlaps it
by more than the threshold), independent of the kernels' forward-suppression sweep and grid.
"""

import numpy as np


def overlaps(kept, box, metric):
    """Overlap of each row of kept (K, 4) with box (4,), in the dtype of the arrays.

    Conventions: a box with x2 <= x1 or y2 <= y1 has area 0; an overlap whose denominator is 0 is 0.
    """
    t = kept.dtype.type
    zero = t(0)
    x1, y1, x2, y2 = (kept[:, k] for k in range(4))
    bx1, by1, bx2, by2 = box

    def area(a1, b1, a2, b2):
        w, h = a2 - a1, b2 - b1
        return np.where((w > 0) & (h > 0), w * h, zero)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        area_k = area(x1, y1, x2, y2)
        area_b = area(bx1, by1, bx2, by2)
        w = np.minimum(x2, bx2) - np.maximum(x1, bx1)
        h = np.minimum(y2, by2) - np.maximum(y1, by1)
        inter = np.where((w > 0) & (h > 0), w * h, zero)
        if metric == "iom":
            small = np.minimum(area_k, area_b)
            return np.where(small > 0, inter / small, zero)
        union = (area_k + area_b) - inter
        iou = np.where(union > 0, inter / union, zero)
        if metric == "iou":
            return iou
        assert metric == "diou"
        cw = np.maximum(np.maximum(x2, bx2) - np.minimum(x1, bx1), zero)
        ch = np.maximum(np.maximum(y2, by2) - np.minimum(y1, by1), zero)
        diag = (cw * cw + ch * ch) + t(1e-7)
        dx = (x1 + x2) / t(2) - (bx1 + bx2) / t(2)
        dy = (y1 + y2) / t(2) - (by1 + by2) / t(2)
        return iou - (dx * dx + dy * dy) / diag


def score_order(scores, candidates):
    """candidates by decreasing score, ties by lower index (a stable descending sort)."""
    return sorted(candidates, key=lambda i: (-float(scores[i]), i))


def nms(boxes, scores, iou_threshold, score_threshold=None, max_output=None, metric="iou"):
    boxes = np.asarray(boxes)
    n = len(boxes)
    candidates = [i for i in range(n) if score_threshold is None or float(scores[i]) > score_threshold]
    keep = []
    for i in score_order(scores, candidates):
        if max_output is not None and len(keep) == max_output:
            break
        if keep and np.any(overlaps(boxes[keep], boxes[i], metric).astype(np.float64) > iou_threshold):
            continue
        keep.append(i)
    return np.array(keep, dtype=np.int64)


def batched_nms(boxes, scores, class_ids, iou_threshold, score_threshold=None, max_output=None, metric="iou"):
    boxes = np.asarray(boxes)
    class_ids = np.asarray(class_ids)
    kept = []
    for c in np.unique(class_ids):
        members = np.flatnonzero(class_ids == c)
        local = nms(boxes[members], scores[members], iou_threshold, score_threshold, None, metric)
        kept.extend(members[local].tolist())
    kept = score_order(scores, kept)
    if max_output is not None:
        kept = kept[:max_output]
    return np.array(kept, dtype=np.int64)


def soft_nms(boxes, scores, iou_threshold=0.3, sigma=0.5, score_threshold=0.001, method="gaussian", max_output=None):
    """(indices, decayed scores at selection), with every update done in the boxes' dtype."""
    boxes = np.asarray(boxes)
    t = boxes.dtype.type
    s = [t(v) for v in scores]
    remaining = list(range(len(boxes)))
    indices, selected = [], []
    while remaining and (max_output is None or len(indices) < max_output):
        best = min(remaining, key=lambda i: (-float(s[i]), i))
        if float(s[best]) < score_threshold:
            break
        indices.append(best)
        selected.append(s[best])
        remaining.remove(best)
        if not remaining:
            break
        ious = overlaps(boxes[remaining], boxes[best], "iou")
        for j, iou in zip(remaining, ious):
            if method == "linear":
                if float(iou) > iou_threshold:
                    s[j] = t(s[j] * (t(1) - iou))
            else:
                s[j] = t(s[j] * np.exp(-(iou * iou) / t(sigma)))
    return np.array(indices, dtype=np.int64), np.array(selected, dtype=boxes.dtype)
