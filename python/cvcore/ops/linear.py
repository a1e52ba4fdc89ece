"""Fully connected layer."""

import math

from .. import _cvcore
from .._validation import as_float32, as_str, epilogue


def linear(input, weight, bias=None, *, activation=None, prelu_weight=None, device="cpu"):
    """``input @ weight.T + bias``, as ``torch.nn.functional.linear``.

    Parameters
    ----------
    input : array_like, shape (..., in_features)
        Any number of leading dimensions; computed in float32.
    weight : array_like, shape (out_features, in_features)
    bias : array_like, shape (out_features,), optional
    activation : None, "relu", "relu6" or "prelu", keyword only
        Applied in the same pass after the bias (a fused epilogue; not a PyTorch argument);
        "prelu" is ``x if x > 0 else prelu_weight[j] * x`` for output feature j.
    prelu_weight : array_like, shape (out_features,), (1,) or a scalar, keyword only
        The PReLU slopes; required with ``activation="prelu"`` and refused otherwise.

    Returns
    -------
    ndarray float32, shape (..., out_features). With ``in_features == 0`` the output is the bias
    (or zeros).

    Raises
    ------
    TypeError for non-numeric data; ValueError when the shapes do not match or the activation
    arguments are wrong.
    """
    op = "linear"
    x = as_float32(op, "input", input)
    w = as_float32(op, "weight", weight)
    b = None if bias is None else as_float32(op, "bias", bias)
    act, slopes = epilogue(op, activation, prelu_weight)
    lead, flat = x.shape[:-1], x.ndim > 6  # more dimensions than the C++ array views hold
    if flat:
        x = x.reshape(math.prod(lead), x.shape[-1])
    out = _cvcore.linear(x, w, b, act, slopes, as_str(op, "device", device))
    return out.reshape(lead + out.shape[-1:]) if flat else out
