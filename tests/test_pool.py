"""max_pool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d against tests/reference/pool.py."""

import numpy as np
import pytest

from cvcore import ops
from conftest import run_threads
from reference import pool as ref
from reference.conv import output_size

SHAPES = [(2, 3, 7, 6), (1, 2, 5, 5), (3, 1, 4, 9), (1, 1, 1, 1)]


def _input(rng, shape, ties=True):
    x = rng.standard_normal(shape).astype(np.float32)
    if ties:  # repeated values so that ties occur in most windows
        x = np.round(x * 2) / 2
    return x


def _fits(shape, kernel, stride, padding, dilation, ceil_mode):
    return all(output_size(shape[2 + i], kernel, stride, padding, padding, dilation, ceil_mode) >= 1
               for i in range(2))


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [1, 2, 3, 5])
def test_max_pool2d(isa, threads, rng, kernel, stride, dilation, ceil_mode):
    for shape in SHAPES:
        x = _input(rng, shape)
        for padding in range(kernel // 2 + 1):
            args = (kernel, stride, padding, dilation, ceil_mode)
            if not _fits(shape, *args):
                with pytest.raises(ValueError, match="max_pool2d: output size .* is too small"):
                    ops.max_pool2d(x, *args)
                continue
            out, idx = ops.max_pool2d(x, *args, return_indices=True)
            want, want_idx = ref.max_pool2d(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2, (dilation,) * 2,
                                            ceil_mode)
            assert out.dtype == np.float32 and idx.dtype == np.int64
            np.testing.assert_array_equal(out, want)
            np.testing.assert_array_equal(idx, want_idx)
            np.testing.assert_array_equal(ops.max_pool2d(x, *args), out)


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("kernel", [1, 2, 3, 5])
def test_avg_pool2d(isa, threads, rng, kernel, stride, ceil_mode, count_include_pad):
    for shape in SHAPES:
        x = _input(rng, shape, ties=False)
        for padding in range(kernel // 2 + 1):
            args = (kernel, stride, padding, ceil_mode, count_include_pad)
            if not _fits(shape, kernel, stride, padding, 1, ceil_mode):
                with pytest.raises(ValueError, match="avg_pool2d: output size .* is too small"):
                    ops.avg_pool2d(x, *args)
                continue
            for divisor in (None, 3, -2):
                out = ops.avg_pool2d(x, *args, divisor_override=divisor)
                want = ref.avg_pool2d(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2, ceil_mode, count_include_pad,
                                      divisor)
                assert out.dtype == np.float32 and out.shape == want.shape
                np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel, stride, padding, dilation", [(3, 2, 1, 1), (2, 2, 0, 1), (3, 1, 1, 2), (5, 3, 2, 1)])
def test_pool_larger_planes(isa, threads, rng, kernel, stride, padding, dilation):
    # Wide rows, where most columns take the interior (unclipped) path.
    x = _input(rng, (1, 2, 19, 41))
    x[0, 0, 4, 10:13] = x[0, 1, 9, 30] = x[0, 1, 0, 0] = np.nan
    for ceil_mode in (False, True):
        out, idx = ops.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)
        want, want_idx = ref.max_pool2d(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2, (dilation,) * 2, ceil_mode)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
        if dilation == 1:
            out = ops.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad=False)
            want = ref.avg_pool2d(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2, ceil_mode, False, None)
            np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)


def test_pool_rectangular_args(isa, threads, rng):
    x = _input(rng, (2, 3, 9, 8))
    out, idx = ops.max_pool2d(x, (3, 2), (2, 1), (1, 0), (1, 2), ceil_mode=True, return_indices=True)
    want, want_idx = ref.max_pool2d(x, (3, 2), (2, 1), (1, 0), (1, 2), True)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(idx, want_idx)
    out = ops.avg_pool2d(x, (2, 5), (3, 2), (1, 2), ceil_mode=True, count_include_pad=False)
    np.testing.assert_allclose(out, ref.avg_pool2d(x, (2, 5), (3, 2), (1, 2), True, False, None), rtol=1e-5,
                               atol=1e-6)


