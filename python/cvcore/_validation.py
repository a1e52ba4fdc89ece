"""Argument normalisation shared by the public modules: one place that formats
"<op>: <argument> must be <expected>, got <received>"."""

import math
import numbers

import numpy as np


def _real_array(op, name, x, ndims):
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
    ``ndims``, when given, is the tuple of accepted ranks.
    """
    if type(x) is np.ndarray and x.dtype == np.float32 and x.flags.c_contiguous and (ndims is None or x.ndim in ndims):
        return x  # the common case, without the conversions' overhead (a few microseconds per op)
    return np.asarray(_real_array(op, name, x, ndims), dtype=np.float32, order="C")


def as_float32_or_64(op, name, x, ndims=None, float64=False):
    """x as a C-contiguous float64 ndarray when it is float64 (or ``float64`` is true), else as
    ``as_float32`` does: the precision rule of the box ops, k-means and metrics."""
    arr = _real_array(op, name, x, ndims)
    dtype = np.float64 if float64 or arr.dtype == np.float64 else np.float32
    return np.asarray(arr, dtype=dtype, order="C")


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


def check_finite_scalar(op, name, value):
    """value as a finite Python float (strings are not parsed)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: {name} must be a real number, got {value!r}") from None
    if not np.isfinite(f):
        raise ValueError(f"{op}: {name} must be finite, got {value!r}")
    return f


def channels_last_flat(x):
    """x of shape (N, C, d2, d3, ...) viewed as (N, C, d2 * d3 * ...) when it has more than 3
    dimensions, so that every rank fits the C++ array views (at most 6 dimensions)."""
    if x.ndim <= 3:
        return x
    return x.reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:]))
