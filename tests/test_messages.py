"""Rules with one owner: ranks, shapes, value ranges and names are checked once, by the C++ op, and its
message reaches the user naming the op, the argument, what was expected and the value received."""

import re

import numpy as np
import pytest

import cvcore
from cvcore import cluster, detection, image, metrics, ops

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
    (lambda: ops.elu(X, alpha=1e39), ValueError, "elu: alpha must be finite (also in float32), got 1e+39"),
    (lambda: ops.softplus(X, beta=1e-50), ValueError, "softplus: beta must be non-zero (also in float32), got 1e-50"),
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
    (lambda: ops.box_area(np.zeros((1,) * 7 + (4,))), ValueError,
     "box_area: boxes may have at most 6 dimensions, got 8 (shape (1, 1, 1, 1, 1, 1, 1, 4))"),
    (lambda: ops.nms(BOXES, np.zeros((1,) * 7), 0.5), ValueError,
     "nms: scores may have at most 6 dimensions, got 7 (shape (1, 1, 1, 1, 1, 1, 1))"),
    (lambda: ops.conv2d(X, np.zeros((1,) * 7)), ValueError,
     "conv2d: weight may have at most 6 dimensions, got 7 (shape (1, 1, 1, 1, 1, 1, 1))"),
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


IMAGE = np.zeros((8, 10, 3), np.uint8)
HEAD = np.zeros((1, 6, 2, 2), np.float32)  # one YOLO level: one anchor, one class, 2 x 2 cells
ONE = np.zeros((1, 1, 1, 1), np.float32)


