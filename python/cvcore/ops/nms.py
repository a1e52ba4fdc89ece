"""Non-maximum suppression: ``nms``, ``batched_nms`` (per class) and ``soft_nms``, as torchvision's
``nms`` / ``batched_nms`` where those exist.

Boxes are ``(N, 4)`` arrays of ``x1, y1, x2, y2``. Boxes and scores are computed in float32 when
both are float32 (or float16), else in float64 (integers included); non-contiguous arrays are copied
once.

Conventions shared by all three (and by the box ops):

* A box with ``x2 <= x1`` or ``y2 <= y1`` has area 0 and intersects nothing, and an overlap whose
  denominator is 0 is 0 (torchvision gives NaN there). So with a threshold ``>= 0`` such boxes are
  always kept and never suppress anything, as in torchvision; with a negative threshold they are
  suppressed like any other box.
* Scores order the boxes; equal scores keep the lower index first, so the results are
  deterministic, and identical for every thread count.
* Non-finite coordinates and NaN scores raise ValueError (torchvision silently lets a NaN-scored
  box win and a NaN box survive).
"""

from .. import _cvcore
from .._validation import as_float, as_float32_or_64, as_int, as_int64, as_str


def _boxes_scores(op, boxes, scores):
    """boxes and scores in one precision; an empty 1-D boxes array is taken as shape (0, 4)."""
    b, s = as_float32_or_64(op, "boxes", boxes, "scores", scores)
    return (b.reshape(0, 4) if b.ndim == 1 and b.size == 0 else b), s


def _options(op, iou_threshold, score_threshold, max_output):
    iou_threshold = as_float(op, "iou_threshold", iou_threshold)
    if score_threshold is not None:
        score_threshold = as_float(op, "score_threshold", score_threshold)
    if max_output is not None:
        max_output = as_int(op, "max_output", max_output)
    return iou_threshold, score_threshold, max_output


def nms(boxes, scores, iou_threshold, *, score_threshold=None, max_output=None, metric="iou", device="cpu"):
    """Greedy non-maximum suppression, as ``torchvision.ops.nms``.

    Boxes are visited by decreasing score; each box not yet suppressed is kept and suppresses every
    later box whose overlap with it is strictly greater than ``iou_threshold``.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        ``x1, y1, x2, y2``, finite. float32 or float64 (other real dtypes are converted, see the
        module notes). N may be 0.
    scores : array_like, shape (N,)
        No NaN (``±inf`` is allowed). Equal scores keep the lower index first.
    iou_threshold : float
        Finite. Suppress when ``overlap > iou_threshold`` (strict). The overlap is computed in the
        boxes' precision and compared exactly with the double threshold, as torchvision does: a
        float32 IoU of 0.33333334 is > 1/3. With a threshold < 0 every box after the first is
        suppressed; with a threshold >= 1 (IoU) nothing is.
    score_threshold : float, optional
        Finite. When given, only boxes with ``score > score_threshold`` (strict, as OpenCV's
        ``NMSBoxes``) take part. torchvision has no such filter.
    max_output : int, optional
        At most this many indices are returned (the first ones of the full result); >= 0.
    metric : {"iou", "iom", "diou"}
        The overlap of a kept box M with a later box B:

        * ``"iou"``: ``|M ∩ B| / |M ∪ B|`` (torchvision).
        * ``"iom"``: ``|M ∩ B| / min(|M|, |B|)``, intersection over the smaller box (MTCNN's "Min").
        * ``"diou"``: DIoU-NMS (Zheng et al. 2020), ``IoU - ρ² / (c² + 1e-7)`` with ρ the distance
          between the box centres and c the diagonal of the smallest box enclosing both
          (``torchvision.ops.distance_box_iou``).

    Returns
    -------
    ndarray int64, shape (K,)
        Indices of the kept boxes, by decreasing score (ties: lower index first).

    Raises
    ------
    TypeError for non-numeric arrays or a non-str metric; ValueError for wrong shapes, a length
    mismatch, non-finite coordinates, NaN scores, a non-finite threshold, ``max_output < 0`` or an
    unknown metric.

    Notes
    -----
    The result equals torchvision's for boxes of positive area and non-NaN input. Large inputs
    are tested only against the kept boxes near them (exact for thresholds >= 0, since boxes that
    do not intersect have IoU and IoM 0 and DIoU <= 0).
    """
    op = "nms"
    b, s = _boxes_scores(op, boxes, scores)
    iou_threshold, score_threshold, max_output = _options(op, iou_threshold, score_threshold, max_output)
    return _cvcore.nms(b, s, iou_threshold, score_threshold, max_output, as_str(op, "metric", metric),
                       as_str(op, "device", device))


