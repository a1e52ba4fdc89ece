"""roi_align and roi_pool against tests/reference/roi.py and torchvision's probe outputs; crop_resize
(roi_align's sampling, computed separably) against the same reference within float32 rounding."""

import numpy as np
import pytest

from cvcore import ops
from conftest import run_threads
from reference import roi as ref

# arange(48) as a (1, 1, 6, 8) map: value = 8 * row + col (the research probes' map).
RAMP = np.arange(48, dtype=np.float32).reshape(1, 1, 6, 8)


def _boxes(rng, k, n, extent, scale, outside=0.0):
    """k random (batch, x1, y1, x2, y2) boxes in image coordinates over a map of side `extent`,
    reaching `outside` map sizes beyond it, a few of them inverted."""
    span = extent / scale
    xy = rng.uniform(-outside * span, (1 + outside) * span, (k, 2))
    wh = rng.uniform(-0.1 * span, 1.2 * span, (k, 2))
    idx = rng.integers(0, n, (k, 1))
    return np.concatenate([idx, xy, xy + wh], axis=1).astype(np.float32)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sampling_ratio", [-1, 0, 1, 2, 3])
@pytest.mark.parametrize("scale", [1.0, 0.5, 0.3, 1 / 16])
def test_roi_align_random(isa, threads, rng, scale, sampling_ratio, aligned):
    for shape, size in [((2, 3, 7, 9), (3, 2)), ((1, 5, 4, 4), (1, 1)), ((3, 2, 1, 6), (2, 5))]:
        x = rng.standard_normal(shape).astype(np.float32)
        boxes = _boxes(rng, 7, shape[0], max(shape[2:]), scale, outside=0.3)
        out = ops.roi_align(x, boxes, size, scale, sampling_ratio, aligned)
        assert out.dtype == np.float32 and out.shape == (7, shape[1]) + size
        want = ref.roi_align(x, boxes, size, scale, sampling_ratio, aligned)
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("scale", [1.0, 0.5, 0.25, 1 / 16])
def test_roi_pool_random(isa, threads, rng, scale):
    for shape, size in [((2, 3, 7, 9), (3, 2)), ((1, 5, 4, 4), (1, 1)), ((3, 2, 1, 6), (2, 5)), ((1, 4, 6, 5), (4, 4))]:
        x = np.round(rng.standard_normal(shape) * 2).astype(np.float32)  # ties in most bins
        boxes = _boxes(rng, 9, shape[0], max(shape[2:]), scale, outside=0.3)
        boxes[:, 1:] = np.round(boxes[:, 1:] * 4) / 4  # .5 after scaling: exercises round half away from zero
        out, argmax = ops.roi_pool(x, boxes, size, scale, return_indices=True)
        want, want_argmax = ref.roi_pool(x, boxes, size, scale)
        assert out.dtype == np.float32 and argmax.dtype == np.int64 and out.shape == (9, shape[1]) + size
        np.testing.assert_array_equal(out, want.astype(np.float32))
        np.testing.assert_array_equal(argmax, want_argmax)
        np.testing.assert_array_equal(ops.roi_pool(x, boxes, size, scale), out)


def test_roi_align_outside_tiny_huge(isa, threads, rng):
    x = rng.standard_normal((2, 3, 10, 12)).astype(np.float32)
    boxes = np.array([
        [0, -30, -30, -5, -5],       # fully outside (above left): 0
        [1, 40, 40, 60, 70],         # fully outside (below right): 0
        [0, -4, -3, 5, 6],           # partly outside: darkened by the zero samples
        [1, 8, 7, 20, 15],           # partly outside, bottom right
        [0, 3, 3, 3, 3],             # zero size
        [1, 4.2, 5.1, 4.3, 5.15],    # tiny
        [0, 7, 6, 2, 1],             # inverted
        [1, -1, -1, 0.5, 0.5],       # samples in the [-1, 0] clamp band
        [0, -150, -120, 170, 190],   # huge: a large adaptive grid, most samples outside
        [1, 0, 0, 11, 9],            # the whole map
    ], np.float32)
    for sr in (-1, 1, 2):
        for aligned in (False, True):
            out = ops.roi_align(x, boxes, (3, 2), 1.0, sr, aligned)
            np.testing.assert_allclose(out, ref.roi_align(x, boxes, (3, 2), 1.0, sr, aligned), rtol=1e-5, atol=1e-5)
            assert not out[:2].any()


