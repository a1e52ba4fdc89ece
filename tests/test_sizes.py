"""Integer arguments at the edges of 64-bit arithmetic, and the bounds on the arguments that multiply
the work.

Every integer argument of the ops is tried at 2**31, 2**62 and 2**63 - 1 (and at zero and negative
values where they mean something): each call either raises a ValueError that names the op, the
argument and the value, or returns what a NumPy reference computes from the same arguments in
Python's unbounded integers (a huge stride or dilation on a map whose padding still fits gives its
one window's result). Values whose result fits but would allocate gigabytes are not tried (a 2**31
channel weight is 8 GiB); combinations that overflow are tried instead.
"""

import math
import re

import numpy as np
import pytest

from cvcore import cluster, detection, nn, ops
from reference import conv as conv_ref
from reference import kmeans as kmeans_ref
from reference import pool as pool_ref
from reference import roi as roi_ref

BIG = [2**31, 2**62, 2**63 - 1]
INT64_MAX = 2**63 - 1


@pytest.fixture
def x():
    """An 8x8 map whose maximum is 63 (two channels: the second is the first reversed)."""
    plane = np.arange(64, dtype=np.float32).reshape(8, 8)
    return np.stack([plane, plane[::-1, ::-1]])[None].copy()


def _raises(op, text, call):
    """call() raises a ValueError whose message starts with "<op>: " and contains `text` (a regex)."""
    with pytest.raises(ValueError, match=rf"^{re.escape(op)}: .*(?:{text})"):
        call()


# --- the sliding-window size rule ------------------------------------------------------------------

@pytest.mark.parametrize("ceil_mode", [False, True])
def test_conv_output_size_exact_or_named(ceil_mode):
    # Exactly the reference's big-integer result whenever the padded size and the dilated kernel fit
    # 64 bits (also when the result is < 1), else a ValueError naming the padding or the dilation.
    values = [1, 2, 3, 2**31, 2**61, 2**62 - 1, 2**62, INT64_MAX]
    for size in (0, 1, 8):
        for kernel in values:
            for stride in values:
                for padding in [0] + values:
                    for dilation in (1, 2, 2**31, INT64_MAX):
                        call = lambda: ops.conv_output_size(size, kernel, stride, padding, dilation, ceil_mode)
                        if size + 2 * padding > INT64_MAX:
                            _raises("conv_output_size", rf"padding \({padding}, {padding}\) around a size of {size} "
                                    "overflows 64 bits", call)
                        elif dilation * (kernel - 1) + 1 > INT64_MAX:
                            _raises("conv_output_size", rf"dilation {dilation} with kernel_size {kernel} spans", call)
                        else:
                            assert call() == conv_ref.output_size(size, kernel, stride, padding, padding, dilation,
                                                                  ceil_mode)


# --- convolution --------------------------------------------------------------------------------

@pytest.mark.parametrize("v", BIG)
def test_conv2d_huge_stride_and_dilation(threads, x, v):
    w3 = np.linspace(-1, 1, 2 * 2 * 9, dtype=np.float32).reshape(2, 2, 3, 3)
    w1 = w3[:, :, :1, :1].copy()
    b = np.array([0.5, -0.25], np.float32)
    # One window whose padding still fits: the reference's 1x1 result.
    for kwargs in [dict(stride=v), dict(stride=v, padding=1), dict(stride=(v, 1), padding=(1, 0)),
                   dict(stride=(1, v), padding=(0, 1)), dict(stride=v, dilation=(2, 3), padding=2)]:
        out = ops.conv2d(x, w3, b, **kwargs)
        stride = kwargs["stride"] if isinstance(kwargs["stride"], tuple) else (v, v)
        pad = kwargs.get("padding", 0)
        pad = pad if isinstance(pad, tuple) else (pad, pad)
        dilation = kwargs.get("dilation", (1, 1))
        want = conv_ref.conv2d(x, w3, b, stride, (pad[0], pad[1], pad[0], pad[1]), dilation)
        assert out.shape == want.shape
        np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-5)
    # A 1x1 kernel fits with any dilation.
    out = ops.conv2d(x, w1, b, stride=v, dilation=v)
    np.testing.assert_allclose(out, conv_ref.conv2d(x, w1, b, (v, v), (0, 0, 0, 0), (v, v)), rtol=1e-6, atol=1e-6)
    # Windows that do not fit, or sizes that overflow: named errors.
    _raises("conv2d", "is too small|spans more than", lambda: ops.conv2d(x, w3, stride=v, dilation=v))
    _raises("conv2d", rf"output size \(0, 0\) is too small", lambda: ops.conv2d(x, w3, stride=2**63 - 1,
                                                                               dilation=2**62 - 1))
    _raises("conv2d", rf"padding \({v}, {v}\)|padding \({v}, {v}, {v}, {v}\)", lambda: ops.conv2d(x, w3, padding=v))
    _raises("conv2d", rf"groups \({v}\) must divide", lambda: ops.conv2d(x, w3, groups=v))


