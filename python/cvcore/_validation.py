"""Argument normalisation shared by the public modules.

Python normalises, C++ checks. These helpers turn arguments into what the C++ ops take (C-contiguous
NumPy arrays of the op's dtype; Python ints, floats and strs; None for an absent array) and raise
only what that conversion needs: TypeError for an argument of the wrong type, and the rank rules of
the extra forms the Python API accepts (a (C, H, W) map as a batch of one, a scalar slope as (1,),
...). Every other rule (ranks, shapes, value ranges, names) is checked once, by the C++ op, whose
message names the op, the argument and the value received: "<op>: <argument> must be <expected>,
got <received>".

Dtypes follow one rule:

- CNN ops (convolution, pooling, batch norm, linear, activations, softmax, RoI pooling) compute in
  float32: every real dtype is converted to it once (``as_float32``); the ops that read images also
  take uint8 as it is (``uint8_pixels``).
- The ops that keep the caller's precision (box ops, NMS, detection post-processing, box coders,
  scale_boxes, k-means, nearest neighbours) keep float32 and float64, round float16 up to float32 and
  turn integers into float64 (exact for every int32, and for int64 up to 2**53); the arrays of one
  call share the widest of their dtypes (``as_float32_or_64``), except that k-means' weights and
  initial centres, and new data for fitted centres or training data, take the data's dtype
  (``as_float_dtype``).

bool, complex, string and object data raise TypeError everywhere.
"""

import contextlib
import math
import numbers

import numpy as np

_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


def real_array(op, name, x, ndims=None):
    """x as an ndarray (no copy) of a real numeric dtype, else TypeError; with one of ``ndims``
    dimensions when given, else ValueError. For the arrays that keep their dtype."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"{op}: {name} must be a real numeric array, got dtype {arr.dtype}")
    if ndims is not None and arr.ndim not in ndims:
        expected = " or ".join(str(n) for n in ndims)
        raise ValueError(f"{op}: {name} must have {expected} dimensions, got {arr.ndim} (shape {arr.shape})")
    return arr


def as_float32(op, name, x, ndims=None):
    """x as a C-contiguous float32 ndarray (a copy only when needed).

    Real numeric dtypes are converted once; bool, complex, string and object data raise TypeError.
    ``ndims``, when given, is the tuple of ranks of the forms the caller accepts.
    """
    if type(x) is np.ndarray and x.dtype == _FLOAT32 and x.flags.c_contiguous and (ndims is None or x.ndim in ndims):
        return x  # the common case, without the conversions' overhead
    return np.asarray(real_array(op, name, x, ndims), dtype=np.float32, order="C")


def as_float32_or_64(op, *names_and_arrays):
    """The arrays of an op that keeps the caller's precision, given as ``name, x[, name2, x2, ...]``,
    as C-contiguous ndarrays of one dtype: float64 when any of them is an integer array or a float
    wider than 32 bits, else float32 (float32 and float16). One array gives an ndarray, several a
    tuple, in order."""
    arrays = names_and_arrays[1::2]
    dtype = arrays[0].dtype if type(arrays[0]) is np.ndarray else None
    if dtype == _FLOAT32 or dtype == _FLOAT64:  # the common case: C-contiguous, all float32 or all float64
        for a in arrays:
            if type(a) is not np.ndarray or a.dtype != dtype or not a.flags.c_contiguous:
                break
        else:
            return arrays if len(arrays) > 1 else arrays[0]
    arrays = [real_array(op, name, x) for name, x in zip(names_and_arrays[::2], arrays)]
    wide = any(a.dtype.kind != "f" or a.dtype.itemsize > 4 for a in arrays)
    out = tuple(np.asarray(a, dtype=_FLOAT64 if wide else _FLOAT32, order="C") for a in arrays)
    return out if len(out) > 1 else out[0]


def as_float64(op, name, x):
    """x as a C-contiguous float64 ndarray, for computations an op makes in float64 whatever the input
    (anchor statistics, metrics)."""
    if type(x) is np.ndarray and x.dtype == _FLOAT64 and x.flags.c_contiguous:
        return x  # as as_float32
    return np.asarray(real_array(op, name, x), dtype=np.float64, order="C")


def as_float_dtype(op, name, x, dtype):
    """x as a C-contiguous ndarray of ``dtype``, float32 or float64: the dtype of the data that x goes
    with (k-means' weights and initial centres; new data for fitted centres or training data)."""
    return as_float32(op, name, x) if dtype == _FLOAT32 else as_float64(op, name, x)


def as_int64(op, name, x):
    """x as a C-contiguous int64 ndarray of labels or ids: integer dtypes (and an empty float array, as
    NumPy makes ``[]`` float64) whose values fit int64."""
    arr = np.asarray(x)
    if arr.size == 0 and arr.dtype.kind == "f":
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{op}: {name} must be an integer array, got dtype {arr.dtype}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{op}: {name} must fit in int64, got {arr.max()}")
    return np.asarray(arr, dtype=np.int64, order="C")


def epilogue(op, activation, prelu_weight):
    """The fused activation of conv2d / linear as (name, slopes) for the C++ op, which checks both.

    ``activation`` is None (no activation) or a name; ``prelu_weight`` (a scalar, (1,) or one slope per
    output channel) is None or an array of slopes, a scalar becoming (1,).
    """
    name = "none" if activation is None else as_str(op, "activation", activation)
    slopes = None if prelu_weight is None else as_float32(op, "prelu_weight", prelu_weight, ndims=(0, 1)).reshape(-1)
    return name, slopes


def as_str(op, name, value):
    """value when it is a str (a name that C++ parses), else TypeError."""
    if type(value) is not str:
        raise TypeError(f"{op}: {name} must be a str, got {value!r}")
    return value


def as_int(op, name, value, minimum=None):
    """value as a Python int (bool rejected), checked against ``minimum``."""
    if type(value) is not int:  # plain ints skip the (slow) abstract-class checks
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{op}: {name} must be an int, got {value!r}")
        value = int(value)
    if not -2**63 <= value < 2**63:
        raise ValueError(f"{op}: {name} must fit in 64 bits, got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value}")
    return value


def check_nbytes(op, what, shape, itemsize):
    """ValueError naming ``what`` when an array of ``shape`` with ``itemsize``-byte elements, which the
    caller allocates with NumPy, would not have a size in bytes that fits 64 bits, also when it has
    no elements (NumPy's limit; the C++ ops check their own outputs)."""
    if math.prod(d for d in shape if d) * itemsize >= 2**63:
        raise ValueError(f"{op}: {what} of shape {tuple(shape)} is too large: its size in bytes overflows 64 bits")


def _plain(value, minimum):
    # A plain int in range (the common case, checked without the abstract-class machinery).
    return type(value) is int and (minimum if minimum is not None else -2**63) <= value < 2**63


def pair(op, name, value, minimum=None):
    """An int or a sequence of two ints, as a tuple of two ints (PyTorch's _pair)."""
    if _plain(value, minimum):
        return value, value
    if type(value) is tuple and len(value) == 2 and _plain(value[0], minimum) and _plain(value[1], minimum):
        return value
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {tuple(value)!r}")
        return as_int(op, name, value[0], minimum), as_int(op, name, value[1], minimum)
    value = as_int(op, name, value, minimum)
    return value, value


def uint8_pixels(x, ndims):
    """x as a C-contiguous uint8 array when it is a NumPy uint8 array with one of `ndims` dimensions
    (pixels, which the ops that accept them read as their values), else None."""
    if isinstance(x, np.ndarray) and x.dtype == np.uint8 and x.ndim in ndims:
        return np.ascontiguousarray(x)
    return None


def batched_nchw(op, x):
    """x as float32 (N, C, H, W), and whether a (C, H, W) input was given (to squeeze back)."""
    arr = as_float32(op, "input", x, ndims=(3, 4))
    if arr.ndim == 3:
        return arr[None], True
    return arr, False


def as_float(op, name, value):
    """value as a Python float: a real number (strs are not parsed), else TypeError. Its range is the
    C++ op's to check."""
    if type(value) is float:
        return value
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}") from None


