"""Reference box ops, written from torchvision's definitions plus cvcore's documented conventions
(an inverted box is empty, a ratio with a zero denominator is 0, atan of a point box is 0).

Pairwise values are computed pair by pair in float64 with Python's math module; conversions in
float64; remove_small_boxes compares sides computed in the boxes' own dtype, as documented.
"""

import math

import numpy as np


def _ratio(num, den):
    return num / den if den > 0 else 0.0


def _area(b):
    w, h = b[2] - b[0], b[3] - b[1]
    return w * h if w > 0 and h > 0 else 0.0


def box_area(boxes):
    return np.array([_area(b) for b in np.asarray(boxes, np.float64)], np.float64)


def _pair(kind, a, b, eps):
    inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0.0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0.0)
    union = _area(a) + _area(b) - inter
    iou = _ratio(inter, union)
    if kind == "iou":
        return iou
    cw = max(max(a[2], b[2]) - min(a[0], b[0]), 0.0)
    ch = max(max(a[3], b[3]) - min(a[1], b[1]), 0.0)
    if kind == "giou":
        return iou - _ratio(cw * ch - union, cw * ch)
    rho2 = ((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) ** 2 + ((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2) ** 2
    diou = iou - _ratio(rho2, cw * cw + ch * ch + eps)
    if kind == "diou":
        return diou

    def angle(box):
        w, h = box[2] - box[0], box[3] - box[1]
        if w == 0 and h == 0:
            return 0.0
        # w / 0 is an infinity of the sign of w times that of the zero (-0.0 in an inverted box)
        return math.atan(w / h) if h != 0 else math.copysign(math.pi / 2, w) * math.copysign(1.0, h)

    v = 4 / math.pi ** 2 * (angle(a) - angle(b)) ** 2
    return diou - _ratio(v, 1 - iou + v + eps) * v


def pairwise(kind, boxes1, boxes2, eps=1e-7):
    """kind in {"iou", "giou", "diou", "ciou"}: an (N, M) float64 array."""
    b1 = np.asarray(boxes1, np.float64).tolist()
    b2 = np.asarray(boxes2, np.float64).tolist()
    out = np.zeros((len(b1), len(b2)))
    for i, a in enumerate(b1):
        for j, b in enumerate(b2):
            out[i, j] = _pair(kind, a, b, eps)
    return out


def box_convert(boxes, in_fmt, out_fmt):
    b = np.asarray(boxes, np.float64)
    if in_fmt == "xyxy":
        x1, y1, x2, y2 = b.T
    elif in_fmt == "xywh":
        x1, y1, x2, y2 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    else:  # cxcywh
        x1, y1 = b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2
        x2, y2 = b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2
    if out_fmt == "xyxy":
        cols = (x1, y1, x2, y2)
    elif out_fmt == "xywh":
        cols = (x1, y1, x2 - x1, y2 - y1)
    else:
        cols = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
    return np.stack(cols, axis=1).reshape(-1, 4)


def clip_boxes(boxes, height, width):
    b = np.asarray(boxes, np.float64).copy()
    b[:, 0::2] = np.minimum(np.maximum(b[:, 0::2], 0), width)
    b[:, 1::2] = np.minimum(np.maximum(b[:, 1::2], 0), height)
    return b


def remove_small_boxes(boxes, min_size):
    b = np.asarray(boxes)
    m = b.dtype.type(min_size)
    return np.array([i for i, r in enumerate(b) if r[2] - r[0] >= m and r[3] - r[1] >= m], np.int64)