def test_conv2d_dilation_overflow_names_the_argument(x):
    w3 = np.ones((1, 2, 3, 3), np.float32)
    _raises("conv2d", rf"dilation {2**62} with kernel_size 3 spans more than 2\^63 - 1 values",
            lambda: ops.conv2d(x, w3, dilation=2**62))
    _raises("conv2d", rf"output size \(-4294967288, -4294967288\) is too small: .* dilated kernel \(4294967297, "
            r"4294967297\)",
            lambda: ops.conv2d(x, w3, dilation=2**31))


@pytest.mark.parametrize("v", BIG)
def test_conv2d_fused_max_pool_sizes(threads, x, v):
    w = np.ones((1, 2, 3, 3), np.float32)
    conv = ops.conv2d(x, w)  # (1, 1, 6, 6)
    # A huge pooling stride: one window; a huge kernel only with ceil_mode, which keeps one window.
    got = ops.conv2d(x, w, max_pool=(2, v))
    np.testing.assert_array_equal(got, pool_ref.max_pool2d(conv, (2, 2), (v, v), (0, 0), (1, 1), False)[0])
    got = ops.conv2d(x, w, max_pool=(v, v, True))
    np.testing.assert_array_equal(got, conv.max(axis=(2, 3), keepdims=True))
    _raises("conv2d", r"max_pool kernel_size .* is larger than", lambda: ops.conv2d(x, w, max_pool=(v, v)))


# --- pooling ------------------------------------------------------------------------------------

def _one_window(x, rows, cols, reduce):
    """reduce over x[..., rows, cols] (Python-int bounds, clipped to the input), keeping 4 dims."""
    h, w = x.shape[2:]
    part = x[:, :, max(rows[0], 0):min(rows[1], h), max(cols[0], 0):min(cols[1], w)].astype(np.float64)
    return reduce(part)


def _max_index(x):
    """Each plane's first maximum, as a flat index h * W + w."""
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    return flat.argmax(axis=2)[:, :, None, None]


