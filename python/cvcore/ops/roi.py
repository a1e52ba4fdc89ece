"""Region-of-interest pooling: ``roi_align`` and ``roi_pool``, as ``torchvision.ops``, and ``crop_resize``
(roi_align's sampling computed separably: fast crops of images)."""

import numpy as np

from .. import _cvcore
from .._validation import as_float, as_float32, as_int, as_str, pair, uint8_pixels


def _roi_boxes(op, boxes):
    """boxes as a float32 (K, 5) array of (batch_index, x1, y1, x2, y2).

    A list or tuple of arrays holds one (Ki, 4) array per image, whose index is prepended
    (torchvision's ``convert_boxes_to_roi_format``); an empty list means no box. A nested list of
    numbers is read as one (K, 5) array.
    """
    if isinstance(boxes, (list, tuple)) and all(hasattr(b, "__array__") for b in boxes):
        parts = []
        for i, b in enumerate(boxes):
            arr = as_float32(op, f"boxes[{i}]", b, ndims=(2,))
            if arr.shape[1] != 4:
                raise ValueError(f"{op}: boxes[{i}] must have shape (K, 4) (x1, y1, x2, y2) when boxes is a list, "
                                 f"got {arr.shape}")
            parts.append(np.concatenate([np.full((arr.shape[0], 1), i, np.float32), arr], axis=1))
        return np.concatenate(parts, axis=0) if parts else np.zeros((0, 5), np.float32)
    return as_float32(op, "boxes", boxes)


def _roi_args(op, input, boxes, output_size, spatial_scale, uint8_ok=False):
    x = uint8_pixels(input, (4,)) if uint8_ok else None  # pixels read as bytes: the float32 copy's values
    if x is None:
        x = as_float32(op, "input", input)
    return x, _roi_boxes(op, boxes), pair(op, "output_size", output_size), as_float(op, "spatial_scale", spatial_scale)


_BOXES_DOC = """input : array_like, shape (N, C, H, W)
        The feature map, real numbers; computed in float32 (other real dtypes and non-contiguous
        arrays are converted once). H, W >= 1; N and C may be 0.
    boxes : array_like (K, 5), or list of arrays (Ki, 4)
        ``(batch_index, x1, y1, x2, y2)`` rows in image coordinates, or a list (or tuple) of
        arrays, one ``(Ki, 4)`` array of ``(x1, y1, x2, y2)`` per image of the batch (image i's
        boxes get batch index i; an empty list means no box). A nested list of numbers is one
        (K, 5) array. Converted to float32,
        as torchvision requires boxes of the input's dtype. Every batch index must be an integer
        in ``[0, N)``; K may be 0.
    output_size : int or (int, int)
        ``(PH, PW)``, each >= 1.
    spatial_scale : float
        Factor from image to map coordinates (1 / stride), finite and >= 0; applied in float32."""


def roi_align(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False, *, device="cpu"):
    """RoIAlign (Mask R-CNN), as ``torchvision.ops.roi_align``: bit-identical to it on float32.

    Each RoI ``(x1, y1, x2, y2) * spatial_scale`` (minus 0.5 when ``aligned``) is divided into
    ``PH x PW`` bins; each bin averages the map, bilinearly interpolated, at a regular grid of
    ``gh x gw`` points (``(i + 0.5) / g`` of the way through the bin along each axis).

    Parameters
    ----------
    {boxes}
    sampling_ratio : int
        Grid points per bin along each axis; ``<= 0``: ``ceil(roi_size / output_size)`` per RoI and
        axis (adaptive, as torchvision; its cost grows with the RoI size). A positive value is
        bounded by the boxes: at most ``16 * max(1, ceil(roi_size / output_size))`` for every box and
        axis (16 times the adaptive grid, and 16 for a box no larger than its output; finer samples
        no longer change the average of a map that is bilinear between its pixels).
    aligned : bool
        Shift the scaled box by -0.5 so that pixel i covers ``[i, i + 1)`` (Detectron2's ROIAlignV2).
        When False, RoIs smaller than 1x1 on the map are enlarged to 1x1.

    Returns
    -------
    ndarray float32, shape (K, C, PH, PW)

    A uint8 ``input`` (an image, NCHW) is read without conversion and gives exactly the result of
    its float32 copy: crops straight from the pixels.

    Raises
    ------
    TypeError for non-numeric data or non-int sizes. ValueError for a wrong rank or box shape, an
    empty plane, ``output_size`` < 1, a negative or non-finite ``spatial_scale``, a non-integer
    batch index, a NaN or infinite coordinate (or one that overflows float32 once scaled), a
    ``sampling_ratio`` above its bound, or a grid of more than 2^22 rows or columns in one RoI
    (``output_size`` times the samples per bin). IndexError for a batch index outside ``[0, N)``.

    Notes
    -----
    torchvision's semantics, exactly: a grid point with ``y < -1`` or ``y > H`` (or ``x`` likewise)
    contributes 0 but still counts in the average, so RoIs partly outside the map are darkened; a
    point in ``[-1, 0]`` is clamped to row 0, one in ``[H - 1, H]`` uses row H - 1 only. With
    ``aligned`` a zero- or negative-size RoI gets an empty adaptive grid and gives 0. Unlike
    torchvision, batch indices are checked (torchvision truncates 1.7 to 1 and reads out of bounds
    for an index >= N) and non-finite coordinates are rejected. Results are identical for every
    thread count.
    """
    op = "roi_align"
    x, rois, size, scale = _roi_args(op, input, boxes, output_size, spatial_scale, uint8_ok=True)
    ratio = as_int(op, "sampling_ratio", sampling_ratio)
    return _cvcore.roi_align(x, rois, size, scale, ratio, bool(aligned), as_str(op, "device", device))


