"""Functional operators on NumPy arrays, with PyTorch / torchvision names, defaults and semantics.

Box operators take (N, 4) arrays and keep float32 / float64 precision (see ``cvcore.ops.boxes``).
CNN operators compute in float32 on NCHW arrays; inputs of other real dtypes and non-contiguous
arrays are converted once. A (C, H, W) input is treated as a batch of one.
"""

from .boxes import (box_area, box_convert, box_iou, clip_boxes, complete_box_iou, distance_box_iou,
                    generalized_box_iou, remove_small_boxes)
from .conv import conv2d, conv_output_size
from .linear import linear
from .pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d

__all__ = ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool2d", "box_area", "box_convert", "box_iou",
           "clip_boxes", "complete_box_iou", "conv2d", "conv_output_size", "distance_box_iou",
           "generalized_box_iou", "linear", "max_pool2d", "remove_small_boxes"]
