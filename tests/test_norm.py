"""batch_norm and fold_batch_norm against the float64 NumPy references in tests/reference/norm.py."""

import numpy as np
import pytest

import cvcore
from cvcore import ops
from conftest import run_threads
from reference import conv as conv_ref
from reference import norm as ref


def params(rng, c, affine=True):
    mean = rng.standard_normal(c).astype(np.float32)
    var = rng.uniform(0.0, 3.0, c).astype(np.float32)
    weight = rng.standard_normal(c).astype(np.float32) if affine else None
    bias = rng.standard_normal(c).astype(np.float32) if affine else None
    return mean, var, weight, bias


def assert_bn_close(out, x, mean, var, weight, bias, eps):
    """Within 1e-6 of |x - mean| * |scale| + |bias| (the float32 computation's error is a few ulp
    of that), NaN and infinities exactly where the reference has them."""
    expected = ref.batch_norm(x, mean, var, weight, bias, eps)
    bound = ref.batch_norm_bound(x, mean, var, weight, bias, eps)
    assert out.dtype == np.float32 and out.shape == np.shape(x)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(out[~finite], expected[~finite].astype(np.float32))
    assert np.all(np.abs(out[finite] - expected[finite]) <= 1e-6 * bound[finite] + 1e-44)


SHAPES = [(1, 1), (2, 3), (0, 3), (4, 0), (5, 7, 1), (2, 3, 5), (2, 3, 4, 5), (3, 0, 4, 4), (2, 3, 0, 4),
          (1, 2, 3, 4, 5), (2, 3, 1, 2, 1, 2, 3), (2, 5, 67, 71), (3, 70001)]


