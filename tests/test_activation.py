"""Activations and softmax against the float64 NumPy references in tests/reference/activation.py."""

import numpy as np
import pytest

import cvcore
from cvcore import ops
from conftest import run_threads
from reference import activation as ref

SPECIALS = np.array([-np.inf, -1e30, -1e4, -100.0, -89.0, -88.0, -20.0, -3.0, -1.0, -1e-30, -1e-40, -0.0, 0.0,
                     1e-40, 1e-30, 1.0, 3.0, 6.0, 20.0, 20.5, 88.0, 89.0, 100.0, 1e4, 1e30, np.inf, np.nan],
                    np.float32)

# (name, cvcore function, reference, keyword arguments)
CASES = [
    ("relu", ops.relu, ref.relu, {}),
    ("relu6", ops.relu6, ref.relu6, {}),
    ("leaky_relu", ops.leaky_relu, ref.leaky_relu, {}),
    ("leaky_relu_0.2", ops.leaky_relu, ref.leaky_relu, {"negative_slope": 0.2}),
    ("leaky_relu_neg", ops.leaky_relu, ref.leaky_relu, {"negative_slope": -1.5}),
    ("leaky_relu_0", ops.leaky_relu, ref.leaky_relu, {"negative_slope": 0.0}),
    ("elu", ops.elu, ref.elu, {}),
    ("elu_0.5", ops.elu, ref.elu, {"alpha": 0.5}),
    ("elu_neg", ops.elu, ref.elu, {"alpha": -2.0}),
    ("selu", ops.selu, ref.selu, {}),
    ("sigmoid", ops.sigmoid, ref.sigmoid, {}),
    ("tanh", ops.tanh, ref.tanh, {}),
    ("gelu", ops.gelu, ref.gelu, {}),
    ("gelu_tanh", ops.gelu, ref.gelu, {"approximate": "tanh"}),
    ("silu", ops.silu, ref.silu, {}),
    ("hardswish", ops.hardswish, ref.hardswish, {}),
    ("mish", ops.mish, ref.mish, {}),
    ("softplus", ops.softplus, ref.softplus, {}),
    ("softplus_beta2_t5", ops.softplus, ref.softplus, {"beta": 2.0, "threshold": 5.0}),
    ("softplus_beta_neg", ops.softplus, ref.softplus, {"beta": -1.0}),
    ("softplus_beta0.5_t1", ops.softplus, ref.softplus, {"beta": 0.5, "threshold": 1.0}),
    ("hardsigmoid", ops.hardsigmoid, ref.hardsigmoid, {}),
    ("hardsigmoid_onnx", ops.hardsigmoid, ref.hardsigmoid, {"alpha": 0.2, "beta": 0.5}),
    ("hardsigmoid_neg", ops.hardsigmoid, ref.hardsigmoid, {"alpha": -0.3, "beta": 0.25}),
    ("hardsigmoid_0.1", ops.hardsigmoid, ref.hardsigmoid, {"alpha": 0.1, "beta": 1e-3}),
    ("clip", ops.clip, ref.clip, {"min": -1.5, "max": 2.0}),
    ("clip_min", ops.clip, ref.clip, {"min": 0.0}),
    ("clip_max", ops.clip, ref.clip, {"max": -1.0}),
    ("clip_none", ops.clip, ref.clip, {}),
    ("clip_inverted", ops.clip, ref.clip, {"min": 2.0, "max": -1.0}),
    ("clip_infinite", ops.clip, ref.clip, {"min": -np.inf, "max": np.inf}),
    ("clip_not_float32", ops.clip, ref.clip, {"min": 0.1, "max": 0.3}),
]
IDS = [c[0] for c in CASES]

# Empty, one element, odd sizes, several ranks (7-D is beyond the C++ views' 6), and an array
# larger than one thread chunk (16384 elements).
SHAPES = [(), (0,), (1,), (7,), (0, 3), (3, 5), (2, 3, 4, 5), (2, 1, 3, 1, 2, 1, 3), (3, 17, 1001)]


def assert_matches(out, expected, rtol=2e-6):
    """Within rtol of the float64 reference (NaN where it is NaN, exact infinities), with the
    reference's sign on zeros."""
    expected = np.asarray(expected, np.float64)
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_allclose(out.astype(np.float64), expected, rtol=rtol, atol=1e-44)
    zeros = expected == 0
    np.testing.assert_array_equal(np.signbit(out[zeros]), np.signbit(expected[zeros]))