@pytest.mark.parametrize("v", BIG)
def test_max_pool2d_huge(threads, x, v):
    # The case: a kernel of 2**63 - 2 does not fit an 8x8 map (it used to return 3.0).
    _raises("max_pool2d", r"output size \(0, 0\) is too small", lambda: ops.max_pool2d(x, 2**63 - 2))
    _raises("max_pool2d", r"output size \(0, 0\) is too small", lambda: ops.max_pool2d(x, v))
    # A kernel as large as the padded input: one window over the whole map.
    for ceil_mode in (False, True):
        call = lambda: ops.max_pool2d(x, v, padding=v // 2, ceil_mode=ceil_mode, return_indices=True)
        if 8 + 2 * (v // 2) > INT64_MAX:
            _raises("max_pool2d", rf"padding \({v // 2}, {v // 2}\) around a size of 8 overflows", call)
            continue
        out, idx = call()
        np.testing.assert_array_equal(out, x.max(axis=(2, 3), keepdims=True))
        np.testing.assert_array_equal(idx, _max_index(x))
    # Huge strides: the first window only, as the reference computes it.
    for kernel, padding, ceil_mode in [(2, 0, False), (3, 1, True), ((3, 2), (1, 0), False)]:
        kernel2 = kernel if isinstance(kernel, tuple) else (kernel, kernel)
        padding2 = padding if isinstance(padding, tuple) else (padding, padding)
        out, idx = ops.max_pool2d(x, kernel, v, padding, 1, ceil_mode, return_indices=True)
        want, want_idx = pool_ref.max_pool2d(x, kernel2, (v, v), padding2, (1, 1), ceil_mode)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
    # A kernel of one tap fits with any dilation.
    out, idx = ops.max_pool2d(x, 1, v, 0, v, return_indices=True)
    want, want_idx = pool_ref.max_pool2d(x, (1, 1), (v, v), (0, 0), (v, v), False)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(idx, want_idx)


@pytest.mark.parametrize("v", BIG)
def test_max_pool2d_empty_window_index(threads, x, v):
    # Kernel 2, dilation v, padding 1, ceil_mode and a huge stride: one window whose two taps, -1 and
    # v - 1, both miss the map: -inf, and the index of the first tap at or after 0, when it fits.
    call = lambda indices: ops.max_pool2d(x, 2, INT64_MAX, 1, v, True, return_indices=indices)
    if v + 1 > INT64_MAX:
        _raises("max_pool2d", f"dilation {v} with kernel_size 2 spans", lambda: call(False))
        return
    out = call(False)
    assert out.shape == (1, 2, 1, 1) and (out == -np.inf).all()
    index = (v - 1) * 8 + (v - 1)
    if index > INT64_MAX:
        _raises("max_pool2d", rf"dilation \({v}, {v}\) is too large for return_indices", lambda: call(True))
    else:
        out, idx = call(True)
        assert (out == -np.inf).all() and (idx == index).all()


@pytest.mark.parametrize("v", BIG)
def test_avg_pool2d_huge(threads, x, v):
    # The case: a kernel of 2**63 - 1 does not fit an 8x8 map (it used to return 31.5).
    _raises("avg_pool2d", r"output size \(0, 0\) is too small", lambda: ops.avg_pool2d(x, 2**63 - 1))
    _raises("avg_pool2d", r"output size \(0, 0\) is too small", lambda: ops.avg_pool2d(x, v))
    # A kernel as large as the padded input: one window; with count_include_pad its divisor is the
    # window's area in the padded input (2**62 or 2**124: exact in float32).
    p = v // 2
    for ceil_mode in (False, True):
        for count_include_pad in (True, False):
            call = lambda: ops.avg_pool2d(x, v, padding=p, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
            if 8 + 2 * p > INT64_MAX:
                _raises("avg_pool2d", rf"padding \({p}, {p}\) around a size of 8 overflows", call)
                continue
            divisor = float((min(v - p, 8 + p) + p) ** 2 if count_include_pad else 64)
            want = _one_window(x, (-p, v - p), (-p, v - p), lambda a: a.sum(axis=(2, 3), keepdims=True) / divisor)
            np.testing.assert_array_equal(call(), want.astype(np.float32))
    # ceil_mode keeps one window larger than the padded input when the stride is huge.
    out = ops.avg_pool2d(x, INT64_MAX, INT64_MAX, ceil_mode=True)
    np.testing.assert_array_equal(out, x.mean(axis=(2, 3), keepdims=True))
    # Huge strides and divisors: the reference.
    for kernel, padding, ceil_mode, cip in [(2, 0, False, True), (3, 1, True, True), (3, 1, True, False)]:
        out = ops.avg_pool2d(x, kernel, v, padding, ceil_mode, cip)
        want = pool_ref.avg_pool2d(x, (kernel,) * 2, (v, v), (padding,) * 2, ceil_mode, cip, None)
        np.testing.assert_array_equal(out, want.astype(np.float32))
    for divisor in (v, -v):
        out = ops.avg_pool2d(x, 2, divisor_override=divisor)
        want = pool_ref.avg_pool2d(x, (2, 2), (2, 2), (0, 0), False, True, float(divisor))
        np.testing.assert_array_equal(out, want.astype(np.float32))


@pytest.mark.parametrize("v", BIG)
def test_adaptive_pools_huge_output_size(threads, x, v):
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        fn = getattr(ops, name)
        _raises(name, rf"(output_size \({v}, {v}\)|the output shape \(1, 2, {v}, {v}\)) is too large",
                lambda: fn(x, v))
        _raises(name, rf"output_size must be >= 0, got \({-v}, {-v}\)", lambda: fn(x, -v))
        # An empty output whose other side is huge: nothing to compute, when its bounds fit.
        if 8 * v + v <= INT64_MAX:
            out = fn(x, (v, 0))
            assert out.shape == (1, 2, v, 0) and out.dtype == np.float32
        else:
            _raises(name, rf"output_size \({v}, 0\) is too large", lambda: fn(x, (v, 0)))
    pixels = x.astype(np.uint8)
    _raises("adaptive_avg_pool2d", "too large", lambda: ops.adaptive_avg_pool2d(pixels, v))
    _raises("adaptive_avg_pool2d_levels", "too large", lambda: ops.adaptive_avg_pool2d_levels(pixels, [(2, 2), (v, v)]))
    _raises("adaptive_avg_pool2d_levels", rf"output_size must be >= 0, got \(2, {-v}\)",
            lambda: ops.adaptive_avg_pool2d_levels(pixels, [(2, -v)]))


@pytest.mark.parametrize("layer", [nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d])
@pytest.mark.parametrize("v", BIG)
def test_pooling_layers_huge(x, layer, v):
    # The layers run the ops: the same errors, naming the op that ran (or the layer, for a negative size).
    with pytest.raises(ValueError, match=r"(pool2d|Pool2d): .*(too small|too large|overflows)"):
        layer(v)(x)
    with pytest.raises(ValueError, match=rf"{layer.__name__}: .*must be >= [01], got \({-v}, {-v}\)"):
        layer(-v)


# --- RoI pooling ------------------------------------------------------------------------------------

BOXES = np.array([[0, 1, 1, 5, 5], [0, 0.5, 2, 7.5, 3]], np.float32)


@pytest.mark.parametrize("op", ["roi_align", "crop_resize", "roi_pool"])
@pytest.mark.parametrize("v", BIG)
def test_roi_huge_output_size(x, op, v):
    fn = getattr(ops, op)
    _raises(op, "too large|exceeds 2\\^22", lambda: fn(x, BOXES, v))
    _raises(op, rf"output_size must be >= 1, got \({-v}, {-v}\)", lambda: fn(x, BOXES, -v))


@pytest.mark.parametrize("op", ["roi_align", "crop_resize"])
@pytest.mark.parametrize("v", BIG)
def test_roi_align_sampling_ratio_bound(x, op, v):
    # The case: 2**20 samples per bin on a 4x4 RoI (hours of work) is refused, as any value
    # above 16 times the adaptive grid; negative and zero values mean the adaptive grid.
    fn = getattr(ops, op)
    for ratio in (2**20, v):
        _raises(op, rf"sampling_ratio must be at most 16 times the adaptive grid .* got {ratio}$",
                lambda: fn(x, BOXES, 2, sampling_ratio=ratio))
    for ratio in (0, -1, -v, -(2**63)):
        np.testing.assert_array_equal(fn(x, BOXES, 2, sampling_ratio=ratio), fn(x, BOXES, 2, sampling_ratio=-1))


def test_roi_align_sampling_ratio_at_its_bound(threads, x):
    # Box 0 is 4x4 on the map: adaptive grid ceil(4 / 2) = 2 per bin at output 2, so 32 is the bound;
    # box 1 (7 x 1) has an adaptive grid of 1 along y: the bound of a call is the smallest, 16.
    one = BOXES[:1]
    want = roi_ref.roi_align(x, one, (2, 2), 1.0, 32, False)
    np.testing.assert_allclose(ops.roi_align(x, one, 2, sampling_ratio=32), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ops.crop_resize(x, one, 2, sampling_ratio=32, aligned=False), want, rtol=0,
                               atol=4e-6 * 63)
    _raises("roi_align", r"here 32 for boxes\[0\] .* got 33$", lambda: ops.roi_align(x, one, 2, sampling_ratio=33))
    want = roi_ref.roi_align(x, BOXES, (2, 2), 1.0, 16, False)
    np.testing.assert_allclose(ops.roi_align(x, BOXES, 2, sampling_ratio=16), want, rtol=1e-5, atol=1e-5)
    _raises("roi_align", r"here 16 for boxes\[1\] .* got 17$", lambda: ops.roi_align(x, BOXES, 2, sampling_ratio=17))


# --- activations, suppression ---------------------------------------------------------------------

@pytest.mark.parametrize("v", BIG)
def test_softmax_axis(x, v):
    for name in ("softmax", "log_softmax"):
        for axis in (v, -v):
            _raises(name, rf"axis must be in \[-4, 3\] for input shape \(1, 2, 8, 8\), got {axis}",
                    lambda: getattr(ops, name)(x, axis=axis))


@pytest.mark.parametrize("v", BIG)
def test_nms_max_output(v):
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 9, 10]], np.float64)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    # Every box the suppression keeps, by decreasing score: the same as without a cap.
    np.testing.assert_array_equal(ops.nms(boxes, scores, 0.5, max_output=v), [3, 2])
    np.testing.assert_array_equal(ops.batched_nms(boxes, scores, np.array([0, 1, 0, 0]), 0.5, max_output=v),
                                  [3, 1, 2])
    _raises("nms", f"max_output must be >= 0, got {-v}", lambda: ops.nms(boxes, scores, 0.5, max_output=-v))


