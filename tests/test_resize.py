"""resize (ONNX Resize) and interpolate (F.interpolate's nearest / bilinear) against a NumPy reference
written here from the ONNX spec, and against onnxruntime on one-node graphs."""

import functools
import itertools
import math

import numpy as np
import pytest

import cvcore
from cvcore import ops
from conftest import run_threads

COORDINATE_MODES = ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "half_pixel_symmetric"]
NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]

f32 = np.float32


# --- The reference. ------------------------------------------------------------------------------------------------

def source_coordinates(mode, out_len, in_len, scale):
    """The ONNX spec's source coordinate of every output index along an axis. The spec leaves the
    precision open; onnxruntime computes in float32 (half_pixel_symmetric's last sum in float64), which
    decides the rounding of coordinates that are halves or integers up to a rounding error, so this
    does too. An axis of float32 scale 1 is the identity (onnxruntime skips the transform)."""
    i = np.arange(out_len, dtype=f32)
    s, out, n = f32(scale), f32(out_len), f32(in_len)
    if s == 1:
        return i
    if mode == "half_pixel":
        return (i + f32(0.5)) / s - f32(0.5)
    if mode == "pytorch_half_pixel":
        return (i + f32(0.5)) / s - f32(0.5) if out_len > 1 else np.zeros(out_len, f32)
    if mode == "align_corners":
        return i * (n - f32(1)) / (out - f32(1)) if out_len > 1 else np.zeros(out_len, f32)
    if mode == "asymmetric":
        return i / s
    if mode == "half_pixel_symmetric":
        adjustment = out / (s * n)
        offset = n / f32(2) * (f32(1) - adjustment)
        return (np.float64(offset) + (i.astype(np.float64) + 0.5) / np.float64(s) - 0.5).astype(f32)
    raise AssertionError(mode)


# onnxruntime (1.32) takes a coordinate within 1e-6 of a half for the half in the round_prefer modes:
# float32 coordinates of exact halves come out a few ulps off.
HALF_TOLERANCE = 1e-6


def near_half(c):
    return np.abs(c - np.floor(c) - 0.5) <= HALF_TOLERANCE


def nearest_indices(mode, nearest, out_len, in_len, scale):
    c = source_coordinates(mode, out_len, in_len, scale).astype(np.float64)
    if nearest == "round_prefer_floor":
        r = np.where(near_half(c), np.floor(c), np.floor(c + 0.5))
    elif nearest == "round_prefer_ceil":
        r = np.where(near_half(c), np.floor(c) + 1, np.floor(c + 0.5))
    elif nearest == "floor":
        r = np.floor(c)
    else:
        r = np.ceil(c)
    return np.clip(r, 0, in_len - 1).astype(np.int64)


def linear_taps(mode, out_len, in_len, scale):
    """Per output index: the two inputs around the coordinate clamped to the input, and the weight of
    the second (the spec's ratio); float64."""
    c = np.clip(source_coordinates(mode, out_len, in_len, scale).astype(np.float64), 0, in_len - 1)
    i1 = np.floor(c).astype(np.int64)
    i2 = np.minimum(i1 + 1, in_len - 1)
    return i1, i2, c - i1


def ref_resize(x, size, scales, mode, coordinates="half_pixel", nearest="round_prefer_floor"):
    (N, C, H, W), (oh, ow) = x.shape, size
    if (oh, ow) == (H, W):  # onnxruntime copies an output of the input's size
        return x.copy()
    if mode == "nearest":
        iy = nearest_indices(coordinates, nearest, oh, H, scales[0])
        ix = nearest_indices(coordinates, nearest, ow, W, scales[1])
        return x[:, :, iy][:, :, :, ix]
    y1, y2, wy = linear_taps(coordinates, oh, H, scales[0])
    x1, x2, wx = linear_taps(coordinates, ow, W, scales[1])
    xd = x.astype(np.float64)
    top = xd[:, :, y1][:, :, :, x1] * (1 - wx) + xd[:, :, y1][:, :, :, x2] * wx
    bottom = xd[:, :, y2][:, :, :, x1] * (1 - wx) + xd[:, :, y2][:, :, :, x2] * wx
    return (top * (1 - wy)[:, None] + bottom * wy[:, None]).astype(np.float32)


