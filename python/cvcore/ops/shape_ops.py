"""Tensor manipulation: ``concat``, ``transpose``, ``slice`` and ``pad``, with NumPy's and ONNX's semantics.

These move data without computing on it: they take arrays of the dtypes cvcore's core holds (float32,
float64, int32, int64, uint8; others raise TypeError), copy them bit for bit (NaN payloads and -0.0
included) and return a new C-contiguous array of the input's dtype. Arrays have at most 6 dimensions;
non-contiguous or read-only inputs are read as they are (copied once into a contiguous array).
Results are identical for every thread count.
"""

import numpy as np

from .. import _cvcore
from .._validation import as_float, as_int, as_sequence, as_str


def _array(x):
    # The array as the C++ ops read it: C-contiguous (a copy only when needed), its dtype kept (the core
    # checks it), 0-d kept 0-d.
    return np.asarray(x, order="C")


def _ints(op, name, values):
    return [as_int(op, f"{name}[{i}]", v) for i, v in enumerate(as_sequence(op, name, values))]


def concat(arrays, axis=0, *, device="cpu"):
    """``np.concatenate(arrays, axis)`` (ONNX's Concat) of arrays of one dtype.

    Parameters
    ----------
    arrays : sequence of array_like
        At least one; all of one dtype (no promotion: mixed dtypes raise TypeError) and rank (>= 1),
        with equal sizes except along ``axis``.
    axis : int
        In ``[-ndim, ndim)``.

    Raises
    ------
    ValueError for no arrays, a bad axis, or shapes that differ outside ``axis`` (naming both);
    TypeError for mixed or unsupported dtypes.
    """
    op = "concat"
    items = [_array(a) for a in as_sequence(op, "arrays", arrays)]
    return _cvcore.concat(items, as_int(op, "axis", axis), as_str(op, "device", device))


def transpose(input, perm=None, *, device="cpu"):
    """``np.transpose(input, perm)`` made contiguous (ONNX's Transpose): ``out.shape[i] =
    input.shape[perm[i]]``.

    ``perm`` is a permutation of ``0 .. ndim - 1`` (no negative values, as ONNX), or None for the
    reversed axes (the default of both NumPy and ONNX). Contiguous runs are copied whole; a transpose
    that moves the innermost axis (NCHW to NHWC, say) is done in cache-sized tiles.

    Raises
    ------
    ValueError when perm is not a permutation of the input's axes.
    """
    op = "transpose"
    x = _array(input)
    perm = list(range(x.ndim))[::-1] if perm is None else _ints(op, "perm", perm)
    return _cvcore.transpose(x, perm, as_str(op, "device", device))


def slice(input, starts, ends, axes=None, steps=None, *, device="cpu"):
    """ONNX's Slice (opset 10 and later): ``input[start:end:step]`` along each listed axis.

    Parameters
    ----------
    input : array_like
    starts, ends : sequence of int
        One per listed axis. Negative values count from the end of the axis (``+ size``); then, for a
        positive step, both are clamped to ``[0, size]``, and for a negative step ``start`` to
        ``[0, size - 1]`` and ``end`` to ``[-1, size - 1]`` (so ``end = -size - 1`` or less means "through
        the first element"). Any 64-bit value is valid: exporters write ``2**63 - 1`` and ``-2**63``
        for "to the end".
    axes : sequence of int, optional
        The axes the values apply to, each at most once, negative ones counting from the end; default
        ``0, 1, ..., len(starts) - 1``. Axes not listed are kept whole.
    steps : sequence of int, optional
        Non-zero; default 1. A negative step walks the axis backwards.

    Returns
    -------
    ndarray of the input's dtype: NumPy's ``input[...]`` with those clamped slices, made contiguous.

    Raises
    ------
    ValueError for lists of different lengths, an axis out of range or listed twice, a zero step.
    """
    op = "slice"
    starts, ends = _ints(op, "starts", starts), _ints(op, "ends", ends)
    axes = [] if axes is None else _ints(op, "axes", axes)
    steps = [] if steps is None else _ints(op, "steps", steps)
    return _cvcore.slice(_array(input), starts, ends, axes, steps, as_str(op, "device", device))


def pad(input, pads, mode="constant", value=0.0, *, device="cpu"):
    """ONNX's Pad: ``pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...]`` elements added before and
    after each axis (2 * ndim values; negative values remove elements).

    Modes (onnxruntime's rules):

    - ``"constant"``: every added element is ``value``, converted to the input's dtype: rounded to
      float32 / float64 (±inf beyond float32's range), truncated toward zero for the integer dtypes,
      whose range it must lie in (NumPy's ``np.pad`` wraps it instead). An int64 value beyond 2**53 is
      rounded to a float64 on the way.
    - ``"reflect"``: NumPy's ``np.pad(mode="reflect")``, the axis mirrored without repeating its edge
      (``3 2 | 1 2 3 4 | 3 2``); at most ``size - 1`` elements on each side.
    - ``"edge"``: the edge values repeated (NumPy's ``"edge"``); the axis must not be empty.

    With negative pads, the crop comes first: ``"reflect"`` and ``"edge"`` mirror or repeat the cropped
    axis (``np.pad`` of the cropped array). In ``"constant"`` mode output ``o`` of an axis reads input
    ``o - begin`` where that index exists, which is the same.

    Raises
    ------
    ValueError for a pads list of the wrong length, an output size below 0, reflect pads of size or
    more, edge or reflect pads on an empty axis, an unknown mode, or a value outside an integer
    dtype's range.
    """
    op = "pad"
    pads = _ints(op, "pads", pads)
    return _cvcore.pad(_array(input), pads, as_str(op, "mode", mode), as_float(op, "value", value),
                       as_str(op, "device", device))