OUTPUT_SIZES = [1, (2, 3), (3, 2), (5, 4), (7, 6), (9, 11), (1, 8)]


@pytest.mark.parametrize("output_size", OUTPUT_SIZES)
def test_adaptive_avg_pool2d(isa, threads, rng, output_size):
    for shape in [(2, 3, 7, 6), (1, 1, 1, 1), (1, 2, 10, 3)]:
        x = _input(rng, shape, ties=False)
        size = (output_size,) * 2 if isinstance(output_size, int) else output_size
        out = ops.adaptive_avg_pool2d(x, output_size)
        assert out.dtype == np.float32 and out.shape == shape[:2] + size
        np.testing.assert_allclose(out, ref.adaptive_avg_pool2d(x, size), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("size", [(4, 5), (13, 9), (1, 1), (40, 50), (61, 70)])
def test_adaptive_avg_pool2d_uint8_equals_float32(threads, rng, size):
    # uint8 pixels are read as bytes; the sums are those of the float32 copy, in the same order.
    x = rng.integers(0, 256, (2, 3, 45, 61), dtype=np.uint8)
    out = ops.adaptive_avg_pool2d(x, size)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, ops.adaptive_avg_pool2d(x.astype(np.float32), size))
    np.testing.assert_allclose(out, ref.adaptive_avg_pool2d(x.astype(np.float64), size), rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(x[0], size), out[0])  # (C, H, W)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(x[:, :, ::2], size),  # not contiguous
                                  ops.adaptive_avg_pool2d(x[:, :, ::2].astype(np.float32), size))


def test_adaptive_avg_pool2d_levels(threads, isa, rng):
    # A pyramid from one pass over uint8 planes: each level exactly adaptive_avg_pool2d's, also for
    # levels wider than the input (one pass too), taller (upsampling) and with windows too large for
    # exact float32 sums (> 65793 pixels; both pooled level by level), and empty levels. (Rows of 123
    # pixels: the SIMD running sums end on a partial vector.)
    x = rng.integers(0, 256, (2, 3, 77, 123), dtype=np.uint8)
    sizes = [(77, 123), (46, 85), (33, 60), (12, 13), (1, 1), (5, 1), (0, 4), (90, 20), (77, None), (40, 250),
             (77, 124)]
    levels = ops.adaptive_avg_pool2d_levels(x, sizes)
    for size, level in zip(sizes, levels):
        np.testing.assert_array_equal(level, ops.adaptive_avg_pool2d(x.astype(np.float32), size))
        np.testing.assert_array_equal(level, ops.adaptive_avg_pool2d(x, size))
        full = (size[0], x.shape[3] if size[1] is None else size[1])
        np.testing.assert_allclose(level, ref.adaptive_avg_pool2d(x.astype(np.float64), full), rtol=1e-5, atol=1e-4)
    big = np.full((1, 1, 300, 301), 255, np.uint8)
    big[0, 0, ::7, ::3] = 1
    for size, level in zip([(1, 1), (2, 1), (150, 100)], ops.adaptive_avg_pool2d_levels(big, [(1, 1), (2, 1), (150, 100)])):
        np.testing.assert_array_equal(level, ops.adaptive_avg_pool2d(big.astype(np.float32), size))
    # 3-D, non-contiguous and float input; no sizes.
    for level, size in zip(ops.adaptive_avg_pool2d_levels(x[1, :, ::2], [(20, 30), (3, 3)]), [(20, 30), (3, 3)]):
        np.testing.assert_array_equal(level, ops.adaptive_avg_pool2d(x[1, :, ::2].astype(np.float32), size))
    f = rng.standard_normal((1, 2, 30, 40)).astype(np.float32)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d_levels(f, [(7, 9)])[0], ops.adaptive_avg_pool2d(f, (7, 9)))
    assert ops.adaptive_avg_pool2d_levels(x, []) == []
    one, two = run_threads(lambda: ops.adaptive_avg_pool2d_levels(x, sizes[:4]))
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("sizes,exc,match", [
    ([(3, 4, 5)], ValueError, "output_size must be an int or a pair"),
    ([(3, -1)], ValueError, r"adaptive_avg_pool2d_levels: output_size must be >= 0, got \(3, -1\)"),
    (5, TypeError, r"output_sizes must be a sequence of \(Ho, Wo\) pairs"),
    ("ab", TypeError, "output_sizes must be a sequence"),
])
def test_adaptive_avg_pool2d_levels_errors(sizes, exc, match):
    with pytest.raises(exc, match=match):
        ops.adaptive_avg_pool2d_levels(np.zeros((1, 3, 8, 8), np.uint8), sizes)