def data(rng, shape, scale=4.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name, fn, reference, kwargs", CASES, ids=IDS)
def test_matches_reference(isa, threads, rng, name, fn, reference, kwargs, shape):
    x = data(rng, shape)
    assert_matches(fn(x, **kwargs), reference(x, **kwargs))


@pytest.mark.parametrize("name, fn, reference, kwargs", CASES, ids=IDS)
def test_special_values(name, fn, reference, kwargs):
    assert_matches(fn(SPECIALS, **kwargs), reference(SPECIALS, **kwargs))


@pytest.mark.parametrize("name, fn, reference, kwargs", CASES, ids=IDS)
def test_wide_range(rng, name, fn, reference, kwargs):
    # Magnitudes from 1e-30 to 1e30, both signs: the tails of every formulation.
    x = (rng.choice([-1.0, 1.0], 4000) * 10.0 ** rng.uniform(-30, 30, 4000)).astype(np.float32)
    assert_matches(fn(x, **kwargs), reference(x, **kwargs))


@pytest.mark.parametrize("name, fn, reference, kwargs", CASES, ids=IDS)
def test_nan_in_nan_out(name, fn, reference, kwargs):
    assert np.isnan(fn(np.full((3, 2), np.nan, np.float32), **kwargs)).all()


@pytest.mark.parametrize("name, fn, reference, kwargs", CASES, ids=IDS)
def test_bit_identical_across_threads(rng, name, fn, reference, kwargs):
    x = data(rng, (5, 40001))
    one, two = run_threads(lambda: fn(x, **kwargs))
    np.testing.assert_array_equal(one.view(np.int32), two.view(np.int32))


@pytest.mark.parametrize("beta", [-0.0036, 0.0036, 0.1, -3.7, 1.0])
def test_softplus_of_huge_inputs_with_any_beta(isa, beta):
    # beta * x far past exp's range: a beta that float32 does not hold exactly (carried as hi + lo)
    # gave NaN there; the reference's limit (0 on the exponential side, x on the linear one) instead.
    x = np.array([1e30, -1e30, 1e20, -1e20, 3e38, -3e38], np.float32)
    np.testing.assert_array_equal(ops.softplus(x, beta=beta), ref.softplus(x.astype(np.float64), beta=beta))


def test_pytorch_conventions():
    # Facts checked against torch 2.13's CPU float32 kernels.
    assert np.signbit(ops.relu(np.float32(-0.0))) and np.signbit(ops.relu6(np.float32(-0.0)))
    assert np.isnan(ops.relu(np.nan)) and np.isnan(ops.relu6(np.nan))
    assert ops.relu6(np.inf) == 6 and ops.sigmoid(-np.inf) == 0 and ops.softplus(-np.inf) == 0
    # softplus: linear strictly above the threshold, in terms of beta * x.
    np.testing.assert_array_equal(ops.softplus([10.0, 10.5], beta=2.0), [np.float32(np.log1p(np.exp(20.0)) / 2), 10.5])
    np.testing.assert_array_equal(ops.softplus([-30.0], beta=-1.0), [-30.0])
    assert ops.selu(-np.inf) == np.float32(-ref.SELU_SCALE * ref.SELU_ALPHA)
    # The gated activations take their limit at -inf where PyTorch's inf * 0 gives NaN.
    for fn in (ops.gelu, ops.silu, ops.hardswish, ops.mish):
        out = fn(np.float32(-np.inf))
        assert out == 0 and np.signbit(out)
    assert ops.gelu(np.inf) == np.inf and ops.gelu(np.inf, approximate="tanh") == np.inf


def test_hardsigmoid_and_clip_conventions():
    x = np.array([-np.inf, -4.0, -3.0, -0.0, 0.0, 1.0, 3.0, np.inf, np.nan], np.float32)
    # PyTorch's default hardsigmoid is relu6(x + 3) / 6.
    want = np.clip(x.astype(np.float64) + 3, 0, 6) / 6
    np.testing.assert_array_equal(ops.hardsigmoid(x), want.astype(np.float32))
    # alpha * x is NaN for alpha = 0 at infinite x (as onnxruntime), beta elsewhere.
    np.testing.assert_array_equal(ops.hardsigmoid(x, alpha=0.0, beta=0.25),
                                  [np.nan, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, np.nan, np.nan])
    out = ops.clip(x, 0.0, 6.0)
    np.testing.assert_array_equal(out, [0, 0, 0, 0, 0, 1, 3, 6, np.nan])
    assert np.signbit(out[3]) and not np.signbit(out[4])  # -0.0 stays, as relu
    np.testing.assert_array_equal(ops.clip(x, 2.0, -1.0), np.clip(x, np.float32(2), np.float32(-1)))
    np.testing.assert_array_equal(ops.clip(x), x)
    assert ops.clip(x, max=1e300)[7] == np.inf and ops.clip(np.float32(5), 1e-50) == 5
    # A bound between two floats: compared in float64, the result rounded once.
    assert ops.clip(np.float32(0.0), 0.1) == np.float32(0.1)
    assert ops.clip(np.float32(0.1), 0.1) == np.float32(0.1)


def test_shape_and_dtype_conversion():
    x = np.arange(-12, 12, dtype=np.int64).reshape(2, 3, 4)
    out = ops.silu(x)
    assert out.dtype == np.float32 and out.shape == (2, 3, 4)
    assert_matches(out, ref.silu(x))
    assert_matches(ops.tanh(np.linspace(-3, 3, 30)), ref.tanh(np.linspace(-3, 3, 30).astype(np.float32)))
    assert_matches(ops.relu([[-1, 2], [3, -4]]), [[0, 2], [3, 0]])
    assert_matches(ops.sigmoid(np.uint8(3)), ref.sigmoid(3.0))


def test_non_contiguous_and_read_only_inputs(rng):
    x = data(rng, (6, 8, 10))
    view = x[::2, :, 1::3].transpose(2, 0, 1)
    assert_matches(ops.mish(view), ref.mish(view))
    x.setflags(write=False)
    assert_matches(ops.elu(x), ref.elu(x))
    assert_matches(ops.prelu(x, [0.1] * 8), ref.prelu(x, [0.1] * 8))
    assert_matches(ops.softmax(x, axis=1), ref.softmax(x, axis=1))


def test_input_not_modified(rng):
    x = data(rng, (4, 5))
    before = x.copy()
    for fn, _, _, kwargs in ((c[1], None, None, c[3]) for c in CASES):
        fn(x, **kwargs)
    ops.softmax(x)
    ops.prelu(x, 0.5)
    np.testing.assert_array_equal(x, before)


# prelu ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, weight_size", [
    ((0,), 1), ((1,), 1), ((7,), 1), ((3, 5), 1), ((3, 5), 5), ((2, 3, 4), 3), ((2, 3, 4, 5), 3),
    ((2, 1, 4, 5), 1), ((0, 3, 4), 3), ((2, 3, 1, 2, 1, 2, 3), 3), ((2, 7, 61, 67), 7), ((2, 7, 61, 67), 1)],
    ids=str)
