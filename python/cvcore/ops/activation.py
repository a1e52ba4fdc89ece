"""Activation functions and softmax, with PyTorch's definitions (torch.nn.functional); clip is ONNX's Clip.

Every function takes an array of any rank and returns a float32 array of the same shape. Inputs of
other real dtypes are converted once; bool, complex, string and object data raise TypeError.
relu, relu6, leaky_relu, prelu, hardswish, hardsigmoid and clip are computed in float64 and rounded
once. The transcendental ones and softmax use float32 SIMD kernels (exp by range reduction and a polynomial,
expm1, log1p, the normal tail e^(-x^2/2) times a fitted polynomial) in formulations that stay
accurate in the tails, carrying the arguments that need it (x - max, x^2 / 2, beta * x, the tanh-gelu
argument) in two floats: measured errors are at most 2-3 ulp (sigmoid, tanh, elu, selu, silu,
softplus, gelu(approximate="tanh"), softmax, log_softmax), 4-5 ulp (mish, gelu, softplus with a
beta that is not a float32 value), i.e. below 4e-7 relative where the result is a normal float,
and a few subnormal steps below. Results are identical for every thread count (not across SIMD
instruction sets). NaN in gives NaN out.

Where PyTorch's float32 kernels give NaN at ±inf only because of ``inf * 0`` (gelu at ±inf,
gelu(approximate="tanh"), silu, hardswish and mish at -inf), these functions give the limit
instead: +inf at +inf, -0.0 at -inf.
"""

import math

from .. import _cvcore
from .._validation import as_float, as_float32, as_int, as_str, channels_last_flat


def _elementwise(op, input, device, **params):
    x = as_float32(op, "input", input)
    # A flat view: any rank fits the C++ views, and the op is elementwise.
    return _cvcore.activation(x.reshape(-1), op, as_str(op, "device", device), **params).reshape(x.shape)


def relu(input, *, device="cpu"):
    """``max(x, 0)``, elementwise; ``relu(-0.0)`` is -0.0 and ``relu(NaN)`` is NaN, as PyTorch."""
    return _elementwise("relu", input, device)


def relu6(input, *, device="cpu"):
    """``min(max(x, 0), 6)``, elementwise (PyTorch's hardtanh(x, 0, 6): -0.0 and NaN pass through)."""
    return _elementwise("relu6", input, device)


def leaky_relu(input, negative_slope=0.01, *, device="cpu"):
    """``x if x > 0 else negative_slope * x``, elementwise.

    ``negative_slope`` is a finite real number (any sign).
    """
    op = "leaky_relu"
    return _elementwise(op, input, device, negative_slope=as_float(op, "negative_slope", negative_slope))


def prelu(input, weight, *, device="cpu"):
    """``x if x > 0 else weight[c] * x`` with a learned slope, as ``torch.nn.functional.prelu``.

    Parameters
    ----------
    input : array_like, any rank
        Channels on axis 1 when it has at least 2 dimensions.
    weight : array_like, shape (1,), (C,) or a scalar
        One slope shared by every element, or one per channel ``c = index along axis 1``
        (``C = input.shape[1]``; an input with fewer than 2 dimensions has one channel).

    Returns
    -------
    ndarray float32 of the input's shape.

    Raises
    ------
    TypeError for non-numeric data; ValueError when weight has more than one dimension or its
    length is neither 1 nor C.
    """
    op = "prelu"
    x = as_float32(op, "input", input)
    w = as_float32(op, "weight", weight, ndims=(0, 1)).reshape(-1)
    return _cvcore.prelu(channels_last_flat(x), w, as_str(op, "device", device)).reshape(x.shape)


def elu(input, alpha=1.0, *, device="cpu"):
    """``x if x > 0 else alpha * (exp(x) - 1)``, elementwise (expm1, accurate near 0).

    ``alpha`` is a finite real number.
    """
    op = "elu"
    return _elementwise(op, input, device, alpha=as_float(op, "alpha", alpha))


def selu(input, *, device="cpu"):
    """``scale * (x if x > 0 else alpha * (exp(x) - 1))`` with PyTorch's constants
    ``alpha = 1.6732632423543772848170429916717`` and ``scale = 1.0507009873554804934193349852946``.
    """
    return _elementwise("selu", input, device)


def sigmoid(input, *, device="cpu"):
    """``1 / (1 + exp(-x))``, evaluated as ``exp(x) / (1 + exp(x))`` for x < 0 (no overflow)."""
    return _elementwise("sigmoid", input, device)


def tanh(input, *, device="cpu"):
    """Hyperbolic tangent, elementwise."""
    return _elementwise("tanh", input, device)


def gelu(input, approximate="none", *, device="cpu"):
    """Gaussian error linear unit, as ``torch.nn.functional.gelu``.

    ``approximate="none"``: ``x * Phi(x) = x / 2 * (1 + erf(x / sqrt(2)))``, evaluated as
    ``x / 2 * erfc(-x / sqrt(2))`` (accurate for large negative x, where PyTorch's float32 kernel
    returns -0.0 for values that float32 can still represent).

    ``approximate="tanh"``: ``x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``, evaluated
    as ``x * sigmoid(2 * sqrt(2 / pi) * (x + 0.044715 * x**3))``.

    gelu(+inf) is +inf and gelu(-inf) is -0.0 for both (PyTorch gives NaN at ±inf / at -inf).

    Raises
    ------
    ValueError when approximate is neither "none" nor "tanh".
    """
    op = "gelu"
    x = as_float32(op, "input", input)
    # Any other value reaches the C++ parser as text: a ValueError naming the two choices and it.
    approximate = approximate if type(approximate) is str else str(approximate)
    return _cvcore.gelu(x.reshape(-1), approximate, as_str(op, "device", device)).reshape(x.shape)


