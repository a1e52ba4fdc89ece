"""Box utilities and the pairwise IoU family, as ``torchvision.ops``.

Boxes are ``(N, 4)`` arrays, ``(x1, y1, x2, y2)`` unless a function takes a format. float32 and
float64 boxes are computed and returned in their own precision, float16 in float32 and integers in
float64; when two arrays are given, both take the wider of their dtypes. Non-contiguous arrays are
copied once.

Conventions where torchvision is undefined or returns NaN (its docs require ``0 <= x1 < x2`` and
``0 <= y1 < y2``; cvcore defines every finite input):

- a box with ``x2 < x1`` or ``y2 < y1`` is empty: its area is 0 (torchvision multiplies the
  negative sides);
- a ratio whose denominator is 0 is 0, not NaN: the IoU of two empty boxes (torchvision: NaN), the
  GIoU penalty when the enclosing box has no area, the DIoU penalty with ``eps=0`` and CIoU's alpha;
- CIoU's aspect angle ``atan(w / h)`` of a point box (``w = h = 0``) is 0 (torchvision: NaN);
- coordinates must be finite: NaN or infinity raises ValueError naming the argument (torchvision
  propagates NaN). ``box_area`` and the pairwise ops also reject coordinates of magnitude above
  2**62 (float32) or 2**510 (float64), where areas or squared distances would overflow.

Everything else follows torchvision's formulas in its order of operations, so on valid boxes the
results are bit-identical to torchvision's (CIoU within an ulp or so of ``atan``).
"""

from .. import _cvcore
from .._validation import as_float, as_float32_or_64, as_str


def box_area(boxes, *, device="cpu"):
    """Areas of ``(x1, y1, x2, y2)`` boxes, as ``torchvision.ops.box_area``.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        ``(x1, y1, x2, y2)``, finite, ``|coordinate| <= 2**62`` (float32) or ``2**510`` (float64).

    Returns
    -------
    ndarray, shape (N,), of the boxes' precision (see the module notes)
        ``(x2 - x1) * (y2 - y1)``, and 0 for an empty box (``x2 < x1`` or ``y2 < y1``; torchvision
        returns the product of the negative sides).

    Raises
    ------
    TypeError for non-real data; ValueError for a shape other than (N, 4) or a non-finite or too
    large coordinate.
    """
    op = "box_area"
    return _cvcore.box_area(as_float32_or_64(op, "boxes", boxes), as_str(op, "device", device))


def box_convert(boxes, in_fmt, out_fmt, *, device="cpu"):
    """Convert boxes between formats, as ``torchvision.ops.box_convert``.

    Formats: ``"xyxy"`` (x1, y1, x2, y2), ``"xywh"`` (x1, y1, width, height) and ``"cxcywh"``
    (centre x, centre y, width, height). torchvision's formulas: ``x2 = x + w``,
    ``w = x2 - x1``, ``cx = (x1 + x2) / 2``, ``x1 = cx - 0.5 * w``, ``x2 = cx + 0.5 * w``;
    xywh <-> cxcywh goes through xyxy (rounding twice); ``in_fmt == out_fmt`` returns a copy.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Finite coordinates. Unlike torchvision, integer input gives float64 output.
    in_fmt, out_fmt : {"xyxy", "xywh", "cxcywh"}

    Returns
    -------
    ndarray, shape (N, 4), of the boxes' precision. A conversion and its inverse give back the
    input exactly when the intermediate sums are exact (e.g. small integers or halves).

    Raises
    ------
    TypeError for non-real data or a non-str format; ValueError for an unknown format, a shape
    other than (N, 4) or a non-finite coordinate.
    """
    op = "box_convert"
    in_fmt, out_fmt = as_str(op, "in_fmt", in_fmt), as_str(op, "out_fmt", out_fmt)
    return _cvcore.box_convert(as_float32_or_64(op, "boxes", boxes), in_fmt, out_fmt, as_str(op, "device", device))


def clip_boxes(boxes, size, *, device="cpu"):
    """Clip ``(x1, y1, x2, y2)`` boxes to an image, as ``torchvision.ops.clip_boxes_to_image``.

    x coordinates are clamped to ``[0, width]`` and y to ``[0, height]`` (the upper bound is the
    size itself, not size - 1).

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Finite coordinates.
    size : (height, width)
        Finite real numbers >= 0, rounded to the boxes' precision.

    Returns
    -------
    ndarray, shape (N, 4), of the boxes' precision (integer input gives float64, unlike torchvision).

    Raises
    ------
    TypeError for non-real data or a size that is not a pair of numbers; ValueError for a negative
    or non-finite size, a shape other than (N, 4) or a non-finite coordinate.
    """
    op = "clip_boxes"
    if isinstance(size, (str, bytes)) or not hasattr(size, "__len__") or len(size) != 2:
        raise TypeError(f"clip_boxes: size must be a pair (height, width), got {size!r}")
    height = as_float(op, "size[0] (height)", size[0])
    width = as_float(op, "size[1] (width)", size[1])
    return _cvcore.clip_boxes(as_float32_or_64(op, "boxes", boxes), height, width, as_str(op, "device", device))