@pytest.mark.parametrize("v", BIG)
def test_postprocess_caps(v):
    boxes = np.array([[[0, 0, 10, 10], [20, 20, 30, 30]]], np.float64)
    scores = np.array([[[0.9, 0.1], [0.2, 0.8]]])
    for kwargs in (dict(pre_nms_top_k=v), dict(max_detections=v)):
        det = detection.postprocess(boxes, scores, **kwargs)[0]
        np.testing.assert_array_equal(det.boxes, [[0, 0, 10, 10], [20, 20, 30, 30]])
        np.testing.assert_array_equal(det.scores, [0.9, 0.8])
        np.testing.assert_array_equal(det.labels, [0, 1])
        name = next(iter(kwargs))
        _raises("postprocess", f"{name} must be >= 0, got {-v}",
                lambda: detection.postprocess(boxes, scores, **{name: -v}))


# --- clustering -------------------------------------------------------------------------------------

@pytest.fixture
def points():
    return np.random.default_rng(3).random((50, 2))


@pytest.mark.parametrize("v", BIG)
def test_kmeans_integer_arguments(points, v):
    _raises("kmeans", rf"n_clusters must be <= the number of samples \(50\), got {v}", lambda: cluster.kmeans(points, v))
    _raises("kmeans", rf"n_clusters must be >= 1, got {-v}", lambda: cluster.kmeans(points, -v))
    _raises("kmeans", rf"max_iter must be in \[1, 100000\], got {v}", lambda: cluster.kmeans(points, 3, max_iter=v))
    _raises("kmeans", rf"n_init must be in \[1, 1000\], got {v}", lambda: cluster.kmeans(points, 3, n_init=v))
    _raises("kmeans", rf"n_local_trials must be in \[1, n_samples = 50\], got {v}",
            lambda: cluster.kmeans(points, 3, n_local_trials=v))
    _raises("kmeans_plusplus", rf"n_local_trials must be in \[1, n_samples = 50\], got {v}",
            lambda: cluster.kmeans_plusplus(points, 3, n_local_trials=v))
    _raises("kmeans_plusplus", rf"n_clusters must be <= the number of samples \(50\), got {v}",
            lambda: cluster.kmeans_plusplus(points, v))
    _raises("kmeans", rf"n_init must be in \[1, 1000\], got {v}", lambda: cluster.KMeans(3, n_init=v).fit(points))
    with pytest.raises(ValueError, match=rf"n_neighbors must be <= the number of training samples \(50\), got {v}"):
        cluster.KNeighborsClassifier(v).fit(points, np.arange(50) % 2).predict(points)