@pytest.mark.parametrize("output_size", OUTPUT_SIZES)
def test_adaptive_max_pool2d(isa, threads, rng, output_size):
    for shape in [(2, 3, 7, 6), (1, 1, 1, 1), (1, 2, 10, 3)]:
        x = _input(rng, shape)
        size = (output_size,) * 2 if isinstance(output_size, int) else output_size
        out, idx = ops.adaptive_max_pool2d(x, output_size, return_indices=True)
        want, want_idx = ref.adaptive_max_pool2d(x, size)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
        np.testing.assert_array_equal(ops.adaptive_max_pool2d(x, output_size), out)


def test_adaptive_output_size_none_and_zero(rng):
    x = _input(rng, (2, 3, 7, 6))
    assert ops.adaptive_avg_pool2d(x, (None, 2)).shape == (2, 3, 7, 2)
    assert ops.adaptive_max_pool2d(x, (4, None)).shape == (2, 3, 4, 6)
    np.testing.assert_allclose(ops.adaptive_avg_pool2d(x, (None, None)), x, rtol=1e-6)
    out, idx = ops.adaptive_max_pool2d(x, (0, 3), return_indices=True)  # PyTorch allows 0
    assert out.shape == idx.shape == (2, 3, 0, 3)
    assert ops.adaptive_avg_pool2d(x, 0).shape == (2, 3, 0, 0)


def test_threads_bit_identical(rng):
    x = rng.standard_normal((2, 5, 33, 31)).astype(np.float32)
    x[0, 1, 3:5, 7] = np.nan
    calls = [
        lambda: ops.max_pool2d(x, 3, 2, 1, return_indices=True),
        lambda: ops.max_pool2d(x, 2, 1, 1, dilation=2, ceil_mode=True, return_indices=True),
        lambda: (ops.avg_pool2d(x, 3, 2, 1, ceil_mode=True),),
        lambda: (ops.avg_pool2d(x, 5, 3, 2, count_include_pad=False),),
        lambda: (ops.adaptive_avg_pool2d(x, (7, 5)),),
        lambda: ops.adaptive_max_pool2d(x, (6, 9), return_indices=True),
    ]
    for call in calls:
        one, two = run_threads(call)
        for a, b in zip(one, two):
            assert a.tobytes() == b.tobytes()


# Hand-computed values (PyTorch gives the same; checked while writing these tests).

def test_avg_pool2d_ceil_mode_divisors():
    x = np.ones((1, 1, 5, 5), np.float32)
    # Windows start at -1, 1, 3; the corner holds 1 input value of a 2x2 window inside the padding.
    out = ops.avg_pool2d(x, 2, 2, padding=1, ceil_mode=True)
    np.testing.assert_allclose(out[0, 0], [[0.25, 0.5, 0.5], [0.5, 1, 1], [0.5, 1, 1]])
    np.testing.assert_allclose(ops.avg_pool2d(x, 2, 2, 1, True, count_include_pad=False), np.ones((1, 1, 3, 3)))
    # Without padding, the window ceil_mode adds ([4, 7) on a size-6 axis) is clipped to [4, 6).
    x = np.ones((1, 1, 6, 6), np.float32)
    out = ops.avg_pool2d(x, 3, 2, ceil_mode=True)
    assert out.shape == (1, 1, 3, 3)
    np.testing.assert_allclose(out, np.ones((1, 1, 3, 3)))
    # With padding 1 the last window [5, 8) is clipped to the padded end 7: divisor 3 * 2, sum 3 * 1.
    out = ops.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True)
    assert out.shape == (1, 1, 4, 4)
    np.testing.assert_allclose(out[0, 0, 1], [6 / 9, 1, 1, 3 / 6], rtol=1e-6)
    np.testing.assert_allclose(out[0, 0, 3], [2 / 6, 3 / 6, 3 / 6, 1 / 4], rtol=1e-6)


