"""Reference batch norm and BN folding, from the definitions, in float64."""

import numpy as np


def batch_norm(x, mean, var, weight=None, bias=None, eps=1e-5):
    """(x - mean) / sqrt(var + eps) * weight + bias along axis 1 of x (N, C, ...)."""
    x = np.asarray(x, np.float64)
    c = x.shape[1]
    shape = (1, c) + (1,) * (x.ndim - 2)
    w = np.ones(c) if weight is None else np.asarray(weight, np.float64)
    b = np.zeros(c) if bias is None else np.asarray(bias, np.float64)
    mean, var = np.asarray(mean, np.float64), np.asarray(var, np.float64)
    with np.errstate(all="ignore"):
        return ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * w.reshape(shape)
                + b.reshape(shape))


def batch_norm_bound(x, mean, var, weight=None, bias=None, eps=1e-5):
    """The magnitude the float32 result's rounding error is relative to:
    |x - mean| * |scale| + |bias| per element."""
    x = np.asarray(x, np.float64)
    c = x.shape[1]
    shape = (1, c) + (1,) * (x.ndim - 2)
    w = np.ones(c) if weight is None else np.asarray(weight, np.float64)
    b = np.zeros(c) if bias is None else np.asarray(bias, np.float64)
    scale = np.abs(w) / np.sqrt(np.asarray(var, np.float64) + eps)
    with np.errstate(all="ignore"):
        return np.abs(x - np.asarray(mean, np.float64).reshape(shape)) * scale.reshape(shape) + np.abs(b).reshape(shape)


def fold_batch_norm(conv_weight, conv_bias, mean, var, weight=None, bias=None, eps=1e-5):
    """(folded_weight, folded_bias) in float64."""
    cw = np.asarray(conv_weight, np.float64)
    o = cw.shape[0]
    w = np.ones(o) if weight is None else np.asarray(weight, np.float64)
    b = np.zeros(o) if bias is None else np.asarray(bias, np.float64)
    cb = np.zeros(o) if conv_bias is None else np.asarray(conv_bias, np.float64)
    scale = w / np.sqrt(np.asarray(var, np.float64) + eps)
    folded_w = cw * scale.reshape((o,) + (1,) * (cw.ndim - 1))
    folded_b = (cb - np.asarray(mean, np.float64)) * scale + b
    return folded_w, folded_b
