"""2-D pooling: max, average, adaptive average and adaptive max, as ``torch.nn.functional``."""

import numpy as np

from .. import _cvcore
from .._validation import as_int, as_str, batched_nchw, pair, uint8_pixels


def _window_args(op, kernel_size, stride, padding):
    """kernel_size, stride (None or empty: the kernel size, as PyTorch) and padding as pairs."""
    kernel = pair(op, "kernel_size", kernel_size)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride = kernel
    return kernel, pair(op, "stride", stride), pair(op, "padding", padding)


def _unbatch(result, squeeze):
    if not squeeze:
        return result
    if isinstance(result, tuple):
        return tuple(r[0] for r in result)
    return result[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False, *,
               device="cpu"):
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    ``out[n, c, i, j] = max_{a < kH, b < kW} input[n, c, i*sH - pH + a*dH, j*sW - pW + b*dW]`` over the
    taps that fall inside the input: the padding is implicit ``-inf`` and never chosen.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (other real dtypes and non-contiguous arrays are converted
        once). A 3-D input is a batch of one and gives 3-D outputs. N and C may be 0; H and W >= 1.
    kernel_size : int or (int, int), >= 1
    stride : int or (int, int), >= 1, optional
        Default (None): ``kernel_size``.
    padding : int or (int, int)
        ``-inf`` added on both sides of each axis; ``0 <= padding <= kernel_size // 2`` (PyTorch's bound,
        on the kernel size itself, whatever the dilation).
    dilation : int or (int, int), >= 1
        Spacing between the taps of a window.
    ceil_mode : bool
        Round the output size up instead of down, dropping a last window that would start in the
        bottom/right padding (so every window starts inside the input or the top/left padding).
    return_indices : bool
        Also return, for each output, the flat index ``h * W + w`` of the chosen value in its input
        plane (int64, PyTorch's convention).

    Returns
    -------
    out : ndarray float32, shape (N, C, Ho, Wo)
        ``Ho = floor((H + 2*pH - dH*(kH - 1) - 1) / sH) + 1`` (``ceil`` with ``ceil_mode``, then minus one
        if ``(Ho - 1) * sH >= H + pH``); likewise Wo. See ``conv_output_size``.
    indices : ndarray int64, shape (N, C, Ho, Wo)
        Only with ``return_indices``.

    Raises
    ------
    TypeError for non-numeric data or non-int sizes; ValueError for a wrong rank, an empty plane,
    ``kernel_size``, ``stride`` or ``dilation`` < 1, ``padding`` < 0 or > ``kernel_size // 2``, or an
    output size < 1.

    Notes
    -----
    As PyTorch: ties pick the first maximum in row-major window order; a NaN in the window gives NaN
    and the index of the window's last NaN. A window with no tap inside the input (possible only
    with dilation) gives ``-inf`` and the index of its first tap at or after 0 along each axis,
    which then lies outside the plane. Results are identical for every thread count.
    """
    op = "max_pool2d"
    x, squeeze = batched_nchw(op, input)
    kernel, stride, padding = _window_args(op, kernel_size, stride, padding)
    dilation = pair(op, "dilation", dilation)
    result = _cvcore.max_pool2d(x, kernel, stride, padding, dilation, bool(ceil_mode), bool(return_indices),
                                as_str(op, "device", device))
    return _unbatch(result, squeeze)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None, *, device="cpu"):
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Each output is the sum of the input values in its window ``[i*sH - pH, i*sH - pH + kH) x
    [j*sW - pW, j*sW - pW + kW)`` (the padding adds zeros) divided by:

    - ``divisor_override`` when given;
    - else, with ``count_include_pad``, the window's area after clipping it to the padded input
      ``[-pH, H + pH) x [-pW, W + pW)``: a full ``kH * kW`` except for the windows ``ceil_mode`` adds,
      which may reach past the padding;
    - else the number of input values in the window (the window clipped to ``[0, H) x [0, W)``).

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (converted once when needed). A 3-D input gives a 3-D
        output. N and C may be 0; H and W >= 1.
    kernel_size : int or (int, int), >= 1
    stride : int or (int, int), >= 1, optional
        Default (None): ``kernel_size``.
    padding : int or (int, int)
        ``0 <= padding <= kernel_size // 2``.
    ceil_mode : bool
        Round the output size up (see ``max_pool2d``).
    count_include_pad : bool
        Whether the zero padding counts in the divisor.
    divisor_override : int, optional
        A non-zero divisor used for every window (PyTorch accepts negative values too).

    Returns
    -------
    ndarray float32, shape (N, C, Ho, Wo) with ``Ho = floor((H + 2*pH - kH) / sH) + 1`` (``ceil`` with
    ``ceil_mode``, then minus one if ``(Ho - 1) * sH >= H + pH``); likewise Wo.

    Raises
    ------
    TypeError for non-numeric data or non-int sizes; ValueError for a wrong rank, an empty plane,
    ``kernel_size`` or ``stride`` < 1, ``padding`` < 0 or > ``kernel_size // 2``,
    ``divisor_override == 0``, or an output size < 1.

    Notes
    -----
    A window of at most 64 input values (up to 8x8, the windows networks use) is summed in float32
    in row-major order, then divided once in float32: PyTorch's CPU kernel, bit for bit. A larger
    window is summed in float64 and divided once in float64, then rounded to float32: its mean is
    the exact one up to double rounding, so a constant map's mean is exact at any size (PyTorch's
    float32 running sum drifts: 255.27 for the mean of 300x300 values of 255). Results are
    identical for every thread count.
    """
    op = "avg_pool2d"
    x, squeeze = batched_nchw(op, input)
    kernel, stride, padding = _window_args(op, kernel_size, stride, padding)
    if divisor_override is not None:
        divisor_override = as_int(op, "divisor_override", divisor_override)
    out = _cvcore.avg_pool2d(x, kernel, stride, padding, bool(ceil_mode), bool(count_include_pad), divisor_override,
                             as_str(op, "device", device))
    return _unbatch(out, squeeze)


