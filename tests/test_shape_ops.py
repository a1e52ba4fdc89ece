"""concat / transpose / slice / pad against NumPy (np.concatenate, np.transpose, slicing with ONNX's
clamping written out below, np.pad of the cropped array) and onnxruntime's Concat, Transpose, Slice and
Pad, for every dtype: the outputs must hold the same bytes."""

import builtins
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcore import ops

DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint8]
INT64_MAX, INT64_MIN = 2**63 - 1, -2**63


def values(rng, shape, dtype=np.float32):
    """Distinct-looking values of `dtype`; float32 ones include -0.0, NaN with a payload and inf."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        x = np.asarray(rng.standard_normal(shape) * 100, dtype)
        flat = x.reshape(-1)
        specials = np.array([-0.0, np.inf, -np.inf], dtype)
        flat[:3] = specials[:flat.size]
        if dtype == np.float32 and flat.size > 3:
            flat[3:4].view(np.uint32)[:] = 0x7FC00123  # a NaN with a payload: copied bit for bit
        return x
    info = np.iinfo(dtype)
    return np.asarray(rng.integers(info.min, info.max, shape, endpoint=True), dtype)


def assert_same(got, want):
    """Same dtype, shape and bytes."""
    want = np.asarray(want, order="C")  # (np.ascontiguousarray makes 0-d arrays 1-d)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.flags.c_contiguous
    assert got.tobytes() == want.tobytes()


# References -------------------------------------------------------------------------------------

def ref_slice(x, starts, ends, axes=None, steps=None):
    """NumPy slicing with ONNX Slice's clamping (opset 10+), in Python integers."""
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    index = [builtins.slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        dim = x.shape[axis]
        start += dim if start < 0 else 0
        end += dim if end < 0 else 0
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        # end -1 with a negative step is "through index 0", which a Python slice writes as None.
        index[axis] = builtins.slice(start, None if end < 0 else end, step)
    return x[tuple(index)]


def ref_pad(x, pads, mode="constant", value=0):
    """ONNX Pad as NumPy: negative pads crop the input, then np.pad adds the positive ones."""
    n = x.ndim
    begin, end = pads[:n], pads[n:]
    crop = tuple(builtins.slice(-min(b, 0), x.shape[d] + min(e, 0)) for d, (b, e) in enumerate(zip(begin, end)))
    widths = [(max(b, 0), max(e, 0)) for b, e in zip(begin, end)]
    cropped = x[crop]
    if x.ndim == 0:
        return x.copy()
    if mode == "constant":
        return np.pad(cropped, widths, mode, constant_values=np.asarray(value).astype(x.dtype))
    return np.pad(cropped, widths, mode)


# concat -----------------------------------------------------------------------------------------

CONCAT_CASES = [
    ([(3,)], 0), ([(3,), (0,), (4,)], 0), ([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 5)], 1), ([(2, 3), (2, 4)], -1),
    ([(2, 3, 4), (2, 3, 4)], -3), ([(1, 8, 5, 5), (1, 16, 5, 5), (1, 0, 5, 5), (1, 3, 5, 5)], 1),
    ([(2, 3, 4), (2, 0, 4)], 1), ([(0, 3), (0, 3)], 0), ([(0, 3), (0, 2)], 1), ([(2, 0), (2, 0)], 1),
    ([(1, 1, 1, 1, 1, 2), (1, 1, 1, 1, 1, 3)], 5), ([(2, 1, 3, 1, 2, 1), (2, 1, 3, 4, 2, 1)], 3),
    ([(2, 64, 40, 40), (2, 32, 40, 40), (2, 3, 40, 40)], 1), ([(3, 50001), (1, 50001)], 0), ([(3, 9001), (3, 7)], -1),
    ([(1, 2, 3)] * 40, 2),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes, axis", CONCAT_CASES, ids=str)
def test_concat(threads, rng, shapes, axis, dtype):
    arrays = [values(rng, s, dtype) for s in shapes]
    assert_same(ops.concat(arrays, axis), np.concatenate(arrays, axis))


def test_concat_default_axis_inputs_and_views(rng):
    a, b = values(rng, (4, 6)), values(rng, (2, 6))
    assert_same(ops.concat([a, b]), np.concatenate([a, b]))
    assert_same(ops.concat((a[:2, ::2], b[:, 1::2]), axis=1), np.concatenate([a[:2, ::2], b[:, 1::2]], 1))
    a.setflags(write=False)
    assert_same(ops.concat([a.T, a.T], -1), np.concatenate([a.T, a.T], -1))
    assert_same(ops.concat([[1, 2], [3]]), np.array([1, 2, 3]))
    before = a.copy()
    ops.concat([a, a], 0)
    assert_same(a, before)


# transpose --------------------------------------------------------------------------------------

TRANSPOSE_CASES = [
    ((), []), ((5,), [0]), ((3, 4), [1, 0]), ((3, 4), [0, 1]), ((0, 4), [1, 0]), ((1, 7), [1, 0]), ((2, 3, 4), [2, 0, 1]),
    ((2, 3, 4), [1, 0, 2]), ((1, 3, 1, 5), [3, 2, 1, 0]), ((2, 16, 13, 11), [0, 2, 3, 1]),
    ((2, 13, 11, 16), [0, 3, 1, 2]), ((2, 64, 40, 40), [0, 2, 3, 1]), ((37, 1001), [1, 0]), ((17, 33, 2), [2, 1, 0]),
    ((2, 3, 4, 5, 6, 7), [5, 3, 1, 4, 0, 2]), ((2, 3, 1, 4, 1, 5), [0, 3, 5, 1, 2, 4]), ((2, 0, 3), [2, 1, 0]),
    ((5, 1, 3000), [2, 1, 0]),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape, perm", TRANSPOSE_CASES, ids=str)
def test_transpose(threads, rng, shape, perm, dtype):
    x = values(rng, shape, dtype)
    assert_same(ops.transpose(x, perm), np.transpose(x, perm))


def test_transpose_every_permutation(threads, rng):
    x = values(rng, (3, 1, 4, 5), np.float64)
    for perm in itertools.permutations(range(4)):
        assert_same(ops.transpose(x, perm), np.transpose(x, perm))


def test_transpose_default_reverses_and_views(rng):
    x = values(rng, (2, 3, 4))
    assert_same(ops.transpose(x), x.T)
    view = x[:, ::2, 1:]
    assert_same(ops.transpose(view, (2, 0, 1)), np.transpose(view, (2, 0, 1)))
    assert_same(ops.transpose(np.float32(2.5)), np.float32(2.5).reshape(()))


# slice ------------------------------------------------------------------------------------------

SLICE_CASES = [
    ((5,), [1], [4], None, None), ((5,), [0], [INT64_MAX], None, None), ((5,), [INT64_MIN], [INT64_MAX], None, None),
    ((5,), [INT64_MAX], [INT64_MIN], None, [-1]), ((5,), [-1], [INT64_MIN], None, [-2]), ((5,), [10], [-10], None, [-3]),
    ((5,), [2], [2], None, None), ((5,), [4], [1], None, None), ((5,), [1], [4], None, [-1]), ((5,), [-2], [-1], None, None),
    ((5,), [0], [INT64_MAX], None, [INT64_MAX]), ((5,), [4], [INT64_MIN], None, [INT64_MIN]), ((5,), [-7], [2], None, [1]),
    ((5,), [7], [-7], None, [-1]), ((0,), [0], [INT64_MAX], None, [-1]), ((0,), [0], [5], None, [1]),
    ((3, 4), [1], [3], [-1], None), ((3, 4), [0, 1], [2, 4], [1, 0], [2, 1]), ((3, 4), [-1, -1], [INT64_MIN, INT64_MIN],
                                                                                 [0, 1], [-1, -1]),
    ((2, 3, 4, 5), [1, 0], [INT64_MAX, INT64_MAX], [-1, -3], [2, 2]), ((2, 3, 4, 5), [], [], None, None),
    ((2, 3, 4, 5), [0, 0, 0, 0], [1, 1, 1, 1], None, None), ((1, 3, 1, 5), [4], [0], [3], [-2]),
    ((2, 3, 4, 5, 6, 7), [1, 5, 2], [INT64_MAX, 0, 3], [5, 4, 0], [3, -2, 1]),
    ((4, 64, 40, 40), [0, 8], [INT64_MAX, 40], [1, 3], [2, 1]), ((3, 20001), [5], [-5], [1], [3]),
    ((3, 20001), [INT64_MAX], [INT64_MIN], [1], [-1]), ((3, 2, 9001), [1], [INT64_MAX], [2], None),
    ((), [], [], None, None),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape, starts, ends, axes, steps", SLICE_CASES, ids=str)
def test_slice(threads, rng, shape, starts, ends, axes, steps, dtype):
    x = values(rng, shape, dtype)
    assert_same(ops.slice(x, starts, ends, axes, steps), ref_slice(x, starts, ends, axes, steps))


def test_slice_numpy_sequences_and_views(rng):
    x = values(rng, (6, 7))
    assert_same(ops.slice(x, np.array([1]), np.array([5], np.int32), axes=(1,), steps=np.array([2], np.uint8)),
                x[:, 1:5:2])
    view = x.T[::2]
    assert_same(ops.slice(view, [1, -1], [3, 0], [0, 1], [1, -1]), view[1:3, -1:0:-1])


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_slice_any_arguments(data):
    shape = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=4), label="shape")
    x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    count = data.draw(st.integers(0, len(shape)), label="count")
    axes = data.draw(st.permutations(range(len(shape))), label="axes")[:count]
    axes = [a - len(shape) if data.draw(st.booleans()) else a for a in axes]
    index = st.one_of(st.integers(-7, 7), st.sampled_from([INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1]))
    starts = data.draw(st.lists(index, min_size=count, max_size=count), label="starts")
    ends = data.draw(st.lists(index, min_size=count, max_size=count), label="ends")
    step = st.one_of(st.integers(-4, 4).filter(bool), st.sampled_from([INT64_MAX, INT64_MIN]))
    steps = data.draw(st.lists(step, min_size=count, max_size=count), label="steps")
    normal = [a % len(shape) for a in axes]
    assert_same(ops.slice(x, starts, ends, axes, steps), ref_slice(x, starts, ends, normal, steps))


# pad --------------------------------------------------------------------------------------------

PAD_CASES = [
    ((5,), [2, 3]), ((5,), [0, 0]), ((5,), [-2, 3]), ((5,), [3, -2]), ((5,), [-1, -1]), ((5,), [4, 4]), ((5,), [-5, 0]),
    ((1,), [0, 3]), ((3, 4), [1, 2, 3, 1]), ((3, 4), [0, 1, 0, 2]), ((3, 4), [2, -1, 1, 2]), ((3, 4), [-1, 0, 1, -2]),
    ((2, 3, 4, 5), [0, 0, 1, 1, 0, 0, 1, 1]), ((2, 3, 4, 5), [0, 1, 0, 0, 0, 2, 0, 0]), ((2, 3, 4, 5), [1, 0, 0, 2, 1, 0, 3, 0]),
    ((1, 1, 3, 1), [0, 0, 2, 0, 0, 0, 1, 0]), ((2, 1, 3, 1, 2, 3), [0, 0, 1, 0, 1, 2, 0, 0, 2, 0, 0, 1]),
    ((0, 3), [0, 1, 0, 2]), ((2, 0, 3), [1, 0, 1, 1, 0, 1]), ((3, 17, 1001), [0, 1, 3, 0, 2, 4]),
    ((2, 64, 33, 33), [0, 0, 1, 1, 0, 0, 1, 1]), ((5, 20001), [2, 1, 2, 1]), ((), []),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("shape, pads", PAD_CASES, ids=str)
def test_pad(threads, rng, shape, pads, mode, dtype):
    x = values(rng, shape, dtype)
    n = len(shape)
    kept = [shape[d] + min(pads[d], 0) + min(pads[n + d], 0) for d in range(n)]
    adds = [max(pads[d], 0) + max(pads[n + d], 0) for d in range(n)]
    if mode != "constant" and any(a and (k == 0 or (mode == "reflect" and max(pads[d], pads[n + d]) >= k))
                                  for d, (k, a) in enumerate(zip(kept, adds))):
        with pytest.raises(ValueError, match=f"pad: mode '{mode}'"):
            ops.pad(x, pads, mode)
        return
    assert_same(ops.pad(x, pads, mode, 7), ref_pad(x, pads, mode, 7))


@pytest.mark.parametrize("dtype, value, want", [
    (np.float32, 1e39, np.inf), (np.float32, np.nan, np.nan), (np.float32, 0.1, np.float32(0.1)),
    (np.float64, 0.1, 0.1), (np.float32, -0.0, -0.0), (np.uint8, 255.9, 255), (np.uint8, -0.9, 0), (np.int32, -1.7, -1),
    (np.int32, -2**31, -2**31), (np.int64, 2.0**62, 2**62), (np.int64, -2.0**63, -2**63)])
def test_pad_constant_conversion(dtype, value, want):
    out = ops.pad(np.zeros(2, dtype), [1, 1], value=value)
    assert_same(out, np.array([want, 0, 0, want], dtype))


def test_pad_constant_crops_past_the_input_as_onnxruntime():
    # Output o reads input o - begin where it exists: a crop past the end leaves only the constant.
    x = np.arange(5, dtype=np.float32)
    assert_same(ops.pad(x, [-6, 2], value=9), np.float32([9]))
    assert_same(ops.pad(x, [7, -9], value=9), np.float32([9, 9, 9]))
    assert_same(ops.pad(x, [7, -2], value=9), np.float32([9] * 7 + [0, 1, 2]))
    assert_same(ops.pad(x, [INT64_MIN, INT64_MAX], value=9), np.float32([9] * 4))


def test_pad_views_and_defaults(rng):
    x = values(rng, (4, 6))
    view = x[::2, ::-1]
    assert_same(ops.pad(view, [1, 2, 0, 1], "reflect"), np.pad(view, [(1, 0), (2, 1)], "reflect"))
    assert_same(ops.pad(x, [1, 0, 0, 0]), np.pad(x, [(1, 0), (0, 0)]))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_pad_any_arguments(data):
    shape = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=4), label="shape")
    x = np.arange(1, int(np.prod(shape)) + 1, dtype=np.int64).reshape(shape)
    mode = data.draw(st.sampled_from(["constant", "reflect", "edge"]), label="mode")
    pads = data.draw(st.lists(st.integers(-5, 5), min_size=2 * len(shape), max_size=2 * len(shape)), label="pads")
    n = len(shape)
    try:
        want = ref_pad(x, pads, mode, -1)
        # NumPy takes a crop past the input, a reflect pad of the size or more, and reflects an axis of
        # one element (repeats it); ONNX does not: those are errors here.
        kept = [shape[d] + min(pads[d], 0) + min(pads[n + d], 0) for d in range(n)]
        bad = any(k < 0 for k in kept) or (mode != "constant" and any(
            (pads[d] > 0 or pads[n + d] > 0) and (k == 0 or (mode == "reflect" and max(pads[d], pads[n + d]) >= k))
            for d, k in enumerate(kept)))
    except ValueError:
        bad, want = True, None
    if any(shape[d] + pads[d] + pads[n + d] < 0 for d in range(n)):
        bad = True
    if bad:
        if mode == "constant" and all(shape[d] + pads[d] + pads[n + d] >= 0 for d in range(n)):
            return  # a constant crop past the input: test_pad_constant_crops_past_the_input_as_onnxruntime
        with pytest.raises(ValueError, match="^pad: "):
            ops.pad(x, pads, mode, -1)
        return
    assert_same(ops.pad(x, pads, mode, -1), want)