def check_finite_scalar(op, name, value):
    """value as a finite Python float, for values Python computes with itself."""
    f = as_float(op, name, value)
    if not np.isfinite(f):
        raise ValueError(f"{op}: {name} must be finite, got {value!r}")
    return f


def check_positive_scalar(op, name, value):
    """value as a finite Python float > 0 (a stride, a scale, a size), for values Python computes with."""
    f = as_float(op, name, value)
    if not (np.isfinite(f) and f > 0):
        raise ValueError(f"{op}: {name} must be a finite number > 0, got {value!r}")
    return f


def as_sequence(op, name, value, length=None):
    """value as a list: a list, tuple, array or other sized iterable (not a str or bytes), else
    TypeError; with ``length`` items when given, else ValueError."""
    if (isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not hasattr(value, "__iter__")
            or (isinstance(value, np.ndarray) and value.ndim == 0)):
        raise TypeError(f"{op}: {name} must be a sequence, got {value!r}")
    items = list(value)
    if length is not None and len(items) != length:
        raise ValueError(f"{op}: {name} must have {length} items, got {len(items)} ({value!r})")
    return items


def finite_reals(op, name, value, length=None, positive=False):
    """value as a tuple of finite Python floats (``length`` of them when given; > 0 with ``positive``),
    for the per-component constants that Python computes with (variances, weights, paddings)."""
    items = as_sequence(op, name, value, length)
    check = check_positive_scalar if positive else check_finite_scalar
    return tuple(check(op, f"{name}[{i}]", v) for i, v in enumerate(items))


@contextlib.contextmanager
def allocating(op, what, shape, itemsize):
    """A block of NumPy code that builds `what` of `shape` (items of `itemsize` bytes) for the op: a
    ValueError when its size in bytes overflows 64 bits (check_nbytes), a MemoryError naming the op and
    the bytes when the memory cannot hold it (NumPy's own errors say neither)."""
    shape = tuple(int(d) for d in shape)
    check_nbytes(op, what, shape, itemsize)
    try:
        yield
    except MemoryError:
        raise MemoryError(f"{op}: cannot allocate {itemsize * math.prod(shape)} bytes for {what} of shape "
                          f"{shape}") from None


def channels_last_flat(x):
    """x of shape (N, C, d2, d3, ...) viewed as (N, C, d2 * d3 * ...) when it has more than 3
    dimensions, so that every rank fits the C++ array views (at most 6 dimensions)."""
    if x.ndim <= 3:
        return x
    return x.reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:]))