def assert_linear_close(got, want, x):
    """Bilinear weights sum to 1: the result is within a few float32 roundings of the inputs' magnitude
    (measured: at most 2 ulps of it, from the weights' rounding and the four products)."""
    assert got.shape == want.shape and got.dtype == np.float32
    scale = max(float(np.abs(x).max(initial=0)), 1e-30)
    np.testing.assert_allclose(got, want, rtol=0, atol=4 * np.spacing(f32(scale)))


def onnx_size(in_len, scale):
    """The output size onnxruntime gives from a scale: floor of the float32 product."""
    return int(math.floor(f32(scale) * f32(in_len)))


# --- Against the reference. ----------------------------------------------------------------------------------------

# (input H, W), (output H, W): up, down, non-integer, 1x1 in and out, one axis unchanged.
SIZE_CASES = [((4, 5), (8, 10)), ((5, 7), (3, 4)), ((3, 4), (7, 11)), ((1, 1), (3, 2)), ((6, 5), (1, 1)),
              ((1, 1), (1, 1)), ((7, 3), (7, 9)), ((2, 9), (5, 9)), ((8, 8), (5, 13))]


@pytest.mark.parametrize("coordinates", COORDINATE_MODES)
@pytest.mark.parametrize("nearest", NEAREST_MODES)
def test_nearest_sizes(threads, rng, coordinates, nearest):
    for (H, W), size in SIZE_CASES:
        x = rng.standard_normal((2, 3, H, W)).astype(np.float32)
        got = ops.resize(x, size=size, mode="nearest", coordinate_transformation_mode=coordinates,
                         nearest_mode=nearest)
        scales = (f32(size[0]) / f32(H), f32(size[1]) / f32(W))
        np.testing.assert_array_equal(got, ref_resize(x, size, scales, "nearest", coordinates, nearest))


@pytest.mark.parametrize("coordinates", COORDINATE_MODES)
def test_linear_sizes(threads, rng, coordinates):
    for (H, W), size in SIZE_CASES:
        x = rng.standard_normal((2, 3, H, W)).astype(np.float32)
        got = ops.resize(x, size=size, mode="linear", coordinate_transformation_mode=coordinates)
        scales = (f32(size[0]) / f32(H), f32(size[1]) / f32(W))
        assert_linear_close(got, ref_resize(x, size, scales, "linear", coordinates), x)


SCALE_CASES = [((4, 6), (2.0, 2.0)), ((5, 7), (3.0, 1.5)), ((9, 8), (0.5, 0.75)), ((6, 10), (1.7, 0.35)),
               ((3, 3), (1.0, 2.5)), ((1, 4), (4.0, 0.5)), ((10, 10), (0.7, 1.05))]


@pytest.mark.parametrize("coordinates", COORDINATE_MODES)
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_scales(threads, rng, coordinates, mode):
    for (H, W), scales in SCALE_CASES:
        x = rng.standard_normal((1, 2, H, W)).astype(np.float32)
        for nearest in (NEAREST_MODES if mode == "nearest" else ["round_prefer_floor"]):
            got = ops.resize(x, scale_factor=scales, mode=mode, coordinate_transformation_mode=coordinates,
                             nearest_mode=nearest)
            size = (onnx_size(H, scales[0]), onnx_size(W, scales[1]))
            want = ref_resize(x, size, scales, mode, coordinates, nearest)
            if mode == "nearest":
                np.testing.assert_array_equal(got, want)
            else:
                assert_linear_close(got, want, x)


