"""Functional operators on NumPy arrays, with PyTorch / torchvision names, defaults and semantics.

CNN operators compute in float32 on NCHW arrays; inputs of other real dtypes and non-contiguous
arrays are converted once. A (C, H, W) input is treated as a batch of one.
"""

from .conv import conv2d, conv_output_size
from .linear import linear
from .nms import batched_nms, nms, soft_nms
from .pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "batched_nms", "conv2d", "conv_output_size",
           "linear", "max_pool2d", "nms", "soft_nms"]
