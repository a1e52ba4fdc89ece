"""The one dtype rule of every op (cvcore._validation): CNN ops compute in float32; the ops that keep
the caller's precision keep float32 and float64, compute float16 in float32 and integers in float64,
and give the arrays of one call the widest of their dtypes. Each op's result equals its result on
the inputs converted to that dtype by NumPy, bit for bit."""

import numpy as np
import pytest

from cvcore import detection, ops

REAL = [np.float16, np.float32, np.float64, np.uint8, np.int16, np.int32, np.int64]


def precision(*dtypes):
    """The dtype the precision-keeping ops compute in, written out from the rule."""
    small = all(np.dtype(d).kind == "f" and np.dtype(d).itemsize <= 4 for d in dtypes)
    return np.dtype(np.float32 if small else np.float64)


def boxes(n, seed=0):
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 100, (n, 2))
    return np.concatenate([xy, xy + rng.integers(1, 30, (n, 2))], 1)  # integers: exact in every dtype


def scores(n, seed=1):
    return np.random.default_rng(seed).permutation(n) / 4  # multiples of 1/4: exact in float16 too


def as_tuple(out):
    if isinstance(out, detection.Detections):
        return out.boxes, out.scores, out.labels
    return out if isinstance(out, tuple) else (out,)


def assert_same(got, want):
    assert len(as_tuple(got)) == len(as_tuple(want))
    for g, w in zip(as_tuple(got), as_tuple(want)):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