def test_output_size_from_scale_is_the_float32_product():
    x = np.zeros((1, 1, 27, 10), np.float32)
    # float32(7 / 3) * 27 rounds to 62.999996 in float32: onnxruntime's 62 rows, where PyTorch's float64
    # product gives 63 (onnxruntime's side is checked in test_against_onnxruntime).
    assert ops.resize(x, scale_factor=7 / 3).shape == (1, 1, 62, 23)
    assert ops.interpolate(x, scale_factor=7 / 3).shape == (1, 1, 63, 23)
    assert ops.resize(x, scale_factor=(2.5, 0.3)).shape == (1, 1, 67, 3)


def test_same_size_is_a_copy(rng):
    # As onnxruntime: an output of the input's size copies it, whatever the scales say.
    x = rng.standard_normal((2, 2, 10, 10)).astype(np.float32)
    for mode in ("nearest", "linear"):
        for coordinates in COORDINATE_MODES:
            got = ops.resize(x, scale_factor=1.05, mode=mode, coordinate_transformation_mode=coordinates)
            np.testing.assert_array_equal(got, x)


def test_integer_upsampling_fast_paths(threads, rng):
    # The x2 of FPN necks (each value written 2x2 times), larger factors, and mappings that are not a
    # repetition, on a map large enough to be split among threads.
    x = rng.standard_normal((2, 8, 40, 52)).astype(np.float32)
    for factor in (2, 3, 4):
        for coordinates, nearest in [("asymmetric", "floor"), ("half_pixel", "round_prefer_floor"),
                                     ("half_pixel", "round_prefer_ceil"), ("align_corners", "round_prefer_floor")]:
            got = ops.resize(x, scale_factor=factor, coordinate_transformation_mode=coordinates, nearest_mode=nearest)
            want = ref_resize(x, (40 * factor, 52 * factor), (factor, factor), "nearest", coordinates, nearest)
            np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ops.interpolate(x, scale_factor=2), x.repeat(2, axis=2).repeat(2, axis=3))


def test_thread_counts_agree(rng):
    x = rng.standard_normal((1, 6, 37, 45)).astype(np.float32)
    for mode, coordinates in itertools.product(["nearest", "linear"], COORDINATE_MODES):
        one, two = run_threads(lambda: ops.resize(x, size=(83, 61), mode=mode,
                                                  coordinate_transformation_mode=coordinates))
        np.testing.assert_array_equal(one, two)


def test_inputs_converted_and_empty(rng):
    x = rng.standard_normal((2, 3, 6, 8))
    want = ops.resize(x.astype(np.float32), size=(9, 5), mode="linear")
    np.testing.assert_array_equal(ops.resize(x, size=(9, 5), mode="linear"), want)  # float64 in
    strided = np.asfortranarray(x.astype(np.float32))
    strided.flags.writeable = False
    np.testing.assert_array_equal(ops.resize(strided, size=(9, 5), mode="linear"), want)
    np.testing.assert_array_equal(ops.resize(x.astype(np.float32)[:, ::-1], size=(9, 5), mode="linear"),
                                  want[:, ::-1])
    for shape in [(0, 3, 6, 8), (2, 0, 6, 8)]:
        out = ops.resize(np.zeros(shape, np.float32), size=(4, 4))
        assert out.shape == shape[:2] + (4, 4) and out.dtype == np.float32
    nan = np.full((1, 1, 2, 2), np.nan, np.float32)
    assert np.isnan(ops.resize(nan, scale_factor=2, mode="linear")).all()


# --- interpolate: PyTorch's arguments mapped to ONNX Resize. ------------------------------------------------------

