"""add / sub / mul / div with NumPy broadcasting, against NumPy's float32 arithmetic (IEEE, one rounding
per operation) and onnxruntime's Add / Sub / Mul / Div."""

import numpy as np
import pytest

from cvcore import ops
from conftest import run_threads

FUNCTIONS = {"add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div}
NUMPY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}

SPECIALS = np.array([-np.inf, -3e38, -1e30, -6.5, -6.0, -1.0, -1e-40, -0.0, 0.0, 1e-40, 1e-30, 0.5, 6.0, 6.5, 3e38,
                     np.inf, np.nan], np.float32)

# (a's shape, b's shape): same shapes, scalars and size-1 everywhere, per-channel, rows against
# columns, ranks that differ, empty dimensions, 6-D, and sizes past one thread chunk (16384
# elements) so that rows are split between chunks.
SHAPE_PAIRS = [
    ((), ()), ((7,), (7,)), ((3, 5), (3, 5)), ((2, 3, 4, 5), (2, 3, 4, 5)),
    ((), (2, 3)), ((2, 3), ()), ((1,), (9,)), ((1, 1, 1), (2, 3, 4)), ((2, 3, 4), (1, 1, 1)), ((1, 1), (1,)),
    ((1, 5, 1, 1), (2, 5, 3, 4)), ((2, 5, 3, 4), (1, 5, 1, 1)), ((5, 1, 1), (2, 5, 3, 4)), ((2, 5, 1, 1), (2, 5, 3, 4)),
    ((4,), (2, 3, 4)), ((2, 3, 4), (3, 1)), ((3, 1), (1, 4)), ((1, 4), (3, 1)), ((3, 1, 5), (1, 4, 1)),
    ((2, 1, 3, 1, 2, 1), (1, 4, 1, 5, 1, 3)), ((1, 1, 2, 3, 4, 5), (2, 3, 1, 1, 1, 1)),
    ((0,), (0,)), ((0,), (1,)), ((1,), (0,)), ((0, 3), (1, 3)), ((2, 0, 4), (1, 1, 4)), ((2, 0, 4), ()), ((0, 1), (1, 0)),
    ((2, 37, 61, 67), (1, 37, 1, 1)), ((3, 1, 5000), (1, 7, 1)), ((50000,), ()), ((3, 17, 1001), (3, 17, 1001)),
    ((1, 1, 40000), (2, 3, 40000)), ((40001, 1), (1, 3)),
]


def operands(rng, shape_a, shape_b):
    a = np.asarray(rng.standard_normal(shape_a) * 4, np.float32)
    b = np.asarray(rng.standard_normal(shape_b) * 4, np.float32)
    return a, b


def reference(name, a, b, activation="none"):
    """NumPy's float32 result, then the activation as cvcore.ops.relu / relu6 define it (-0.0 and NaN
    pass through)."""
    with np.errstate(all="ignore"):
        out = np.asarray(NUMPY[name](a, b), np.float32)
    if activation == "relu":
        out = np.where(out < 0, np.float32(0), out)
    elif activation == "relu6":
        out = np.where(out < 0, np.float32(0), np.where(out > 6, np.float32(6), out))
    return out


def assert_bits_equal(got, want):
    """Same dtype, shape and values, bit for bit (zeros' signs included); NaN where NaN."""
    want = np.asarray(want)
    assert got.dtype == np.float32 and got.shape == want.shape
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    np.testing.assert_array_equal(got[~nan].view(np.int32), want[~nan].view(np.int32))


