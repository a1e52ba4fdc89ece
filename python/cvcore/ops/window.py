"""The sliding-window size rule shared by convolution and pooling."""

import numpy as np

from .. import _cvcore
from .._validation import pair


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    """Number of positions of a sliding window (convolution or pooling) along each axis.

    ``out = floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``, rounded
    up instead of down when ``ceil_mode``, in which case a last window that would start in the
    right/bottom padding is dropped (PyTorch's pooling rule). Each argument is an int or a pair
    (height, width); the result is an int when every argument is an int, else a pair. The result
    may be < 1 when the window does not fit (callers such as conv2d reject that).
    """
    op = "conv_output_size"
    args = (size, kernel_size, stride, padding, dilation)
    scalar = all(not isinstance(a, (tuple, list, np.ndarray)) for a in args)
    size, kernel_size = pair(op, "size", size), pair(op, "kernel_size", kernel_size)
    stride, padding, dilation = pair(op, "stride", stride), pair(op, "padding", padding), pair(op, "dilation", dilation)
    out = tuple(_cvcore.conv_output_size(size[i], kernel_size[i], stride[i], padding[i], padding[i],
                                         dilation[i], bool(ceil_mode)) for i in range(2))
    return out[0] if scalar else out
