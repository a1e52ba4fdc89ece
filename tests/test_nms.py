"""nms, batched_nms and soft_nms against tests/reference/nms.py, torchvision's and OpenCV's probe
outputs (research notes, section 9), adversarial inputs, and both thread counts."""

import numpy as np
import pytest

from cvcore import ops
from conftest import run_threads
from reference import nms as ref

METRICS = ["iou", "iom", "diou"]
DTYPES = [np.float32, np.float64]

# Research section 9: IoU(0, 1) = 0.5 exactly, IoU(2, 3) = 1/3 (0.33333334 in float32).
A = np.array([[0, 0, 10, 10], [0, 0, 10, 5], [20, 20, 30, 30], [25, 20, 35, 30]], np.float32)
A_SCORES = np.array([0.9, 0.8, 0.7, 0.6], np.float32)


def random_boxes(rng, n, dtype, canvas=100.0, ties=False):
    xy = rng.uniform(0, canvas, (n, 2))
    wh = rng.uniform(1, canvas / 4, (n, 2))
    boxes = np.concatenate([xy, xy + wh], axis=1).astype(dtype)
    scores = rng.uniform(0, 1, n)
    if ties:
        scores = np.round(scores * 4) / 4
    return boxes, scores.astype(dtype)


def clustered_boxes(rng, n, dtype, classes=1):
    """Half base boxes spread over a canvas, half jittered copies (as benchmarks/bench_nms.py)."""
    nb = n - n // 2
    side = rng.uniform(8, 40, nb)
    canvas = 80.0 * np.sqrt(nb)
    cx, cy = rng.uniform(0, canvas, (2, nb))
    base = np.stack([cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2], axis=1)
    parent = rng.integers(0, nb, n // 2)
    jitter = rng.uniform(-0.15, 0.15, (n // 2, 4)) * side[parent, None]
    boxes = np.concatenate([base, base[parent] + jitter]).astype(dtype)
    labels = rng.integers(0, classes, nb)
    labels = np.concatenate([labels, labels[parent]])
    return boxes, rng.uniform(0, 1, n).astype(dtype), labels


# ---------------------------------------------------------------------------------------------
# Regression vectors (torchvision 0.29.1 probe outputs)

@pytest.mark.parametrize("thr, want", [(-1, [0]), (0.0, [0, 2]), (1 / 3, [0, 2]), (0.4999999, [0, 2, 3]),
                                       (0.5, [0, 1, 2, 3]), (1.0, [0, 1, 2, 3]), (2.0, [0, 1, 2, 3])])
def test_nms_threshold_table(thr, want):
    keep = ops.nms(A, A_SCORES, thr)
    assert keep.dtype == np.int64
    np.testing.assert_array_equal(keep, want)


def test_nms_float32_iou_just_above_threshold():
    # float32 IoU 0.33333334 > (double) 1/3: suppressed (torchvision; OpenCV keeps it).
    np.testing.assert_array_equal(ops.nms(A[2:], A_SCORES[2:], 1 / 3), [0])
    # In float64 the IoU is 0.333... <= 1/3 and the box stays.
    np.testing.assert_array_equal(ops.nms(A[2:].astype(np.float64), A_SCORES[2:], 1 / 3), [0, 1])
    # pytorch/vision#7165: IoU of [1,1,2,3] vs [0,0,2,2] is 0.2000000030f > 0.2.
    pair = np.array([[1, 1, 2, 3], [0, 0, 2, 2]], np.float32)
    np.testing.assert_array_equal(ops.nms(pair, np.array([0.9, 0.8], np.float32), 0.2), [0])


@pytest.mark.parametrize("scores, want", [([0.5, 0.5, 0.5], [0]), ([0.4, 0.5, 0.5], [1])])
def test_nms_score_ties_keep_lower_index(scores, want):
    boxes = np.tile(np.array([[0, 0, 10, 10]], np.float32), (3, 1))
    np.testing.assert_array_equal(ops.nms(boxes, np.array(scores, np.float32), 0.5), want)


def test_nms_identical_boxes_keep_argmax(rng):
    boxes = np.tile(np.array([[3, 4, 30, 40]], np.float64), (50, 1))
    scores = rng.permutation(50).astype(np.float64)
    np.testing.assert_array_equal(ops.nms(boxes, scores, 0.5), [np.argmax(scores)])


def test_nms_zero_area_boxes_are_kept():
    boxes = np.array([[0, 0, 0, 0], [0, 0, 0, 0], [5, 5, 5, 5], [1, 1, 0, 0]], np.float32)
    np.testing.assert_array_equal(ops.nms(boxes, np.array([0.9, 0.8, 0.7, 0.6], np.float32), 0.5), [0, 1, 2, 3])
    # With a negative threshold an overlap of 0 exceeds it: only the first survives (cvcore's
    # convention; torchvision's NaN IoU would keep them all).
    np.testing.assert_array_equal(ops.nms(boxes, np.array([0.9, 0.8, 0.7, 0.6], np.float32), -0.1), [0])


def test_nms_touching_boxes_threshold_zero():
    boxes = np.array([[0, 0, 1, 1], [1, 0, 2, 1]], np.float32)
    np.testing.assert_array_equal(ops.nms(boxes, np.array([0.9, 0.8], np.float32), 0.0), [0, 1])


@pytest.mark.parametrize("fn", ["nms", "batched_nms"])
def test_empty_inputs(fn):
    args = (np.zeros((0, 4), np.float32), np.zeros(0, np.float32))
    if fn == "batched_nms":
        args += (np.zeros(0, np.int64),)
    keep = getattr(ops, fn)(*args, 0.5)
    assert keep.dtype == np.int64 and keep.shape == (0,)
    keep = getattr(ops, fn)(np.array([]), [], *([[]] if fn == "batched_nms" else []), 0.5)
    assert keep.dtype == np.int64 and keep.shape == (0,)


def test_one_box():
    np.testing.assert_array_equal(ops.nms([[0, 0, 1, 1]], [0.3], 0.5), [0])
    np.testing.assert_array_equal(ops.batched_nms([[0, 0, 1, 1]], [0.3], [7], 0.5), [0])
    idx, s = ops.soft_nms([[0, 0, 1, 1]], [0.3])
    np.testing.assert_array_equal(idx, [0])
    np.testing.assert_array_equal(s, [0.3])


def test_batched_nms_negative_coordinates():
    # torchvision's coordinate trick gives [0] here (cross-class suppression); the right answer is [0, 1].
    boxes = np.array([[-10, -10, -1, -1]] * 2, np.float32)
    np.testing.assert_array_equal(ops.batched_nms(boxes, np.array([0.9, 0.8], np.float32), [0, 1], 0.5), [0, 1])
    np.testing.assert_array_equal(ops.batched_nms(boxes, np.array([0.9, 0.8], np.float32), [1, 1], 0.5), [0])


@pytest.mark.parametrize("cls", [0, 1000, 20000, -(2**62), 2**62])
def test_batched_nms_large_class_ids_keep_precision(cls):
    # IoU 1/3 > 0.3 within one class: the float32 coordinate trick collapses the boxes at class 20000.
    boxes = np.array([[1000, 1000, 1000.5, 1000.5], [1000.25, 1000, 1000.75, 1000.5]], np.float32)
    keep = ops.batched_nms(boxes, np.array([0.9, 0.8], np.float32), [cls, cls], 0.3)
    np.testing.assert_array_equal(keep, [0])


def test_soft_nms_opencv_vectors():
    # OpenCV 5.0 softNMSBoxes probe, gaussian, sigma 0.5, score_threshold 0.
    idx, s = ops.soft_nms(A, A_SCORES, score_threshold=0.0)
    np.testing.assert_array_equal(idx, [0, 2, 1, 3])
    np.testing.assert_allclose(s, [0.9, 0.7, 0.48522455, 0.4804425], rtol=1e-6)
    assert s.dtype == np.float32
    # Two identical boxes with score 0.5: 0.5 * exp(-1 / 0.5).
    idx, s = ops.soft_nms(np.array([[0, 0, 1, 1]] * 2, np.float64), [0.5, 0.5])
    np.testing.assert_array_equal(idx, [0, 1])
    np.testing.assert_allclose(s, [0.5, 0.5 * np.exp(-2.0)], rtol=1e-15)
    # Linear in float64 (OpenCV computes the IoU in double): IoUs 0.5 and 1/3 exceed 0.3; with the
    # float32 scores widened, 0.6f * 2/3 = 0.40000002 > 0.8f * 0.5 = 0.40000001, as OpenCV's [0, 2, 3, 1].
    idx, s = ops.soft_nms(A.astype(np.float64), A_SCORES.astype(np.float64), 0.3, method="linear",
                          score_threshold=0.0)
    np.testing.assert_array_equal(idx, [0, 2, 3, 1])
    np.testing.assert_allclose(s, [0.9, 0.7, 0.4, 0.4], rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# Against the reference

@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("thr", [-0.2, 0.0, 0.3, 0.5, 0.7, 1.0])
def test_nms_random(isa, threads, rng, metric, dtype, thr):
    for n in [1, 2, 7, 60, 300]:
        boxes, scores = random_boxes(rng, n, dtype, ties=n > 10)
        keep = ops.nms(boxes, scores, thr, metric=metric)
        np.testing.assert_array_equal(keep, ref.nms(boxes, scores, thr, metric=metric))


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nms_clustered_large(rng, metric, dtype):
    # Large enough for the grid path; also with a few boxes covering most of the canvas.
    boxes, scores, _ = clustered_boxes(rng, 1500, dtype)
    for thr in [0.0, 0.5, 0.8]:
        np.testing.assert_array_equal(ops.nms(boxes, scores, thr, metric=metric),
                                      ref.nms(boxes, scores, thr, metric=metric))
    big = boxes.copy()
    hi = boxes[:, 2:].max()
    big[::97] = np.array([0, 0, hi * 0.9, hi * 0.8], dtype)
    big[1::89] = np.array([-1, hi * 0.3, hi, hi * 0.35], dtype)  # long thin boxes
    big[5::50, 2:] = big[5::50, :2]  # some empty boxes
    np.testing.assert_array_equal(ops.nms(big, scores, 0.3, metric=metric),
                                  ref.nms(big, scores, 0.3, metric=metric))


def test_nms_adversarial_geometry():
    nested = np.array([[i, i, 100 - i, 100 - i] for i in range(40)], np.float64)
    scores = np.linspace(1, 0.1, 40)
    for metric in METRICS:
        for thr in [0.0, 0.5, 0.9]:
            np.testing.assert_array_equal(ops.nms(nested, scores, thr, metric=metric),
                                          ref.nms(nested, scores, thr, metric=metric))
    # With IoM every nested box is inside the first one: IoM 1 > 0.9.
    np.testing.assert_array_equal(ops.nms(nested, scores, 0.9, metric="iom"), [0])
    huge = np.array([[-1e300, -1e300, 1e300, 1e300], [-1e300, 0, 1e300, 1e300], [0, 0, 1, 1]], np.float64)
    np.testing.assert_array_equal(ops.nms(huge, [0.9, 0.8, 0.7], 0.4), ref.nms(huge, [0.9, 0.8, 0.7], 0.4))


def test_nms_threshold_one_keeps_everything(rng):
    boxes, scores = random_boxes(rng, 200, np.float32)
    np.testing.assert_array_equal(ops.nms(boxes, scores, 1.0), np.argsort(-scores, kind="stable"))


@pytest.mark.parametrize("metric", METRICS)
def test_score_threshold_and_max_output(rng, metric):
    boxes, scores = random_boxes(rng, 400, np.float32, ties=True)
    for st in [None, 0.25, 0.5, 2.0]:
        for mo in [None, 0, 1, 5, 10_000]:
            want = ref.nms(boxes, scores, 0.4, st, mo, metric)
            np.testing.assert_array_equal(ops.nms(boxes, scores, 0.4, score_threshold=st, max_output=mo,
                                                  metric=metric), want)
    # strict: a score equal to the threshold is dropped
    np.testing.assert_array_equal(ops.nms(A, A_SCORES, 0.5, score_threshold=float(A_SCORES[1])), [0])


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_batched_nms_random(threads, rng, metric, dtype):
    for n, classes in [(1, 1), (30, 3), (300, 5), (1200, 4), (800, 10_000)]:
        boxes, scores, labels = clustered_boxes(rng, n, dtype, classes)
        labels = labels * 7919 - 3 * 10**12  # arbitrary int64 ids
        for thr in [0.0, 0.5]:
            for mo in [None, 17]:
                want = ref.batched_nms(boxes, scores, labels, thr, max_output=mo, metric=metric)
                got = ops.batched_nms(boxes, scores, labels, thr, max_output=mo, metric=metric)
                np.testing.assert_array_equal(got, want)


def test_batched_nms_one_class_equals_nms(rng):
    boxes, scores, _ = clustered_boxes(rng, 2000, np.float32)
    np.testing.assert_array_equal(ops.batched_nms(boxes, scores, np.full(2000, 5), 0.5), ops.nms(boxes, scores, 0.5))


def test_batched_nms_huge_and_negative_coordinates(rng):
    boxes, scores, labels = clustered_boxes(rng, 600, np.float64, 6)
    boxes = boxes * 1e12 - 5e15
    for thr in [0.0, 0.5]:
        np.testing.assert_array_equal(ops.batched_nms(boxes, scores, labels, thr),
                                      ref.batched_nms(boxes, scores, labels, thr))
    # every box its own class: nothing is suppressed
    np.testing.assert_array_equal(ops.batched_nms(boxes, scores, np.arange(600), 0.0),
                                  np.argsort(-scores, kind="stable"))


def test_results_identical_across_threads(rng):
    boxes, scores, labels = clustered_boxes(rng, 5000, np.float32, 80)
    for fn in [lambda: ops.batched_nms(boxes, scores, labels, 0.5),
               lambda: ops.nms(boxes, scores, 0.5, metric="diou"),
               lambda: ops.soft_nms(boxes[:500], scores[:500])[0]]:
        one, two = run_threads(fn)
        np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("method", ["gaussian", "linear"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_soft_nms_random(threads, rng, method, dtype):
    for n in [1, 5, 40, 150]:
        boxes, scores, _ = clustered_boxes(rng, n, dtype)
        for thr, sigma, st in [(0.3, 0.5, 0.001), (0.5, 0.1, 0.2), (0.0, 2.0, 0.0), (0.3, 0.5, -1.0)]:
            idx, s = ops.soft_nms(boxes, scores, thr, sigma, st, method)
            want_idx, want_s = ref.soft_nms(boxes, scores, thr, sigma, st, method)
            np.testing.assert_array_equal(idx, want_idx)
            assert s.dtype == dtype
            np.testing.assert_allclose(s, want_s, rtol=1e-6 if dtype == np.float32 else 1e-14)
            assert np.all(np.diff(s) <= 0) or st < 0
        idx, s = ops.soft_nms(boxes, scores, method=method, max_output=3)
        np.testing.assert_array_equal(idx, ref.soft_nms(boxes, scores, method=method, max_output=3)[0])


def test_soft_nms_score_threshold_inclusive():
    idx, _ = ops.soft_nms(A, A_SCORES, score_threshold=float(A_SCORES[3]), method="linear", iou_threshold=0.9)
    np.testing.assert_array_equal(idx, [0, 1, 2, 3])


def test_mixed_and_integer_dtypes():
    b64 = A.astype(np.float64)
    np.testing.assert_array_equal(ops.nms(A.astype(np.int32), A_SCORES, 1 / 3), [0, 2, 3])  # float64 IoU
    np.testing.assert_array_equal(ops.nms(A, A_SCORES.astype(np.float64), 1 / 3), [0, 2, 3])
    np.testing.assert_array_equal(ops.nms(A.astype(np.float16), A_SCORES.astype(np.float16), 1 / 3), [0, 2])
    np.testing.assert_array_equal(ops.nms(np.asfortranarray(b64), A_SCORES, 0.5), [0, 1, 2, 3])  # non-contiguous
    ro = A.copy()
    ro.setflags(write=False)
    np.testing.assert_array_equal(ops.nms(ro, A_SCORES, 0.0), [0, 2])


# ---------------------------------------------------------------------------------------------
# Errors

def test_errors_shapes_and_types():
    s = A_SCORES
    with pytest.raises(ValueError, match="nms: boxes must have shape \\(N, 4\\)"):
        ops.nms(A[:, :3], s, 0.5)
    with pytest.raises(ValueError, match="nms: boxes must have 2 dimensions"):
        ops.nms(A[None], s, 0.5)
    with pytest.raises(ValueError, match="nms: scores must have one value per box"):
        ops.nms(A, s[:3], 0.5)
    with pytest.raises(ValueError, match="nms: scores must have 1 dimensions"):
        ops.nms(A, s[:, None], 0.5)
    with pytest.raises(TypeError, match="nms: boxes must be a real numeric array"):
        ops.nms(A.astype(bool), s, 0.5)
    with pytest.raises(TypeError, match="nms: scores must be a real numeric array"):
        ops.nms(A, ["a", "b", "c", "d"], 0.5)
    with pytest.raises(ValueError, match="batched_nms: class_ids must have one value per box"):
        ops.batched_nms(A, s, [0, 1], 0.5)
    with pytest.raises(TypeError, match="batched_nms: class_ids must be an integer array"):
        ops.batched_nms(A, s, [0.0, 1.0, 2.0, 3.0], 0.5)
    with pytest.raises(ValueError, match="batched_nms: class_ids must fit in int64"):
        ops.batched_nms(A, s, np.array([0, 1, 2, 2**64 - 1], np.uint64), 0.5)
    with pytest.raises(ValueError, match="soft_nms: boxes must have shape"):
        ops.soft_nms(A[:, :2], s)


@pytest.mark.parametrize("fn", ["nms", "batched_nms", "soft_nms"])
def test_errors_non_finite_values(fn):
    def call(boxes, scores):
        if fn == "batched_nms":
            return ops.batched_nms(boxes, scores, [0, 0, 1, 1], 0.5)
        if fn == "soft_nms":
            return ops.soft_nms(boxes, scores)
        return ops.nms(boxes, scores, 0.5)

    for bad in [np.nan, np.inf, -np.inf]:
        b = A.copy()
        b[2, 1] = bad
        with pytest.raises(ValueError, match=f"{fn}: boxes must have finite coordinates, got .* in box 2"):
            call(b, A_SCORES)
    s = A_SCORES.copy()
    s[1] = np.nan
    with pytest.raises(ValueError, match=f"{fn}: scores must not be NaN"):
        call(A, s)
    s[1] = np.inf
    if fn == "soft_nms":
        with pytest.raises(ValueError, match="soft_nms: scores must be finite"):
            call(A, s)
    else:
        np.testing.assert_array_equal(call(A, s)[:1], [1])  # +inf scores are allowed: it comes first


def test_errors_arguments():
    with pytest.raises(ValueError, match="nms: iou_threshold must be finite"):
        ops.nms(A, A_SCORES, np.nan)
    with pytest.raises(ValueError, match="nms: iou_threshold must be finite"):
        ops.nms(A, A_SCORES, np.inf)
    with pytest.raises(TypeError, match="nms: iou_threshold must be a real number"):
        ops.nms(A, A_SCORES, "0.5")
    with pytest.raises(ValueError, match="batched_nms: score_threshold must be finite"):
        ops.batched_nms(A, A_SCORES, [0] * 4, 0.5, score_threshold=np.nan)
    with pytest.raises(ValueError, match="nms: max_output must be >= 0"):
        ops.nms(A, A_SCORES, 0.5, max_output=-1)
    with pytest.raises(TypeError, match="nms: max_output must be an int"):
        ops.nms(A, A_SCORES, 0.5, max_output=2.0)
    with pytest.raises(ValueError, match="nms: metric must be one of 'iou', 'iom', 'diou', got 'giou'"):
        ops.nms(A, A_SCORES, 0.5, metric="giou")
    with pytest.raises(TypeError, match="batched_nms: metric must be a str"):
        ops.batched_nms(A, A_SCORES, [0] * 4, 0.5, metric=None)
    for sigma in [0.0, -1.0]:
        with pytest.raises(ValueError, match="soft_nms: sigma must be > 0"):
            ops.soft_nms(A, A_SCORES, sigma=sigma)
    with pytest.raises(ValueError, match="soft_nms: sigma must be finite"):
        ops.soft_nms(A, A_SCORES, sigma=np.nan)
    with pytest.raises(ValueError, match="soft_nms: iou_threshold must be finite"):
        ops.soft_nms(A, A_SCORES, iou_threshold=np.inf)
    with pytest.raises(ValueError, match="soft_nms: score_threshold must be finite"):
        ops.soft_nms(A, A_SCORES, score_threshold=np.nan)
    with pytest.raises(ValueError, match="soft_nms: method must be one of 'linear', 'gaussian', got 'hard'"):
        ops.soft_nms(A, A_SCORES, method="hard")


def test_cpp_frontend_checks_direct_calls():
    # The private module validates on its own (for C++ users the frontend is the only check).
    from cvcore import _cvcore
    with pytest.raises(ValueError, match="nms: metric must be one of 'iou', 'iom', 'diou', got 'x'"):
        _cvcore.nms(A, A_SCORES, 0.5, None, None, "x")
    with pytest.raises(ValueError, match="nms: iou_threshold must be finite"):
        _cvcore.nms(A, A_SCORES, float("nan"), None, None, "iou")
    with pytest.raises(ValueError, match="soft_nms: sigma must be > 0"):
        _cvcore.soft_nms(A, A_SCORES, 0.3, 0.0, 0.001, None, "linear")