def test_max_pool2d_nan_ties_and_empty_windows():
    x = np.array([1, np.nan, 3, np.nan, 2, 2, 0, 0], np.float32).reshape(1, 1, 2, 4)
    out, idx = ops.max_pool2d(x, (1, 4), return_indices=True)
    assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 3  # the last NaN, as PyTorch
    assert out[0, 0, 1, 0] == 2 and idx[0, 0, 1, 0] == 4  # the first of tied maxima
    out, idx = ops.adaptive_max_pool2d(x, 1, return_indices=True)
    assert np.isnan(out[0, 0, 0, 0]) and idx[0, 0, 0, 0] == 3
    # Dilation 3 with padding 1 on a 2x2 input: taps -1 and 2 both miss; PyTorch gives -inf, index 2*2+2.
    out, idx = ops.max_pool2d(np.arange(4.0).reshape(1, 1, 2, 2), 2, 1, 1, 3, return_indices=True)
    assert out[0, 0, 0, 0] == -np.inf and idx[0, 0, 0, 0] == 6
    # Padding is -inf, never chosen, even for all-negative windows.
    out = ops.max_pool2d(-np.ones((1, 1, 3, 3), np.float32), 3, 1, 1)
    np.testing.assert_array_equal(out, -np.ones((1, 1, 3, 3)))


@pytest.mark.parametrize("shape", [(3, 5, 22, 22), (2, 3, 9, 9), (1, 2, 10, 41), (2, 2, 37, 64), (1, 1, 3, 2),
                                   (1, 3, 30, 100), (2, 1, 47, 15)])
def test_max_pool2d_simd_paths_bitwise(isa, threads, rng, shape):
    # Without indices, max pooling runs SIMD kernels (whole small planes gathered by a tap table or
    # pooled separably, or whole vectors of a row's interior); with indices, the scalar rule. Both
    # must give the same bits: NaN payloads (the last NaN wins), the sign of tied zeros (the first stays).
    x = _input(rng, shape)
    x[rng.random(shape) < 0.3] = 0.0
    x[rng.random(shape) < 0.3] *= -1  # -0.0 among the zeros
    nans = np.flatnonzero(rng.random(shape) < 0.05)
    x.reshape(-1).view(np.uint32)[nans] = 0x7FC00000 | np.arange(1, len(nans) + 1, dtype=np.uint32)  # payloads
    for kernel, stride, padding, ceil_mode in [(3, 2, 0, True), (2, 2, 0, True), (3, 1, 0, False), (2, 1, 0, True),
                                               (3, 2, 1, False), (3, 3, 0, True), (5, 2, 2, True)]:
        args = (kernel, stride, padding, 1, ceil_mode)
        if not _fits(shape, *args):
            continue
        fast = ops.max_pool2d(x, *args)
        scalar, _ = ops.max_pool2d(x, *args, return_indices=True)
        np.testing.assert_array_equal(fast.view(np.uint32), scalar.view(np.uint32))
        want, _ = ref.max_pool2d(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2, (1, 1), ceil_mode)
        np.testing.assert_array_equal(fast, want)


