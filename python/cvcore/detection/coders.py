"""Box coders of the classic detectors: SSD prior boxes with their variance coding (and RetinaFace's
priors and landmark coding, the same scheme), Faster R-CNN's delta coder (torchvision's ``BoxCoder``),
and the decoders of YOLO heads (v3 / v5 anchor-based grids, v8 anchor-free distances). All NumPy, vectorised; boxes are (..., 4) x1, y1, x2, y2 unless stated.
The arrays of a call are computed and returned in float32 when all are float32 (or float16), else in
float64 (integers included).
"""

import math

import numpy as np

from .._validation import (allocating, as_float, as_float32_or_64, as_int, as_sequence, check_positive_scalar,
                           finite_reals, pair, real_array)

# SSD300 (Liu et al. 2016, ssd.pytorch's VOC config).
SSD300 = dict(image_size=300, feature_maps=(38, 19, 10, 5, 3, 1), steps=(8, 16, 32, 64, 100, 300),
              min_sizes=(30, 60, 111, 162, 213, 264), max_sizes=(60, 111, 162, 213, 264, 315),
              aspect_ratios=((2,), (2, 3), (2, 3), (2, 3), (2,), (2,)))

# RetinaFace (Deng et al. 2020) as biubug6/Pytorch_Retinaface configures it (MobileNet0.25 and ResNet-50).
RETINAFACE = dict(steps=(8, 16, 32), min_sizes=((16, 32), (64, 128), (256, 512)))

# torchvision's bbox_xform_clip: exp(dw) is at most 1000 / 16.
BBOX_XFORM_CLIP = math.log(1000.0 / 16)


def _boxes(op, *names_and_arrays):
    """The (..., 4) arrays given as ``name, x, ...``, in one precision (``as_float32_or_64``); two of them
    must broadcast against each other (one box or prior per row of the other, or a batch of them)."""
    out = as_float32_or_64(op, *names_and_arrays)
    arrays = out if isinstance(out, tuple) else (out,)
    names = names_and_arrays[::2]
    for name, arr in zip(names, arrays):
        if arr.ndim < 1 or arr.shape[-1] != 4:
            raise ValueError(f"{op}: {name} must have shape (..., 4), got {arr.shape}")
    if len(arrays) == 2:
        try:
            np.broadcast_shapes(arrays[0].shape, arrays[1].shape)
        except ValueError:
            raise ValueError(f"{op}: {names[0]} and {names[1]} must have the same number of boxes (shapes that "
                             f"broadcast), got {arrays[0].shape} and {arrays[1].shape}") from None
    return out


def ssd_priors(image_size=300, feature_maps=SSD300["feature_maps"], steps=SSD300["steps"],
               min_sizes=SSD300["min_sizes"], max_sizes=SSD300["max_sizes"],
               aspect_ratios=SSD300["aspect_ratios"], clip=True):
    """SSD default boxes as (P, 4) ``cx, cy, w, h`` relative to the image (ssd.pytorch's PriorBox).

    For feature map k of size f (cells i, j row-major) with ``f_k = image_size / steps[k]``: centre
    ``((j + 0.5) / f_k, (i + 0.5) / f_k)``, then the boxes ``s, s`` with ``s = min_sizes[k] /
    image_size``, ``s', s'`` with ``s' = sqrt(s * max_sizes[k] / image_size)``, and for each ratio r
    ``s sqrt(r), s / sqrt(r)`` then ``s / sqrt(r), s sqrt(r)``. ``clip`` clamps every value to [0, 1].
    The defaults are SSD300's (8732 priors). float64.
    """
    op = "ssd_priors"
    feature_maps = [as_int(op, f"feature_maps[{k}]", f, minimum=1)
                    for k, f in enumerate(as_sequence(op, "feature_maps", feature_maps))]
    n = len(feature_maps)
    if not n:
        raise ValueError(f"{op}: feature_maps must list at least one feature map size, got []")
    per_map = {}
    for name, seq in (("steps", steps), ("min_sizes", min_sizes), ("max_sizes", max_sizes),
                      ("aspect_ratios", aspect_ratios)):
        per_map[name] = as_sequence(op, name, seq)
        if len(per_map[name]) != n:
            raise ValueError(f"{op}: {name} must have one entry per feature map ({n}), got {len(per_map[name])}")
    steps, min_sizes, max_sizes = (finite_reals(op, name, per_map[name], positive=True)
                                   for name in ("steps", "min_sizes", "max_sizes"))
    aspect_ratios = [finite_reals(op, f"aspect_ratios[{k}]", r, positive=True)
                     for k, r in enumerate(per_map["aspect_ratios"])]
    image_size = check_positive_scalar(op, "image_size", image_size)
    count = sum(f * f * (2 + 2 * len(r)) for f, r in zip(feature_maps, aspect_ratios))
    with allocating(op, "the priors", (count, 4), 8):
        priors = _priors(image_size, feature_maps, steps, min_sizes, max_sizes, aspect_ratios)
    return np.clip(priors, 0.0, 1.0) if clip else priors


