"""linear against a float64 NumPy reference."""

import numpy as np
import pytest

from cvcore.ops import linear
from conftest import run_threads


def reference(x, w, b=None):
    out = np.asarray(x, np.float64) @ np.asarray(w, np.float64).T
    return out if b is None else out + np.asarray(b, np.float64)


def assert_close(out, expected):
    assert out.dtype == np.float32 and out.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5 * scale)


@pytest.mark.parametrize("rows", [1, 2, 3, 4, 5, 9, 130])
@pytest.mark.parametrize("inf,outf", [(1, 1), (7, 3), (33, 50), (300, 17), (1000, 130)])
def test_linear(rng, isa, threads, rows, inf, outf):
    x = rng.standard_normal((rows, inf)).astype(np.float32)
    w = rng.standard_normal((outf, inf)).astype(np.float32)
    b = rng.standard_normal(outf).astype(np.float32)
    assert_close(linear(x, w, b), reference(x, w, b))
    assert_close(linear(x, w), reference(x, w))


@pytest.mark.parametrize("rows", [1, 3, 130])  # the dot-product path (rows < the tile) and the GEMM
def test_fused_activations(rng, isa, threads, rows):
    x = rng.standard_normal((rows, 40)).astype(np.float32)
    w = rng.standard_normal((37, 40)).astype(np.float32)
    b = rng.standard_normal(37).astype(np.float32)
    plain = linear(x, w, b)
    assert_close(plain, reference(x, w, b))
    np.testing.assert_array_equal(linear(x, w, b, activation="relu"), np.maximum(plain, 0))
    np.testing.assert_array_equal(linear(x, w, b, activation="relu6"), np.clip(plain, 0, 6))
    slopes = rng.uniform(-0.5, 0.5, 37).astype(np.float32)
    np.testing.assert_array_equal(linear(x, w, b, activation="prelu", prelu_weight=slopes),
                                  np.where(plain > 0, plain, plain * slopes))
    np.testing.assert_array_equal(linear(x, w, b, activation="prelu", prelu_weight=[0.5]),
                                  np.where(plain > 0, plain, plain * np.float32(0.5)))


@pytest.mark.parametrize("kwargs,match", [
    (dict(activation="gelu"), "linear: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'"),
    (dict(activation="prelu"), "prelu_weight must be given exactly when activation='prelu'"),
    (dict(prelu_weight=[0.1, 0.2]), "prelu_weight must be given exactly"),
    (dict(activation="prelu", prelu_weight=np.zeros(3)), r"prelu_weight must have 2 elements \(one per output channel\) or 1, got 3"),
])
def test_activation_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        linear(np.ones((3, 4)), np.ones((2, 4)), **kwargs)


def test_linear_batch_dims_and_dtypes(rng):
    x = rng.standard_normal((2, 3, 5, 8))
    w = rng.integers(-2, 3, size=(4, 8))
    out = linear(x, w, [1, 2, 3, 4])
    assert out.shape == (2, 3, 5, 4)
    assert_close(out, reference(x, w, [1, 2, 3, 4]))
    assert_close(linear(x[0, 0, 0], w), reference(x[0, 0, 0], w))  # 1-D input
    assert_close(linear(np.asfortranarray(x[0, 0]), w.T.copy().T), reference(x[0, 0], w))


@pytest.mark.parametrize("lead", [(2, 1, 3, 1, 2, 1), (1, 2, 1, 1, 2, 1, 3), (2, 0, 1, 1, 1, 1, 1)])
def test_linear_more_leading_dims_than_the_array_views_hold(rng, lead):
    # Any number of leading dimensions (the C++ array views hold 6), each row as on its own.
    x = rng.standard_normal(lead + (5,)).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    out = linear(x, w, [1, 2, 3], activation="relu")
    assert out.shape == lead + (3,)
    np.testing.assert_array_equal(out.reshape(-1, 3), linear(x.reshape(-1, 5), w, [1, 2, 3], activation="relu"))


def test_linear_empty(rng):
    w = rng.standard_normal((4, 6)).astype(np.float32)
    assert linear(np.zeros((0, 6)), w).shape == (0, 4)
    assert linear(np.zeros((3, 6)), np.zeros((0, 6))).shape == (3, 0)
    out = linear(np.zeros((3, 0)), np.zeros((4, 0)), [1, 2, 3, 4])
    np.testing.assert_array_equal(out, np.tile(np.float32([1, 2, 3, 4]), (3, 1)))


def test_linear_threads_bit_identical(rng, isa):
    for rows in (2, 64):
        x = rng.standard_normal((rows, 513)).astype(np.float32)
        w = rng.standard_normal((300, 513)).astype(np.float32)
        one, two = run_threads(lambda: linear(x, w))
        np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("x,w,b,exc,match", [
    (np.zeros((2, 3)), np.zeros((4, 5)), None, ValueError, r"weight.shape\[1\] must equal"),
    (np.zeros((2, 3)), np.zeros(3), None, ValueError, "weight must have 2 dimensions"),
    (np.zeros((2, 3)), np.zeros((4, 3)), np.zeros(3), ValueError, "bias must have 4 elements"),
    (np.float32(1), np.zeros((4, 1)), None, ValueError, "scalar"),
    (np.zeros((2, 3), bool), np.zeros((4, 3)), None, TypeError, "input must be a real numeric array"),
])
def test_linear_errors(x, w, b, exc, match):
    with pytest.raises(exc, match=match):
        linear(x, w, b)