def test_interpolate_nearest(threads, rng):
    x = rng.standard_normal((2, 3, 5, 7)).astype(np.float32)
    for size, scale in [((10, 14), None), ((3, 9), None), (None, 2), (None, (1.5, 0.5)), (None, 2.7)]:
        got = ops.interpolate(x, size=size, scale_factor=scale)
        if scale is not None:
            sh, sw = scale if isinstance(scale, tuple) else (scale, scale)
            size = (math.floor(5 * sh), math.floor(7 * sw))
        else:
            sh, sw = f32(size[0]) / f32(5), f32(size[1]) / f32(7)
        # PyTorch's nearest: floor(i / s), clamped.
        iy = np.minimum(np.floor(np.arange(size[0], dtype=f32) / f32(sh)).astype(int), 4)
        ix = np.minimum(np.floor(np.arange(size[1], dtype=f32) / f32(sw)).astype(int), 6)
        np.testing.assert_array_equal(got, x[:, :, iy][:, :, :, ix])


@pytest.mark.parametrize("align_corners", [None, False, True])
def test_interpolate_bilinear(threads, rng, align_corners):
    x = rng.standard_normal((1, 2, 6, 4)).astype(np.float32)
    coordinates = "align_corners" if align_corners else "pytorch_half_pixel"
    for size, scale in [((12, 8), None), ((1, 1), None), ((4, 9), None), (None, 2), (None, (0.5, 3.5))]:
        got = ops.interpolate(x, size=size, scale_factor=scale, mode="bilinear", align_corners=align_corners)
        if scale is not None:
            scales = scale if isinstance(scale, tuple) else (scale, scale)
            size = (math.floor(6 * scales[0]), math.floor(4 * scales[1]))
        else:
            scales = (f32(size[0]) / f32(6), f32(size[1]) / f32(4))
        assert_linear_close(got, ref_resize(x, size, scales, "linear", coordinates), x)
        # The same call as resize with the mapped arguments (these scales give one size by either rule).
        same = ops.resize(x, size=None if scale else size, scale_factor=scale, mode="linear",
                          coordinate_transformation_mode=coordinates)
        np.testing.assert_array_equal(got, same)


