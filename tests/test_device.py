"""The ops' ``device`` keyword: "cpu" (the default) runs the CPU kernels; "cuda" raises RuntimeError
saying why it cannot run (this build has no CUDA backend, no CUDA device is usable, or the op has no
CUDA kernel yet) instead of running on the CPU; the name is parsed in C++."""

import copy
import re

import numpy as np
import pytest

import cvcore
from cvcore import cluster, detection, ops

X = np.random.default_rng(0).random((1, 3, 6, 6), dtype=np.float32)
W = np.ones((2, 3, 3, 3), np.float32)
V = np.ones(3, np.float32)
BOXES = np.array([[0, 0, 4, 4], [1, 1, 5, 5], [6, 6, 9, 9]], np.float32)
SCORES = np.array([0.9, 0.8, 0.7], np.float32)
ROIS = np.array([[0, 0, 0, 4, 4]], np.float32)

# One valid call of every op, with the keyword arguments given.
CALLS = {
    "conv2d": lambda **kw: ops.conv2d(X, W, **kw),
    "linear": lambda **kw: ops.linear(X[0, 0], np.ones((2, 6), np.float32), **kw),
    "max_pool2d": lambda **kw: ops.max_pool2d(X, 2, **kw),
    "avg_pool2d": lambda **kw: ops.avg_pool2d(X, 2, **kw),
    "adaptive_avg_pool2d": lambda **kw: ops.adaptive_avg_pool2d(X, 2, **kw),
    "adaptive_avg_pool2d_levels": lambda **kw: ops.adaptive_avg_pool2d_levels(X, [(2, 2)], **kw),
    "adaptive_max_pool2d": lambda **kw: ops.adaptive_max_pool2d(X, 2, **kw),
    "batch_norm": lambda **kw: ops.batch_norm(X, V, V, **kw),
    "fold_batch_norm": lambda **kw: ops.fold_batch_norm(W, None, np.zeros(2), np.ones(2), **kw),
    "box_area": lambda **kw: ops.box_area(BOXES, **kw),
    "box_convert": lambda **kw: ops.box_convert(BOXES, "xyxy", "cxcywh", **kw),
    "clip_boxes": lambda **kw: ops.clip_boxes(BOXES, (5, 5), **kw),
    "remove_small_boxes": lambda **kw: ops.remove_small_boxes(BOXES, 3.5, **kw),
    "nms": lambda **kw: ops.nms(BOXES, SCORES, 0.1, **kw),
    "batched_nms": lambda **kw: ops.batched_nms(BOXES, SCORES, [0, 1, 0], 0.1, **kw),
    "soft_nms": lambda **kw: ops.soft_nms(BOXES, SCORES, **kw),
    "roi_align": lambda **kw: ops.roi_align(X, ROIS, 2, **kw),
    "roi_pool": lambda **kw: ops.roi_pool(X, ROIS, 2, **kw),
    "crop_resize": lambda **kw: ops.crop_resize(X, ROIS, 2, **kw),
    "prelu": lambda **kw: ops.prelu(X, V, **kw),
    "concat": lambda **kw: ops.concat([X, X], 1, **kw),
    "transpose": lambda **kw: ops.transpose(X, (0, 2, 3, 1), **kw),
    "slice": lambda **kw: ops.slice(X, [1], [3], [2], **kw),
    "pad": lambda **kw: ops.pad(X, [0, 0, 1, 1, 0, 0, 1, 1], "reflect", **kw),
    "conv_transpose2d": lambda **kw: ops.conv_transpose2d(X, W.transpose(1, 0, 2, 3), **kw),
    "resize": lambda **kw: ops.resize(X, scale_factor=2, **kw),
    "interpolate": lambda **kw: ops.interpolate(X, size=(4, 9), mode="bilinear", **kw),
}
for name in ("relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "gelu", "silu", "hardswish", "mish",
             "softplus", "hardsigmoid", "clip", "softmax", "log_softmax"):
    CALLS[name] = lambda fn=getattr(ops, name), **kw: fn(X, **kw)
for name in ("add", "sub", "mul", "div"):
    CALLS[name] = lambda fn=getattr(ops, name), **kw: fn(X, X[:, :1], **kw)
for name in ("box_iou", "generalized_box_iou", "distance_box_iou", "complete_box_iou"):
    CALLS[name] = lambda fn=getattr(ops, name), **kw: fn(BOXES, BOXES, **kw)