def _priors(image_size, feature_maps, steps, min_sizes, max_sizes, aspect_ratios):
    out = []
    for f, step, lo, hi, ratios in zip(feature_maps, steps, min_sizes, max_sizes, aspect_ratios):
        f_k = image_size / step
        i, j = np.meshgrid(np.arange(f), np.arange(f), indexing="ij")
        cx, cy = (j.ravel() + 0.5) / f_k, (i.ravel() + 0.5) / f_k
        s = lo / image_size
        sizes = [(s, s), (math.sqrt(s * (hi / image_size)),) * 2]
        for r in ratios:
            sizes += [(s * math.sqrt(r), s / math.sqrt(r)), (s / math.sqrt(r), s * math.sqrt(r))]
        out.append(_cell_priors(cx, cy, sizes))
    return np.concatenate(out)


def _cell_priors(cx, cy, sizes):
    """(cells * len(sizes), 4) priors: for each cell centre in turn, one ``cx, cy, w, h`` row per
    ``(w, h)`` of sizes."""
    return np.stack([np.stack([cx, cy, np.full_like(cx, w), np.full_like(cx, h)], 1) for w, h in sizes],
                    1).reshape(-1, 4)


def retinaface_priors(image_size, steps=RETINAFACE["steps"], min_sizes=RETINAFACE["min_sizes"], clip=False):
    """RetinaFace's prior boxes for an image of ``image_size`` = (height, width) (or one int for both),
    as (P, 4) ``cx, cy, w, h`` relative to the image (biubug6/Pytorch_Retinaface's ``PriorBox``).

    Level k has ``ceil(height / steps[k])`` x ``ceil(width / steps[k])`` cells, the output grid of a
    network that downsamples by ``steps[k]`` with padding; cell (i, j) (row-major) has the centre
    ``((j + 0.5) * steps[k] / width, (i + 0.5) * steps[k] / height)`` and one square prior per size
    ``s`` of ``min_sizes[k]``, in order: ``w = s / width``, ``h = s / height``. ``clip`` clamps every
    value to [0, 1] (off in RetinaFace, whose large priors cross the image's edges). The defaults are
    RetinaFace's: steps 8, 16, 32 with sizes 16 and 32, 64 and 128, 256 and 512 pixels (a 640x480
    image has 12,600 priors). float64.
    """
    op = "retinaface_priors"
    height, width = pair(op, "image_size", image_size, minimum=1)
    steps = [as_int(op, f"steps[{k}]", s, minimum=1) for k, s in enumerate(as_sequence(op, "steps", steps))]
    if not steps:
        raise ValueError(f"{op}: steps must list at least one level's step, got []")
    min_sizes = as_sequence(op, "min_sizes", min_sizes, len(steps))
    min_sizes = [finite_reals(op, f"min_sizes[{k}]", sizes, positive=True) for k, sizes in enumerate(min_sizes)]
    for k, sizes in enumerate(min_sizes):
        if not sizes:
            raise ValueError(f"{op}: min_sizes[{k}] must list at least one size, got []")
    grids = [(-(-height // step), -(-width // step)) for step in steps]
    count = sum(fh * fw * len(sizes) for (fh, fw), sizes in zip(grids, min_sizes))
    with allocating(op, "the priors", (count, 4), 8):
        out = [np.zeros((0, 4))]
        for (fh, fw), step, sizes in zip(grids, steps, min_sizes):
            i, j = np.meshgrid(np.arange(fh), np.arange(fw), indexing="ij")
            cx, cy = (j.ravel() + 0.5) * step / width, (i.ravel() + 0.5) * step / height
            out.append(_cell_priors(cx, cy, [(s / width, s / height) for s in sizes]))
        priors = np.concatenate(out)
    return np.clip(priors, 0.0, 1.0) if clip else priors


def ssd_encode(boxes, priors, variances=(0.1, 0.2)):
    """SSD regression targets of xyxy ``boxes`` (N, 4) against ``priors`` (N, 4) cx, cy, w, h:
    ``((c_box - c_prior) / (v0 * wh_prior), log(wh_box / wh_prior) / v1)``."""
    op = "ssd_encode"
    b, p = _boxes(op, "boxes", boxes, "priors", priors)
    variances = finite_reals(op, "variances", variances, 2, positive=True)
    c = ((b[..., :2] + b[..., 2:]) / 2 - p[..., :2]) / (variances[0] * p[..., 2:])
    wh = np.log((b[..., 2:] - b[..., :2]) / p[..., 2:]) / variances[1]
    return np.concatenate([c, wh], axis=-1)


def ssd_decode(loc, priors, variances=(0.1, 0.2)):
    """Boxes (..., 4) xyxy from SSD regression outputs ``loc`` (..., 4) and ``priors`` cx, cy, w, h:
    the inverse of :func:`ssd_encode`."""
    op = "ssd_decode"
    loc, p = _boxes(op, "loc", loc, "priors", priors)
    variances = finite_reals(op, "variances", variances, 2, positive=True)
    c = p[..., :2] + loc[..., :2] * variances[0] * p[..., 2:]
    wh = p[..., 2:] * np.exp(loc[..., 2:] * variances[1])
    return np.concatenate([c - wh / 2, c + wh / 2], axis=-1)


def _points_priors(op, name, x, priors, pairs_last):
    """The (..., K, 2) points x (``pairs_last``: (..., 2K) offsets, x, y pairs) and (..., 4) priors of a
    call in one precision, checked: K >= 1 and the leading shapes broadcast."""
    x, p = as_float32_or_64(op, name, x, "priors", priors)
    if pairs_last and (x.ndim < 1 or x.shape[-1] < 2 or x.shape[-1] % 2):
        raise ValueError(f"{op}: {name} must have shape (..., 2K) with K >= 1 (x, y pairs), got {x.shape}")
    if not pairs_last and (x.ndim < 2 or x.shape[-1] != 2 or x.shape[-2] < 1):
        raise ValueError(f"{op}: {name} must have shape (..., K, 2) with K >= 1, got {x.shape}")
    if p.ndim < 1 or p.shape[-1] != 4:
        raise ValueError(f"{op}: priors must have shape (..., 4), got {p.shape}")
    lead = x.shape[:-1] if pairs_last else x.shape[:-2]
    try:
        np.broadcast_shapes(lead, p.shape[:-1])
    except ValueError:
        raise ValueError(f"{op}: {name} and priors must have one prior per row (shapes that broadcast), got "
                         f"{x.shape} and {p.shape}") from None
    return x, p


def ssd_encode_points(points, priors, variance=0.1):
    """SSD-style regression targets of points (RetinaFace's landmarks): ``points`` (..., K, 2) x, y
    against ``priors`` (..., 4) cx, cy, w, h give (..., 2K) ``(xy - c_prior) / (variance * wh_prior)``,
    point by point (x0, y0, x1, y1, ...): the centre coding of :func:`ssd_encode` applied to each point."""
    op = "ssd_encode_points"
    pts, p = _points_priors(op, "points", points, priors, False)
    variance = check_positive_scalar(op, "variance", variance)
    offsets = (pts - p[..., None, :2]) / (variance * p[..., None, 2:])
    return offsets.reshape(offsets.shape[:-2] + (2 * offsets.shape[-2],))


def ssd_decode_points(offsets, priors, variance=0.1):
    """Points (..., K, 2) x, y from SSD-style ``offsets`` (..., 2K) (x, y pairs) and ``priors`` (..., 4)
    cx, cy, w, h: ``c_prior + offset * variance * wh_prior``, the inverse of :func:`ssd_encode_points`
    (RetinaFace's landmark decoding, biubug6's ``decode_landm``)."""
    op = "ssd_decode_points"
    d, p = _points_priors(op, "offsets", offsets, priors, True)
    variance = check_positive_scalar(op, "variance", variance)
    d = d.reshape(d.shape[:-1] + (d.shape[-1] // 2, 2))
    return p[..., None, :2] + d * variance * p[..., None, 2:]


def _centre_form(b):
    w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    return b[..., 0] + 0.5 * w, b[..., 1] + 0.5 * h, w, h


def rcnn_encode(boxes, proposals, weights=(10.0, 10.0, 5.0, 5.0)):
    """Faster R-CNN regression targets (torchvision's ``BoxCoder.encode_single``): for xyxy ``boxes``
    and ``proposals`` (..., 4), ``(wx dx / w_p, wy dy / h_p, ww log(w / w_p), wh log(h / h_p))`` with
    widths ``x2 - x1`` (no +1) and centres ``x1 + w / 2``."""
    op = "rcnn_encode"
    b, p = _boxes(op, "boxes", boxes, "proposals", proposals)
    wx, wy, ww, wh = finite_reals(op, "weights", weights, 4, positive=True)
    gx, gy, gw, gh = _centre_form(b)
    px, py, pw, ph = _centre_form(p)
    return np.stack([wx * (gx - px) / pw, wy * (gy - py) / ph, ww * np.log(gw / pw), wh * np.log(gh / ph)], axis=-1)


def rcnn_decode(deltas, proposals, weights=(10.0, 10.0, 5.0, 5.0), clip=BBOX_XFORM_CLIP):
    """Boxes from Faster R-CNN deltas (torchvision's ``BoxCoder.decode_single``): the inverse of
    :func:`rcnn_encode`, with ``dw, dh`` (after dividing by their weights) clamped to at most
    ``clip`` (log(1000 / 16)) so that ``exp`` cannot overflow."""
    op = "rcnn_decode"
    d, p = _boxes(op, "deltas", deltas, "proposals", proposals)
    wx, wy, ww, wh = finite_reals(op, "weights", weights, 4, positive=True)
    clip = as_float(op, "clip", clip)
    if np.isnan(clip):
        raise ValueError(f"{op}: clip must be a number (inf: no clamp), got nan")
    px, py, pw, ph = _centre_form(p)
    dx, dy = d[..., 0] / wx, d[..., 1] / wy
    dw, dh = np.minimum(d[..., 2] / ww, clip), np.minimum(d[..., 3] / wh, clip)
    cx, cy = dx * pw + px, dy * ph + py
    half_w, half_h = 0.5 * (np.exp(dw) * pw), 0.5 * (np.exp(dh) * ph)
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1).astype(d.dtype, copy=False)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow warnings for large |x|


def _anchor_sizes(op, name, anchors):
    """One level's anchors as float64 (na, 2) (w, h) rows, na >= 1, every size finite and > 0."""
    arr = real_array(op, name, anchors).astype(np.float64)
    if arr.size == 0 or arr.size % 2:
        raise ValueError(f"{op}: {name} must hold (w, h) pairs, at least one, got shape {arr.shape}")
    if not (np.isfinite(arr).all() and (arr > 0).all()):
        raise ValueError(f"{op}: {name} must hold finite sizes > 0, got {arr.ravel().tolist()}")
    return arr.reshape(-1, 2)


def yolo_decode(outputs, anchors, strides, style="v5"):
    """Decodes anchor-based YOLO heads (YOLOv3 / YOLOv5 style) into boxes and class scores.

    Parameters
    ----------
    outputs : list of arrays, one per level, shape (N, na * (5 + nc), H, W)
        Raw head maps, channels ordered anchor by anchor as ``tx, ty, tw, th, objectness, classes``.
    anchors : sequence of (na, 2) anchor sizes (w, h) in input pixels, one per level
    strides : sequence of ints, one per level (input size / map size)
    style : "v5" or "v3"
        v5: ``xy = (2 sigmoid(t) - 0.5 + cell) * stride``, ``wh = (2 sigmoid(t))^2 * anchor``;
        v3: ``xy = (sigmoid(t) + cell) * stride``, ``wh = exp(t) * anchor``.

    Returns
    -------
    boxes : (N, A, 4) xyxy in input pixels, A = sum of na * H * W (level, anchor, row, column order)
    scores : (N, A, nc) ``sigmoid(objectness) * sigmoid(class)``
    """
    op = "yolo_decode"
    if style not in ("v5", "v3"):
        raise ValueError(f"{op}: style must be 'v5' or 'v3', got {style!r}")
    outputs, anchors, strides = (as_sequence(op, name, value) for name, value in
                                 (("outputs", outputs), ("anchors", anchors), ("strides", strides)))
    if not (len(outputs) == len(anchors) == len(strides)) or not outputs:
        raise ValueError(f"{op}: outputs, anchors and strides must have one entry per level, got "
                         f"{len(outputs)}, {len(anchors)} and {len(strides)}")
    all_boxes, all_scores = [], []
    for level, (x, anc, stride) in enumerate(zip(outputs, anchors, strides)):
        x = as_float32_or_64(op, f"outputs[{level}]", x)
        anc = _anchor_sizes(op, f"anchors[{level}]", anc)
        stride = check_positive_scalar(op, f"strides[{level}]", stride)
        na = len(anc)
        if x.ndim != 4 or x.shape[1] % na or x.shape[1] // na < 6:
            raise ValueError(f"{op}: outputs[{level}] must have shape (N, na * (5 + nc), H, W) with na = {na} and "
                             f"nc >= 1, got {x.shape}")
        n, ch, h, w = x.shape
        no = ch // na
        if level and (n, no - 5) != (all_scores[0].shape[0], all_scores[0].shape[2]):
            raise ValueError(f"{op}: outputs[{level}] must have the batch size and the classes of outputs[0] "
                             f"({all_scores[0].shape[0]} and {all_scores[0].shape[2]}), got {n} and {no - 5}")
        t = x.reshape(n, na, no, h, w).transpose(0, 1, 3, 4, 2)  # (N, na, H, W, no)
        gy, gx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        cell = np.stack([gx, gy], -1)
        wh_anchor = anc[:, None, None, :]
        if style == "v5":
            s = _sigmoid(t[..., :4])
            xy = (s[..., :2] * 2 - 0.5 + cell) * stride
            wh = (s[..., 2:4] * 2) ** 2 * wh_anchor
        else:
            xy = (_sigmoid(t[..., :2]) + cell) * stride
            wh = np.exp(t[..., 2:4]) * wh_anchor
        boxes = np.concatenate([xy - wh / 2, xy + wh / 2], -1).reshape(n, -1, 4)
        scores = (_sigmoid(t[..., 4:5]) * _sigmoid(t[..., 5:])).reshape(n, -1, no - 5)
        all_boxes.append(boxes.astype(x.dtype, copy=False))
        all_scores.append(scores.astype(x.dtype, copy=False))
    return np.concatenate(all_boxes, 1), np.concatenate(all_scores, 1)


def anchor_points(feature_shapes, strides):
    """Cell centres of anchor-free heads: (A, 2) ``(x + 0.5, y + 0.5)`` in grid units, level by level,
    row-major, and (A,) the stride of each."""
    return _anchor_points("anchor_points", feature_shapes, strides)


def _anchor_points(op, feature_shapes, strides):
    """anchor_points, errors naming the public function ``op``."""
    feature_shapes = as_sequence(op, "feature_shapes", feature_shapes)
    strides = as_sequence(op, "strides", strides, len(feature_shapes))
    if not feature_shapes:
        raise ValueError(f"{op}: feature_shapes must hold at least one (height, width), got {feature_shapes!r}")
    feature_shapes = [tuple(as_int(op, f"feature_shapes[{k}]", v, minimum=0)
                            for v in as_sequence(op, f"feature_shapes[{k}]", hw, 2))
                      for k, hw in enumerate(feature_shapes)]
    strides = [check_positive_scalar(op, f"strides[{k}]", s) for k, s in enumerate(strides)]
    with allocating(op, "the points", (sum(h * w for h, w in feature_shapes), 2), 8):
        return _points(feature_shapes, strides)


def _points(feature_shapes, strides):
    points, stride_of = [np.zeros((0, 2))], [np.zeros(0)]
    for (h, w), s in zip(feature_shapes, strides):
        if h * w == 0:  # no cells (and the other side's range may be huge)
            continue
        gy, gx = np.meshgrid(np.arange(h) + 0.5, np.arange(w) + 0.5, indexing="ij")
        points.append(np.stack([gx.ravel(), gy.ravel()], 1))
        stride_of.append(np.full(h * w, float(s)))
    return np.concatenate(points), np.concatenate(stride_of)


def yolo_anchor_free_decode(distances, feature_shapes, strides):
    """Boxes of anchor-free heads (YOLOv8 style): ``distances`` (N, A, 4) to the left, top, right and
    bottom box sides in grid units of each cell centre (:func:`anchor_points`), to xyxy input pixels
    ``((cx - l) s, (cy - t) s, (cx + r) s, (cy + b) s)``. The class scores of such heads are already
    probabilities and go to :func:`postprocess` unchanged."""
    op = "yolo_anchor_free_decode"
    d = _boxes(op, "distances", distances)
    pts, s = _anchor_points(op, feature_shapes, strides)
    if d.ndim != 3 or d.shape[1] != len(pts):
        raise ValueError(f"{op}: distances must have shape (N, {len(pts)}, 4) for these feature "
                         f"shapes, got {d.shape}")
    xy1, xy2 = pts - d[..., :2], pts + d[..., 2:]
    return (np.concatenate([xy1, xy2], -1) * s[:, None]).astype(d.dtype, copy=False)