@pytest.mark.parametrize("activation", ["none", "relu", "relu6"])
@pytest.mark.parametrize("shape_a, shape_b", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_matches_numpy(threads, rng, name, shape_a, shape_b, activation):
    a, b = operands(rng, shape_a, shape_b)
    assert_bits_equal(FUNCTIONS[name](a, b, activation), reference(name, a, b, activation))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_special_values(name):
    # Every pair of special values: infinities, NaN, signed zeros, subnormals, overflow to inf.
    a, b = SPECIALS[:, None], SPECIALS[None, :]
    for activation in ("none", "relu", "relu6"):
        assert_bits_equal(FUNCTIONS[name](a, b, activation=activation), reference(name, a, b, activation))


def test_division_is_a_true_division():
    # a * (1 / b) differs from a / b in the last bit for these; and x / 0 is ±inf, 0 / 0 NaN.
    a = np.array([1.0, 10.0, 7.0, 3.0, 1.0, -1.0, 0.0], np.float32)
    b = np.array([3.0, 3.0, 10.0, 49.0, 0.0, 0.0, 0.0], np.float32)
    got = ops.div(a, b)
    assert_bits_equal(got, reference("div", a, b))
    with np.errstate(divide="ignore"):
        assert (got[:4] != a[:4] * (np.float32(1) / b[:4])).any()
    assert got[4] == np.inf and got[5] == -np.inf and np.isnan(got[6])


def test_relu_keeps_negative_zero_and_nan():
    out = ops.mul(np.array([-0.0, 0.0, np.nan, -2.0], np.float32), np.float32(1), activation="relu")
    np.testing.assert_array_equal(np.signbit(out), [True, False, False, False])
    assert np.isnan(out[2]) and out[3] == 0
    assert ops.add(5.0, 3.0, activation="relu6") == 6 and ops.sub(-5.0, 3.0, activation="relu6") == 0


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_bit_identical_across_threads(rng, name):
    for shape_a, shape_b in [((3, 70001), (3, 70001)), ((4, 64, 57, 59), (1, 64, 1, 1)), ((300001,), ()),
                             ((7, 1, 9001), (1, 5, 9001))]:
        a, b = operands(rng, shape_a, shape_b)
        one, two = run_threads(lambda: FUNCTIONS[name](a, b, "relu"))
        np.testing.assert_array_equal(one.view(np.int32), two.view(np.int32))


def test_dtype_conversion_and_python_scalars():
    # Other real dtypes are converted to float32 once, then computed in float32 (unlike NumPy's int64 /
    # float64 results).
    x = np.arange(-6, 6, dtype=np.int64).reshape(3, 4)
    out = ops.div(x, 7)
    assert out.dtype == np.float32
    assert_bits_equal(out, np.float32(x) / np.float32(7))
    big = np.array([16777217.0, 0.1], np.float64)  # not float32 values: rounded first
    assert_bits_equal(ops.add(big, np.float16(1.5)), np.float32(big) + np.float32(1.5))
    assert_bits_equal(ops.mul([[1, 2], [3, 4]], [0.5, 2]), np.float32([[0.5, 4], [1.5, 8]]))
    assert_bits_equal(ops.sub(np.uint8(200), np.uint8(201)), np.float32(-1))
    assert ops.add(1, 2).shape == ()


def test_non_contiguous_and_read_only_inputs(rng):
    a = (rng.standard_normal((6, 8, 10)) * 4).astype(np.float32)
    view = a[::2, :, 1::3].transpose(2, 0, 1)
    b = np.broadcast_to(np.float32([1.5, -2.0, 3.0])[:, None, None], (3, 3, 8))  # stride-0 dimensions
    assert_bits_equal(ops.mul(view, b), reference("mul", view, b))
    a.setflags(write=False)
    assert_bits_equal(ops.sub(a, a[:, :1]), reference("sub", a, a[:, :1]))


def test_inputs_not_modified(rng):
    a, b = operands(rng, (3, 4), (3, 4))
    before = a.copy(), b.copy()
    for fn in FUNCTIONS.values():
        fn(a, b, "relu")
    np.testing.assert_array_equal(a, before[0])
    np.testing.assert_array_equal(b, before[1])


@pytest.mark.parametrize("call, exc, message", [
    (lambda: ops.add(np.ones((2, 3)), np.ones(4)), ValueError,
     "add: shapes (2, 3) and (4,) cannot be broadcast together (dimension -1 is 3 and 4)"),
    (lambda: ops.div(np.ones((2, 3, 5)), np.ones((4, 1, 5))), ValueError,
     "div: shapes (2, 3, 5) and (4, 1, 5) cannot be broadcast together (dimension -3 is 2 and 4)"),
    (lambda: ops.mul(np.ones((0,)), np.ones(2)), ValueError,
     "mul: shapes (0,) and (2,) cannot be broadcast together (dimension -1 is 0 and 2)"),
    (lambda: ops.sub(np.ones(2), np.ones(2), "prelu"), ValueError,
     "sub: activation must be one of 'none', 'relu', 'relu6', got 'prelu'"),
    (lambda: ops.add(np.ones(2), np.ones(2), "gelu"), ValueError,
     "add: activation must be one of 'none', 'relu', 'relu6', got 'gelu'"),
    (lambda: ops.add(np.ones(2), np.ones(2), 1), TypeError, "add: activation must be a str, got 1"),
    (lambda: ops.add(np.ones(2), np.ones(2), device=None), TypeError, "add: device must be a str, got None"),
    (lambda: ops.add(np.ones((1,) * 7), 1.0), ValueError, "add: a may have at most 6 dimensions, got 7"),
    (lambda: ops.add(1.0, np.ones((1,) * 7)), ValueError, "add: b may have at most 6 dimensions, got 7"),
    (lambda: ops.add(np.array([True]), 1.0), TypeError, "add: a must be a real numeric array, got dtype bool"),
    (lambda: ops.div(1.0, ["x"]), TypeError, "div: b must be a real numeric array"),
    (lambda: ops.mul(1.0, [1 + 2j]), TypeError, "mul: b must be a real numeric array, got dtype complex128"),
])
def test_bad_arguments(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(message)


def test_activation_none_is_the_default():
    a = np.float32([-1.0, 2.0])
    np.testing.assert_array_equal(ops.add(a, a, None), ops.add(a, a))


# onnxruntime ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape_a, shape_b", [((2, 3, 4, 5), (2, 3, 4, 5)), ((1, 8, 1, 1), (2, 8, 5, 7)),
                                              ((2, 8, 5, 7), (8, 1, 1)), ((), (3, 4)), ((3, 1), (1, 4)),
                                              ((2, 1, 3), (4, 1)), ((0, 3), (1, 3))], ids=str)
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_matches_onnxruntime(rng, name, shape_a, shape_b):
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    helper = onnx.helper
    a, b = operands(rng, shape_a, shape_b)
    flat = a.reshape(-1)  # a view: special values at a's start
    flat[:3] = np.float32([np.inf, np.nan, -0.0])[:flat.size]
    node = helper.make_node(name.capitalize(), ["a", "b"], ["y"])
    graph = helper.make_graph([node], "g",
                              [helper.make_tensor_value_info("a", onnx.TensorProto.FLOAT, shape_a),
                               helper.make_tensor_value_info("b", onnx.TensorProto.FLOAT, shape_b)],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    want = session.run(None, {"a": a, "b": b})[0]
    got = FUNCTIONS[name](a, b)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
