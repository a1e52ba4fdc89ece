"""Reference activations and softmax, from the definitions, in float64 (math.erf for GELU).

Where a definition reads ``x * gate(x)`` and gives ``-inf * 0`` at x = -inf, the reference takes
the limit, -0.0.
"""

import math

import numpy as np

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _f64(x):
    return np.asarray(x, np.float64)


def _gated(x, gate):
    with np.errstate(invalid="ignore"):
        out = x * gate
    return np.where(x == -np.inf, -0.0, out)


def relu(x):
    x = _f64(x)
    return np.where(x < 0, 0.0, x)


def relu6(x):
    x = _f64(x)
    return np.where(x < 0, 0.0, np.where(x > 6, 6.0, x))


def leaky_relu(x, negative_slope=0.01):
    x = _f64(x)
    with np.errstate(invalid="ignore"):
        return np.where(x > 0, x, x * negative_slope)


def prelu(x, weight):
    x = _f64(x)
    w = _f64(weight).reshape(-1)
    if w.size > 1:
        w = w.reshape((1, -1) + (1,) * (x.ndim - 2))
    return np.where(x > 0, x, x * w)


def elu(x, alpha=1.0):
    x = _f64(x)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x > 0, x, alpha * np.expm1(x))


def selu(x):
    return SELU_SCALE * elu(x, SELU_ALPHA)


def sigmoid(x):
    x = _f64(x)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(_f64(x))


def gelu(x, approximate="none"):
    x = _f64(x)
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        # 0.5 * (1 + tanh(u)) == sigmoid(2u), without the cancellation at large negative u.
        return _gated(x, sigmoid(2 * u))
    erfc = np.vectorize(math.erfc, otypes=[np.float64])
    return _gated(x, 0.5 * erfc(-x / math.sqrt(2))) if x.size else x.copy()


def silu(x):
    x = _f64(x)
    return _gated(x, sigmoid(x))


def hardswish(x):
    x = _f64(x)
    return _gated(x, np.clip(x + 3, 0, 6) / 6)


def hardsigmoid(x, alpha=1 / 6, beta=0.5):
    x = _f64(x)
    with np.errstate(invalid="ignore"):
        return np.clip(alpha * x + beta, 0.0, 1.0)  # np.clip keeps NaN


def clip(x, min=None, max=None):
    """min(max(x, min), max) by comparisons: a bound replaces x only when x is beyond it, so NaN and
    -0.0 (against a bound of 0) stay, and a min above max gives max."""
    x = _f64(x)
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    t = np.where(x < lo, lo, x)
    return np.where(t > hi, hi, t)


def _log1pexp(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def mish(x):
    x = _f64(x)
    return _gated(x, np.tanh(_log1pexp(x)))


def softplus(x, beta=1.0, threshold=20.0):
    x = _f64(x)
    z = x * beta
    with np.errstate(invalid="ignore"):
        return np.where(z > threshold, x, _log1pexp(z) / beta)


def softmax(x, axis=-1):
    x = _f64(x)
    if x.size == 0:
        return x.copy()
    with np.errstate(invalid="ignore"):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = _f64(x)
    if x.size == 0:
        return x.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