def _adaptive_size(op, output_size, shape):
    """output_size (an int, or a pair whose None entries keep the input size) as a pair of ints."""
    if isinstance(output_size, (tuple, list, np.ndarray)):
        if len(output_size) != 2:
            raise ValueError(f"{op}: output_size must be an int or a pair, got {tuple(output_size)!r}")
        items = [shape[i] if output_size[i] is None else output_size[i] for i in range(2)]
    else:
        items = [output_size, output_size]
    try:
        return tuple(as_int(op, "output_size", v) for v in items)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{op}: output_size must be an int or a pair of ints or None, got {output_size!r}") from None


def adaptive_avg_pool2d(input, output_size, *, device="cpu"):
    """2-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool2d``.

    Output ``(i, j)`` is the mean of ``input[..., h0:h1, w0:w1]`` with ``h0 = floor(i * H / Ho)``,
    ``h1 = ceil((i + 1) * H / Ho)`` (likewise w0, w1): windows cover the input, overlap when Ho does
    not divide H, and repeat input values when Ho > H.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (converted once when needed). A 3-D input gives a 3-D
        output. N and C may be 0; H and W >= 1.
    output_size : int or (int or None, int or None)
        (Ho, Wo), each >= 0 (0 gives an empty output, as PyTorch); None keeps that input size.

    Returns
    -------
    ndarray float32, shape (N, C, Ho, Wo)

    Raises
    ------
    TypeError for non-numeric data or a non-int size; ValueError for a wrong rank, an empty plane or
    a negative output size.

    Notes
    -----
    Each window is summed in float64 (uint8: in integers) and divided once in float64 by its number
    of values, then rounded to float32: the exact mean up to double rounding, whatever the window's
    size, so a constant map's mean is exact (PyTorch's float32 running sums are not beyond small
    windows; its global pooling, a float32 mean, gives the same for constant maps). Results are
    identical for every thread count. A uint8 input (e.g. an image for a pyramid) is read without
    conversion and gives exactly the result of its float32 copy.
    """
    op = "adaptive_avg_pool2d"
    x, squeeze = _adaptive_avg_input(op, input)
    out = _cvcore.adaptive_avg_pool2d(x, _adaptive_size(op, output_size, x.shape[2:]), as_str(op, "device", device))
    return _unbatch(out, squeeze)


