"""Spatial resizing of NCHW maps: ONNX Resize (``resize``) and ``torch.nn.functional.interpolate``'s
nearest and bilinear modes (``interpolate``)."""

import math

import numpy as np

from .. import _cvcore
from .._validation import as_float, as_float32, as_int, as_str


def _pair_of(op, name, value, convert):
    """value (one item or a sequence of two) as a tuple of two items converted by convert(op, name, v)."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ValueError(f"{op}: {name} must be one value or a pair (h, w), got {tuple(value)!r}")
        return convert(op, name, value[0]), convert(op, name, value[1])
    v = convert(op, name, value)
    return v, v


def _positive_scale(op, name, value):
    f = as_float(op, name, value)
    if not (math.isfinite(f) and f > 0):
        raise ValueError(f"{op}: {name} must be finite and > 0, got {value!r}")
    return f


def _size_and_scale(op, x, size, scale_factor, output_size):
    """The output size (h, w) and the scales of the coordinate transform: ``scale_factor`` and the
    sizes ``output_size(in, scale)`` gives, or ``size`` and ``out / in`` as float32 (onnxruntime's
    quotient)."""
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    spatial = x.shape[2:]
    if size is not None:
        size = _pair_of(op, "size", size, as_int)
        # A non-positive size or an empty input is C++'s to refuse; the quotient needs neither.
        scales = tuple(float(np.float32(o) / np.float32(i)) if o >= 1 and i >= 1 else 1.0
                       for o, i in zip(size, spatial))
        return size, scales
    scales = _pair_of(op, "scale_factor", scale_factor, _positive_scale)
    if min(spatial) < 1:  # C++ refuses the empty input itself
        return (1, 1), scales
    return tuple(output_size(i, s) for i, s in zip(spatial, scales)), scales


def _input(op, input):
    return as_float32(op, "input", input, ndims=(4,))


def resize(input, size=None, scale_factor=None, mode="nearest", coordinate_transformation_mode="half_pixel",
           nearest_mode="round_prefer_floor", *, device="cpu"):
    """ONNX ``Resize`` (opsets 11 to 21) of the two spatial axes of an NCHW map, as onnxruntime computes it.

    For each output index ``i`` along an axis of input length ``in`` and output length ``out``, with the
    axis's scale ``s``, the source coordinate ``c`` is (in float32, as onnxruntime):

    - ``"half_pixel"`` (ONNX's default): ``(i + 0.5) / s - 0.5``
    - ``"pytorch_half_pixel"``: ``(i + 0.5) / s - 0.5`` when ``out > 1``, else 0
    - ``"align_corners"``: ``i * (in - 1) / (out - 1)``, 0 when ``out == 1``
    - ``"asymmetric"``: ``i / s``
    - ``"half_pixel_symmetric"``: ``in / 2 * (1 - out / (s * in)) + (i + 0.5) / s - 0.5`` (the last sum
      in float64, as onnxruntime)

    ``mode="nearest"`` takes the input value at ``c`` rounded by ``nearest_mode``
    (``"round_prefer_floor"``, ONNX's default: halves down; ``"round_prefer_ceil"``: halves up;
    ``"floor"``; ``"ceil"``) and clamped to ``[0, in - 1]``; as onnxruntime 1.32, a coordinate within
    1e-6 of a half counts as the half (float32 coordinates of exact halves come out a few ulps off:
    ``(4 + 0.5) / (6 / 20) - 0.5`` computes as 14.499999). ``mode="linear"`` interpolates
    bilinearly between the two inputs around ``c`` clamped to ``[0, in - 1]``, with onnxruntime's
    weights and expression (``dx2 * dy2 * x11 + dx1 * dy2 * x21 + dx2 * dy1 * x12 + dx1 * dy1 * x22`` in
    float32), so results are onnxruntime's bit for bit (the tests compare every combination of modes).
    As onnxruntime: an axis whose float32 scale is 1 maps ``i`` to ``i``, and an output of the input's
    own size is a copy of the input, whatever the modes.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W)
        Real numbers; computed in float32 (converted once when needed). H, W >= 1; N and C may be 0.
    size : int or (int, int), optional
        The output (height, width), each >= 1: ONNX's ``sizes`` input. The scales are then
        ``float32(out) / float32(in)``, as onnxruntime computes them.
    scale_factor : float or (float, float), optional
        ONNX's ``scales`` for the two spatial axes (finite, > 0; the coordinates use them rounded to
        float32). The output size is ``floor(float32(scale) * float32(in))``, the float32 product
        onnxruntime computes; it must be >= 1. Exactly one of ``size`` and ``scale_factor``.
    mode : "nearest" (default) or "linear"
    coordinate_transformation_mode : str, default "half_pixel"
    nearest_mode : str, default "round_prefer_floor" (used by mode "nearest" only)

    Returns
    -------
    ndarray float32, shape (N, C, out_h, out_w)

    Raises
    ------
    TypeError for non-numeric data or arguments of the wrong type; ValueError for a rank other than 4,
    an empty plane, both or neither of ``size`` and ``scale_factor``, a size < 1, a scale that is not
    finite and > 0 (also as float32), an output that is empty or whose size in bytes overflows 64 bits,
    or an unknown mode name.

    Notes
    -----
    Not supported (the ONNX runner refuses them at load): modes "cubic", "tf_crop_and_resize",
    antialias, exclude_outside, ``axes`` other than the spatial ones and ``keep_aspect_ratio_policy``
    other than "stretch" (the runner folds those into ``size``). Integer upsampling in nearest mode
    (the x2 of FPN necks) writes each source value ``factor`` times per row and copies repeated rows.
    Results are identical for every thread count.
    """
    op = "resize"
    x = _input(op, input)
    size, scales = _size_and_scale(op, x, size, scale_factor, lambda i, s: _cvcore.resize_output_size(i, s, op))
    return _cvcore.resize(x, size, as_str(op, "mode", mode),
                          as_str(op, "coordinate_transformation_mode", coordinate_transformation_mode),
                          as_str(op, "nearest_mode", nearest_mode), scales, op, as_str(op, "device", device))


def _pytorch_size(op, size, scale):
    """PyTorch's output size from a scale factor: floor(size * scale) in float64, >= 1, fitting 64 bits."""
    out = math.floor(size * scale)
    if out < 1:
        raise ValueError(f"{op}: scale_factor {scale!r} on a size of {size} gives an empty output "
                         f"(floor({size * scale!r}) = {out})")
    if out >= 2**63:
        raise ValueError(f"{op}: scale_factor {scale!r} on a size of {size} gives an output size that does not fit "
                         "64 bits")
    return out


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, *, device="cpu"):
    """``torch.nn.functional.interpolate`` of an NCHW map in modes "nearest" and "bilinear", as
    ``torch.onnx.export`` writes it to ONNX and onnxruntime computes it.

    The mapping to ``resize`` (ONNX Resize):

    - ``mode="nearest"``: ``coordinate_transformation_mode="asymmetric"``, ``nearest_mode="floor"``:
      output ``i`` takes input ``floor(i / s)``.
    - ``mode="bilinear"``, ``align_corners=False`` (or None, the default): ``"pytorch_half_pixel"``;
      ``align_corners=True``: ``"align_corners"``.

    The scale ``s`` of each axis is ``scale_factor`` when given (PyTorch uses it, not ``in / out``, for
    the coordinates unless asked to recompute it), else ``out / in``. The output size from
    ``scale_factor`` is PyTorch's: ``floor(in * scale_factor)`` in float64.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W)
        Real numbers; computed in float32. H, W >= 1. (A 3-D input is a 1-D interpolation in PyTorch
        and is refused here.)
    size : int or (int, int), optional
        The output (height, width), each >= 1.
    scale_factor : float or (float, float), optional
        Finite, > 0, giving an output of at least one pixel. Exactly one of ``size`` and
        ``scale_factor``.
    mode : "nearest" (default) or "bilinear"
    align_corners : bool or None
        Only with "bilinear" (PyTorch's rule); None means False.

    Returns
    -------
    ndarray float32, shape (N, C, out_h, out_w)

    Raises
    ------
    TypeError / ValueError as ``resize``, and ValueError for another mode or ``align_corners`` given
    with "nearest".

    Notes
    -----
    The coordinates are onnxruntime's float32 quotients ``i / s`` (an exported model's semantics).
    PyTorch's own CPU kernel multiplies by a float32 reciprocal instead, so where a coordinate lies
    within a rounding error of an integer it may pick the neighbouring pixel (nearest) or weights
    differing in the last bits (bilinear). Results are identical for every thread count.
    """
    op = "interpolate"
    x = _input(op, input)
    mode = as_str(op, "mode", mode)
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError(f"{op}: align_corners can only be set with mode 'bilinear', got mode 'nearest' and "
                             f"align_corners={align_corners!r}")
        coordinates, nearest = "asymmetric", "floor"
    elif mode == "bilinear":
        if align_corners is not None and not isinstance(align_corners, (bool, np.bool_)):
            raise TypeError(f"{op}: align_corners must be a bool or None, got {align_corners!r}")
        coordinates, nearest = ("align_corners" if align_corners else "pytorch_half_pixel"), "round_prefer_floor"
    else:
        raise ValueError(f"{op}: mode must be one of 'nearest', 'bilinear', got {mode!r}")
    size, scales = _size_and_scale(op, x, size, scale_factor, lambda i, s: _pytorch_size(op, i, s))
    return _cvcore.resize(x, size, "nearest" if mode == "nearest" else "linear", coordinates, nearest, scales, op,
                          as_str(op, "device", device))