def test_roi_pool_outside_tiny_huge(isa, threads, rng):
    x = rng.standard_normal((2, 3, 10, 12)).astype(np.float32)
    boxes = np.array([[0, -30, -30, -5, -5], [1, 40, 40, 60, 70], [0, -4, -3, 5, 6], [1, 8, 7, 20, 15],
                      [0, 3, 3, 3, 3], [1, 4.2, 5.1, 4.3, 5.15], [0, 7, 6, 2, 1], [1, -150, -120, 170, 190]],
                     np.float32)
    out, argmax = ops.roi_pool(x, boxes, (3, 4), 1.0, return_indices=True)
    want, want_argmax = ref.roi_pool(x, boxes, (3, 4), 1.0)
    np.testing.assert_array_equal(out, want.astype(np.float32))
    np.testing.assert_array_equal(argmax, want_argmax)
    assert not out[:2].any() and (argmax[:2] == -1).all()


def test_roi_align_probes():
    # torchvision 0.29.1 outputs (research section 2.5) on the ramp map, 2x2 output.
    cases = [
        ([0, 1, 1, 5, 4], -1, [16, 18, 28, 30], [11.5, 13.5, 23.5, 25.5]),
        ([0, 2, 2, 2, 2], -1, [20.25, 20.75, 24.25, 24.75], [0, 0, 0, 0]),
        ([0, 5, 5, 2, 2], 2, [45.25, 45.75, 45.25, 45.75], [33.75, 32.25, 21.75, 20.25]),
        ([0, 5, 5, 2, 2], -1, [45.25, 45.75, 45.25, 45.75], [0, 0, 0, 0]),
        ([0, -1, -1, 0.5, 0.5], 2, [0, 0.15625, 1.25, 1.40625], [0, 0, 0, 0]),
        ([0, -3, -3, -1.5, -1.5], 2, [0, 0, 0, 0], [0, 0, 0, 0]),
        ([0, 20, 20, 30, 30], -1, [0, 0, 0, 0], [0, 0, 0, 0]),
    ]
    for box, sr, want_false, want_true in cases:
        for aligned, want in ((False, want_false), (True, want_true)):
            out = ops.roi_align(RAMP, np.array([box], np.float32), 2, 1.0, sr, aligned)
            np.testing.assert_array_equal(out.ravel(), np.float32(want), err_msg=f"{box} sr={sr} aligned={aligned}")
    for sr in (-1, 0, 1, 2):
        out = ops.roi_align(RAMP, [[0, 1, 1, 5, 4]], 2, 1.0, sr)
        np.testing.assert_array_equal(out.ravel(), [16, 18, 28, 30])
    np.testing.assert_array_equal(ops.roi_align(RAMP, [[0, 2, 2, 10, 8]], 2, 0.5).ravel(), [16, 18, 28, 30])
    assert ops.roi_align(RAMP, [[0, 1, 1, 5, 4]], (3, 2), 1.0, 2).shape == (1, 1, 3, 2)
    np.testing.assert_array_equal(ops.roi_align(RAMP, [np.array([[1, 1, 5, 4]])], 2),
                                  ops.roi_align(RAMP, [[0, 1, 1, 5, 4]], 2))