def test_kmeans_bounds_are_accepted(threads, points):
    init = points[:3].copy()
    centers, labels, inertia, n_iter = cluster.kmeans(points, 3, init=init, max_iter=100000)
    want_centers, want_labels, want_inertia, want_iter = kmeans_ref.lloyd(points, init, max_iter=100000)
    np.testing.assert_allclose(centers, want_centers, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, want_labels)
    assert n_iter == want_iter
    # 1000 restarts and n_samples candidates: a k-means of the data, labels the nearest centres.
    centers, labels, inertia, _ = cluster.kmeans(points, 3, n_init=1000, n_local_trials=50, random_state=0)
    d = kmeans_ref.sq_distance(points, centers)
    np.testing.assert_array_equal(labels, d.argmin(axis=1))
    np.testing.assert_allclose(inertia, d.min(axis=1).sum(), rtol=1e-12)
    chosen, indices = cluster.kmeans_plusplus(points, 3, n_local_trials=50, random_state=0)
    np.testing.assert_array_equal(chosen, points[indices])


# --- detection ------------------------------------------------------------------------------------

@pytest.mark.parametrize("v", BIG)
def test_detection_sizes(v):
    image = np.zeros((8, 4, 3), np.uint8)
    _raises("letterbox", r"the resized image of shape \(\d+, \d+, 3\) is too large", lambda: detection.letterbox(image, v))
    # A huge stride with auto: the padding modulo the stride is the padding itself.
    out, ratio, pad = detection.letterbox(image, 16, auto=True, stride=v)
    want = detection.letterbox(image, 16)
    np.testing.assert_array_equal(out, want[0])
    assert (ratio, pad) == want[1:] and out.shape == (16, 16, 3) and (out[:, :4] == 114).all()
    _raises("resize_bilinear", rf"the resized image of shape \({v}, {v}, 3\) is too large",
            lambda: detection.resize_bilinear(image, (v, v)))
    _raises("to_blob", "is too large", lambda: detection.to_blob(image, size=(v, v)))
    _raises("anchor_points", rf"the points of shape \({4 + v * v}, 2\) is too large",
            lambda: detection.anchor_points([(2, 2), (v, v)], [8, 16]))
    _raises("anchor_points", rf"feature_shapes\[0\] must be >= 0, got {-v}", lambda: detection.anchor_points([(-v, 2)], [8]))
    _raises("ssd_priors", rf"the priors of shape \({v * v * 4}, 4\) is too large",
            lambda: detection.ssd_priors(feature_maps=(v,), steps=(8,), min_sizes=(30,), max_sizes=(60,),
                                         aspect_ratios=((2,),)))