def test_prelu(isa, threads, rng, shape, weight_size):
    x = data(rng, shape)
    w = rng.uniform(-1, 1, weight_size).astype(np.float32)
    assert_matches(ops.prelu(x, w), ref.prelu(x, w))


def test_prelu_scalar_weight_and_specials():
    assert_matches(ops.prelu(SPECIALS, 0.25), ref.prelu(SPECIALS, [0.25]))
    assert_matches(ops.prelu(SPECIALS, np.float32(-2.0)), ref.prelu(SPECIALS, [-2.0]))
    assert ops.prelu(np.float32(-2.0), [0.5]) == -1.0


def test_prelu_bit_identical_across_threads(rng):
    x, w = data(rng, (3, 5, 97, 101)), rng.uniform(-1, 1, 5).astype(np.float32)
    one, two = run_threads(lambda: ops.prelu(x, w))
    np.testing.assert_array_equal(one, two)


# softmax / log_softmax --------------------------------------------------------------------------

SOFTMAX_CASES = [((1,), 0), ((7,), -1), ((0,), 0), ((3, 0), 1), ((0, 4), 1), ((3, 5), 0), ((3, 5), 1), ((3, 5), -2),
                 ((2, 3, 4, 5), 0), ((2, 3, 4, 5), 1), ((2, 3, 4, 5), 2), ((2, 3, 4, 5), -1), ((4, 1, 5), 1),
                 ((2, 1, 3, 1, 2, 1, 3), 2), ((2, 1, 3, 1, 2, 1, 3), -1), ((3, 1000, 70), 1), ((2, 50, 2000), 2),
                 ((5, 200, 3), 0), ((130, 21), -1), ((3, 67, 64), 2), ((65, 81), 1)]


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", SOFTMAX_CASES, ids=str)
def test_softmax(isa, threads, rng, shape, axis, log):
    x = data(rng, shape, scale=10.0)
    fn, reference = (ops.log_softmax, ref.log_softmax) if log else (ops.softmax, ref.softmax)
    out = fn(x, axis=axis)
    # log_softmax's error is relative to |x - max| + log(sum): allow an absolute part.
    np.testing.assert_allclose(out, reference(x, axis), rtol=2e-6, atol=2e-6 if log else 1e-44)
    if not log and x.size:
        np.testing.assert_allclose(out.sum(axis=axis, dtype=np.float64), 1.0, rtol=1e-5)