DATA = np.random.default_rng(0).uniform(1, 2, (10, 2))
LABELS = np.arange(10) % 2
KMEANS = cluster.KMeans(2, random_state=0).fit(DATA)
KNN = cluster.KNeighborsClassifier(2).fit(DATA, LABELS)


def on(estimator, device):
    """A copy of a fitted estimator whose later calls run on `device`."""
    moved = copy.copy(estimator)
    moved.device = device
    return moved


# The functions and estimators outside cvcore.ops that take a device (the estimators in their
# constructor, as scikit-learn's n_jobs): a call of each, and the C++ op that its messages name.
OTHER_CALLS = {
    "kmeans": ("kmeans", lambda device: cluster.kmeans(DATA, 2, device=device)),
    "kmeans_plusplus": ("kmeans_plusplus", lambda device: cluster.kmeans_plusplus(DATA, 2, device=device)),
    "KMeans.fit": ("kmeans", lambda device: cluster.KMeans(2, device=device).fit(DATA)),
    "KMeans.predict": ("KMeans.predict", lambda device: on(KMEANS, device).predict(DATA)),
    "KMeans.transform": ("KMeans.transform", lambda device: on(KMEANS, device).transform(DATA)),
    "KMeans.score": ("KMeans.score", lambda device: on(KMEANS, device).score(DATA)),
    "KNeighborsClassifier.fit": ("KNeighborsClassifier.fit", lambda device: cluster.KNeighborsClassifier(2, device=device).fit(
        DATA, LABELS)),
    "KNeighborsClassifier.predict": ("KNeighborsClassifier.predict", lambda device: on(KNN, device).predict(DATA)),
    "KNeighborsClassifier.kneighbors": ("KNeighborsClassifier.kneighbors", lambda device: on(KNN, device).kneighbors()),
    "to_blob": ("to_blob", lambda device: detection.to_blob(np.zeros((4, 5, 3), np.uint8), device=device)),
}


def cuda_refusal():
    """Why device="cuda" cannot run on this build and machine."""
    if not cvcore.cuda.is_built():
        return ("device 'cuda' needs the CUDA backend, which this build of cvcore does not include: rebuild with "
                "the CMake option CVCORE_CUDA=ON (pip install . -C cmake.define.CVCORE_CUDA=ON)")
    if cvcore.cuda.device_count() == 0:
        return "device 'cuda' needs a CUDA device, and none is usable"
    return "no CUDA implementation yet"


def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def test_every_op_with_arrays_takes_a_device():
    assert set(CALLS) == set(ops.__all__) - {"conv_output_size"}


@pytest.mark.parametrize("op", list(CALLS))
def test_cpu_is_the_default(op):
    for got, want in zip(as_list(CALLS[op](device="cpu")), as_list(CALLS[op]())):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op", list(CALLS))
def test_cuda_raises_a_clear_runtime_error_instead_of_running_on_the_cpu(op):
    with pytest.raises(RuntimeError, match="^" + re.escape(f"{op}: {cuda_refusal()}")):
        CALLS[op](device="cuda")


@pytest.mark.parametrize("op", list(CALLS))
def test_device_names_are_parsed_in_cpp(op):
    with pytest.raises(ValueError, match=rf"^{op}: device must be one of 'cpu', 'cuda', got 'gpu'$"):
        CALLS[op](device="gpu")
    with pytest.raises(TypeError, match=rf"^{op}: device must be a str, got None$"):
        CALLS[op](device=None)


def test_cuda_module():
    assert isinstance(cvcore.cuda.is_built(), bool) and cvcore.cuda.is_built() == cvcore.build_info()["cuda"]
    assert cvcore.cuda.device_count() >= 0
    assert cvcore.cuda.is_available() == (cvcore.cuda.is_built() and cvcore.cuda.device_count() > 0)


@pytest.mark.parametrize("name", list(OTHER_CALLS))
def test_other_functions_take_a_device(name):
    op, call = OTHER_CALLS[name]
    call("cpu")
    with pytest.raises(RuntimeError, match="^" + re.escape(f"{op}: {cuda_refusal()}")):
        call("cuda")
    with pytest.raises(ValueError, match=rf"^{op}: device must be one of 'cpu', 'cuda', got 'gpu'$"):
        call("gpu")
    with pytest.raises(TypeError, match=r": device must be a str, got None$"):
        call(None)