def test_three_dimensional_input(rng):
    x = _input(rng, (3, 7, 6))
    out, idx = ops.max_pool2d(x, 3, 2, 1, return_indices=True)
    full, full_idx = ops.max_pool2d(x[None], 3, 2, 1, return_indices=True)
    assert out.shape == idx.shape == (3, 4, 3)
    np.testing.assert_array_equal(out, full[0])
    np.testing.assert_array_equal(idx, full_idx[0])
    np.testing.assert_array_equal(ops.avg_pool2d(x, 2), ops.avg_pool2d(x[None], 2)[0])
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(x, 3), ops.adaptive_avg_pool2d(x[None], 3)[0])
    out, idx = ops.adaptive_max_pool2d(x, (2, 4), return_indices=True)
    assert out.shape == idx.shape == (3, 2, 4)


def test_dtypes_layouts_and_defaults(rng):
    x = _input(rng, (2, 3, 8, 7))
    base = ops.max_pool2d(x, 2)
    np.testing.assert_array_equal(ops.max_pool2d(x, 2, stride=2), base)  # stride None = kernel_size
    np.testing.assert_array_equal(ops.max_pool2d(x.astype(np.float64), 2), base)
    transposed = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    assert not transposed.flags.c_contiguous
    np.testing.assert_array_equal(ops.max_pool2d(transposed, 2), base)
    np.testing.assert_array_equal(ops.avg_pool2d(transposed, 3, 1, 1), ops.avg_pool2d(x, 3, 1, 1))
    readonly = x.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(readonly, 3), ops.adaptive_avg_pool2d(x, 3))
    ints = rng.integers(-5, 5, (1, 2, 5, 5)).astype(np.int32)
    np.testing.assert_array_equal(ops.max_pool2d(ints, 2, 1), ref.max_pool2d(ints, (2, 2), (1, 1), (0, 0),
                                                                              (1, 1), False)[0])
    np.testing.assert_allclose(ops.avg_pool2d(ints.tolist(), 2), ref.avg_pool2d(ints, (2, 2), (2, 2), (0, 0), False,
                                                                                  True, None))


def test_empty_batch_and_channels():
    for shape in [(0, 3, 5, 5), (2, 0, 5, 5)]:
        x = np.zeros(shape, np.float32)
        out, idx = ops.max_pool2d(x, 2, return_indices=True)
        assert out.shape == idx.shape == shape[:2] + (2, 2)
        assert ops.avg_pool2d(x, 3, 1, 1).shape == shape[:2] + (5, 5)
        assert ops.adaptive_avg_pool2d(x, 4).shape == shape[:2] + (4, 4)
        assert ops.adaptive_max_pool2d(x, (1, 2)).shape == shape[:2] + (1, 2)


X = np.zeros((1, 2, 6, 6), np.float32)


