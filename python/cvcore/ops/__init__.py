"""Functional operators on NumPy arrays, with PyTorch / torchvision names, defaults and semantics.

Box operators take (N, 4) arrays and keep float32 / float64 precision (see ``cvcore.ops.boxes``).
CNN operators compute in float32 on NCHW arrays; inputs of other real dtypes and non-contiguous
arrays are converted once. A (C, H, W) input is treated as a batch of one. The elementwise arithmetic
(add, sub, mul, div) broadcasts as NumPy; the tensor-manipulation operators (concat, transpose, slice,
pad) keep the input's dtype and follow ONNX (``slice`` shadows the builtin of that name on a
``from cvcore.ops import *``).

Every operator that takes arrays also takes ``device="cpu"`` (keyword only): the device it runs on,
"cpu" or "cuda". Until the CUDA kernels exist, "cuda" raises RuntimeError saying why the operator
cannot run there (no CUDA backend in this build, no CUDA device, or no CUDA kernel for it yet); see
``cvcore.cuda``.
"""

from .activation import (clip, elu, gelu, hardsigmoid, hardswish, leaky_relu, log_softmax, mish, prelu, relu, relu6,
                         selu, sigmoid, silu, softmax, softplus, tanh)
from .boxes import (box_area, box_convert, box_iou, clip_boxes, complete_box_iou, distance_box_iou,
                    generalized_box_iou, remove_small_boxes)
from .conv import conv2d
from .conv_transpose import conv_transpose2d
from .elementwise import add, div, mul, sub
from .linear import linear
from .nms import batched_nms, nms, soft_nms
from .norm import batch_norm, fold_batch_norm
from .pool import adaptive_avg_pool2d, adaptive_avg_pool2d_levels, adaptive_max_pool2d, avg_pool2d, max_pool2d
from .resize import interpolate, resize
from .roi import crop_resize, roi_align, roi_pool
from .shape_ops import concat, pad, slice, transpose
from .window import conv_output_size

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_levels",
    "adaptive_max_pool2d",
    "add",
    "avg_pool2d",
    "batch_norm",
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "clip",
    "clip_boxes",
    "complete_box_iou",
    "concat",
    "conv2d",
    "conv_output_size",
    "conv_transpose2d",
    "crop_resize",
    "distance_box_iou",
    "div",
    "elu",
    "fold_batch_norm",
    "gelu",
    "generalized_box_iou",
    "hardsigmoid",
    "hardswish",
    "interpolate",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mish",
    "mul",
    "nms",
    "pad",
    "prelu",
    "relu",
    "relu6",
    "remove_small_boxes",
    "resize",
    "roi_align",
    "roi_pool",
    "selu",
    "sigmoid",
    "silu",
    "slice",
    "soft_nms",
    "softmax",
    "softplus",
    "sub",
    "tanh",
    "transpose",
]