def silu(input, *, device="cpu"):
    """``x * sigmoid(x)`` (swish), elementwise; silu(-inf) is -0.0."""
    return _elementwise("silu", input, device)


def hardswish(input, *, device="cpu"):
    """``x * min(max(x + 3, 0), 6) / 6``, elementwise; hardswish(-inf) is -0.0."""
    return _elementwise("hardswish", input, device)


def mish(input, *, device="cpu"):
    """``x * tanh(softplus(x))`` with ``softplus(x) = log(1 + exp(x))``, elementwise, evaluated as
    ``max(x, 0) + log1p(exp(-|x|))`` (no overflow); mish(-inf) is -0.0."""
    return _elementwise("mish", input, device)


def softplus(input, beta=1.0, threshold=20.0, *, device="cpu"):
    """``log(1 + exp(beta * x)) / beta``, reverting to ``x`` where ``beta * x > threshold``
    (PyTorch's rule), elementwise.

    ``log(1 + exp(z))`` is evaluated as ``max(z, 0) + log1p(exp(-|z|))``, so it neither overflows
    nor loses accuracy for large negative z. ``beta`` is a finite non-zero real number (negative
    allowed, as PyTorch), ``threshold`` a real number (not NaN; infinities allowed).

    Raises
    ------
    TypeError for a non-numeric beta or threshold; ValueError for a zero or non-finite beta or a NaN
    threshold.
    """
    op = "softplus"
    return _elementwise(op, input, device, beta=as_float(op, "beta", beta),
                        threshold=as_float(op, "threshold", threshold))


def hardsigmoid(input, alpha=1 / 6, beta=0.5, *, device="cpu"):
    """``max(0, min(1, alpha * x + beta))``, elementwise, computed in float64 and rounded once.

    The defaults are PyTorch's (``hardsigmoid(x) = min(max(x + 3, 0), 6) / 6``); ONNX's HardSigmoid
    defaults to ``alpha=0.2``. ``alpha`` and ``beta`` are finite real numbers (any sign). NaN stays
    NaN, also where ``alpha * x`` is NaN (alpha 0 with an infinite x).

    Raises
    ------
    TypeError for a non-numeric alpha or beta; ValueError for a non-finite one.
    """
    op = "hardsigmoid"
    return _elementwise(op, input, device, hardsigmoid_alpha=as_float(op, "alpha", alpha),
                        hardsigmoid_beta=as_float(op, "beta", beta))


def clip(input, min=None, max=None, *, device="cpu"):
    """``min(max(x, min), max)``, elementwise (ONNX's Clip, NumPy's ``np.clip`` on float32).

    ``min`` / ``max`` are real numbers (infinities allowed, not NaN) or None for no bound. As
    ``np.clip`` and onnxruntime, a ``min`` above ``max`` gives ``max`` everywhere; NaN stays NaN and
    ``clip(-0.0, 0.0)`` is -0.0. A bound that float32 does not hold is compared in float64 and the
    result rounded once. ONNX's Clip without a max clamps +inf to the largest float32
    (``numeric_limits::max()``); here a bound of None leaves infinities as they are.

    Raises
    ------
    TypeError for a bound that is not a real number; ValueError for a NaN bound.
    """
    op = "clip"
    bounds = {}
    if min is not None:
        bounds["clip_min"] = as_float(op, "min", min)
    if max is not None:
        bounds["clip_max"] = as_float(op, "max", max)
    return _elementwise(op, input, device, **bounds)


def _softmax(op, input, axis, log, device):
    x = as_float32(op, "input", input)
    axis = as_int(op, "axis", axis)
    ndim = max(x.ndim, 1)  # a 0-d input is a slice of one element, as PyTorch
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis must be in [{-ndim}, {ndim - 1}] for input shape {x.shape}, got {axis}")
    axis %= ndim
    shape = x.shape or (1,)
    outer = math.prod(shape[:axis])  # (np.prod would cost ~10 us per call here)
    inner = math.prod(shape[axis + 1:])
    # Viewed as (outer, n, inner): any rank fits the C++ views.
    return _cvcore.softmax(x.reshape(outer, shape[axis], inner), 1, log, as_str(op, "device", device)).reshape(x.shape)


def softmax(input, axis=-1, *, device="cpu"):
    """``exp(x - m) / sum(exp(x - m))`` along ``axis``, with m the slice's maximum.

    Parameters
    ----------
    input : array_like, any rank (a 0-d input is one slice of one element)
    axis : int
        In ``[-ndim, ndim)``; default the last axis. (PyTorch calls it ``dim`` and has no default.)

    Returns
    -------
    ndarray float32 of the input's shape; each slice sums to 1 up to rounding.

    Notes
    -----
    Sums are compensated (float32 with exact error terms, finished in float64) in axis order.
    As PyTorch, a slice whose elements are all -inf,
    or that holds +inf or NaN, gives NaN throughout; -inf elements of other slices give 0.
    """
    return _softmax("softmax", input, axis, False, device)


def log_softmax(input, axis=-1, *, device="cpu"):
    """``(x - m) - log(sum(exp(x - m)))`` along ``axis``, m the slice's maximum.

    Same arguments and special values as :func:`softmax`; -inf elements of a slice that has a
    finite element give -inf. Accurate where ``log(softmax(x))`` would underflow.
    """
    return _softmax("log_softmax", input, axis, True, device)
