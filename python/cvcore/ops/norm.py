"""Batch normalisation (inference) and folding it into the preceding layer."""

import math

from .. import _cvcore
from .._validation import as_float, as_float32, as_str, channels_last_flat


def _vector(op, name, value):
    return None if value is None else as_float32(op, name, value)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, *, eps=1e-5, device="cpu"):
    """Batch normalisation with running statistics, as ``torch.nn.functional.batch_norm`` with
    ``training=False``.

    ``out[n, c, ...] = (input[n, c, ...] - running_mean[c]) / sqrt(running_var[c] + eps)
    * weight[c] + bias[c]``

    Parameters
    ----------
    input : array_like, shape (N, C, ...)
        Two or more dimensions, channels on axis 1: (N, C) after a linear layer, (N, C, L),
        (N, C, H, W), (N, C, D, H, W), ... Computed in float32 (converted once when needed).
    running_mean, running_var : array_like, shape (C,)
        ``running_var`` must be >= 0 (a negative variance is a ValueError, where PyTorch gives
        NaN); NaN statistics propagate to that channel's outputs.
    weight, bias : array_like, shape (C,), optional
        The affine parameters (gamma, beta); None means 1 and 0.
    eps : float, keyword only
        Finite and >= 0, added to the variance. With ``eps == 0`` a zero variance gives inf/NaN.

    Returns
    -------
    ndarray float32 of the input's shape.

    Raises
    ------
    TypeError for non-numeric data; ValueError for an input with fewer than 2 dimensions,
    vectors whose length is not C, a negative running_var or a negative or non-finite eps.

    Notes
    -----
    ``scale[c] = weight[c] / sqrt(running_var[c] + eps)`` is computed in float64 and rounded to
    float32 once; then ``out = (input - running_mean[c]) * scale[c] + bias[c]`` in float32, which
    is accurate to a few ulp of ``|input - running_mean| * |scale| + |bias|`` (PyTorch computes
    ``input * scale + (bias - mean * scale)``, which loses more when input is close to the mean).
    """
    op = "batch_norm"
    x = as_float32(op, "input", input)
    out = _cvcore.batch_norm(channels_last_flat(x), as_float32(op, "running_mean", running_mean),
                             as_float32(op, "running_var", running_var), _vector(op, "weight", weight),
                             _vector(op, "bias", bias), as_float(op, "eps", eps), as_str(op, "device", device))
    return out.reshape(x.shape)


def fold_batch_norm(conv_weight, conv_bias, running_mean, running_var, weight=None, bias=None, eps=1e-5, *,
                    device="cpu"):
    """Fold an inference batch norm into the convolution (or linear layer) before it.

    Returns ``(folded_weight, folded_bias)`` such that
    ``conv2d(x, folded_weight, folded_bias) == batch_norm(conv2d(x, conv_weight, conv_bias),
    running_mean, running_var, weight, bias, eps=eps)`` up to float32 rounding::

        scale[o] = weight[o] / sqrt(running_var[o] + eps)
        folded_weight[o, ...] = conv_weight[o, ...] * scale[o]
        folded_bias[o] = (conv_bias[o] - running_mean[o]) * scale[o] + bias[o]

    Parameters
    ----------
    conv_weight : array_like, shape (O, ...)
        At least 2 dimensions with the output channels on axis 0: (O, C/groups, kH, kW) conv2d
        weights, (out_features, in_features) linear weights, 1-D or 3-D conv weights, ...
    conv_bias : array_like, shape (O,), or None (zeros)
    running_mean, running_var : array_like, shape (O,)
        ``running_var`` must be >= 0.
    weight, bias : array_like, shape (O,), optional
        The batch norm's affine parameters; None means 1 and 0.
    eps : float
        Finite and >= 0.

    Returns
    -------
    folded_weight : ndarray float32, the shape of conv_weight
    folded_bias : ndarray float32, shape (O,)
        Always an array, also when conv_bias and bias are None.

    Raises
    ------
    TypeError for non-numeric data; ValueError for a conv_weight with fewer than 2 dimensions,
    vectors whose length is not O, a negative running_var or a negative or non-finite eps.

    Notes
    -----
    Everything is computed in float64 from the float32 inputs and rounded once.
    """
    op = "fold_batch_norm"
    w = as_float32(op, "conv_weight", conv_weight)
    # (O, everything else): any rank fits the C++ views.
    flat = w.reshape(w.shape[0], math.prod(w.shape[1:])) if w.ndim > 2 else w
    folded_weight, folded_bias = _cvcore.fold_batch_norm(
        flat, _vector(op, "conv_bias", conv_bias), as_float32(op, "running_mean", running_mean),
        as_float32(op, "running_var", running_var), _vector(op, "weight", weight), _vector(op, "bias", bias),
        as_float(op, "eps", eps), as_str(op, "device", device))
    return folded_weight.reshape(w.shape), folded_bias