def adaptive_avg_pool2d_levels(input, output_sizes, *, device="cpu"):
    """``adaptive_avg_pool2d`` of one input to several sizes at once (an image pyramid).

    Returns the list ``[adaptive_avg_pool2d(input, size) for size in output_sizes]``, bit for bit.
    For uint8 input (an image) every level comes from one summed-area table per plane, built in one
    pass: a level costs its own size instead of a pass over the whole input, so a pyramid of a
    1920x1080 image costs about one level-0 resize plus the table. Float input is pooled level by
    level (sums of floats depend on their order).

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        As ``adaptive_avg_pool2d``; uint8 is read as is.
    output_sizes : sequence of (int, int)
        (Ho, Wo) of each level, each >= 0; None keeps that input size.

    Returns
    -------
    list of ndarray float32, shape (N, C, Ho, Wo) (3-D for a 3-D input), one per size.
    """
    op = "adaptive_avg_pool2d_levels"
    x, squeeze = _adaptive_avg_input(op, input)
    if isinstance(output_sizes, (str, bytes, np.ndarray)) or not hasattr(output_sizes, "__iter__"):
        raise TypeError(f"{op}: output_sizes must be a sequence of (Ho, Wo) pairs, got {output_sizes!r}")
    sizes = [_adaptive_size(op, size, x.shape[2:]) for size in output_sizes]
    levels = _cvcore.adaptive_avg_pool2d_levels(x, sizes, as_str(op, "device", device))
    return [_unbatch(out, squeeze) for out in levels]


def _adaptive_avg_input(op, input):
    """input as a contiguous (N, C, H, W) uint8 or float32 array, and whether it was 3-D."""
    pixels = uint8_pixels(input, (3, 4))  # read as bytes (a quarter of the traffic): the same sums
    if pixels is not None:
        return (pixels[None], True) if pixels.ndim == 3 else (pixels, False)
    return batched_nchw(op, input)


def adaptive_max_pool2d(input, output_size, return_indices=False, *, device="cpu"):
    """2-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool2d``.

    Output ``(i, j)`` is the maximum of ``input[..., h0:h1, w0:w1]`` with the windows of
    ``adaptive_avg_pool2d``: ``h0 = floor(i * H / Ho)``, ``h1 = ceil((i + 1) * H / Ho)``.

    Parameters
    ----------
    input : array_like, shape (N, C, H, W) or (C, H, W)
        Real numbers; computed in float32 (converted once when needed). A 3-D input gives 3-D
        outputs. N and C may be 0; H and W >= 1.
    output_size : int or (int or None, int or None)
        (Ho, Wo), each >= 0; None keeps that input size.
    return_indices : bool
        Also return the flat index ``h * W + w`` of each chosen value in its plane (int64).

    Returns
    -------
    out : ndarray float32, shape (N, C, Ho, Wo)
    indices : ndarray int64, shape (N, C, Ho, Wo)
        Only with ``return_indices``.

    Raises
    ------
    TypeError for non-numeric data or a non-int size; ValueError for a wrong rank, an empty plane or
    a negative output size.

    Notes
    -----
    As ``max_pool2d``: the first maximum in row-major window order wins ties; NaN propagates with
    the index of the window's last NaN.
    """
    op = "adaptive_max_pool2d"
    x, squeeze = batched_nchw(op, input)
    result = _cvcore.adaptive_max_pool2d(x, _adaptive_size(op, output_size, x.shape[2:]), bool(return_indices),
                                         as_str(op, "device", device))
    return _unbatch(result, squeeze)