# dtypes, devices and errors ---------------------------------------------------------------------

def test_every_op_keeps_the_dtype_and_bits():
    x = np.array([[-0.0, np.nan], [np.inf, 1.0]], np.float32)
    x.view(np.uint32)[0, 1] = 0xFFC00042
    for out in (ops.concat([x, x], 1), ops.transpose(x, [1, 0]), ops.slice(x, [1], [INT64_MIN], [1], [-1]),
                ops.pad(x, [1, 0, 0, 1], "reflect")):
        assert out.dtype == np.float32
        assert 0xFFC00042 in out.view(np.uint32)
        assert (out.view(np.uint32) == 0x80000000).any()  # -0.0


@pytest.mark.parametrize("call, exc, message", [
    (lambda: ops.concat([]), ValueError, "concat: inputs must hold at least one array, got none"),
    (lambda: ops.concat(5), TypeError, "concat: arrays must be a sequence, got 5"),
    (lambda: ops.concat([np.float32(1)]), ValueError,
     "concat: inputs must have at least 1 dimension, got inputs[0] of shape ()"),
    (lambda: ops.concat([np.ones((2, 3))], 2), ValueError,
     "concat: axis must be in [-2, 1] for inputs of 2 dimensions, got 2"),
    (lambda: ops.concat([np.ones((2, 3))], -3), ValueError,
     "concat: axis must be in [-2, 1] for inputs of 2 dimensions, got -3"),
    (lambda: ops.concat([np.ones((2, 3)), np.ones((2, 3), np.int64)]), TypeError,
     "concat: inputs must have one dtype, got float64 for inputs[0] and int64 for inputs[1]"),
    (lambda: ops.concat([np.ones((2, 3)), np.ones((2, 4))]), ValueError,
     "concat: inputs must have the same shape except along axis 0, got (2, 3) for inputs[0] and (2, 4) for inputs[1]"),
    (lambda: ops.concat([np.ones((2, 3)), np.ones((2, 3, 1))], 1), ValueError,
     "concat: inputs must have the same shape except along axis 1, got (2, 3) for inputs[0] and (2, 3, 1) for "
     "inputs[1]"),
    (lambda: ops.concat([np.ones(2), np.ones(2, bool)]), TypeError,
     "concat: inputs[1] must be an array of float32, float64, int32, int64 or uint8"),
    (lambda: ops.concat([np.ones(2)], axis=0.0), TypeError, "concat: axis must be an int, got 0.0"),
    (lambda: ops.transpose(np.ones((2, 3, 4)), [0, 1]), ValueError,
     "transpose: perm must have one value per dimension of the input (3 for shape (2, 3, 4)), got [0, 1]"),
    (lambda: ops.transpose(np.ones((2, 3, 4)), [0, 0, 1]), ValueError,
     "transpose: perm must be a permutation of 0..2, got [0, 0, 1]"),
    (lambda: ops.transpose(np.ones((2, 3, 4)), [-1, 0, 1]), ValueError,
     "transpose: perm must be a permutation of 0..2, got [-1, 0, 1]"),
    (lambda: ops.transpose(np.ones((2, 3)), [0.5, 1]), TypeError, "transpose: perm[0] must be an int, got 0.5"),
    (lambda: ops.transpose(np.ones((2, 3)), 1), TypeError, "transpose: perm must be a sequence, got 1"),
    (lambda: ops.transpose(np.ones((1,) * 7)), ValueError, "transpose: input may have at most 6 dimensions, got 7"),
    (lambda: ops.transpose(np.array(["a"])), TypeError, "transpose: input must be an array of float32"),
    (lambda: ops.slice(np.ones((2, 3)), [0], [1, 2]), ValueError,
     "slice: starts and ends must have the same length, got [0] and [1, 2]"),
    (lambda: ops.slice(np.ones((2, 3)), [0], [1], axes=[0, 1]), ValueError,
     "slice: axes must have one value per start (1) or none, got [0, 1]"),
    (lambda: ops.slice(np.ones((2, 3)), [0], [1], steps=[1, 1]), ValueError,
     "slice: steps must have one value per start (1) or none, got [1, 1]"),
    (lambda: ops.slice(np.ones((2, 3)), [0, 0, 0], [1, 1, 1]), ValueError,
     "slice: starts must have at most one value per dimension of the input (2 for shape (2, 3)), got [0, 0, 0]"),
    (lambda: ops.slice(np.ones((2, 3)), [0], [1], axes=[2]), ValueError,
     "slice: axes[0] must be in [-2, 1] for input shape (2, 3), got 2"),
    (lambda: ops.slice(np.ones((2, 3)), [0, 0], [1, 1], axes=[1, -1]), ValueError,
     "slice: axes must list each axis at most once, got [1, -1] for input shape (2, 3)"),
    (lambda: ops.slice(np.ones((2, 3)), [0, 0], [1, 1], steps=[1, 0]), ValueError,
     "slice: steps[1] must be non-zero, got 0"),
    (lambda: ops.slice(np.ones(3), [2**63], [1]), ValueError, "slice: starts[0] must fit in 64 bits, got 9223372036854775808"),
    (lambda: ops.slice(np.ones(3), [True], [1]), TypeError, "slice: starts[0] must be an int, got True"),
    (lambda: ops.slice(np.ones(3), 0, [1]), TypeError, "slice: starts must be a sequence, got 0"),
    (lambda: ops.pad(np.ones((2, 3)), [1, 1]), ValueError,
     "pad: pads must have 2 values per dimension of the input (4 for shape (2, 3)), got [1, 1]"),
    (lambda: ops.pad(np.ones(3), [-2, -2]), ValueError, "pad: pads -2 (begin) and -2 (end) remove more than the 3 "
     "elements of axis 0"),
    (lambda: ops.pad(np.ones(3), [INT64_MAX, 1]), ValueError,
     "pad: the output size of axis 0 (3 + 9223372036854775807 + 1) overflows 64 bits"),
    (lambda: ops.pad(np.ones(2, np.float32), [2**62, 0]), ValueError,
     "pad: the output shape (4611686018427387906) is too large: its size in bytes overflows 64 bits"),
    (lambda: ops.pad(np.ones(5), [5, 0], "reflect"), ValueError,
     "pad: mode 'reflect' adds at most size - 1 = 4 elements on each side of axis 0 (size 5), got pads 5 (begin) and 0 "
     "(end)"),
    (lambda: ops.pad(np.ones(5), [-2, 3], "reflect"), ValueError,
     "pad: mode 'reflect' adds at most size - 1 = 2 elements on each side of axis 0 (size 3 after cropping), got pads "
     "-2 (begin) and 3 (end)"),
    (lambda: ops.pad(np.ones(1), [1, 0], "reflect"), ValueError,
     "pad: mode 'reflect' adds at most size - 1 = 0 elements on each side of axis 0 (size 1), got pads 1 (begin)"),
    (lambda: ops.pad(np.ones((0, 3)), [1, 0, 1, 0], "edge"), ValueError,
     "pad: mode 'edge' cannot add elements to axis 0, which has none (size 0, pads 1 (begin) and 1 (end))"),
    (lambda: ops.pad(np.ones(5), [-6, 2], "edge"), ValueError,
     "pad: mode 'edge' cannot add elements to axis 0, which has none after cropping (size 5, pads -6 (begin) and 2 "
     "(end))"),
    (lambda: ops.pad(np.ones(5), [1, 1], "wrap"), ValueError,
     "pad: mode must be one of 'constant', 'reflect', 'edge', got 'wrap'"),
    (lambda: ops.pad(np.ones(5), [1, 1], None), TypeError, "pad: mode must be a str, got None"),
    (lambda: ops.pad(np.ones(5, np.uint8), [1, 1], value=300), ValueError,
     "pad: value must be a finite number in the range of uint8 [0, 255] (truncated toward zero), got 300"),
    (lambda: ops.pad(np.ones(5, np.int32), [1, 1], value=np.nan), ValueError,
     "pad: value must be a finite number in the range of int32 [-2147483648, 2147483647] (truncated toward zero), got "
     "nan"),
    (lambda: ops.pad(np.ones(5, np.int64), [1, 1], value=2.0**63), ValueError,
     "pad: value must be a finite number in the range of int64"),
    (lambda: ops.pad(np.ones(5), [1, 1], value="0"), TypeError, "pad: value must be a real number, got '0'"),
    (lambda: ops.pad(np.ones(2, np.float32), [2**43, 0]), MemoryError,
     "pad: cannot allocate 35184372088840 bytes for the output of shape (8796093022210,) and dtype float32"),
])
def test_bad_arguments(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(message)


def test_reflect_and_edge_ignore_the_value():
    x = np.arange(4, dtype=np.uint8)
    assert_same(ops.pad(x, [2, 1], "reflect", value=1e10), np.pad(x, (2, 1), "reflect"))
    assert_same(ops.pad(x, [2, 1], "edge", value=np.nan), np.pad(x, (2, 1), "edge"))


# onnxruntime ------------------------------------------------------------------------------------

def run_onnx(node, feeds, opset, constants=()):
    """The output of a one-node ONNX graph run by onnxruntime; `constants` are (name, array) initializers."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    helper = onnx.helper
    inputs = [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
              for name, a in feeds.items()]
    dtype = helper.np_dtype_to_tensor_dtype(next(iter(feeds.values())).dtype)
    output = helper.make_tensor_value_info(node.output[0], dtype, None)
    initializers = [onnx.numpy_helper.from_array(np.asarray(a), name) for name, a in constants]
    graph = helper.make_graph([node], "g", inputs, [output], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes, axis", [([(2, 3), (2, 5)], 1), ([(1, 8, 5, 5), (1, 0, 5, 5), (1, 3, 5, 5)], -3),
                                          ([(4,), (2,)], 0), ([(2, 3, 4)], 2)], ids=str)
def test_concat_matches_onnxruntime(rng, shapes, axis, dtype):
    onnx = pytest.importorskip("onnx")
    arrays = {f"x{i}": values(rng, s, dtype) for i, s in enumerate(shapes)}
    want = run_onnx(onnx.helper.make_node("Concat", list(arrays), ["y"], axis=axis), arrays, 13)
    assert_same(ops.concat(list(arrays.values()), axis), want)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape, perm", [((2, 8, 5, 7), [0, 2, 3, 1]), ((2, 5, 7, 8), [0, 3, 1, 2]), ((3, 4), [1, 0]),
                                         ((2, 3, 4, 5, 6), [4, 2, 0, 3, 1]), ((1, 0, 3), [2, 0, 1])], ids=str)
def test_transpose_matches_onnxruntime(rng, shape, perm, dtype):
    onnx = pytest.importorskip("onnx")
    x = values(rng, shape, dtype)
    assert_same(ops.transpose(x, perm), run_onnx(onnx.helper.make_node("Transpose", ["x"], ["y"], perm=perm), {"x": x}, 13))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape, starts, ends, axes, steps", [
    ((5, 6), [1, INT64_MAX], [INT64_MAX, INT64_MIN], [0, 1], [2, -2]), ((2, 3, 4, 5), [0, -3], [INT64_MAX, -1], [-1, 2],
                                                                         [1, 1]),
    ((7,), [10], [-10], [0], [-3]), ((0, 3), [0], [5], [1], [1]), ((3, 4), [-1], [INT64_MIN], [1], [INT64_MIN]),
    ((4, 4), [1, 1], [3, 3], None, None)], ids=str)
def test_slice_matches_onnxruntime(rng, shape, starts, ends, axes, steps, dtype):
    onnx = pytest.importorskip("onnx")
    x = values(rng, shape, dtype)
    names = ["x", "starts", "ends"] + (["axes"] if axes is not None else [""]) + (["steps"] if steps is not None else [])
    constants = [(n, np.array(v, np.int64)) for n, v in (("starts", starts), ("ends", ends), ("axes", axes),
                                                         ("steps", steps)) if v is not None]
    want = run_onnx(onnx.helper.make_node("Slice", names, ["y"]), {"x": x}, 13, constants)
    assert_same(ops.slice(x, starts, ends, axes, steps), want)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("shape, pads", [((2, 3, 5, 6), [0, 0, 1, 2, 0, 0, 2, 1]), ((5,), [-2, 2]), ((3, 4), [2, -1, 1, 2]),
                                         ((4, 5), [1, 0, -1, 3]), ((2, 3), [0, 0, 0, 0])], ids=str)
def test_pad_matches_onnxruntime(rng, shape, pads, mode, dtype):
    onnx = pytest.importorskip("onnx")
    x = values(rng, shape, dtype)
    constants = [("pads", np.array(pads, np.int64)), ("value", np.array(5, dtype))]
    want = run_onnx(onnx.helper.make_node("Pad", ["x", "pads", "value"], ["y"], mode=mode), {"x": x}, 18, constants)
    assert_same(ops.pad(x, pads, mode, 5), want)