@pytest.mark.parametrize("call, error, match", [
    (lambda: ops.max_pool2d(X, 0), ValueError, r"max_pool2d: kernel_size must be >= 1, got \(0, 0\)"),
    (lambda: ops.max_pool2d(X, 2, stride=0), ValueError, r"max_pool2d: stride must be >= 1, got \(0, 0\)"),
    (lambda: ops.max_pool2d(X, 2, dilation=(1, 0)), ValueError, r"max_pool2d: dilation must be >= 1, got \(1, 0\)"),
    (lambda: ops.max_pool2d(X, 2, padding=-1), ValueError, r"max_pool2d: padding must be >= 0, got \(-1, -1\)"),
    (lambda: ops.max_pool2d(X, 3, padding=2), ValueError,
     r"max_pool2d: padding must be at most half the kernel size, got padding=\(2, 2\) with kernel_size=\(3, 3\)"),
    # PyTorch bounds the padding by kernel_size // 2 even when dilation widens the window.
    (lambda: ops.max_pool2d(X, 2, padding=2, dilation=3), ValueError, r"max_pool2d: padding must be at most half"),
    (lambda: ops.max_pool2d(X, 7), ValueError, r"max_pool2d: output size \(0, 0\) is too small"),
    (lambda: ops.max_pool2d(X, (2, 2, 2)), ValueError, r"max_pool2d: kernel_size must be an int or a pair"),
    (lambda: ops.max_pool2d(X, 2.5), TypeError, r"max_pool2d: kernel_size must be an int"),
    (lambda: ops.max_pool2d(X, True), TypeError, r"max_pool2d: kernel_size must be an int"),
    (lambda: ops.max_pool2d(X[0, 0], 2), ValueError, r"max_pool2d: input must have 3 or 4 dimensions, got 2"),
    (lambda: ops.max_pool2d(X[None], 2), ValueError, r"max_pool2d: input must have 3 or 4 dimensions, got 5"),
    (lambda: ops.max_pool2d(X.astype(bool), 2), TypeError, r"max_pool2d: input must be a real numeric array"),
    (lambda: ops.max_pool2d(X.astype(np.complex64), 2), TypeError, r"max_pool2d: input .*dtype complex64"),
    (lambda: ops.max_pool2d(np.array([[["a"]]]), 1), TypeError, r"max_pool2d: input .*dtype <U1"),
    (lambda: ops.max_pool2d(np.zeros((1, 1, 0, 4)), 1), ValueError, r"max_pool2d: input must have non-empty"),
    (lambda: ops.avg_pool2d(X, 2, divisor_override=0), ValueError, r"avg_pool2d: divisor_override must be non-zero"),
    (lambda: ops.avg_pool2d(X, 2, divisor_override=1.5), TypeError, r"avg_pool2d: divisor_override must be an int"),
    (lambda: ops.avg_pool2d(X, 4, padding=3), ValueError, r"avg_pool2d: padding must be at most half"),
    (lambda: ops.avg_pool2d(X, 2, stride=-1), ValueError, r"avg_pool2d: stride must be >= 1, got \(-1, -1\)"),
    (lambda: ops.avg_pool2d(X, 8), ValueError, r"avg_pool2d: output size \(0, 0\) is too small"),
    (lambda: ops.adaptive_avg_pool2d(X, -1), ValueError, r"adaptive_avg_pool2d: output_size must be >= 0, got \(-1, -1\)"),
    (lambda: ops.adaptive_avg_pool2d(X, (2, 3, 4)), ValueError, r"adaptive_avg_pool2d: output_size must be"),
    (lambda: ops.adaptive_avg_pool2d(X, None), TypeError, r"adaptive_avg_pool2d: output_size .*got None"),
    (lambda: ops.adaptive_max_pool2d(X, (2, -3)), ValueError, r"adaptive_max_pool2d: output_size .*\(2, -3\)"),
    (lambda: ops.adaptive_avg_pool2d(X, 2**40), ValueError, r"adaptive_avg_pool2d: .*overflows 64 bits"),
    (lambda: ops.max_pool2d(X, 2**63), ValueError, r"max_pool2d: kernel_size must .*got 9223372036854775808"),
    (lambda: ops.adaptive_max_pool2d(X.astype(bool), 2), TypeError, r"adaptive_max_pool2d: input must be a real"),
    (lambda: ops.adaptive_max_pool2d(np.zeros((2, 2)), 2), ValueError, r"adaptive_max_pool2d: input must have 3"),
])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- exact sums: a constant map's mean is exact at any size --------------------------------------------

def _dyadic(rng, shape, bits=12):
    """Random float32 values k / 2**bits with |k| < 2**20: every sum of up to 2**20 of them is exact in
    float64, so the float64 means are exactly rounded, as the op's double sums are."""
    return (rng.integers(-2**20, 2**20, shape) / 2.0**bits).astype(np.float32)