@pytest.mark.parametrize("affine", [True, False], ids=["affine", "plain"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_batch_norm(isa, threads, rng, shape, affine):
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    mean, var, weight, bias = params(rng, shape[1], affine)
    assert_bn_close(ops.batch_norm(x, mean, var, weight, bias), x, mean, var, weight, bias, 1e-5)


@pytest.mark.parametrize("eps", [0.0, 1e-5, 1e-3, 0.5, 10])
def test_batch_norm_eps(rng, eps):
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    mean, var, weight, bias = params(rng, 4)
    var[0] = 0 if eps > 0 else 1  # eps == 0 with a zero variance is inf / NaN; tested below
    assert_bn_close(ops.batch_norm(x, mean, var, weight, bias, eps=eps), x, mean, var, weight, bias, eps)


def test_batch_norm_only_weight_or_only_bias(rng):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    mean, var, weight, bias = params(rng, 4)
    assert_bn_close(ops.batch_norm(x, mean, var, weight=weight), x, mean, var, weight, None, 1e-5)
    assert_bn_close(ops.batch_norm(x, mean, var, bias=bias), x, mean, var, None, bias, 1e-5)


def test_batch_norm_special_values():
    x = np.array([[-np.inf, np.inf, np.nan, -0.0, 0.0, 1e30, -1e30, 1e-40]], np.float32).T.repeat(3, 1)[None]
    x = np.ascontiguousarray(x.transpose(0, 2, 1))  # (1, 3, 8): every value in every channel
    mean = np.array([0.0, 1.0, -1e30], np.float32)
    var = np.array([1.0, 0.0, 4.0], np.float32)
    weight = np.array([2.0, 0.0, -1.0], np.float32)  # a zero weight: inf * 0 is NaN, as the formula says
    bias = np.array([0.5, -0.0, 1.0], np.float32)
    out = ops.batch_norm(x, mean, var, weight, bias, eps=1e-5)
    assert_bn_close(out, x, mean, var, weight, bias, 1e-5)
    assert np.isnan(out[0, :, 2]).all()  # NaN in, NaN out


def test_batch_norm_zero_variance_without_eps():
    out = ops.batch_norm(np.array([[1.0, 2.0], [1.0, -2.0]], np.float32), [1.0, 0.0], [0.0, 0.0], eps=0.0)
    assert np.isnan(out[0, 0]) and np.isnan(out[1, 0])  # 0 / 0
    np.testing.assert_array_equal(out[:, 1], [np.inf, -np.inf])


def test_batch_norm_nan_statistics_propagate():
    out = ops.batch_norm(np.ones((2, 3), np.float32), [0.0, np.nan, 0.0], [1.0, 1.0, np.nan])
    assert np.isnan(out[:, 1:]).all() and np.isfinite(out[:, 0]).all()


def test_batch_norm_close_to_mean_is_accurate():
    # (x - mean) is exact for nearby floats, so tiny normalised values keep their relative accuracy.
    x = np.float32(1000.0) + np.arange(5, dtype=np.float32)[None, None] * np.float32(2 ** -14)
    out = ops.batch_norm(x.reshape(1, 1, 5), [1000.0], [1e-6], eps=0.0)
    expected = ref.batch_norm(x.reshape(1, 1, 5), [1000.0], [1e-6], eps=0.0)
    np.testing.assert_allclose(out, expected, rtol=3e-7)


def test_batch_norm_bit_identical_across_threads(rng):
    x = rng.standard_normal((3, 5, 97, 101)).astype(np.float32)
    mean, var, weight, bias = params(rng, 5)
    one, two = run_threads(lambda: ops.batch_norm(x, mean, var, weight, bias))
    np.testing.assert_array_equal(one, two)


def test_batch_norm_conversions(rng):
    x = rng.standard_normal((4, 3, 6, 5))
    mean, var, weight, bias = (p.astype(np.float64) for p in params(rng, 3))
    view = x[::2, :, 1::2].transpose(0, 1, 3, 2)  # float64, non-contiguous
    x32 = view.astype(np.float32)
    out = ops.batch_norm(view, list(mean), var, weight, bias)
    assert_bn_close(out, x32, *(p.astype(np.float32) for p in (mean, var, weight, bias)), 1e-5)
    ints = np.arange(12).reshape(2, 3, 2)
    ints.setflags(write=False)
    assert_bn_close(ops.batch_norm(ints, [1, 2, 3], [1, 1, 1]), ints.astype(np.float32), [1, 2, 3], [1, 1, 1],
                    None, None, 1e-5)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ops.batch_norm(np.ones(3), np.zeros(3), np.ones(3)), ValueError, "input must have at least 2"),
    (lambda: ops.batch_norm(np.float32(1), np.zeros(1), np.ones(1)), ValueError, "input"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(2), np.ones(3)), ValueError, "running_mean"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(4)), ValueError, "running_var"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros((3, 1)), np.ones(3)), ValueError, "running_mean"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), [1.0, -1.0, 1.0]), ValueError, "running_var must be >= 0"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), [1.0, -np.inf, 1.0]), ValueError, "running_var"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), np.ones(2)), ValueError, "weight"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), None, np.ones(4)), ValueError, "bias"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=-1e-5), ValueError, "eps"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=np.nan), ValueError, "eps"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=np.inf), ValueError, "eps"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), eps=None), TypeError, "eps"),
    (lambda: ops.batch_norm(np.ones((2, 3), bool), np.zeros(3), np.ones(3)), TypeError, "input"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3, complex), np.ones(3)), TypeError, "running_mean"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.array(["1", "2", "3"])), TypeError, "running_var"),
    (lambda: ops.batch_norm(np.ones((2, 3)), None, np.ones(3)), TypeError, "running_mean"),
    (lambda: ops.batch_norm(np.ones((2, 3)), np.zeros(3), np.ones(3), np.ones(3, bool)), TypeError, "weight"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_batch_norm_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# fold_batch_norm --------------------------------------------------------------------------------

def fold_args(rng, o, conv_bias=True, weight=True, bias=True):
    mean, var, w, b = params(rng, o)
    cb = rng.standard_normal(o).astype(np.float32) if conv_bias else None
    return cb, mean, var, w if weight else None, b if bias else None


@pytest.mark.parametrize("weight_shape", [(4, 3, 3, 3), (1, 1, 1, 1), (6, 2, 1, 5), (5, 7), (4, 3, 5), (3, 2, 2, 2, 2),
                                          (2, 1, 1, 1, 1, 1, 3), (0, 3, 3, 3), (3, 0, 3, 3), (64, 32, 3, 3)], ids=str)
@pytest.mark.parametrize("present", [(True, True, True), (False, True, True), (True, False, False),
                                     (False, False, False), (False, True, False)],
                         ids=["all", "no-conv-bias", "no-affine", "none", "weight-only"])
def test_fold_matches_reference(rng, weight_shape, present):
    cw = rng.standard_normal(weight_shape).astype(np.float32)
    cb, mean, var, w, b = fold_args(rng, weight_shape[0], *present)
    fw, fb = ops.fold_batch_norm(cw, cb, mean, var, w, b, eps=1e-3)
    rw, rb = ref.fold_batch_norm(cw, cb, mean, var, w, b, eps=1e-3)
    assert fw.dtype == fb.dtype == np.float32 and fw.shape == cw.shape and fb.shape == (weight_shape[0],)
    # Computed in float64, rounded once.
    np.testing.assert_array_equal(fw, rw.astype(np.float32))
    np.testing.assert_array_equal(fb, rb.astype(np.float32))


@pytest.mark.parametrize("groups, padding, stride", [(1, 1, 1), (2, 0, 2), (6, 1, 1)])
@pytest.mark.parametrize("conv_bias", [True, False])
def test_fold_composes_with_conv2d(isa, threads, rng, groups, padding, stride, conv_bias):
    x = rng.standard_normal((2, 6, 9, 8)).astype(np.float32)
    cw = rng.standard_normal((6, 6 // groups, 3, 3)).astype(np.float32)
    cb, mean, var, w, b = fold_args(rng, 6, conv_bias)
    fw, fb = ops.fold_batch_norm(cw, cb, mean, var, w, b)
    fused = ops.conv2d(x, fw, fb, stride=stride, padding=padding, groups=groups)
    # Against the float64 reference of the unfused pair, and against cvcore's own unfused pair.
    conv64 = conv_ref.conv2d(x, cw, cb, (stride, stride), (padding,) * 4, (1, 1), groups)
    expected = ref.batch_norm(conv64, mean, var, w, b)
    bound = ref.batch_norm_bound(conv64, mean, var, w, b) + 1.0
    assert np.all(np.abs(fused - expected) <= 1e-5 * bound)
    unfused = ops.batch_norm(ops.conv2d(x, cw, cb, stride=stride, padding=padding, groups=groups), mean, var, w, b)
    np.testing.assert_allclose(fused, unfused, rtol=1e-4, atol=1e-4)


def test_fold_composes_with_linear(rng):
    x = rng.standard_normal((7, 5)).astype(np.float32)
    lw = rng.standard_normal((4, 5)).astype(np.float32)
    lb, mean, var, w, b = fold_args(rng, 4)
    fw, fb = ops.fold_batch_norm(lw, lb, mean, var, w, b)
    expected = ref.batch_norm(x.astype(np.float64) @ lw.T.astype(np.float64) + lb, mean, var, w, b)
    np.testing.assert_allclose(ops.linear(x, fw, fb), expected, rtol=1e-5, atol=1e-5)


def test_fold_defaults_and_conversions(rng):
    cw = rng.standard_normal((3, 2, 3, 3))
    fw, fb = ops.fold_batch_norm(cw, None, [0.0, 1.0, 2.0], [1.0, 1.0, 1.0])
    scale = 1 / np.sqrt(1 + 1e-5)  # float64 input converted to float32 once, then folded in float64
    np.testing.assert_array_equal(fw, (cw.astype(np.float32).astype(np.float64) * scale).astype(np.float32))
    np.testing.assert_array_equal(fb, (-np.array([0.0, 1.0, 2.0]) * scale).astype(np.float32))
    ro = np.asfortranarray(cw)
    ro.setflags(write=False)
    np.testing.assert_array_equal(ops.fold_batch_norm(ro, None, [0, 1, 2], [1, 1, 1])[0], fw)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ops.fold_batch_norm(np.ones(3), None, np.zeros(3), np.ones(3)), ValueError, "conv_weight"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), np.ones(2), np.zeros(3), np.ones(3)), ValueError, "conv_bias"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(2), np.ones(3)), ValueError, "running_mean"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(3), -np.ones(3)), ValueError, "running_var"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(3), np.ones(3), np.ones(4)), ValueError, "weight"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(3), np.ones(3), None, np.ones(1)), ValueError, "bias"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(3), np.ones(3), eps=-1.0), ValueError, "eps"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), None, np.zeros(3), np.ones(3), eps="x"), TypeError, "eps"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2), bool), None, np.zeros(3), np.ones(3)), TypeError, "conv_weight"),
    (lambda: ops.fold_batch_norm(np.ones((3, 2)), np.ones(3, complex), np.zeros(3), np.ones(3)), TypeError,
     "conv_bias"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_fold_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_exported():
    assert {"batch_norm", "fold_batch_norm"} <= set(cvcore.ops.__all__)