def batched_nms(boxes, scores, class_ids, iou_threshold, *, score_threshold=None, max_output=None, metric="iou",
                device="cpu"):
    """Per-class non-maximum suppression, as ``torchvision.ops.batched_nms``.

    Boxes of different classes never suppress each other; within a class the rules are those of
    :func:`nms`. Unlike torchvision's coordinate-offset trick, any coordinates (also negative or
    huge) and any int64 class ids are handled exactly: the boxes are partitioned by class, each
    class is suppressed on its own (classes in parallel), and the kept boxes are merged.

    Parameters
    ----------
    boxes, scores, iou_threshold, score_threshold, metric
        As :func:`nms`.
    class_ids : array_like of int, shape (N,)
        The class of each box; any integer values (converted to int64).
    max_output : int, optional
        At most this many indices in total (the highest-scoring ones); >= 0.

    Returns
    -------
    ndarray int64, shape (K,)
        Indices of the kept boxes of all classes, by decreasing score (ties: lower index first).

    Raises
    ------
    As :func:`nms`; also TypeError for non-integer class_ids and ValueError for a length mismatch
    or ids that do not fit int64.
    """
    op = "batched_nms"
    b, s = _boxes_scores(op, boxes, scores)
    ids = as_int64(op, "class_ids", class_ids)
    iou_threshold, score_threshold, max_output = _options(op, iou_threshold, score_threshold, max_output)
    return _cvcore.batched_nms(b, s, ids, iou_threshold, score_threshold, max_output,
                               as_str(op, "metric", metric), as_str(op, "device", device))


def soft_nms(boxes, scores, iou_threshold=0.3, sigma=0.5, score_threshold=0.001, method="gaussian", *,
             max_output=None, device="cpu"):
    """Soft-NMS (Bodla et al., ICCV 2017): decay the scores of overlapping boxes instead of removing them.

    Repeatedly: select the remaining box M with the highest current score (ties: lower index);
    stop when that score is ``< score_threshold``; then multiply the score ``s`` of every other
    remaining box B by

    * ``"gaussian"``: ``exp(-IoU(M, B)² / sigma)`` (``iou_threshold`` is not used);
    * ``"linear"``: ``1 - IoU(M, B)`` when ``IoU(M, B) > iou_threshold`` (strict, as the authors'
      code), else 1.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        As :func:`nms` (IoU without the +1 of the authors' pixel-inclusive code).
    scores : array_like, shape (N,)
        Finite.
    iou_threshold : float
        Finite; the linear method's threshold.
    sigma : float
        Finite, > 0; the gaussian method's width.
    score_threshold : float
        Finite. A box is selected only while its decayed score is ``>= score_threshold`` (as the
        authors' code and OpenCV's ``softNMSBoxes``; note :func:`nms` keeps ``score > threshold``).
    method : {"gaussian", "linear"}
    max_output : int, optional
        Stop after this many boxes; >= 0.

    Returns
    -------
    indices : ndarray int64, shape (K,)
        The selected boxes in selection order.
    scores : ndarray, shape (K,)
        Their decayed scores at selection (non-increasing), in the computation dtype.

    Raises
    ------
    TypeError for non-numeric arrays or a non-str method; ValueError for wrong shapes, a length
    mismatch, non-finite coordinates or scores, non-finite thresholds, ``sigma <= 0``,
    ``max_output < 0`` or an unknown method.
    """
    op = "soft_nms"
    b, s = _boxes_scores(op, boxes, scores)
    max_output = None if max_output is None else as_int(op, "max_output", max_output)
    return _cvcore.soft_nms(b, s, as_float(op, "iou_threshold", iou_threshold), as_float(op, "sigma", sigma),
                            as_float(op, "score_threshold", score_threshold), max_output, as_str(op, "method", method),
                            as_str(op, "device", device))