@pytest.mark.parametrize("v", BIG)
def test_detection_sizes_that_fit(v):
    # An empty level allocates nothing, however long its other side.
    points, strides = detection.anchor_points([(2, 1), (v, 0)], [8, 16])
    np.testing.assert_array_equal(points, [[0.5, 0.5], [0.5, 1.5]])
    np.testing.assert_array_equal(strides, [8.0, 8.0])
    # A huge image size: one prior per size, in closed form.
    priors = detection.ssd_priors(image_size=v, feature_maps=(1,), steps=(v,), min_sizes=(v // 2,), max_sizes=(v,),
                                  aspect_ratios=((2,),), clip=False)
    s = (v // 2) / v
    s2 = math.sqrt(s * (v / v))
    want = [[0.5, 0.5, s, s], [0.5, 0.5, s2, s2], [0.5, 0.5, s * math.sqrt(2), s / math.sqrt(2)],
            [0.5, 0.5, s / math.sqrt(2), s * math.sqrt(2)]]
    np.testing.assert_allclose(priors, want, rtol=1e-15)


@pytest.mark.parametrize("v", BIG)
def test_kmeans_anchors_arguments(v):
    wh = np.random.default_rng(5).uniform(0.05, 0.5, (40, 2))  # normalised sizes
    _raises("kmeans_anchors", rf"n_anchors \({v}\) must be <= the number of boxes", lambda: detection.kmeans_anchors(wh, v))
    _raises("kmeans", rf"n_init must be in \[1, 1000\], got {v}", lambda: detection.kmeans_anchors(wh, 3, n_init=v))
    _raises("kmeans", rf"max_iter must be in \[1, 100000\], got {v}",
            lambda: detection.kmeans_anchors(wh, 3, max_iter=v))
    # img_size only scales normalised sizes, and 1 - IoU does not depend on the scale.
    fit, base = detection.kmeans_anchors(wh, 3, img_size=v), detection.kmeans_anchors(wh, 3, img_size=640)
    np.testing.assert_allclose(fit.anchors / v, base.anchors / 640, rtol=1e-9)
    np.testing.assert_allclose(fit.mean_iou, base.mean_iou, rtol=1e-12)


def test_mtcnn_bounds():
    # The pyramid: at the largest scale_factor, 11/12, consecutive levels differ by at least a pixel
    # down to P-Net's 12-pixel input, so there are at most 1 + log(12 / short) / log(11/12) levels.
    from cvcore.detection import mtcnn
    for height, width, min_face in [(12, 12, 12), (100, 37, 1), (1080, 1920, 1), (1080, 1920, 20)]:
        scales = mtcnn._pyramid(height, width, min_face, 11 / 12)
        shorts = [min(height, width) * s for s in scales]
        assert all(a - b >= 1 - 1e-9 for a, b in zip(shorts, shorts[1:]))
        assert shorts and shorts[-1] >= 12
        assert len(scales) <= 1 + math.log(12 / shorts[0]) / math.log(11 / 12)
    detector = detection.MTCNN(min_face_size=1, scale_factor=11 / 12)
    boxes, probs, landmarks = detector.detect(np.zeros((16, 20, 3), np.uint8))
    assert boxes.shape == (0, 4) and probs.shape == (0,) and landmarks.shape == (0, 5, 2)
    for v in BIG:  # faces larger than the image: no level, no face
        boxes, _, _ = detection.MTCNN(min_face_size=v).detect(np.zeros((16, 20, 3), np.uint8))
        assert boxes.shape == (0, 4)
    with pytest.raises(ValueError, match=r"^MTCNN: scale_factor must be in \(0, 11/12\], got 0.9999999$"):
        detection.MTCNN(scale_factor=0.9999999)
    with pytest.raises(ValueError, match=r"^MTCNN: min_face_size must be in \[1, inf\), got 0.5$"):
        detection.MTCNN(min_face_size=0.5)


# --- layers -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("v", [2**62, 2**63 - 1])
def test_layer_parameters_too_large(v):
    # Parameters NumPy would have to allocate: named errors when their size overflows (2**31 channels
    # would be a legitimate 8 GiB weight; the combinations below overflow at 2**31 too).
    _raises("Conv2d", rf"weight of shape \(1, 1, {v}, {v}\) is too large", lambda: nn.Conv2d(1, 1, v))
    _raises("Conv2d", rf"weight of shape \(1, {v}, 1, 1\) is too large", lambda: nn.Conv2d(v, 1, 1))
    _raises("Conv2d", rf"weight of shape \({v}, 1, 1, 1\) is too large", lambda: nn.Conv2d(1, v, 1))
    _raises("Linear", rf"weight of shape \(2, {v}\) is too large", lambda: nn.Linear(v, 2))
    _raises("BatchNorm2d", rf"its parameters and statistics of shape \(4, {v}\) is too large", lambda: nn.BatchNorm2d(v))
    _raises("PReLU", rf"weight of shape \({v},\) is too large", lambda: nn.PReLU(v))


def test_layer_parameters_overflowing_at_2_31():
    v = 2**31
    _raises("Conv2d", rf"weight of shape \({v}, {v}, 1, 1\) is too large", lambda: nn.Conv2d(v, v, 1))
    _raises("Conv2d", rf"weight of shape \(1, 1, {v}, {v}\) is too large", lambda: nn.Conv2d(1, 1, v))
    _raises("Linear", rf"weight of shape \({v}, {v}\) is too large", lambda: nn.Linear(v, v))
    _raises("Conv2d", rf"groups \({v}\) must divide the input channels \(1\)", lambda: nn.Conv2d(1, 1, 1, groups=v))


@pytest.mark.parametrize("v", BIG)
def test_layer_shapes_and_summary(x, v):
    _raises("Flatten", rf"start_dim must be in \[-4, 3\] for an input of 4 dimensions, got {v}", lambda: nn.Flatten(v)(x))
    _raises("softmax", rf"axis must be in \[-4, 3\] .*got {v}", lambda: nn.Softmax(v)(x))
    # Output shapes and multiply-adds of a huge input, in Python integers: exact.
    model = nn.Sequential(nn.Conv2d(2, 3, 3, stride=(1, 2)), nn.Flatten(2))
    s = nn.summary(model, (1, 2, v, 6), verbose=False)
    ho = v - 2
    assert [row.output_shape for row in s.rows] == [(1, 3, ho, 2), (1, 3, ho * 2)]
    assert s.rows[0].macs == 1 * 3 * ho * 2 * 2 * 9
    conv = nn.Conv2d(2, 3, 1, stride=v)
    np.testing.assert_allclose(conv(x), conv_ref.conv2d(x, conv.weight, conv.bias, (v, v)), rtol=1e-6, atol=1e-6)
