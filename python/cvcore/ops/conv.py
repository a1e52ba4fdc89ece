"""2-D convolution."""

import numpy as np

from .. import _cvcore
from .._validation import as_float32, as_int, as_str, batched_nchw, epilogue, pair


def _conv_padding(op, padding, kernel, dilation, stride):
    """PyTorch's padding argument as (top, left, bottom, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{op}: padding='same' requires stride 1, got stride={stride}")
            # As PyTorch: the total padding d*(k-1), the odd extra pixel at the bottom/right.
            total = [dilation[i] * (kernel[i] - 1) for i in range(2)]
            begin = [t // 2 for t in total]
            return (begin[0], begin[1], total[0] - begin[0], total[1] - begin[1])
        raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = pair(op, "padding", padding)
    return (ph, pw, ph, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, activation=None,
           prelu_weight=None, max_pool=None, pointwise=None, winograd=False, residual=None, device="cpu"):
    """2-D convolution (cross-correlation), as ``torch.nn.functional.conv2d``.

    ``out[n, o, y, x] = bias[o] + sum_{c, i, j} input_padded[n, g*C/groups + c, y*sh + i*dh,
    x*sw + j*dw] * weight[o, c, i, j]`` where ``g = o // (O / groups)``, ``c`` runs over the
    ``C / groups`` input channels of that group and ``input_padded`` is the input with zeros around.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (converted once when needed). A 3-D input is a batch of
        one and gives a 3-D output.
    weight : array_like, shape (O, C / groups, kH, kW)
    bias : array_like, shape (O,), optional
    stride, dilation : int or (int, int), >= 1
    padding : int, (int, int), "valid" or "same"
        Zeros added on both sides of each spatial axis. "valid" is 0; "same" (stride 1 only) keeps
        the input size, padding ``dilation * (k - 1)`` in total with the odd pixel at the
        bottom/right, as PyTorch.
    groups : int
        Divides C and O; ``groups == C`` is a depthwise convolution (direct kernel).
    activation : None, "relu", "relu6" or "prelu", keyword only
        Applied in the same pass after the bias (a fused epilogue; not a PyTorch argument).
        "prelu" is ``x if x > 0 else prelu_weight[o] * x``, bit for bit ``prelu(conv2d(...))``.
    prelu_weight : array_like, shape (O,), (1,) or a scalar, keyword only
        The PReLU slopes; required with ``activation="prelu"`` and refused otherwise.
    max_pool : (kernel_size, stride) or (kernel_size, stride, ceil_mode), keyword only
        Max pooling of the activated output (no padding, dilation 1; sizes an int or a pair): the
        result is ``max_pool2d(conv2d(...), kernel_size, stride, ceil_mode=ceil_mode)`` bit for bit
        (not a PyTorch argument). Fused, so that the full-resolution output is pooled while it is
        in the cache and never stored: convolutions with a small reduction (``C * kH * kW <= 32``
        and at most 64 output channels, stride 1 along the width, no padding, one group: first
        layers on RGB input), and batches of small unpadded images (a detector's crops). Others
        compute the convolution, then the pooling.
    pointwise : weight or (weight, bias), keyword only
        A 1x1 convolution of the activated output (a detector head), weight of shape (P, O, 1, 1) or
        (P, O), bias (P,) or None: the result (P channels) is ``conv2d(conv2d(...), weight, bias)``
        bit for bit (not a PyTorch argument; not with ``max_pool``). With one group and no padding
        the two are fused: each band of output rows goes through the 1x1 weights while it is in
        the cache, and the O-channel map is never stored.
    winograd : bool, keyword only
        Compute 3x3 convolutions with stride 1, dilation 1 and one group (any padding) by Winograd
        F(2x2, 3x3): 16 multiplies per 2x2 outputs and channel pair instead of 36, so layers with
        more than a few channels run up to about twice as fast (not a PyTorch argument). The
        transforms add and halve only, so results stay within about twice the float32 rounding
        error of the direct sum, but are not its bits; ``max_pool`` and ``pointwise`` apply to the
        Winograd output exactly as apart. Batches of small unpadded images run it lane-batched
        (below), each image's result still that of the image alone; small unpadded images whose
        output sides are both multiples of 3 (any batch size) run F(3x3, 3x3) instead (25 multiplies
        per 3x3 outputs instead of 81, no tile past the map; error about 3x, on small reductions up
        to 11x, the direct sum's, ~3e-6 of the output's magnitude). Ignored for other shapes.
        Results are always those of a fresh transform of the weights' current values (transformed
        kernels are reused between calls only while the weights are unchanged, so editing them in
        place is safe). Default False.
    residual : array_like, shape of the output (N, O, Ho, Wo) or (O, Ho, Wo), keyword only
        Added to the convolution's output after the bias and before the activation (a ResNet
        block's shortcut): bit for bit ``activation(conv2d(...) + residual)`` (not a PyTorch argument;
        not with ``max_pool`` or ``pointwise``). The im2col GEMM adds it while storing its tiles; the
        other algorithms in one pass over the output after.

    Returns
    -------
    ndarray float32, shape (N, O, Ho, Wo) with
    ``Ho = floor((H + 2*ph - dh*(kH - 1) - 1) / sh) + 1`` (likewise Wo), then, with ``max_pool``,
    the pooled size (see ``conv_output_size``).

    Raises
    ------
    TypeError for non-numeric data; ValueError for wrong ranks, channel or group mismatches,
    non-positive stride or dilation, negative padding, or an output smaller than 1.

    Notes
    -----
    Im2col-free GEMM: panels of the implicit im2col matrix are packed straight from the padded
    image and multiplied by a cache-blocked SIMD micro-kernel. Batches of at least 8 small
    unpadded images at stride 1 (a detector's crops) are computed 8 (16 with AVX-512) at a time,
    one image per vector lane, by a direct kernel that needs no packing (or by Winograd on whole
    vectors of tiles). Every path reduces each
    output in the same order (``winograd=True`` in its own), so results are identical for every
    thread count and batch size. Accuracy is that of float32 summation (about 1e-6 relative to the
    output's magnitude).
    """
    op = "conv2d"
    x, squeeze = batched_nchw(op, input)
    w = as_float32(op, "weight", weight)
    b = None if bias is None else as_float32(op, "bias", bias)
    stride = pair(op, "stride", stride)
    dilation = pair(op, "dilation", dilation)
    groups = as_int(op, "groups", groups)
    # A weight of another rank has no kernel size: C++ rejects it.
    pad = _conv_padding(op, padding, w.shape[2:] if w.ndim == 4 else (1, 1), dilation, stride)
    act, slopes = epilogue(op, activation, prelu_weight)
    pool_kernel, pool_stride, ceil_mode = _max_pool_args(op, max_pool)
    pw, pb = _pointwise_args(op, pointwise)
    if not isinstance(winograd, (bool, np.bool_)):
        raise TypeError(f"{op}: winograd must be a bool, got {winograd!r}")
    r = None
    if residual is not None:
        r = as_float32(op, "residual", residual)
        r = r[None] if squeeze and r.ndim == 3 else r
    out = _cvcore.conv2d(x, w, b, stride, pad, dilation, groups, act, slopes, pool_kernel, pool_stride, ceil_mode,
                         pw, pb, bool(winograd), r, as_str(op, "device", device))
    return out[0] if squeeze else out


def _pointwise_args(op, pointwise):
    """conv2d's pointwise argument as (weight (P, O, 1, 1) float32, bias float32 or None), or (None, None)."""
    if pointwise is None:
        return None, None
    weight, bias = pointwise if isinstance(pointwise, tuple) else (pointwise, None)
    weight = as_float32(op, "pointwise weight", weight, ndims=(2, 4))
    if weight.ndim == 2:
        weight = weight[:, :, None, None]
    bias = None if bias is None else as_float32(op, "pointwise bias", bias)
    return weight, bias


def _max_pool_args(op, max_pool):
    """conv2d's max_pool argument as (kernel (h, w), stride (h, w), ceil_mode); (0, 0) kernel: none."""
    if max_pool is None:
        return (0, 0), (0, 0), False
    if isinstance(max_pool, (str, bytes)) or not hasattr(max_pool, "__len__") or len(max_pool) not in (2, 3):
        raise ValueError(f"{op}: max_pool must be (kernel_size, stride) or (kernel_size, stride, ceil_mode), "
                         f"got {max_pool!r}")
    ceil_mode = max_pool[2] if len(max_pool) == 3 else False
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"{op}: max_pool's ceil_mode must be a bool, got {ceil_mode!r}")
    # A (0, 0) kernel means no pooling to the C++ op, so its minimum is checked here.
    return pair(op, "max_pool kernel_size", max_pool[0], 1), pair(op, "max_pool stride", max_pool[1]), bool(ceil_mode)