def test_softmax_default_axis_is_last(rng):
    x = data(rng, (3, 4, 5))
    np.testing.assert_array_equal(ops.softmax(x), ops.softmax(x, axis=2))
    np.testing.assert_array_equal(ops.log_softmax(x), ops.log_softmax(x, axis=-1))


def test_softmax_special_rows():
    inf, nan = np.inf, np.nan
    x = np.array([[-inf, -inf, -inf], [inf, 1.0, 2.0], [nan, 1.0, 2.0], [-inf, 1.0, 1.0], [1e30, -1e30, 1e30],
                  [-1e30, -1e30, -1e30], [88.0, 89.0, 100.0], [-0.0, 0.0, -0.0]], np.float32)
    np.testing.assert_allclose(ops.softmax(x), ref.softmax(x), rtol=2e-6, atol=1e-44)
    np.testing.assert_allclose(ops.log_softmax(x), ref.log_softmax(x), rtol=2e-6, atol=2e-6)
    # As PyTorch: all -inf, +inf and NaN rows are NaN; -inf entries of a finite row are 0 / -inf.
    s, ls = ops.softmax(x), ops.log_softmax(x)
    assert np.isnan(s[:3]).all() and np.isnan(ls[:3]).all()
    np.testing.assert_array_equal(s[3], [0, 0.5, 0.5])
    np.testing.assert_array_equal(ls[3], [-inf, np.float32(-np.log(2)), np.float32(-np.log(2))])
    np.testing.assert_array_equal(s[4], [0.5, 0, 0.5])


def test_log_softmax_beyond_softmax_underflow():
    out = ops.log_softmax(np.array([0.0, -200.0], np.float32))
    np.testing.assert_allclose(out, [0.0, -200.0], rtol=1e-7)
    assert ops.softmax(np.array([0.0, -200.0], np.float32))[1] == 0


def test_softmax_zero_dim():
    assert ops.softmax(np.float32(3.0)) == 1 and ops.softmax(2.0, axis=0).shape == ()
    assert ops.log_softmax(5) == 0
    with pytest.raises(ValueError, match="axis"):
        ops.softmax(1.0, axis=1)


@pytest.mark.parametrize("log", [False, True])
def test_softmax_bit_identical_across_threads(rng, log):
    fn = ops.log_softmax if log else ops.softmax
    for shape, axis in [((7, 300, 200), 1), ((20000, 3), -1), ((3, 70000), 1), ((8732, 21), -1), ((1001, 64), 1)]:
        x = data(rng, shape)
        one, two = run_threads(lambda: fn(x, axis=axis))
        np.testing.assert_array_equal(one, two)


# errors -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [np.array([True, False]), np.array([1 + 2j]), np.array(["a"]), [object()]],
                         ids=["bool", "complex", "str", "object"])
@pytest.mark.parametrize("fn", [ops.relu, ops.gelu, ops.softplus, ops.softmax, ops.log_softmax,
                                lambda x: ops.prelu(x, 0.1)], ids=["relu", "gelu", "softplus", "softmax",
                                                                    "log_softmax", "prelu"])
