"""Fully connected layer."""

from .. import _cvcore
from .._validation import as_float32


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, as ``torch.nn.functional.linear``.

    Parameters
    ----------
    input : array_like, shape (..., in_features)
        Any number of leading dimensions; computed in float32.
    weight : array_like, shape (out_features, in_features)
    bias : array_like, shape (out_features,), optional

    Returns
    -------
    ndarray float32, shape (..., out_features). With ``in_features == 0`` the output is the bias
    (or zeros).

    Raises
    ------
    TypeError for non-numeric data; ValueError when the shapes do not match.
    """
    op = "linear"
    x = as_float32(op, "input", input)
    if x.ndim == 0:
        raise ValueError(f"{op}: input must have at least 1 dimension, got a scalar")
    w = as_float32(op, "weight", weight, ndims=(2,))
    b = None if bias is None else as_float32(op, "bias", bias, ndims=(1,))
    return _cvcore.linear(x, w, b, "none")
