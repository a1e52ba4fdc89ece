"""Rules with one owner: ranks, shapes, value ranges and names are checked once, by the C++ op, and its
message reaches the user naming the op, the argument, what was expected and the value received."""

import re

import numpy as np
import pytest

from cvcore import ops

X = np.zeros((1, 3, 5, 5), np.float32)
W = np.zeros((4, 3, 3, 3), np.float32)
BOXES = np.array([[0, 0, 4, 4], [1, 1, 3, 3]], np.float32)
SCORES = np.array([0.9, 0.8], np.float32)
ROIS = np.array([[0, 0, 0, 3, 3]], np.float32)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ops.conv2d(X, W[0]), ValueError, "conv2d: weight must have 4 dimensions, got 3 (shape (3, 3, 3))"),
    (lambda: ops.conv2d(X, W, np.zeros((4, 1))), ValueError, "conv2d: bias must have 1 dimensions, got 2 (shape (4, 1))"),
    (lambda: ops.conv2d(X, W, stride=(1, 0)), ValueError, "conv2d: stride must be >= 1, got (1, 0)"),
    (lambda: ops.conv2d(X, W, groups=0), ValueError, "conv2d: groups must be >= 1, got 0"),
    (lambda: ops.conv2d(X, W, activation="gelu"), ValueError,
     "conv2d: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'"),
    (lambda: ops.conv2d(X, W, activation="relu", prelu_weight=0.5), ValueError,
     "conv2d: prelu_weight must be given exactly when activation='prelu', got activation='relu' and a prelu_weight"),
    (lambda: ops.linear(np.float32(1), np.zeros((2, 1))), ValueError,
     "linear: input must have at least 1 dimension, got a scalar"),
    (lambda: ops.linear(np.zeros((2, 3)), np.zeros((4, 3)), activation="prelu"), ValueError,
     "linear: prelu_weight must be given exactly when activation='prelu', got activation='prelu' and no prelu_weight"),
    (lambda: ops.max_pool2d(X, 2, dilation=(0, 1)), ValueError, "max_pool2d: dilation must be >= 1, got (0, 1)"),
    (lambda: ops.avg_pool2d(X, 2, divisor_override=0), ValueError, "avg_pool2d: divisor_override must be non-zero, got 0"),
    (lambda: ops.batch_norm(np.zeros(3), np.zeros(3), np.ones(3)), ValueError,
     "batch_norm: input must have at least 2 dimensions (N, C, ...), got 1 (shape (3,))"),
    (lambda: ops.batch_norm(X, np.zeros((1, 3)), np.ones(3)), ValueError,
     "batch_norm: running_mean must have 1 dimensions, got 2 (shape (1, 3))"),
    (lambda: ops.batch_norm(X, np.zeros(3), np.ones(3), eps=np.inf), ValueError,
     "batch_norm: eps must be finite and >= 0, got inf"),
    (lambda: ops.fold_batch_norm(np.zeros(4), None, np.zeros(4), np.ones(4)), ValueError,
     "fold_batch_norm: conv_weight must have at least 2 dimensions (out_channels, ...), got 1 (shape (4,))"),
    (lambda: ops.leaky_relu(X, negative_slope=np.nan), ValueError, "leaky_relu: negative_slope must be finite, got nan"),
    (lambda: ops.gelu(X, approximate="erf"), ValueError, "gelu: approximate must be one of 'none', 'tanh', got 'erf'"),
    (lambda: ops.box_convert(BOXES, "xy", "xyxy"), ValueError,
     "box_convert: in_fmt must be one of 'xyxy', 'xywh', 'cxcywh', got 'xy'"),
    (lambda: ops.distance_box_iou(BOXES, BOXES, eps=-1), ValueError,
     "distance_box_iou: eps must be a finite number >= 0, got -1"),
    (lambda: ops.clip_boxes(BOXES, (np.inf, 5)), ValueError,
     "clip_boxes: size[0] (height) must be a finite number >= 0, got inf"),
    (lambda: ops.nms(BOXES, SCORES, np.nan), ValueError, "nms: iou_threshold must be finite, got nan"),
    (lambda: ops.nms(BOXES, SCORES, 0.5, max_output=-1), ValueError, "nms: max_output must be >= 0, got -1"),
    (lambda: ops.nms(BOXES, SCORES, 0.5, metric="giou"), ValueError,
     "nms: metric must be one of 'iou', 'iom', 'diou', got 'giou'"),
    (lambda: ops.soft_nms(BOXES, SCORES, sigma=0), ValueError, "soft_nms: sigma must be > 0, got 0"),
    (lambda: ops.soft_nms(BOXES, SCORES, method="hard"), ValueError,
     "soft_nms: method must be one of 'linear', 'gaussian', got 'hard'"),
    (lambda: ops.roi_align(X, ROIS, 2, spatial_scale=-0.5), ValueError,
     "roi_align: spatial_scale must be finite and >= 0 (in float32), got -0.5"),
    (lambda: ops.roi_pool(X, ROIS[:, 1:], 2), ValueError,
     "roi_pool: boxes must have shape (K, 5) (batch_index, x1, y1, x2, y2), got (1, 4)"),
    (lambda: ops.roi_align(X, ROIS, (2, 0)), ValueError, "roi_align: output_size must be >= 1, got (2, 0)"),
    (lambda: ops.crop_resize(X[0], ROIS, 2), ValueError, "crop_resize: input must have 4 dimensions, got 3 (shape (3, 5, 5))"),
    (lambda: ops.conv_output_size(5, 3, stride=0), ValueError, "conv_output_size: stride must be >= 1, got 0"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_cpp_checks_name_the_op_the_argument_and_the_value(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: ops.nms(BOXES, SCORES, "0.5"), "nms: iou_threshold must be a real number, got '0.5'"),
    (lambda: ops.nms(BOXES, SCORES, 0.5, metric=None), "nms: metric must be a str, got None"),
    (lambda: ops.conv2d(X, W, activation=1), "conv2d: activation must be a str, got 1"),
    (lambda: ops.box_convert(BOXES, "xyxy", b"xywh"), "box_convert: out_fmt must be a str, got b'xywh'"),
    (lambda: ops.softplus(X, beta=[1, 2]), "softplus: beta must be a real number, got [1, 2]"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_python_checks_only_the_types_of_python_values(call, message):
    with pytest.raises(TypeError, match="^" + re.escape(message) + "$"):
        call()