@pytest.mark.parametrize("call, error, message", [
    (lambda: detection.yolo_decode([HEAD], [np.zeros((0, 2))], [8]), ValueError,
     "yolo_decode: anchors[0] must hold (w, h) pairs, at least one, got shape (0, 2)"),
    (lambda: detection.yolo_decode([HEAD], [[10, 13, 16]], [8]), ValueError,
     "yolo_decode: anchors[0] must hold (w, h) pairs, at least one, got shape (3,)"),
    (lambda: detection.yolo_decode([HEAD], [[10, np.nan]], [8]), ValueError,
     "yolo_decode: anchors[0] must hold finite sizes > 0, got [10.0, nan]"),
    (lambda: detection.yolo_decode([HEAD], [[10, 13]], [np.nan]), ValueError,
     "yolo_decode: strides[0] must be a finite number > 0, got nan"),
    (lambda: detection.yolo_decode([HEAD], [[10, 13]], [0]), ValueError,
     "yolo_decode: strides[0] must be a finite number > 0, got 0"),
    (lambda: detection.yolo_decode([HEAD, HEAD], [[10, 13], [10, 13]], [8, -16]), ValueError,
     "yolo_decode: strides[1] must be a finite number > 0, got -16"),
    (lambda: detection.yolo_decode(HEAD[0, 0, 0, 0], [[10, 13]], [8]), TypeError,
     "yolo_decode: outputs must be a sequence, got np.float32(0.0)"),
    (lambda: detection.yolo_decode([HEAD[:, :5]], [[10, 13]], [8]), ValueError,
     "yolo_decode: outputs[0] must have shape (N, na * (5 + nc), H, W) with na = 1 and nc >= 1, got (1, 5, 2, 2)"),
    (lambda: detection.anchor_points([(2, 2)], [8, 16]), ValueError, "anchor_points: strides must have 1 items, got 2 ([8, 16])"),
    (lambda: detection.anchor_points([(2, -2)], [8]), ValueError, "anchor_points: feature_shapes[0] must be >= 0, got -2"),
    (lambda: detection.ssd_priors(feature_maps=(), steps=(), min_sizes=(), max_sizes=(), aspect_ratios=()), ValueError,
     "ssd_priors: feature_maps must list at least one feature map size, got []"),
    (lambda: detection.yolo_decode([HEAD, np.zeros((1, 7, 2, 2))], [[10, 13]] * 2, [8, 16]), ValueError,
     "yolo_decode: outputs[1] must have the batch size and the classes of outputs[0] (1 and 1), got 1 and 2"),
    (lambda: detection.yolo_anchor_free_decode(np.zeros((1, 4, 4)), [(2, 2)], [0]), ValueError,
     "yolo_anchor_free_decode: strides[0] must be a finite number > 0, got 0"),
    (lambda: detection.ssd_priors(feature_maps=(2.5,), steps=(8,), min_sizes=(1,), max_sizes=(2,),
                                  aspect_ratios=((2,),)), TypeError, "ssd_priors: feature_maps[0] must be an int, got 2.5"),
    (lambda: detection.ssd_decode(np.zeros((3, 4)), np.ones((2, 4))), ValueError,
     "ssd_decode: loc and priors must have the same number of boxes (shapes that broadcast), got (3, 4) and (2, 4)"),
    (lambda: detection.ssd_encode(np.ones((3, 4)), np.ones((2, 4))), ValueError,
     "ssd_encode: boxes and priors must have the same number of boxes (shapes that broadcast), got (3, 4) and (2, 4)"),
    (lambda: detection.ssd_decode(np.zeros((2, 4)), np.ones((2, 4)), variances=(0.1,)), ValueError,
     "ssd_decode: variances must have 2 items, got 1 ((0.1,))"),
    (lambda: detection.ssd_decode(np.zeros((2, 4)), np.ones((2, 4)), variances=(0.1, np.inf)), ValueError,
     "ssd_decode: variances[1] must be a finite number > 0, got inf"),
    (lambda: detection.rcnn_decode(np.zeros((3, 4)), np.ones((2, 4))), ValueError,
     "rcnn_decode: deltas and proposals must have the same number of boxes (shapes that broadcast), got (3, 4) and "
     "(2, 4)"),
    (lambda: detection.rcnn_encode(np.ones((3, 4)), np.ones((2, 4))), ValueError,
     "rcnn_encode: boxes and proposals must have the same number of boxes (shapes that broadcast), got (3, 4) and "
     "(2, 4)"),
    (lambda: detection.rcnn_decode(np.zeros((2, 4)), np.ones((2, 4)), weights=(1, 1)), ValueError,
     "rcnn_decode: weights must have 4 items, got 2 ((1, 1))"),
    (lambda: detection.rcnn_decode(np.zeros((2, 4)), np.ones((2, 4)), clip=np.nan), ValueError,
     "rcnn_decode: clip must be a number (inf: no clamp), got nan"),
    (lambda: detection.letterbox(np.zeros((8, 10, 4), np.uint8), 16), ValueError,
     "letterbox: color must have 1 value or one per channel (4 for this image), got [114, 114, 114]"),
    (lambda: detection.letterbox(IMAGE, 16, color=(1, 2)), ValueError,
     "letterbox: color must have 1 value or one per channel (3 for this image), got [1, 2]"),
    (lambda: detection.letterbox(IMAGE, 16, color=(0, 0, 256)), ValueError,
     "letterbox: color must be in [0, 255] for a uint8 image, got [0, 0, 256]"),
    (lambda: detection.letterbox(IMAGE.astype(np.float32), 16, color=(np.nan, 0, 0)), ValueError,
     "letterbox: color must be finite, got [nan, 0.0, 0.0]"),
    (lambda: detection.letterbox(IMAGE, "16"), TypeError, "letterbox: new_shape must be an int or (height, width), got '16'"),
    (lambda: detection.to_blob(IMAGE, size=(10,)), ValueError, "to_blob: size must be (width, height), got (10,)"),
    (lambda: detection.to_blob(IMAGE, size=(10, 0)), ValueError, "to_blob: size must be >= 1, got 0"),
    (lambda: detection.to_blob(IMAGE[0]), ValueError,
     "to_blob: images must be an (H, W, C) image, an (N, H, W, C) batch or a list of images, got shape (10, 3)"),
    (lambda: detection.to_blob(7), TypeError, "to_blob: images must be a sequence, got 7"),
    (lambda: detection.normalize(IMAGE, (1, 2), (1, 1, 1)), ValueError,
     "normalize: mean must have 1 value or one per channel (3, the last axis of the image of shape (8, 10, 3)), got "
     "shape (2,)"),
    (lambda: detection.normalize(IMAGE, 0, (1, 1)), ValueError,
     "normalize: std must have 1 value or one per channel (3, the last axis of the image of shape (8, 10, 3)), got "
     "shape (2,)"),
    (lambda: detection.normalize(IMAGE, 0, (1, np.nan, 1)), ValueError, "normalize: std must be finite, got [1.0, nan, 1.0]"),
    (lambda: detection.scale_boxes(BOXES, 1, (0,), (10, 10)), ValueError, "scale_boxes: pad must have 2 items, got 1 ((0,))"),
    (lambda: detection.scale_boxes(BOXES, 1, (np.nan, 0), (10, 10)), ValueError, "scale_boxes: pad[0] must be finite, got nan"),
    (lambda: detection.scale_boxes(BOXES, 1, (0, 0), 10), TypeError, "scale_boxes: original_shape must be a sequence, got 10"),
    (lambda: detection.postprocess(np.array([[np.nan, 0, 1, 1]]), np.array([[0.9]])), ValueError,
     "postprocess: boxes must have finite coordinates, got [nan, 0.0, 1.0, 1.0] at boxes[0] (a candidate over "
     "score_threshold)"),
    (lambda: detection.postprocess(np.array([[[0, 0, 1, 1], [0, 0, np.inf, 1]]]), np.array([[[0.9], [0.8]]])),
     ValueError, "postprocess: boxes must have finite coordinates, got [0.0, 0.0, inf, 1.0] at boxes[0, 1] (a "
     "candidate over score_threshold)"),
    (lambda: detection.anchor_quality(np.ones((5, 2)), np.zeros((2, 2))), ValueError,
     "anchor_quality: anchors must hold sizes > 0, got [0.0, 0.0]"),
    (lambda: detection.anchor_quality(np.ones((0, 2)), np.ones((2, 2))), ValueError,
     "anchor_quality: wh must hold at least one (width, height) row, got shape (0, 2)"),
    (lambda: detection.kmeans_anchors(np.ones((5, 2)), 2, thr=1), ValueError, "kmeans_anchors: thr must be > 1, got 1.0"),
    (lambda: cluster.KNeighborsClassifier(1).fit(np.zeros((0, 2)), np.zeros(0)), ValueError,
     "KNeighborsClassifier.fit: X must have at least one row, got shape (0, 2)"),
    (lambda: cluster.KNeighborsClassifier(1).fit(np.full((3, 2), np.inf), np.zeros(3)), ValueError,
     "KNeighborsClassifier.fit: X must not contain NaN or infinity"),
    (lambda: cluster.KNeighborsClassifier(1).fit(np.ones((3, 2)), np.zeros(3)).predict(np.ones((1, 3))), ValueError,
     "KNeighborsClassifier.predict: X must have 2 features like the training data, got shape (1, 3)"),
    (lambda: cluster.KNeighborsClassifier(4).fit(np.ones((3, 2)), np.zeros(3)).predict_proba(np.ones((1, 2))),
     ValueError, "KNeighborsClassifier.predict_proba: n_neighbors must be <= the number of training samples (3), got 4"),
    (lambda: cluster.KNeighborsClassifier(1).fit(np.ones((3, 2)), np.zeros(3)).score(np.ones((2, 2)), [0]), ValueError,
     "KNeighborsClassifier.score: y must have shape (2,) (one label per row of X), got (1,)"),
    (lambda: cluster.KMeans(1, random_state=0).fit(np.ones((3, 2))).predict(np.ones((2, 3))), ValueError,
     "KMeans.predict: X and centers must have the same number of features, got shapes (2, 3) and (1, 2)"),
    (lambda: cluster.KMeans(1, random_state=0).fit(np.ones((3, 2))).transform(np.full((2, 2), np.nan)), ValueError,
     "KMeans.transform: X must not contain NaN or infinity"),
    (lambda: cvcore.set_num_threads(2**31), ValueError, "set_num_threads: n must be in [1, 1024], got 2147483648"),
    (lambda: cvcore.set_num_threads(-1), ValueError, "set_num_threads: n must be in [1, 1024], got -1"),
    (lambda: cvcore.set_num_threads(2**64), ValueError, "set_num_threads: n must fit in 64 bits, got 18446744073709551616"),
    (lambda: metrics.confusion_matrix([1, 2], [1]), ValueError,
     "confusion_matrix: y_true and y_pred must have the same length, got 2 and 1"),
    (lambda: metrics.precision_recall_fscore([1], [1], beta=np.nan), ValueError,
     "precision_recall_fscore: beta must be a finite number >= 0, got nan"),
    (lambda: metrics.precision_recall_fscore([1, None], [None, 2]), TypeError,
     "precision_recall_fscore: the labels of y_true, y_pred and labels must be comparable values of one kind ("
     "'<' not supported between instances of 'NoneType' and 'int')"),
    (lambda: metrics.confusion_matrix(["a", "b"], [0, 1]), TypeError,
     "confusion_matrix: y_true, y_pred and labels must hold labels of one kind, got strings in y_true, numbers in "
     "y_pred"),
    (lambda: metrics.average_precision([0.5, 0.25], [1, 1]), ValueError,
     "average_precision: recall must be non-decreasing (points in detection order), got 0.5 then 0.25 at 0"),
    (lambda: metrics.average_precision([0.5, 1.5], [1, 1]), ValueError,
     "average_precision: recall must hold values in [0, 1], got 1.5"),
    (lambda: metrics.precision_recall_fscore_from_counts([1, 2], [0, 0, 0], [0, 0]), ValueError,
     "precision_recall_fscore_from_counts: tp, fp and fn must have the same shape, got (2,), (3,) and (2,)"),
    (lambda: metrics.voc_evaluate([{"labels": [0]}], [{}]), ValueError, "voc_evaluate: ground_truth[0] has no 'boxes'"),
    (lambda: metrics.voc_evaluate([], [], iou_threshold=np.nan), ValueError,
     "voc_evaluate: iou_threshold must be finite, got nan"),
    (lambda: metrics.voc_evaluate([{"boxes": np.zeros((1, 5)), "labels": [0]}], [{}]), ValueError,
     "voc_evaluate: ground_truth[0]['boxes'] must have shape (n, 4), got (1, 5)"),
    (lambda: image.draw_detections(IMAGE, BOXES, color=(1, 2)), ValueError,
     "draw_detections: color must be three numbers (R, G, B) in [0, 255], got [1, 2]"),
    (lambda: image.draw_detections(IMAGE, np.zeros((2, 5))), ValueError,
     "draw_detections: boxes must have shape (..., 4), got (2, 5)"),
    (lambda: image.draw_detections(IMAGE, BOXES, thickness=np.nan), TypeError,
     "draw_detections: thickness must be an int, got nan"),
    (lambda: image.read_png(5), TypeError, "read_png: file must be a str or path-like, got int"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_python_functions_name_the_function_the_argument_and_the_value(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize("call, message", [
    # 4 EiB: more than any address space, so the allocation fails at once.
    (lambda: ops.conv2d(ONE, ONE, padding=2**29),
     "conv2d: cannot allocate 4611686027017322500 bytes for the output of shape (1, 1, 1073741825, 1073741825) and "
     "dtype float32"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_memory_errors_say_how_many_bytes_for_which_output(call, message):
    with pytest.raises(MemoryError, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize("call, message", [
    # More bytes than 64 bits count: refused before any allocation, as a size that overflows.
    (lambda: ops.adaptive_avg_pool2d(ONE, (2**31, 2**31)),
     "adaptive_avg_pool2d: the output shape (1, 1, 2147483648, 2147483648) is too large"),
    (lambda: ops.roi_pool(np.zeros((1, 1, 4, 4), np.float32), ROIS, (2**30, 2**30), return_indices=True),
     "roi_pool: the output shape (1, 1, 1073741824, 1073741824) is too large"),
    # An empty array whose other sizes overflow is no NumPy array either.
    (lambda: ops.roi_align(np.zeros((1, 1, 4, 4), np.float32), ROIS[:0], (2**31, 2**31)),
     "roi_align: the output of shape (0, 1, 2147483648, 2147483648) is too large"),
    # The functions written in NumPy say the same as the C++ ones.
    (lambda: detection.resize_bilinear(IMAGE, (2**31, 2**31)),
     "resize_bilinear: the resized image of shape (2147483648, 2147483648, 3) is too large"),
    (lambda: detection.anchor_points([(2**62, 2**62)], [8]),
     "anchor_points: the points of shape (21267647932558653966460912964485513216, 2) is too large"),
    (lambda: cvcore.nn.Linear(2**31, 2**31),
     "Linear: its weight of shape (2147483648, 2147483648) is too large"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_sizes_past_64_bits_are_value_errors_naming_the_output(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + ": its size in bytes overflows 64 bits$"):
        call()


@pytest.mark.parametrize("name, content, args, message", [
    ("coco.json", '{"images": [], "annotations": [{"image_id": 1}]}', [],
     "cvcore anchors: {path}: annotations[0] must have an 'image_id' and a 'bbox' [x, y, w, h] (KeyError('bbox'))"),
    ("coco.json", '[1, 2]', [],
     "cvcore anchors: {path}: the file must hold a JSON object with 'images' and 'annotations', got list"),
    ("coco.json", '{"images": [', [],
     "cvcore anchors: '{path}' line 1 column 13: invalid JSON: expected a value, got the end of the text"),
    ("labels/a.txt", "0 0.5 0.5 0.1 0.2\n0 0.5 0.5 wide 0.2\n", [],
     "cvcore anchors: {path}: {path}/a.txt:2: the width and height must be numbers, got '0 0.5 0.5 wide 0.2'"),
    ("labels/a.txt", "0 0.5 0.5 0.1 0.2\n", ["-n", "0"], "cvcore anchors: kmeans_anchors: n_anchors must be >= 1, got 0"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_cli_errors_name_the_command_the_file_and_the_record(tmp_path, name, content, args, message):
    from cvcore import cli

    target = tmp_path / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(content)
    path = target if target.parent == tmp_path else target.parent
    with pytest.raises(SystemExit, match="^" + re.escape(message.format(path=path)) + "$"):
        cli.main(["anchors", str(path)] + args)


def test_cli_bench_names_a_thread_count_out_of_range():
    from cvcore import cli

    with pytest.raises(SystemExit, match=r"^cvcore bench: --threads: set_num_threads: n must be in \[1, 1024\], got 0$"):
        cli.main(["bench", "--quick", "--threads", "1", "0"])