# --- Errors. --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, exc, message", [
    (lambda x: ops.resize(x), ValueError, r"resize: exactly one of size and scale_factor must be given"),
    (lambda x: ops.resize(x, size=4, scale_factor=2), ValueError, r"exactly one of size and scale_factor"),
    (lambda x: ops.resize(x, size=(4, 0)), ValueError, r"resize: the output size must be >= 1, got \(4, 0\)"),
    (lambda x: ops.resize(x, size=(4, 5, 6)), ValueError, r"resize: size must be one value or a pair"),
    (lambda x: ops.resize(x, size=2.5), TypeError, r"resize: size must be an int, got 2.5"),
    (lambda x: ops.resize(x, scale_factor=0), ValueError, r"resize: scale_factor must be finite and > 0, got 0"),
    (lambda x: ops.resize(x, scale_factor=-2), ValueError, r"scale_factor must be finite and > 0, got -2"),
    (lambda x: ops.resize(x, scale_factor=float("nan")), ValueError, r"scale_factor must be finite and > 0"),
    (lambda x: ops.resize(x, scale_factor=float("inf")), ValueError, r"scale_factor must be finite and > 0"),
    (lambda x: ops.resize(x, scale_factor="2"), TypeError, r"resize: scale_factor must be a real number"),
    (lambda x: ops.resize(x, scale_factor=1e-50), ValueError, r"resize: scale must be finite and > 0 \(also as "
                                                              r"float32\), got 1e-50"),
    (lambda x: ops.resize(x, scale_factor=0.1), ValueError, r"resize: scale 0.1 on a size of 4 gives an empty output"),
    (lambda x: ops.resize(x, scale_factor=1e30), ValueError, r"resize: scale 1e\+30 on a size of 4 gives an output "
                                                             r"size that does not fit 64 bits"),
    (lambda x: ops.resize(x, size=(2**40, 2**40)), ValueError, r"resize: the output shape \(1, 2, 1099511627776, "
                                                               r"1099511627776\) is too large"),
    (lambda x: ops.resize(x, size=4, mode="cubic"), ValueError, r"resize: mode must be one of 'nearest', 'linear', "
                                                                r"got 'cubic'"),
    (lambda x: ops.resize(x, size=4, coordinate_transformation_mode="tf_crop_and_resize"), ValueError,
     r"resize: coordinate_transformation_mode must be one of 'half_pixel', 'pytorch_half_pixel', 'align_corners', "
     r"'asymmetric', 'half_pixel_symmetric', got 'tf_crop_and_resize'"),
    (lambda x: ops.resize(x, size=4, nearest_mode="round"), ValueError,
     r"resize: nearest_mode must be one of 'round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil', got 'round'"),
    (lambda x: ops.resize(x, size=4, mode=None), TypeError, r"resize: mode must be a str, got None"),
    (lambda x: ops.resize(x[0], size=4), ValueError, r"resize: input must have 4 dimensions, got 3"),
    (lambda x: ops.resize(x[:, :, :0], size=4), ValueError, r"resize: input must have non-empty spatial dimensions"),
    (lambda x: ops.resize(x.astype(complex), size=4), TypeError, r"resize: input must be a real numeric array"),
    (lambda x: ops.resize(x, size=4, device="cuda"), RuntimeError, r"resize: "),
    (lambda x: ops.resize(x, size=4, device="gpu"), ValueError, r"resize: device must be one of"),
    (lambda x: ops.interpolate(x, size=4, mode="bicubic"), ValueError,
     r"interpolate: mode must be one of 'nearest', 'bilinear', got 'bicubic'"),
    (lambda x: ops.interpolate(x, size=4, align_corners=True), ValueError,
     r"interpolate: align_corners can only be set with mode 'bilinear'"),
    (lambda x: ops.interpolate(x, size=4, mode="bilinear", align_corners=1), TypeError,
     r"interpolate: align_corners must be a bool or None, got 1"),
    (lambda x: ops.interpolate(x, scale_factor=0.2), ValueError,
     r"interpolate: scale_factor 0.2 on a size of 4 gives an empty output"),
    (lambda x: ops.interpolate(x, scale_factor=1e300), ValueError,
     r"interpolate: scale_factor 1e\+300 on a size of 4 gives an output size that does not fit 64 bits"),
    (lambda x: ops.interpolate(x, scale_factor=1e-50, mode="bilinear"), ValueError,
     r"interpolate: scale_factor 1e-50 on a size of 4 gives an empty output"),
    (lambda x: ops.interpolate(x, scale_factor=(1e-40, 1e10)), ValueError, r"interpolate: "),
    (lambda x: ops.interpolate(x, size=(0, 3)), ValueError, r"interpolate: the output size must be >= 1"),
    (lambda x: ops.interpolate(x[0], size=4), ValueError, r"interpolate: input must have 4 dimensions, got 3"),
])
def test_bad_arguments(call, exc, message):
    x = np.ones((1, 2, 4, 4), np.float32)
    with pytest.raises(exc, match=message):
        call(x)