@pytest.mark.parametrize("c", [255.0, 0.1, 1 / 3, -7.77e-3, 3.0e38, 1e-40])
def test_adaptive_avg_pool2d_constant_maps_are_exact(threads, c):
    # Every adaptive window sums in double: the mean of a constant is the constant, whatever the
    # window (PyTorch's float32 running sums give 255.269 for 300x300 255s; its global pooling, a
    # mean, gives 255).
    value = np.float32(c)
    for shape, sizes in [((2, 3, 7, 7), [1, 3, 7, 10]), ((1, 2, 300, 300), [1, 2, (3, 7), 299]),
                         ((1, 1, 2048, 2048), [1, 7]), ((1, 1, 1, 70001), [1, (1, 3)])]:
        x = np.full(shape, value, np.float32)
        for size in sizes:
            out = ops.adaptive_avg_pool2d(x, size)
            assert (out == value).all(), (shape, size, out.ravel()[:4])
    if c == 255.0:
        pixels = np.full((1, 3, 2048, 2048), 255, np.uint8)
        for size in [1, (3, 5), 1024]:
            assert (ops.adaptive_avg_pool2d(pixels, size) == 255).all()
        for level in ops.adaptive_avg_pool2d_levels(pixels, [(1, 1), (7, 9), (1500, 1200)]):
            assert (level == 255).all()


@pytest.mark.parametrize("shape, size", [((2, 3, 7, 7), 1), ((1, 2, 300, 301), 1), ((2, 2, 45, 61), (13, 9)),
                                         ((1, 3, 14, 14), 7), ((1, 2, 5, 9), (11, 13)), ((1, 1, 130, 3), (2, 1))])
def test_adaptive_avg_pool2d_is_the_rounded_mean(threads, rng, shape, size):
    x = _dyadic(rng, shape)
    size2 = (size, size) if isinstance(size, int) else size
    want = ref.adaptive_avg_pool2d(x, size2).astype(np.float32)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(x, size), want)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d_levels(x, [size2])[0], want)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    want = ref.adaptive_avg_pool2d(pixels, size2).astype(np.float32)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d(pixels, size), want)
    np.testing.assert_array_equal(ops.adaptive_avg_pool2d_levels(pixels, [size2, (1, 1)])[0], want)


@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 1), (8, 3, 4), ((8, 8), 1, 0), ((1, 64), 1, 0),
                                                     (9, 2, 4), ((1, 65), (1, 7), (0, 32)), ((13, 5), 4, (6, 2))])
def test_avg_pool2d_rounding(isa, threads, rng, kernel, stride, padding):
    # Windows of at most 64 values: PyTorch's float32 sums and division, bit for bit; larger ones
    # (here the interior of 9x9, 1x65 and 13x5 kernels, whose clipped border windows may be smaller):
    # the float64 mean rounded to float32.
    k2 = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    s2 = stride if isinstance(stride, tuple) else (stride, stride)
    p2 = padding if isinstance(padding, tuple) else (padding, padding)
    x = _dyadic(rng, (2, 2, 31, 80))
    for ceil_mode in (False, True):
        for count_include_pad in (True, False):
            for divisor in (None, 7):
                out = ops.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor)
                want = ref.avg_pool2d_float32(x, k2, s2, p2, ceil_mode, count_include_pad, divisor)
                np.testing.assert_array_equal(out, want)
    # Random values (not dyadic: their float64 sums round too, far below float32's precision).
    x = rng.standard_normal((1, 2, 17, 70)).astype(np.float32)
    out = ops.avg_pool2d(x, kernel, stride, padding, True, False)
    np.testing.assert_array_equal(out, ref.avg_pool2d_float32(x, k2, s2, p2, True, False, None))


@pytest.mark.parametrize("c", [255.0, 0.1, 1 / 3, -2.5e-5])
def test_avg_pool2d_constant_maps_are_exact_in_large_windows(threads, c):
    value = np.float32(c)
    x = np.full((1, 2, 300, 300), value, np.float32)
    for args in [(300,), (100, 50), ((300, 1), 1), (65, 13, 32, True, False)]:
        out = ops.avg_pool2d(x, *args)
        assert (out == value).all(), (args, out.ravel()[:4])
    # A map of integers (an image) is exact in any window: float32 sums of up to 64 of them are exact.
    x = np.full((1, 1, 40, 40), 255, np.float32)
    for kernel in (2, 3, 7, 8, 9, 40):
        assert (ops.avg_pool2d(x, kernel) == 255).all()


def test_exported():
    for name in ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"]:
        assert name in ops.__all__ and getattr(ops, name).__doc__