# Each op with its array arguments (made for a dtype each) and the dtype its real outputs take.
PRECISION_OPS = {
    "box_area": (lambda b: ops.box_area(b), [boxes(9)]),
    "box_convert": (lambda b: ops.box_convert(b, "xyxy", "cxcywh"), [boxes(9)]),
    "clip_boxes": (lambda b: ops.clip_boxes(b, (60, 50)), [boxes(9)]),
    "remove_small_boxes": (lambda b: ops.remove_small_boxes(b, 12), [boxes(9)]),
    "box_iou": (ops.box_iou, [boxes(9), boxes(5, 2)]),
    "generalized_box_iou": (ops.generalized_box_iou, [boxes(9), boxes(5, 2)]),
    "distance_box_iou": (ops.distance_box_iou, [boxes(9), boxes(5, 2)]),
    "complete_box_iou": (ops.complete_box_iou, [boxes(9), boxes(5, 2)]),
    "nms": (lambda b, s: ops.nms(b, s, 0.2), [boxes(30), scores(30)]),
    "batched_nms": (lambda b, s: ops.batched_nms(b, s, np.arange(30) % 3, 0.2), [boxes(30), scores(30)]),
    "soft_nms": (lambda b, s: ops.soft_nms(b, s, method="linear"), [boxes(30), scores(30)]),
    "postprocess": (lambda b, s: detection.postprocess(b, s, score_threshold=0.5)[0],
                    [boxes(30), np.stack([scores(30), scores(30, 2)], 1)]),
    "ssd_encode": (detection.ssd_encode, [boxes(9), boxes(9, 3)]),
    "ssd_decode": (detection.ssd_decode, [boxes(9) // 8, boxes(9, 3)]),
    "rcnn_encode": (detection.rcnn_encode, [boxes(9), boxes(9, 3)]),
    "rcnn_decode": (detection.rcnn_decode, [boxes(9) // 8, boxes(9, 3)]),
    "yolo_anchor_free_decode": (lambda d: detection.yolo_anchor_free_decode(d, [(2, 3)], [8]), [boxes(6)[None]]),
}


@pytest.mark.parametrize("name", list(PRECISION_OPS))
@pytest.mark.parametrize("dtype", REAL)
def test_precision_keeping_ops(name, dtype):
    op, arrays = PRECISION_OPS[name]
    given = [a.astype(dtype) for a in arrays]
    want = precision(dtype)
    got = op(*given)
    assert_same(got, op(*[a.astype(want) for a in given]))
    for out in as_tuple(got):
        assert out.dtype in (want, np.int64)


@pytest.mark.parametrize("name", [n for n, (_, arrays) in PRECISION_OPS.items() if len(arrays) == 2])
@pytest.mark.parametrize("first, second", [(np.float32, np.float64), (np.float16, np.float32),
                                           (np.float32, np.int32), (np.int64, np.float16)])
def test_mixed_inputs_take_the_wider_dtype(name, first, second):
    op, arrays = PRECISION_OPS[name]
    want = precision(first, second)
    for d1, d2 in ((first, second), (second, first)):
        given = arrays[0].astype(d1), arrays[1].astype(d2)
        assert_same(op(*given), op(*[a.astype(want) for a in given]))


def test_integers_are_exact_in_float64():
    big = np.array([[0, 0, 2**40, 2**40 + 3]], np.int64)  # not representable in float32
    np.testing.assert_array_equal(ops.box_area(big), [2.0**40 * (2**40 + 3)])
    np.testing.assert_array_equal(ops.box_convert(big, "xyxy", "xywh"), [[0, 0, 2**40, 2**40 + 3]])


CNN_OPS = {
    "conv2d": lambda x: ops.conv2d(x, np.ones((2, 3, 2, 2), np.float32)),
    "max_pool2d": lambda x: ops.max_pool2d(x, 2),
    "avg_pool2d": lambda x: ops.avg_pool2d(x, 2),
    "adaptive_max_pool2d": lambda x: ops.adaptive_max_pool2d(x, 2),
    "batch_norm": lambda x: ops.batch_norm(x, np.zeros(3), np.ones(3)),
    "linear": lambda x: ops.linear(x, np.ones((2, 5))),
    "relu": ops.relu,
    "gelu": ops.gelu,
    "prelu": lambda x: ops.prelu(x, 0.25),
    "softmax": ops.softmax,
    "roi_pool": lambda x: ops.roi_pool(x, [[0, 0, 0, 3, 3]], 2),
}


@pytest.mark.parametrize("name", list(CNN_OPS))
@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.int16, np.int64])
def test_cnn_ops_compute_in_float32(name, dtype):
    x = np.random.default_rng(0).integers(-3, 4, (1, 3, 5, 5)).astype(dtype)
    got = CNN_OPS[name](x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, CNN_OPS[name](x.astype(np.float32)))


@pytest.mark.parametrize("bad", [np.array([[True, False, True, True]]), np.array([[1j, 0, 1, 1]]),
                                 np.array([["a", "b", "c", "d"]])], ids=["bool", "complex", "str"])
def test_non_real_data_is_a_type_error(bad):
    for call in (lambda: ops.box_area(bad), lambda: ops.box_iou(bad, bad), lambda: ops.nms(bad, [1.0], 0.5),
                 lambda: detection.postprocess(bad, [[1.0]]), lambda: detection.rcnn_encode(bad, bad)):
        with pytest.raises(TypeError, match=r"must be a real numeric array, got dtype"):
            call()


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8, np.int32])
def test_an_equal_dtype_that_is_another_object_is_read(dtype):
    # An unpickled array (multiprocessing, joblib, np.load of an object array) has a dtype equal to the
    # canonical one but not the same object; the ops read it as any array of that dtype.
    import pickle

    x = np.arange(2 * 3 * 4 * 4).reshape(2, 3, 4, 4).astype(dtype)
    unpickled = pickle.loads(pickle.dumps(x))
    assert unpickled.dtype == x.dtype and unpickled.dtype is not np.dtype(dtype)
    assert_same(ops.max_pool2d(unpickled, 2), ops.max_pool2d(x, 2))
    assert_same(ops.relu(unpickled), ops.relu(x))
    b = boxes(5).astype(dtype)
    assert_same(ops.box_area(pickle.loads(pickle.dumps(b))), ops.box_area(b))