def test_cpp_params_checked():
    # The C++ op's own checks, reached through the binding with scales that Python did not compute.
    x = np.ones((1, 1, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"resize: scales must be finite and > 0 \(also as float32"):
        cvcore._cvcore.resize(x, (4, 4), "nearest", "asymmetric", "floor", (2.0, 1e39))
    with pytest.raises(ValueError, match=r"resize: scales must be finite and > 0"):
        cvcore._cvcore.resize(x, (4, 4), "nearest", "asymmetric", "floor", (float("nan"), 2.0))


# --- Against onnxruntime. -------------------------------------------------------------------------------------------

def _ort_resize(x, opset, mode, coordinates, nearest, scales=None, sizes=None):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.zeros(0, np.float32), "roi")]
    if scales is not None:
        inits.append(numpy_helper.from_array(np.array([1, 1, *scales], np.float32), "scales"))
        inputs = ["x", "roi", "scales"]
    else:
        inits.append(numpy_helper.from_array(np.array([*x.shape[:2], *sizes], np.int64), "sizes"))
        inputs = ["x", "roi", "", "sizes"]
    attrs = {"mode": mode, "coordinate_transformation_mode": coordinates}
    if mode == "nearest":
        attrs["nearest_mode"] = nearest
    node = helper.make_node("Resize", inputs, ["y"], **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "c", "h", "w"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


ORT_CASES = [((5, 7), (10, 14), None), ((6, 9), (4, 5), None), ((3, 5), (8, 13), None), ((1, 1), (3, 4), None),
             ((7, 6), (1, 1), None), ((4, 4), None, (2.0, 2.0)), ((6, 10), None, (1.7, 0.35)),
             ((9, 8), None, (0.5, 0.75)), ((10, 10), None, (0.7, 1.05)), ((5, 5), None, (3.0, 1.0)),
             ((13, 11), None, (2.5, 1.3)), ((27, 4), None, (7 / 3, 7 / 3))]


@functools.lru_cache(maxsize=None)
def _ort_takes_near_halves_for_halves():
    """Whether the installed onnxruntime rounds coordinates within 1e-6 of a half as halves (1.32
    does; earlier versions compare exactly): its issue 28291's case, 20 -> 6 with half_pixel, whose
    output 4 sits at 14.5 computed as 14.499999."""
    x = np.arange(20, dtype=np.float32).reshape(1, 1, 1, 20)
    return _ort_resize(x, 13, "nearest", "half_pixel", "round_prefer_ceil", sizes=(1, 6))[0, 0, 0, 4] == 15


@pytest.mark.parametrize("coordinates", COORDINATE_MODES)
@pytest.mark.parametrize("mode", ["nearest", "linear"])
def test_against_onnxruntime(threads, rng, mode, coordinates):
    # Bit for bit, for nearest and linear alike: the same coordinates, weights and expression.
    opset = 19 if coordinates == "half_pixel_symmetric" else 13
    exact_halves = mode == "nearest" and not _ort_takes_near_halves_for_halves()
    for (H, W), sizes, scales in ORT_CASES:
        x = rng.standard_normal((2, 3, H, W)).astype(np.float32)
        for nearest in (NEAREST_MODES if mode == "nearest" else ["round_prefer_floor"]):
            want = _ort_resize(x, opset, mode, coordinates, nearest, scales=scales, sizes=sizes)
            got = ops.resize(x, size=sizes, scale_factor=scales, mode=mode,
                             coordinate_transformation_mode=coordinates, nearest_mode=nearest)
            assert got.shape == want.shape
            if exact_halves and nearest.startswith("round") and want.shape[2:] != x.shape[2:]:
                # An older onnxruntime: compare the rows and columns away from near-halves.
                axis_scales = scales or (f32(sizes[0]) / f32(H), f32(sizes[1]) / f32(W))
                keep = [~near_half(source_coordinates(coordinates, want.shape[2 + a], x.shape[2 + a],
                                                      axis_scales[a]).astype(np.float64)) for a in range(2)]
                got, want = got[:, :, keep[0]][..., keep[1]], want[:, :, keep[0]][..., keep[1]]
            np.testing.assert_array_equal(got, want, err_msg=f"{(H, W)} {sizes} {scales} {nearest}")


def test_interpolate_against_onnxruntime(rng):
    # What torch.onnx.export writes for F.interpolate: nearest as asymmetric + floor, bilinear as
    # pytorch_half_pixel or align_corners, scales from scale_factor.
    x = rng.standard_normal((1, 4, 7, 9)).astype(np.float32)
    for scale in (2.0, 3.0, 0.5):
        want = _ort_resize(x, 11, "nearest", "asymmetric", "floor", scales=(scale, scale))
        np.testing.assert_array_equal(ops.interpolate(x, scale_factor=scale), want)
        for align_corners, coordinates in [(False, "pytorch_half_pixel"), (True, "align_corners")]:
            want = _ort_resize(x, 11, "linear", coordinates, None, scales=(scale, scale))
            np.testing.assert_array_equal(
                ops.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=align_corners), want)
