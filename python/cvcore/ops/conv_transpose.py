"""2-D transposed convolution."""

import numpy as np

from .. import _cvcore
from .._validation import as_float32, as_int, as_str, batched_nchw, pair


def _padding(op, padding):
    """An int, (h, w) or (top, left, bottom, right) as (top, left, bottom, right)."""
    if isinstance(padding, (tuple, list, np.ndarray)):
        if len(padding) == 4:
            return tuple(as_int(op, "padding", p) for p in padding)
        if len(padding) != 2:
            raise ValueError(f"{op}: padding must be an int, a pair (h, w) or four values (top, left, bottom, "
                             f"right), got {tuple(padding)!r}")
    ph, pw = pair(op, "padding", padding)
    return ph, pw, ph, pw


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1, *,
                     activation="none", device="cpu"):
    """2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d`` (ONNX ``ConvTranspose``).

    Every input pixel scatters its kernel into the output (the adjoint of ``conv2d`` with the same
    parameters):
    ``out[n, g*Og + o, i*sh - pt + a*dh, j*sw - pl + b*dw] += input[n, g*Cg + c, i, j] * weight[g*Cg + c, o, a, b]``
    over the ``Cg = C / groups`` input channels ``c`` of group ``g``, the input pixels ``(i, j)`` and the
    taps ``(a, b)``, for positions inside the output; then ``+ bias`` and the activation.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (converted once when needed). A 3-D input is a batch of one
        and gives a 3-D output. C, H, W >= 1; N may be 0.
    weight : array_like, shape (C, O / groups, kH, kW)
    bias : array_like, shape (O,), optional
    stride, dilation : int or (int, int), >= 1
    padding : int, (int, int) or (top, left, bottom, right)
        Rows and columns removed from each side of the full output, >= 0; an int or a pair removes
        the same on both sides (PyTorch's), four values as ``conv2d``'s C++ padding.
    output_padding : int or (int, int)
        Rows / columns added at the bottom / right (they receive the bias only, plus what the
        kernels reach there); >= 0 and smaller than either the stride or the dilation along its
        axis (PyTorch's rule).
    groups : int
        Divides C and gives O = groups * weight.shape[1].
    activation : "none" (or None), "relu" or "relu6", keyword only
        Applied to the result (not a PyTorch argument).

    Returns
    -------
    ndarray float32, shape (N, O, Ho, Wo) with
    ``Ho = (H - 1) * sh - pt - pb + dh * (kH - 1) + output_padding_h + 1`` (likewise Wo), which must be
    >= 1.

    Raises
    ------
    TypeError for non-numeric data; ValueError for wrong ranks, channel or group mismatches,
    non-positive stride or dilation, negative padding, an output_padding not below the stride or
    the dilation, activation "prelu" or an unknown name, or an output that is empty or too large.

    Notes
    -----
    Computed per image and group as one GEMM (conv2d's engine: the transposed weights times the
    input's planes, for every output channel and tap) followed by a scatter of each tap's result
    into the output. Each output is the bias, then the contributions summed in an order fixed by
    the shapes, so results are identical for every thread count; accuracy is that of float32 sums.

    From ONNX ``ConvTranspose`` (strides, dilations, group and output_padding map one to one;
    kernel_shape is ``weight.shape[2:]``), as onnxruntime 1.32 computes it (the tests check each rule):

    - ``pads = [top, left, bottom, right]`` (ONNX's begins, then ends) is ``padding`` as given.
    - With ``output_shape`` (its last two values; ``pads`` are then ignored), per axis
      ``total = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - output_shape``;
      ``auto_pad="SAME_UPPER"`` pads ``(total // 2, total - total // 2)`` (begin, end), any other
      ``(total - total // 2, total // 2)``. ``auto_pad`` SAME_UPPER / SAME_LOWER without
      ``output_shape`` does the same with ``output_shape = in * stride``; ``"VALID"`` is no padding.
      A negative ``total`` (an output larger than the kernels reach) adds ``-total`` to
      ``output_padding`` instead, allowed while it stays below the stride or the dilation.
    """
    op = "conv_transpose2d"
    x, squeeze = batched_nchw(op, input)
    w = as_float32(op, "weight", weight)
    b = None if bias is None else as_float32(op, "bias", bias)
    act = "none" if activation is None else as_str(op, "activation", activation)
    out = _cvcore.conv_transpose2d(x, w, b, pair(op, "stride", stride), _padding(op, padding),
                                   pair(op, "output_padding", output_padding), pair(op, "dilation", dilation),
                                   as_int(op, "groups", groups), act, as_str(op, "device", device))
    return out[0] if squeeze else out