def test_roi_pool_probes():
    # torchvision 0.29.1 outputs (research section 2.6) on the ramp map.
    def pool(box, size):
        return ops.roi_pool(RAMP, np.array([box], np.float32), size, return_indices=True)

    out, argmax = pool([0, 1, 1, 5, 4], 2)
    np.testing.assert_array_equal(out.ravel(), [19, 21, 35, 37])
    np.testing.assert_array_equal(argmax.ravel(), [19, 21, 35, 37])
    np.testing.assert_array_equal(pool([0, 1, 1, 5, 4], 3)[0].ravel(), [18, 20, 21, 26, 28, 29, 34, 36, 37])
    np.testing.assert_array_equal(pool([0, 0.5, 0.5, 1.5, 2.5], 1)[0].ravel(), [26])  # C round: 0.5 -> 1
    np.testing.assert_array_equal(pool([0, 1, 1, 2, 2], 4)[0][0, 0],
                                  [[9, 9, 10, 10], [9, 9, 10, 10], [17, 17, 18, 18], [17, 17, 18, 18]])
    np.testing.assert_array_equal(pool([0, -1, -1, 0.5, 0.5], 2)[0].ravel(), [0, 1, 8, 9])
    out, argmax = pool([0, 20, 20, 30, 30], 2)
    assert not out.any() and (argmax == -1).all()
    np.testing.assert_array_equal(pool([0, 5, 5, 2, 2], 2)[0].ravel(), [45] * 4)


def test_roi_pool_nan_inf_ties():
    x = np.zeros((1, 3, 4, 4), np.float32)
    x[0, 0] = np.nan
    x[0, 1] = -np.inf
    x[0, 2, 1:3, 1:3] = 5  # four tied maxima: the first in row-major order wins
    x[0, 2, 0, 0] = np.nan
    out, argmax = ops.roi_pool(x, [[0, 0, 0, 3, 3]], 1, return_indices=True)
    np.testing.assert_array_equal(out.ravel(), [-np.finfo(np.float32).max, -np.finfo(np.float32).max, 5])
    np.testing.assert_array_equal(argmax.ravel(), [-1, -1, 5])