def test_non_numeric_input(fn, bad):
    with pytest.raises(TypeError, match="input"):
        fn(bad)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ops.leaky_relu([1.0], negative_slope=np.nan), ValueError, "negative_slope"),
    (lambda: ops.leaky_relu([1.0], negative_slope="a"), TypeError, "negative_slope"),
    (lambda: ops.elu([1.0], alpha=np.inf), ValueError, "alpha"),
    (lambda: ops.elu([1.0], alpha=None), TypeError, "alpha"),
    (lambda: ops.softplus([1.0], beta=0), ValueError, "beta"),
    (lambda: ops.softplus([1.0], beta=np.nan), ValueError, "beta"),
    (lambda: ops.softplus([1.0], threshold=np.nan), ValueError, "threshold"),
    (lambda: ops.softplus([1.0], threshold=[1, 2]), TypeError, "threshold"),
    (lambda: ops.gelu([1.0], approximate="erf"), ValueError, "approximate"),
    (lambda: ops.gelu([1.0], approximate=None), ValueError, "approximate"),
    (lambda: ops.prelu(np.ones((2, 3)), [1.0, 2.0]), ValueError, "weight"),
    (lambda: ops.prelu(np.ones((2, 3)), np.ones((1, 3))), ValueError, "weight"),
    (lambda: ops.prelu(np.ones(3), [1.0, 2.0, 3.0]), ValueError, "weight"),
    (lambda: ops.prelu(np.ones((2, 3)), np.ones(0)), ValueError, "weight"),
    (lambda: ops.prelu(np.ones((2, 3)), [True]), TypeError, "weight"),
    (lambda: ops.softmax(np.ones((2, 3)), axis=2), ValueError, "axis"),
    (lambda: ops.log_softmax(np.ones((2, 3)), axis=-3), ValueError, "axis"),
    (lambda: ops.softmax(np.ones((2, 3)), axis=1.0), TypeError, "axis"),
    (lambda: ops.hardsigmoid([1.0], alpha=np.inf), ValueError, "^hardsigmoid: alpha must be finite, got inf$"),
    (lambda: ops.hardsigmoid([1.0], beta=np.nan), ValueError, "^hardsigmoid: beta must be finite, got nan$"),
    (lambda: ops.hardsigmoid([1.0], alpha="0.2"), TypeError, "^hardsigmoid: alpha must be a real number"),
    (lambda: ops.clip([1.0], np.nan), ValueError, "^clip: min must not be NaN$"),
    (lambda: ops.clip([1.0], 0, np.nan), ValueError, "^clip: max must not be NaN$"),
    (lambda: ops.clip([1.0], [0.0]), TypeError, "^clip: min must be a real number"),
    (lambda: ops.clip([1.0], max="1"), TypeError, "^clip: max must be a real number"),
    (lambda: ops.softmax(np.ones((2, 3)), axis=None), TypeError, "axis"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_bad_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_exported():
    for name in ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "sigmoid", "tanh", "gelu", "silu", "hardswish",
                 "mish", "softplus", "hardsigmoid", "clip", "softmax", "log_softmax"]:
        assert name in cvcore.ops.__all__ and callable(getattr(cvcore.ops, name))


# onnxruntime (ONNX's HardSigmoid and Clip) --------------------------------------------------------

def run_onnx_node(node, feeds, opset):
    """The output of a one-node ONNX graph run by onnxruntime on float32 feeds."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    helper = onnx.helper
    inputs = [helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, a.shape) for name, a in feeds.items()]
    output = helper.make_tensor_value_info(node.output[0], onnx.TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph([node], "g", inputs, [output]),
                              opset_imports=[helper.make_opsetid("", opset)])
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


@pytest.mark.parametrize("alpha, beta", [(None, None), (0.2, 0.5), (1 / 6, 0.5), (-0.7, 0.1), (0.0, 0.3)])
def test_hardsigmoid_matches_onnxruntime(rng, alpha, beta):
    onnx = pytest.importorskip("onnx")
    x = np.concatenate([data(rng, (5, 999)).ravel(), SPECIALS])
    attributes = {k: v for k, v in (("alpha", alpha), ("beta", beta)) if v is not None}
    want = run_onnx_node(onnx.helper.make_node("HardSigmoid", ["x"], ["y"], **attributes), {"x": x}, 17)
    # ONNX's attributes are float32 and onnxruntime computes alpha * x + beta in float32: within an ulp
    # of the float64 result rounded once.
    alpha32 = float(np.float32(0.2 if alpha is None else alpha))
    beta32 = float(np.float32(0.5 if beta is None else beta))
    np.testing.assert_allclose(ops.hardsigmoid(x, alpha32, beta32), want, rtol=2e-7, atol=1e-7)


@pytest.mark.parametrize("lo, hi", [(-1.5, 2.0), (0.0, 6.0), (2.0, -1.0), (-np.inf, 0.25), (0.5, np.inf), (1.0, 1.0)])
def test_clip_matches_onnxruntime(rng, lo, hi):
    onnx = pytest.importorskip("onnx")
    x = np.concatenate([data(rng, (5, 999)).ravel(), SPECIALS])
    bounds = {"min": np.array(lo, np.float32), "max": np.array(hi, np.float32)}
    want = run_onnx_node(onnx.helper.make_node("Clip", ["x", "min", "max"], ["y"]), {"x": x, **bounds}, 13)
    got = ops.clip(x, lo, hi)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    if lo > hi:
        return  # opset 6 rejects inverted bounds
    # Opset 6 takes the bounds as attributes.
    old = run_onnx_node(onnx.helper.make_node("Clip", ["x"], ["y"], min=lo, max=hi), {"x": x}, 6)
    np.testing.assert_array_equal(got, old)