def crop_resize(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=True, *, device="cpu"):
    """Crops resized by bilinear sampling: ``roi_align``'s result up to float32 rounding, computed
    separably (much faster on images and other maps of few channels).

    Same arguments, sampling and output as :func:`roi_align` (except that ``aligned`` defaults to
    True: box corners are pixel edges, pixel i covers ``[i, i + 1)``). With the default adaptive
    ``sampling_ratio`` each output pixel averages ``ceil(box / output)`` bilinear samples per
    axis, so downscaled crops are smoothed as by an area resize rather than aliased.

    Parameters
    ----------
    {boxes}
    sampling_ratio : int
        Grid points per bin along each axis; ``<= 0``: ``ceil(roi_size / output_size)`` (adaptive).
        A positive value has ``roi_align``'s bound.
    aligned : bool
        Shift the scaled box by -0.5 (default True); False as in ``roi_align``.

    Returns
    -------
    ndarray float32, shape (K, C, PH, PW)

    A uint8 ``input`` (an image, NCHW) is read without conversion, as by ``roi_align``.

    Raises
    ------
    As :func:`roi_align`, naming ``crop_resize``.

    Notes
    -----
    ``roi_align`` adds its samples' bilinear taps one sample at a time; ``crop_resize`` sums the
    weights of the samples on each pixel instead, interpolates each image row the RoI reads along
    x once, then combines those rows along y. The sampling is the same (samples outside
    ``[-1, H]`` x ``[-1, W]`` add nothing but count in the average), so results agree with
    ``roi_align`` to a few float32 ulps of the largest value read, but not bit for bit; a NaN or
    infinite value reaches every output whose taps read it (also with zero weight). The cost is
    about ``rows read x PW x taps per column + PH x PW x taps per row`` per channel instead of
    ``PH x PW x samples x 4``. Results are identical for every thread count.
    """
    op = "crop_resize"
    x, rois, size, scale = _roi_args(op, input, boxes, output_size, spatial_scale, uint8_ok=True)
    ratio = as_int(op, "sampling_ratio", sampling_ratio)
    return _cvcore.crop_resize(x, rois, size, scale, ratio, bool(aligned), as_str(op, "device", device))


def roi_pool(input, boxes, output_size, spatial_scale=1.0, return_indices=False, *, device="cpu"):
    """RoI max pooling (Fast R-CNN), as ``torchvision.ops.roi_pool``: bit-identical to it on float32.

    The scaled RoI corners are rounded half away from zero (C ``round``) to ``(x1, y1, x2, y2)``;
    the RoI spans ``max(x2 - x1 + 1, 1)`` x ``max(y2 - y1 + 1, 1)`` pixels (inclusive); bin ``i``
    along an axis covers ``[floor(i * bin), ceil((i + 1) * bin))`` pixels from the RoI's start with
    ``bin = size / output_size`` (adjacent bins may overlap), clipped to the map. Each output is the
    bin's maximum; an empty bin gives 0.

    Parameters
    ----------
    {boxes}
    return_indices : bool
        Also return the argmax: for each output the flat index ``h * W + w`` within its input plane
        of the first maximum in row-major order, -1 for an empty bin (int64; torchvision's kernel
        computes it as ``argmax`` for the backward pass).

    Returns
    -------
    out : ndarray float32, shape (K, C, PH, PW)
    argmax : ndarray int64, shape (K, C, PH, PW)
        Only with ``return_indices``.

    Raises
    ------
    As ``roi_align`` (without the grid limit), and ValueError for planes of 2^31 values or more.

    Notes
    -----
    As torchvision: the comparison is a strict ``>``, so NaN map values are never chosen, and a
    non-empty bin of only NaN or -inf gives ``-3.4028235e38`` (-FLT_MAX) with argmax -1. Rounded
    coordinates beyond +-2^40 are clamped there (torchvision's int overflows). Batch indices are
    checked and non-finite coordinates rejected. Results are identical for every thread count.
    """
    op = "roi_pool"
    x, rois, size, scale = _roi_args(op, input, boxes, output_size, spatial_scale)
    return _cvcore.roi_pool(x, rois, size, scale, bool(return_indices), as_str(op, "device", device))


roi_align.__doc__ = roi_align.__doc__.replace("{boxes}", _BOXES_DOC)
roi_pool.__doc__ = roi_pool.__doc__.replace("{boxes}", _BOXES_DOC)
crop_resize.__doc__ = crop_resize.__doc__.replace("{boxes}", _BOXES_DOC)
