"""Functional operators on NumPy arrays, with PyTorch / torchvision names, defaults and semantics.

CNN operators compute in float32 on NCHW arrays; inputs of other real dtypes and non-contiguous
arrays are converted once. A (C, H, W) input is treated as a batch of one.
"""

from .conv import conv2d, conv_output_size
from .linear import linear

__all__ = ["conv2d", "conv_output_size", "linear"]