def test_torchvision_forward_cases(isa, threads, rng):
    # torchvision's RoIOpTester.test_forward input, contiguous and transposed (non-contiguous).
    x = rng.random((2, 50, 10, 10)).astype(np.float32)
    rois = np.array([[0, 0, 0, 9, 9], [0, 0, 5, 4, 9], [0, 5, 5, 9, 9], [1, 0, 0, 9, 9]], np.float32)
    for xin in (x, x.transpose(0, 1, 3, 2)):
        for aligned in (False, True):
            np.testing.assert_allclose(ops.roi_align(xin, rois, 5, 1.0, -1, aligned),
                                       ref.roi_align(xin, rois, (5, 5), 1.0, -1, aligned), rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(ops.roi_pool(xin, rois, 5), ref.roi_pool(xin, rois, (5, 5))[0])
    # test_torch_fx_trace: the same RoIs reach beyond a 5x5 map.
    small = rng.random((2, 50, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(ops.roi_align(small, rois, 5), ref.roi_align(small, rois, (5, 5)), rtol=1e-5, atol=1e-5)
    # _helper_jit_boxes_list: a list of two (5, 4) arrays.
    x1 = rng.random((2, 1, 10, 10)).astype(np.float32)
    boxes = [rng.random((4, 5)).astype(np.float32).T * 5 for _ in range(2)]
    boxes = [np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1) for b in boxes]
    assert ops.roi_align(x1, boxes, 3).shape == (10, 1, 3, 3)
    assert ops.roi_pool(x1, boxes, 3).shape == (10, 1, 3, 3)


def test_list_of_boxes_and_batches(rng):
    x = rng.standard_normal((3, 4, 8, 9)).astype(np.float32)
    per_image = [_boxes(rng, k, 1, 9, 1.0)[:, 1:] for k in (3, 0, 5)]
    stacked = np.concatenate([np.concatenate([np.full((len(b), 1), i, np.float32), b], axis=1)
                              for i, b in enumerate(per_image)])
    np.testing.assert_array_equal(ops.roi_align(x, per_image, (2, 3), 1.0, 2), ops.roi_align(x, stacked, (2, 3), 1.0, 2))
    np.testing.assert_array_equal(ops.roi_pool(x, tuple(per_image), 2), ops.roi_pool(x, stacked, 2))
    # Each RoI reads its own image.
    out = ops.roi_align(x, stacked, 2, 1.0, 2)
    for k, row in enumerate(stacked):
        np.testing.assert_array_equal(out[k], ops.roi_align(x[int(row[0])][None], [[0, *row[1:]]], 2, 1.0, 2)[0])


def test_empty_and_conversions(rng):
    x = rng.standard_normal((2, 3, 5, 5))
    for boxes in (np.zeros((0, 5)), [], [np.zeros((0, 4)), np.zeros((0, 4))]):
        for out in (ops.roi_align(x, boxes, (2, 3)), ops.roi_pool(x, boxes, (2, 3))):
            assert out.shape == (0, 3, 2, 3) and out.dtype == np.float32
        out, argmax = ops.roi_pool(x, boxes, 2, return_indices=True)
        assert out.shape == argmax.shape == (0, 3, 2, 2) and argmax.dtype == np.int64
    # float64 input and boxes are converted to float32 once.
    boxes = [[1, 0.5, 1, 3.5, 4]]
    np.testing.assert_array_equal(ops.roi_align(x, boxes, 2, 1.0, 2),
                                  ops.roi_align(x.astype(np.float32), np.float32(boxes), 2, 1.0, 2))
    assert ops.roi_align(np.zeros((1, 0, 3, 3)), [[0, 0, 0, 1, 1]], 2).shape == (1, 0, 2, 2)


def test_roi_align_paths_and_uint8(isa, threads, rng):
    # Maps of few channels are sampled in place (NCHW), others through an NHWC copy: the same
    # arithmetic, so the channels of a 3-channel map equal those of a wider map holding them.
    wide = np.round(rng.standard_normal((2, 9, 11, 14)) * 40 + 100).clip(0, 255).astype(np.float32)
    boxes = _boxes(rng, 23, 2, 14, 1.0, outside=0.3)
    for args in ((5, 1.0, -1, True), ((3, 4), 0.7, 2, False), (7, 1.0, 1, True)):
        out = ops.roi_align(wide, boxes, *args)
        np.testing.assert_array_equal(ops.roi_align(wide[:, :3], boxes, *args), out[:, :3])
        np.testing.assert_array_equal(ops.roi_align(wide[:, 4:5], boxes, *args), out[:, 4:5])
        # uint8 pixels are read as their float32 values, on both paths.
        for x in (wide, wide[:, :3]):
            pixels = x.astype(np.uint8)
            np.testing.assert_array_equal(ops.roi_align(pixels, boxes, *args), ops.roi_align(x, boxes, *args))
    want = ref.roi_align(wide[:, :3], boxes, (5, 5), 1.0, -1, True)
    np.testing.assert_allclose(ops.roi_align(wide[:, :3].astype(np.uint8), boxes, 5, 1.0, -1, True), want,
                               rtol=1e-5, atol=1e-3)
    with pytest.raises(ValueError, match=r"roi_align: input must have 4 dimensions"):
        ops.roi_align(wide[0].astype(np.uint8), boxes, 2)


def test_thread_count_bit_identical(isa, rng):
    x = rng.standard_normal((2, 37, 13, 11)).astype(np.float32)
    boxes = _boxes(rng, 61, 2, 13, 0.5, outside=0.2)
    for fn in (lambda: ops.roi_align(x, boxes, 7, 0.5, -1, True), lambda: ops.roi_align(x, boxes, (3, 5), 0.5, 2),
               lambda: ops.roi_pool(x, boxes, (7, 6), 0.5, return_indices=True)):
        one, two = run_threads(fn)
        for a, b in zip(one if isinstance(one, tuple) else (one,), two if isinstance(two, tuple) else (two,)):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("op", ["roi_align", "roi_pool", "crop_resize"])
def test_errors(op):
    fn = getattr(ops, op)
    x = np.zeros((2, 3, 5, 5), np.float32)
    good = [[0, 0, 0, 2, 2]]
    with pytest.raises(IndexError, match=rf"{op}: boxes\[1, 0\] \(the batch index\) must be in \[0, 2\)"):
        fn(x, [[0, 0, 0, 1, 1], [2, 0, 0, 1, 1]], 2)
    with pytest.raises(IndexError, match=r"boxes\[0, 0\]"):
        fn(x, [[-1, 0, 0, 1, 1]], 2)
    with pytest.raises(ValueError, match=rf"{op}: boxes\[0, 0\] \(the batch index\) must be an integer"):
        fn(x, [[0.5, 0, 0, 1, 1]], 2)
    with pytest.raises(ValueError, match=r"boxes\[0, 0\]"):
        fn(x, [[np.nan, 0, 0, 1, 1]], 2)
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match=rf"{op}: boxes\[1, 3\] must be finite"):
            fn(x, [[0, 0, 0, 1, 1], [0, 0, 0, bad, 1]], 2)
    with pytest.raises(ValueError, match=rf"{op}: boxes\[0, 1\] must be finite"):
        fn(x, [[0, 3e38, 0, 3e38, 1]], 2, spatial_scale=10.0)  # overflows once scaled
    with pytest.raises(ValueError, match=rf"{op}: boxes\[0\] is too large"):
        fn(x, [[0, -3e38, 0, 3e38, 1]], 2)
    with pytest.raises(ValueError, match=rf"{op}: spatial_scale must be finite and >= 0 \(in float32\), got -0.5"):
        fn(x, good, 2, spatial_scale=-0.5)
    with pytest.raises(ValueError, match=rf"{op}: spatial_scale must be finite"):
        fn(x, good, 2, spatial_scale=np.nan)
    with pytest.raises(ValueError, match=rf"{op}: output_size must be >= 1"):
        fn(x, good, (2, 0))
    with pytest.raises(ValueError, match=rf"{op}: output_size must be an int or a pair"):
        fn(x, good, (2, 2, 2))
    with pytest.raises(TypeError, match=rf"{op}: output_size must be an int"):
        fn(x, good, 2.5)
    with pytest.raises(ValueError, match=rf"{op}: input must have 4 dimensions"):
        fn(x[0], good, 2)
    with pytest.raises(ValueError, match=rf"{op}: input must have non-empty spatial dimensions"):
        fn(np.zeros((1, 3, 0, 5)), good, 2)
    with pytest.raises(ValueError, match=rf"{op}: boxes must have shape \(K, 5\)"):
        fn(x, [[0, 0, 2, 2]], 2)  # torchvision's "Tensor[N, 4]" case
    with pytest.raises(ValueError, match=rf"{op}: boxes must have 2 dimensions"):
        fn(x, np.zeros(5), 2)
    with pytest.raises(ValueError, match=rf"{op}: boxes\[1\] must have shape \(K, 4\)"):
        fn(x, [np.zeros((1, 4)), np.zeros((2, 3))], 2)
    with pytest.raises(TypeError, match=rf"{op}: boxes must be a real numeric array"):
        fn(x, np.array([["a"] * 5]), 2)
    with pytest.raises(TypeError, match=rf"{op}: input must be a real numeric array"):
        fn(x.astype(bool), good, 2)


@pytest.mark.parametrize("op", ["roi_align", "crop_resize"])
def test_roi_align_argument_errors(op):
    fn = getattr(ops, op)
    x = np.zeros((1, 1, 5, 5), np.float32)
    with pytest.raises(TypeError, match=f"{op}: sampling_ratio must be an int"):
        fn(x, [[0, 0, 0, 2, 2]], 2, 1.0, 1.5)
    with pytest.raises(ValueError, match=rf"{op}: sampling_ratio must be at most 16 times the adaptive grid .* "
                                         rf"here 16 for boxes\[0\] .* got 10000000$"):
        fn(x, [[0, 0, 0, 2, 2]], 2, 1.0, 10**7)
    with pytest.raises(ValueError, match=rf"{op}: the sampling grid of boxes\[0\] .* exceeds 2\^22"):
        fn(x, [[0, 0, 0, 1e6, 1e6]], 2, 1.0, 4 * 10**6)  # within 16 times the adaptive grid
    with pytest.raises(ValueError, match=rf"{op}: the sampling grid of boxes\[1\]"):
        fn(x, [[0, 0, 0, 2, 2], [0, 0, 0, 1e30, 1]], 2)  # adaptive grid of a huge RoI
    assert fn(x, [[0, 0, 0, 1e30, 1]], 2, 1.0, 2).shape == (1, 1, 2, 2)  # a fixed grid is fine


def _close_to_roi_align(out, x, boxes, *args):
    """crop_resize's output against the NumPy roi_align: equal up to float32 rounding of sums of
    values as large as the map's largest."""
    want = ref.roi_align(np.asarray(x, np.float32), boxes, *args)
    assert out.dtype == np.float32 and out.shape == want.shape
    np.testing.assert_allclose(out, want, rtol=0, atol=4e-6 * max(1.0, float(np.abs(x).max(initial=0))))


@pytest.mark.parametrize("aligned", [True, False])
@pytest.mark.parametrize("sampling_ratio", [-1, 1, 2, 3])
@pytest.mark.parametrize("scale", [1.0, 0.5, 0.3, 2.0])
def test_crop_resize_random(threads, isa, rng, scale, sampling_ratio, aligned):
    for shape, size in [((2, 3, 7, 9), (3, 2)), ((1, 5, 4, 4), (1, 1)), ((3, 2, 1, 6), (2, 5)),
                        ((1, 3, 30, 41), (7, 9)), ((1, 1, 12, 10), (24, 20))]:
        x = rng.standard_normal(shape).astype(np.float32)
        boxes = _boxes(rng, 9, shape[0], max(shape[2:]), scale, outside=0.3)  # some inverted, some outside
        out = ops.crop_resize(x, boxes, size, scale, sampling_ratio, aligned)
        _close_to_roi_align(out, x, boxes, size, scale, sampling_ratio, aligned)


def test_crop_resize_image_crops(threads, isa, rng):
    # MTCNN's use: 24x24 and 48x48 crops of a uint8 image (downscaled, upscaled, at the borders);
    # the bytes are read as their values, exactly as the float32 copy.
    image = rng.integers(0, 256, (1, 3, 97, 131), dtype=np.uint8)
    side = rng.uniform(5, 120, 40)
    corner = rng.uniform(-20, 110, (40, 2))
    boxes = np.concatenate([np.zeros((40, 1)), corner, corner + side[:, None]], axis=1).astype(np.float32)
    for size in (24, 48, (5, 13)):
        out = ops.crop_resize(image, boxes, size)
        np.testing.assert_array_equal(out, ops.crop_resize(image.astype(np.float32), boxes, size))
        if size != 48:  # the reference is slow: a few boxes of each kind
            pair = (size, size) if isinstance(size, int) else size
            _close_to_roi_align(out[::5], image, boxes[::5], pair, 1.0, -1, True)
    # A box inside the image at integer edges with one sample per pixel: the pixels themselves.
    np.testing.assert_array_equal(ops.crop_resize(image, [[0, 10, 20, 34, 44]], 24)[0],
                                  image[0, :, 20:44, 10:34].astype(np.float32))


def test_crop_resize_edges_and_threads(rng):
    x = rng.standard_normal((2, 4, 10, 12)).astype(np.float32)
    boxes = np.array([[0, -30, -30, -5, -5], [1, 40, 40, 60, 70], [0, -4, -3, 5, 6], [1, 8, 7, 20, 15],
                      [0, 3, 3, 3, 3], [1, 4.2, 5.1, 4.3, 5.15], [0, 7, 6, 2, 1], [1, -1, -1, 0.5, 0.5],
                      [0, -150, -120, 170, 190], [1, 0, 0, 11, 9]], np.float32)
    for sr in (-1, 1, 2):
        for aligned in (False, True):
            out = ops.crop_resize(x, boxes, (3, 2), 1.0, sr, aligned)
            _close_to_roi_align(out, x, boxes, (3, 2), 1.0, sr, aligned)
            assert not out[:2].any()  # fully outside: 0
    many = _boxes(rng, 61, 2, 12, 0.5, outside=0.2)
    one, two = run_threads(lambda: ops.crop_resize(x, many, 7, 0.5))
    np.testing.assert_array_equal(one, two)
    assert ops.crop_resize(x, np.zeros((0, 5)), 3).shape == (0, 4, 3, 3)
    assert ops.crop_resize(np.zeros((1, 0, 3, 3)), [[0, 0, 0, 1, 1]], 2).shape == (1, 0, 2, 2)
    assert ops.crop_resize(x, [np.zeros((1, 4)), np.array([[1, 1, 5, 5]])], 2).shape == (2, 4, 2, 2)
