"""Functional operators on NumPy arrays, with PyTorch / torchvision names, defaults and semantics.

CNN operators compute in float32 on NCHW arrays; inputs of other real dtypes and non-contiguous
arrays are converted once. A (C, H, W) input is treated as a batch of one.
"""

from .activation import (elu, gelu, hardswish, leaky_relu, log_softmax, mish, prelu, relu, relu6, selu, sigmoid,
                         silu, softmax, softplus, tanh)
from .conv import conv2d, conv_output_size
from .linear import linear
from .norm import batch_norm, fold_batch_norm
from .pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "conv_output_size",
    "elu",
    "fold_batch_norm",
    "gelu",
    "hardswish",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]
