"""box_area, box_convert, clip_boxes, remove_small_boxes and the pairwise IoU family against
tests/reference/boxes.py."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cvcore
from cvcore import ops
from conftest import run_threads
from reference import boxes as ref

FORMATS = ["xyxy", "xywh", "cxcywh"]
PAIRWISE = {
    "iou": lambda a, b: ops.box_iou(a, b),
    "giou": lambda a, b: ops.generalized_box_iou(a, b),
    "diou": lambda a, b: ops.distance_box_iou(a, b),
    "ciou": lambda a, b: ops.complete_box_iou(a, b),
}
OP_NAMES = {"iou": "box_iou", "giou": "generalized_box_iou", "diou": "distance_box_iou",
            "ciou": "complete_box_iou"}
DTYPES = [np.float32, np.float64]
TOL = {np.float32: dict(rtol=2e-5, atol=2e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}

# torchvision's test vectors (test/test_ops.py).
INT_BOXES = np.array([[0, 0, 100, 100], [0, 0, 50, 50], [200, 200, 300, 300], [0, 0, 25, 25]])
FLOAT_BOXES = np.array([[285.3538, 185.5758, 1193.5110, 851.4551], [285.1472, 188.7374, 1192.4984, 851.0669],
                        [279.2440, 197.9812, 1189.4746, 849.2019]])
EXPECTED_INT = {
    "iou": [[1, .25, 0], [.25, 1, 0], [0, 0, 1], [.0625, .25, 0]],
    "giou": [[1, .25, -.7778], [.25, 1, -.8611], [-.7778, -.8611, 1], [.0625, .25, -.8819]],
    "diou": [[1, .1875, -.4444], [.1875, 1, -.5625], [-.4444, -.5625, 1], [-.0781, .1875, -.6267]],
    "ciou": [[1, .1875, -.4444], [.1875, 1, -.5625], [-.4444, -.5625, 1], [-.0781, .1875, -.6267]],
}
EXPECTED_FLOAT = [[1, .9933, .9673], [.9933, 1, .9737], [.9673, .9737, 1]]


def random_boxes(rng, n, dtype=np.float32, scale=100.0):
    """Valid boxes of varied sizes, plus zero-width / zero-height ones and repeats."""
    xy = rng.uniform(-scale / 4, scale, (n, 2))
    wh = rng.uniform(0, scale / 3, (n, 2)) * (rng.random((n, 1)) < 0.9)
    wh[rng.random((n, 2)) < 0.05] = 0
    boxes = np.concatenate([xy, xy + wh], axis=1)
    if n > 4:
        boxes[n // 2] = boxes[1]
    return boxes.astype(dtype)


def adversarial_boxes(dtype=np.float32):
    """Identical, nested, touching, zero-area, point, inverted and far-apart boxes."""
    return np.array([
        [0, 0, 10, 10], [0, 0, 10, 10],      # identical
        [2, 2, 5, 5], [0, 0, 2, 2],          # nested, touching the corner of the previous
        [10, 0, 20, 10], [0, 10, 10, 20],    # touching edges of the first
        [3, 3, 3, 3], [0, 0, 0, 0],          # point boxes
        [4, 0, 4, 8], [0, 4, 8, 4],          # zero width, zero height
        [6, 6, 1, 1], [5, 0, 2, 9],          # inverted (empty)
        [1e4, 1e4, 1e4 + 1, 1e4 + 2],        # far away
        [-7.5, -2.25, -0.5, 3.75],           # negative coordinates
    ], dtype)


# --- box_area -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_box_area(rng, dtype):
    for boxes in (random_boxes(rng, 57, dtype), adversarial_boxes(dtype), np.zeros((0, 4), dtype)):
        out = ops.box_area(boxes)
        assert out.dtype == dtype and out.shape == (len(boxes),)
        np.testing.assert_allclose(out, ref.box_area(boxes), **TOL[dtype])
    assert ops.box_area([[6, 6, 1, 1], [0, 0, 2, -3]]).tolist() == [0, 0]  # inverted boxes are empty
    np.testing.assert_array_equal(ops.box_area(INT_BOXES.astype(np.int8)), [10000, 2500, 10000, 625])


# --- box_convert ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("in_fmt", FORMATS)
def test_box_convert(rng, dtype, in_fmt, out_fmt):
    boxes = random_boxes(rng, 41, dtype)
    out = ops.box_convert(boxes, in_fmt, out_fmt)
    assert out.dtype == dtype and out.shape == boxes.shape
    np.testing.assert_allclose(out, ref.box_convert(boxes, in_fmt, out_fmt), **TOL[dtype])
    if in_fmt == out_fmt:
        np.testing.assert_array_equal(out, boxes)
        assert not np.shares_memory(out, boxes)
    # Exact round trip when every intermediate is exact (multiples of 1/4 well inside the mantissa).
    exact = np.round(boxes * 4) / 4
    back = ops.box_convert(ops.box_convert(exact, in_fmt, out_fmt), out_fmt, in_fmt)
    np.testing.assert_array_equal(back, exact)
    assert ops.box_convert(np.zeros((0, 4), dtype), in_fmt, out_fmt).shape == (0, 4)


def test_box_convert_torchvision_vectors():
    boxes = np.array([[0, 0, 100, 100], [0, 0, 0, 0], [10, 15, 30, 35], [23, 35, 93, 95]])
    xywh = [[0, 0, 100, 100], [0, 0, 0, 0], [10, 15, 20, 20], [23, 35, 70, 60]]
    cxcywh = [[50, 50, 100, 100], [0, 0, 0, 0], [20, 25, 20, 20], [58, 65, 70, 60]]
    np.testing.assert_array_equal(ops.box_convert(boxes, "xyxy", "xywh"), xywh)
    np.testing.assert_array_equal(ops.box_convert(boxes, "xyxy", "cxcywh"), cxcywh)
    np.testing.assert_array_equal(ops.box_convert(xywh, "xywh", "cxcywh"), cxcywh)
    np.testing.assert_array_equal(ops.box_convert(cxcywh, "cxcywh", "xywh"), xywh)
    np.testing.assert_array_equal(ops.box_convert([[1, 1, 4, 4]], "xyxy", "cxcywh"), [[2.5, 2.5, 3, 3]])


# --- clip_boxes / remove_small_boxes --------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_boxes(rng, dtype):
    boxes = random_boxes(rng, 50, dtype, scale=800)
    for size in [(480, 640), (479.5, 100.25), (0, 0), (1e9, 1e9)]:
        out = ops.clip_boxes(boxes, size)
        assert out.dtype == dtype and out.shape == boxes.shape
        np.testing.assert_array_equal(out, ref.clip_boxes(boxes, dtype(size[0]), dtype(size[1])).astype(dtype))
    np.testing.assert_array_equal(ops.clip_boxes([[-5, -5, 700, 500]], (480, 640)), [[0, 0, 640, 480]])
    assert ops.clip_boxes(np.zeros((0, 4), dtype), (3, 4)).shape == (0, 4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_remove_small_boxes(rng, dtype):
    boxes = random_boxes(rng, 80, dtype)
    for min_size in (0, 0.5, 3, 10.25, 1e6):
        keep = ops.remove_small_boxes(boxes, min_size)
        assert keep.dtype == np.int64
        np.testing.assert_array_equal(keep, ref.remove_small_boxes(boxes, min_size))
    edge = np.array([[0, 0, 2, 2], [0, 0, 2, 1.5], [3, 3, 1, 5], [0, 0, 0, 0]], dtype)
    np.testing.assert_array_equal(ops.remove_small_boxes(edge, 2), [0])  # a side equal to min_size is kept
    np.testing.assert_array_equal(ops.remove_small_boxes(edge, 0), [0, 1, 3])  # inverted dropped even at 0
    empty = ops.remove_small_boxes(np.zeros((0, 4), dtype), 1)
    assert empty.shape == (0,) and empty.dtype == np.int64


def test_remove_small_boxes_compares_in_float32():
    # The side just below 0.1f: min_size 0.09999999999 rounds to 0.1f, so the box is dropped (as torch).
    w = np.nextafter(np.float32(0.1), np.float32(0))
    boxes = np.array([[0, 0, w, w], [0, 0, 0.1, 0.1]], np.float32)
    np.testing.assert_array_equal(ops.remove_small_boxes(boxes, 0.09999999999), [1])
    np.testing.assert_array_equal(ops.remove_small_boxes(boxes.astype(np.float64), float(w)), [0, 1])


# --- pairwise IoU family --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise(isa, threads, rng, kind, dtype):
    adv = adversarial_boxes(dtype)
    cases = [(random_boxes(rng, 37, dtype), random_boxes(rng, 29, dtype)), (adv, adv),
             (adv, random_boxes(rng, 9, dtype, scale=12)), (random_boxes(rng, 1, dtype), adv)]
    for b1, b2 in cases:
        out = PAIRWISE[kind](b1, b2)
        assert out.dtype == dtype and out.shape == (len(b1), len(b2))
        np.testing.assert_allclose(out, ref.pairwise(kind, b1, b2), **TOL[dtype])


@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise_torchvision_vectors(kind):
    for dtype in (np.int16, np.int32, np.int64, np.float32, np.float64):
        out = PAIRWISE[kind](INT_BOXES.astype(dtype), INT_BOXES[:3].astype(dtype))
        assert out.dtype == (np.float32 if dtype == np.float32 else np.float64)  # integers: float64
        np.testing.assert_allclose(out, EXPECTED_INT[kind], atol=1e-4)
    for dtype in (np.float32, np.float64):
        np.testing.assert_allclose(PAIRWISE[kind](FLOAT_BOXES.astype(dtype), FLOAT_BOXES.astype(dtype)),
                                   EXPECTED_FLOAT, atol=1e-3)


def test_pairwise_conventions():
    point, unit, inverted = [0, 0, 0, 0], [1, 1, 2, 2], [6, 6, 1, 1]
    # torchvision gives NaN for each of these; cvcore's zero-denominator rule gives 0.
    assert ops.box_iou([point], [point])[0, 0] == 0
    assert ops.box_iou([inverted], [inverted])[0, 0] == 0
    assert ops.generalized_box_iou([point], [point])[0, 0] == 0
    assert ops.distance_box_iou([point], [point], eps=0)[0, 0] == 0
    assert ops.complete_box_iou([point], [point])[0, 0] == 0
    # torchvision's own values where it is defined: a point box against a unit box.
    assert ops.generalized_box_iou([point], [unit])[0, 0] == -0.75
    assert ops.distance_box_iou(np.float32([point]), np.float32([unit]))[0, 0] == np.float32(-0.5625)
    # The inverted box counts as empty in the union: GIoU stays in [-1, 1] (torchvision: 3).
    assert ops.generalized_box_iou([inverted], [point])[0, 0] == -1
    # Identical valid boxes: exactly 1 for every member.
    for f in PAIRWISE.values():
        assert f([unit], [unit])[0, 0] == 1


@pytest.mark.parametrize("kind", list(PAIRWISE))
@pytest.mark.parametrize("dtype", DTYPES)
def test_pairwise_empty(kind, dtype):
    some = random_boxes(np.random.default_rng(0), 3, dtype)
    none = np.zeros((0, 4), dtype)
    for b1, b2, shape in [(none, some, (0, 3)), (some, none, (3, 0)), (none, none, (0, 0))]:
        out = PAIRWISE[kind](b1, b2)
        assert out.shape == shape and out.dtype == dtype


@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise_huge_coordinates(kind):
    for dtype, scale in ((np.float32, 1e18), (np.float64, 1e150)):
        b = (adversarial_boxes(np.float64)[:10] * scale / 1e4).astype(dtype)
        out = PAIRWISE[kind](b, b)
        assert np.isfinite(out).all()
        np.testing.assert_allclose(out, ref.pairwise(kind, b, b), rtol=1e-4, atol=1e-5)
    limit = 2.0 ** 62
    assert np.isfinite(PAIRWISE[kind](np.array([[-limit, -limit, limit, limit]], np.float32),
                                      np.array([[-limit, limit, limit, -limit]], np.float32))).all()


@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise_dtypes_and_layouts(rng, kind):
    f = PAIRWISE[kind]
    b1, b2 = random_boxes(rng, 12), random_boxes(rng, 7)
    want = f(b1, b2)
    # Non-contiguous views, Fortran order and Python lists give the same result.
    wide = np.zeros((12, 9), np.float32)
    wide[:, ::2][:, :4] = b1
    np.testing.assert_array_equal(f(wide[:, ::2][:, :4], b2), want)
    np.testing.assert_array_equal(f(np.asfortranarray(b1), b2[::-1][::-1]), want)
    from_lists = f(b1.tolist(), b2.tolist())  # Python floats are float64, as in NumPy
    assert from_lists.dtype == np.float64
    np.testing.assert_array_equal(from_lists, f(b1.astype(np.float64), b2.astype(np.float64)))
    rev = b2[::-1]
    np.testing.assert_array_equal(f(b1, rev), want[:, ::-1])
    # float16 is computed in float32, integers in float64; float64 or integers on either side give float64.
    assert f(b1.astype(np.float16), b2).dtype == np.float32
    ints = np.round(b1).astype(np.int64)
    assert f(ints, b2).dtype == np.float64
    np.testing.assert_array_equal(f(ints, b2), f(ints.astype(np.float64), b2.astype(np.float64)))
    mixed = f(b1, b2.astype(np.float64))
    assert mixed.dtype == np.float64
    np.testing.assert_array_equal(mixed, f(b1.astype(np.float64), b2.astype(np.float64)))
    # Read-only input.
    ro = b1.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(f(ro, b2), want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise_bit_identical_across_threads_and_isas(rng, kind, dtype):
    b1, b2 = random_boxes(rng, 301, dtype), random_boxes(rng, 517, dtype)
    one, two = run_threads(lambda: PAIRWISE[kind](b1, b2))
    np.testing.assert_array_equal(one, two)
    default = cvcore.build_info()["isa"]
    try:
        for isa in cvcore.build_info()["isas_supported"]:
            cvcore._runtime._set_isa(isa)
            np.testing.assert_array_equal(PAIRWISE[kind](b1, b2), one)
    finally:
        cvcore._runtime._set_isa(default)


# Magnitudes of 0 or >= 1e-3: smaller coordinates make float32 areas underflow to 0 (an empty box for
# cvcore, as for any float32 implementation) where the float64 reference still sees a positive area.
coord = st.one_of(st.just(0.0), st.floats(0.0010000000474974513, 1e3, width=32),
                  st.floats(-1e3, -0.0010000000474974513, width=32))
box = st.tuples(coord, coord, coord, coord)


@settings(max_examples=60, deadline=None)
@given(st.lists(box, min_size=1, max_size=6), st.lists(box, min_size=1, max_size=6))
def test_pairwise_properties(boxes1, boxes2):
    a, b = np.array(boxes1, np.float32), np.array(boxes2, np.float32)
    iou = ops.box_iou(a, b)
    assert ((iou >= 0) & (iou <= 1)).all()
    giou = ops.generalized_box_iou(a, b)
    # giou <= iou holds exactly in real arithmetic; in float32 (as in torchvision) the union
    # area1 + area2 - inter can round an ulp above the enclosing area of nested boxes.
    assert ((giou >= -1) & (giou <= iou + 4 * np.finfo(np.float32).eps)).all()
    for f in PAIRWISE.values():  # every member is symmetric, exactly
        np.testing.assert_array_equal(f(a, b), f(b, a).T)
    for kind in ("iou", "giou"):
        np.testing.assert_allclose(PAIRWISE[kind](a, b), ref.pairwise(kind, a, b), rtol=1e-4, atol=1e-4)


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(PAIRWISE))
def test_pairwise_errors(kind):
    f, op = PAIRWISE[kind], OP_NAMES[kind]
    good = np.array([[0, 0, 1, 1]], np.float32)
    with pytest.raises(ValueError, match=rf"{op}: boxes1 must have shape \(N, 4\), got \(2, 3\)"):
        f(np.zeros((2, 3)), good)
    with pytest.raises(ValueError, match=rf"{op}: boxes2 must have 2 dimensions, got 1"):
        f(good, np.zeros(4))
    with pytest.raises(ValueError, match=rf"{op}: boxes2 must have 2 dimensions, got 3"):
        f(good, np.zeros((1, 1, 4)))
    for bad in (np.nan, np.inf, -np.inf):
        b = np.array([[0, 0, 1, 1], [0, 0, 2, bad]], np.float32)
        with pytest.raises(ValueError, match=rf"{op}: boxes1 must hold finite coordinates, got .* at boxes1\[1, 3\]"):
            f(b, good)
        with pytest.raises(ValueError, match=rf"{op}: boxes2 must hold finite coordinates"):
            f(good, b)
    with pytest.raises(ValueError, match=rf"{op}: boxes2 coordinates must have magnitude <= .* for float32"):
        f(good, np.array([[0, 0, 1e19, 1]], np.float32))
    with pytest.raises(ValueError, match=rf"{op}: boxes1 coordinates must have magnitude <= .* for float64"):
        f(np.array([[0, 0, 1e160, 1]]), good)
    for dtype_bad in (np.array([[True, False, True, True]]), np.zeros((1, 4), np.complex64), np.array([["a"] * 4])):
        with pytest.raises(TypeError, match=rf"{op}: boxes1 must be a real numeric array"):
            f(dtype_bad, good)
    if kind in ("diou", "ciou"):
        fn = getattr(ops, op)
        with pytest.raises(ValueError, match=rf"{op}: eps must be a finite number >= 0, got -1"):
            fn(good, good, eps=-1)
        with pytest.raises(ValueError, match=rf"{op}: eps must be a finite number >= 0, got nan"):
            fn(good, good, eps=float("nan"))


def test_box_op_errors():
    good = np.array([[0, 0, 1, 1]], np.float32)
    nan = np.array([[0, np.nan, 1, 1]])
    for name, call in [("box_area", lambda b: ops.box_area(b)),
                       ("box_convert", lambda b: ops.box_convert(b, "xyxy", "xywh")),
                       ("clip_boxes", lambda b: ops.clip_boxes(b, (5, 5))),
                       ("remove_small_boxes", lambda b: ops.remove_small_boxes(b, 1))]:
        with pytest.raises(ValueError, match=rf"{name}: boxes must have shape \(N, 4\), got \(3, 3\)"):
            call(np.zeros((3, 3)))
        with pytest.raises(ValueError, match=rf"{name}: boxes must hold finite coordinates, got nan at boxes\[0, 1\]"):
            call(nan)
        with pytest.raises(TypeError, match=rf"{name}: boxes must be a real numeric array"):
            call(np.ones((1, 4), bool))
    with pytest.raises(ValueError, match=r"box_area: boxes coordinates must have magnitude"):
        ops.box_area(np.array([[0, 0, 1e19, 1]], np.float32))
    for fmt_arg in ("in_fmt", "out_fmt"):
        for bad in ("xwyh", "cxwyh", "XYXY", ""):
            args = {"in_fmt": "xyxy", "out_fmt": "xywh", fmt_arg: bad}
            with pytest.raises(ValueError, match=rf"box_convert: {fmt_arg} must be one of 'xyxy', 'xywh', 'cxcywh', got '{bad}'"):
                ops.box_convert(good, **args)
        with pytest.raises(TypeError, match=rf"box_convert: {fmt_arg} must be a str"):
            ops.box_convert(good, **{"in_fmt": "xyxy", "out_fmt": "xyxy", fmt_arg: None})
    for bad in (-1, -1e-9):
        with pytest.raises(ValueError, match=r"remove_small_boxes: min_size must be a finite number >= 0"):
            ops.remove_small_boxes(good, bad)
    with pytest.raises(ValueError, match=r"remove_small_boxes: min_size must be a finite number >= 0, got inf"):
        ops.remove_small_boxes(good, float("inf"))
    with pytest.raises(TypeError, match=r"remove_small_boxes: min_size must be a real number"):
        ops.remove_small_boxes(good, "1")
    with pytest.raises(ValueError, match=r"clip_boxes: size\[0\] \(height\) must be a finite number >= 0, got -1"):
        ops.clip_boxes(good, (-1, 5))
    with pytest.raises(ValueError, match=r"clip_boxes: size\[1\] \(width\) must be a finite number >= 0, got nan"):
        ops.clip_boxes(good, (5, float("nan")))
    for bad in (5, (1, 2, 3), "ab", None):
        with pytest.raises(TypeError, match=r"clip_boxes: size must be a pair \(height, width\)"):
            ops.clip_boxes(good, bad)
    with pytest.raises(TypeError, match=r"clip_boxes: size\[0\] \(height\) must be a real number"):
        ops.clip_boxes(good, ("a", 5))