def remove_small_boxes(boxes, min_size, *, device="cpu"):
    """Indices of the boxes whose sides are both at least ``min_size``, as
    ``torchvision.ops.remove_small_boxes``.

    A box is kept when ``x2 - x1 >= min_size`` and ``y2 - y1 >= min_size``, compared in the boxes'
    precision (``min_size`` is rounded to it, as torch does). An inverted box (negative side) is
    dropped even with ``min_size=0``.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        ``(x1, y1, x2, y2)``, finite.
    min_size : float
        Finite, >= 0.

    Returns
    -------
    ndarray int64, shape (K,)
        The kept indices, increasing.

    Raises
    ------
    TypeError for non-real data; ValueError for a negative or non-finite ``min_size``, a shape
    other than (N, 4) or a non-finite coordinate.
    """
    op = "remove_small_boxes"
    min_size = as_float(op, "min_size", min_size)
    return _cvcore.remove_small_boxes(as_float32_or_64(op, "boxes", boxes), min_size, as_str(op, "device", device))


_PAIRWISE_DOC = """

    Parameters
    ----------
    boxes1 : array_like, shape (N, 4)
    boxes2 : array_like, shape (M, 4)
        ``(x1, y1, x2, y2)``, finite, ``|coordinate| <= 2**62`` (float32) or ``2**510`` (float64).
        Both are computed in float32 when both are float32 or float16, else in float64.{eps}

    Returns
    -------
    ndarray, shape (N, M), float64 or float32 as above
        ``out[i, j]`` compares ``boxes1[i]`` with ``boxes2[j]``. N or M may be 0.

    Raises
    ------
    TypeError for non-real data; ValueError for a shape other than (N, 4), a non-finite or too
    large coordinate{eps_error}.

    Notes
    -----
    One fused pass, parallel over the rows of the output: no ``(N, M, 2)`` temporaries. Results are
    identical for every thread count and SIMD kernel set. See the module notes for empty boxes and
    zero denominators (0 where torchvision gives NaN).
    """

_EPS_DOC = """
    eps : float
        Finite, >= 0; added to the squared diagonal of the enclosing box (default 1e-7, as
        torchvision)."""


def _pairwise_doc(eps):
    return _PAIRWISE_DOC.format(eps=_EPS_DOC if eps else "",
                                eps_error=", or a negative or non-finite ``eps``" if eps else "")


def box_iou(boxes1, boxes2, *, device="cpu"):
    """Pairwise intersection over union, as ``torchvision.ops.box_iou``.

    ``iou = inter / union`` with ``inter = max(min(x2) - max(x1), 0) * max(min(y2) - max(y1), 0)``
    and ``union = (area1 + area2) - inter``; 0 when the union is 0 (two empty boxes)."""
    op = "box_iou"
    b1, b2 = as_float32_or_64(op, "boxes1", boxes1, "boxes2", boxes2)
    return _cvcore.box_iou(b1, b2, 0.0, as_str(op, "device", device))


def generalized_box_iou(boxes1, boxes2, *, device="cpu"):
    """Pairwise generalized IoU, as ``torchvision.ops.generalized_box_iou``.

    ``giou = iou - (area_c - union) / area_c``, where ``area_c`` is the area of the smallest box
    enclosing both; the penalty is 0 when ``area_c`` is 0. Values lie in [-1, 1]."""
    op = "generalized_box_iou"
    b1, b2 = as_float32_or_64(op, "boxes1", boxes1, "boxes2", boxes2)
    return _cvcore.generalized_box_iou(b1, b2, 0.0, as_str(op, "device", device))


def distance_box_iou(boxes1, boxes2, eps=1e-7, *, device="cpu"):
    """Pairwise distance IoU, as ``torchvision.ops.distance_box_iou``.

    ``diou = iou - rho2 / ((cw**2 + ch**2) + eps)``: ``rho2`` is the squared distance of the box
    centres ``((x1 + x2) / 2, (y1 + y2) / 2)`` and ``cw, ch`` the sides of the enclosing box; the
    penalty is 0 when its denominator is 0."""
    op = "distance_box_iou"
    eps = as_float(op, "eps", eps)
    b1, b2 = as_float32_or_64(op, "boxes1", boxes1, "boxes2", boxes2)
    return _cvcore.distance_box_iou(b1, b2, eps, as_str(op, "device", device))


def complete_box_iou(boxes1, boxes2, eps=1e-7, *, device="cpu"):
    """Pairwise complete IoU, as ``torchvision.ops.complete_box_iou``.

    ``ciou = diou - alpha * v`` with ``v = 4 / pi**2 * (atan(w1 / h1) - atan(w2 / h2))**2`` (``w, h``
    the signed sides ``x2 - x1``, ``y2 - y1``; ``atan`` of a point box is 0) and
    ``alpha = v / (((1 - iou) + v) + eps)`` (0 when that denominator is 0)."""
    op = "complete_box_iou"
    eps = as_float(op, "eps", eps)
    b1, b2 = as_float32_or_64(op, "boxes1", boxes1, "boxes2", boxes2)
    return _cvcore.complete_box_iou(b1, b2, eps, as_str(op, "device", device))


box_iou.__doc__ += _pairwise_doc(False)
generalized_box_iou.__doc__ += _pairwise_doc(False)
distance_box_iou.__doc__ += _pairwise_doc(True)
complete_box_iou.__doc__ += _pairwise_doc(True)
