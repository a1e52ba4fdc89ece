"""conv2d and conv_output_size against the NumPy reference (tests/reference/conv.py)."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

import cvcore
from cvcore.ops import conv2d, conv_output_size, max_pool2d, prelu
from reference import conv as ref
from conftest import run_threads

RTOL = 1e-4


def assert_close(out, expected):
    """Float32 summation error is relative to the output's magnitude, not to each element."""
    assert out.dtype == np.float32
    assert out.shape == expected.shape
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=RTOL * scale)


def make(rng, n, c, h, w, o, kh, kw, groups=1):
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((o, c // groups, kh, kw)).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    return x, wt, b


GRID = [
    # kernel, stride, padding, dilation
    (k, s, p, d)
    for k, s, d in itertools.product((1, 3, 5, 7), (1, 2, 3), (1, 2, 3))
    for p in sorted({0, k // 2, 1}, key=str) + (["same"] if s == 1 else [])
]


@pytest.mark.parametrize("k,s,p,d", GRID)
def test_conv2d_grid(rng, isa, k, s, p, d):
    x, w, b = make(rng, 1, 5, 17, 14, 7, k, k)
    if p == "same":
        total = d * (k - 1)
        pad = (total // 2, total // 2, total - total // 2, total - total // 2)
    else:
        pad = (p, p, p, p)
    if (17 + pad[0] + pad[2] - d * (k - 1)) < 1 or (14 + pad[1] + pad[3] - d * (k - 1)) < 1:
        with pytest.raises(ValueError, match="output size"):
            conv2d(x, w, b, s, p, d)
        return
    out = conv2d(x, w, b, s, p, d)
    assert_close(out, ref.conv2d(x, w, b, (s, s), pad, (d, d)))


@pytest.mark.parametrize("groups,c,o", [(1, 6, 8), (2, 6, 8), (3, 6, 9), (6, 6, 6), (6, 6, 12), (4, 8, 4)])
@pytest.mark.parametrize("k,s,p,d", [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 2), (1, 1, 0, 1), (3, 3, 0, 2)])
@pytest.mark.parametrize("n", [1, 3])
def test_conv2d_groups(rng, isa, threads, groups, c, o, k, s, p, d, n):
    x, w, b = make(rng, n, c, 13, 11, o, k, k, groups)
    out = conv2d(x, w, b, s, p, d, groups)
    assert_close(out, ref.conv2d(x, w, b, (s, s), (p, p, p, p), (d, d), groups))


@pytest.mark.parametrize("shape", [
    # n, c, h, w, o, kh, kw: sizes around the register tile and cache blocks
    (1, 3, 1, 1, 1, 1, 1),
    (2, 1, 5, 9, 3, 5, 1),
    (1, 3, 31, 29, 64, 3, 3),
    (1, 300, 9, 7, 5, 3, 3),     # K = 2700 > one K chunk
    (1, 16, 50, 50, 37, 1, 1),   # N = 2500 > one N block, M not a multiple of the tile
    (1, 4, 3, 200, 2, 1, 7),
    (3, 8, 1, 40, 9, 1, 3),
    (1, 32, 15, 15, 40, 3, 3),   # N = 225: the 2-thread column split falls inside a register tile
    (4, 5, 9, 9, 7, 3, 3),       # batch of 4: each thread takes whole images, padded on its own
    (9, 3, 8, 10, 10, 3, 3),
])
def test_conv2d_shapes(rng, isa, threads, shape):
    n, c, h, w, o, kh, kw = shape
    x, wt, b = make(rng, n, c, h, w, o, kh, kw)
    out = conv2d(x, wt, b, 1, (kh // 2, kw // 2))
    assert_close(out, ref.conv2d(x, wt, b, (1, 1), (kh // 2, kw // 2, kh // 2, kw // 2)))


@pytest.mark.parametrize("k,s,p,d,mult", [(3, 1, 1, 1, 1), (3, 2, 1, 1, 1), (5, 1, 2, 1, 2), (3, 1, 2, 2, 1),
                                          (7, 3, 3, 1, 1), (3, 1, 0, 1, 3)])
def test_conv2d_depthwise(rng, isa, threads, k, s, p, d, mult):
    c = 12
    x, w, b = make(rng, 2, c, 19, 23, c * mult, k, k, c)
    out = conv2d(x, w, b, s, p, d, groups=c)
    assert_close(out, ref.conv2d(x, w, b, (s, s), (p, p, p, p), (d, d), c))


@pytest.mark.parametrize("h,w_,k,p,d", [(14, 14, 3, 1, 1), (7, 7, 3, 1, 1), (1, 1, 3, 1, 1), (2, 3, 3, 1, 1),
                                         (5, 31, 5, 2, 1), (9, 17, 3, 2, 2), (4, 6, 7, 3, 1), (12, 9, 5, 4, 2),
                                         (3, 40, 3, 0, 1), (28, 28, 3, 1, 1)])
def test_conv2d_depthwise_narrow_planes(rng, isa, threads, h, w_, k, p, d):
    # Planes narrower than two vectors run as one flat row over the padded plane (every output the
    # same taps in the same order as a wide plane's).
    c = 5
    x, w, b = make(rng, 2, c, h, w_, c, k, k, c)
    out = conv2d(x, w, b, 1, p, d, groups=c, activation="relu6")
    assert_close(out, np.clip(ref.conv2d(x, w, b, (1, 1), (p, p, p, p), (d, d), c), 0, 6))
    # A plane's result does not depend on where it sits in the batch or on the other planes.
    np.testing.assert_array_equal(conv2d(x[1:], w, b, 1, p, d, groups=c, activation="relu6"), out[1:])


def test_padding_same_even_kernel(rng, isa):
    # PyTorch puts the odd padding pixel at the bottom/right.
    x, w, b = make(rng, 1, 2, 9, 8, 3, 4, 2)
    out = conv2d(x, w, b, padding="same", dilation=(1, 3))
    assert out.shape == (1, 3, 9, 8)
    assert_close(out, ref.conv2d(x, w, b, (1, 1), (1, 1, 2, 2), (1, 3)))


def test_padding_valid_and_asymmetric_pairs(rng):
    x, w, b = make(rng, 1, 2, 9, 8, 3, 3, 3)
    assert_close(conv2d(x, w, b, padding="valid"), ref.conv2d(x, w, b))
    assert_close(conv2d(x, w, b, stride=(2, 1), padding=(0, 2), dilation=(2, 1)),
                 ref.conv2d(x, w, b, (2, 1), (0, 2, 0, 2), (2, 1)))


def test_no_bias_and_3d_input(rng):
    x, w, _ = make(rng, 1, 4, 10, 10, 6, 3, 3)
    out = conv2d(x[0], w, padding=1)
    assert out.shape == (6, 10, 10)
    assert_close(out, ref.conv2d(x, w, None, (1, 1), (1, 1, 1, 1))[0])


def test_fused_activation(rng, isa):
    x, w, b = make(rng, 1, 4, 10, 10, 6, 3, 3)
    r = ref.conv2d(x, w, b, (1, 1), (1, 1, 1, 1))
    assert_close(conv2d(x, w, b, padding=1, activation="relu"), np.maximum(r, 0))
    assert_close(conv2d(x, w, b, padding=1, activation="relu6"), np.clip(r, 0, 6))


@pytest.mark.parametrize("shape,kw", [
    ((1, 8, 14, 14, 16, 3, 3), dict(padding=1)),             # im2col GEMM: added while storing
    ((1, 600, 5, 6, 20, 1, 1), {}),                          # GEMM of two K chunks: added on the last
    ((1, 5, 13, 11, 7, 3, 3), dict(stride=2, padding=1)),    # GEMM, partial tiles
    ((2, 6, 9, 11, 6, 3, 3), dict(padding=1, groups=6)),     # depthwise: a pass after
    ((1, 3, 20, 40, 8, 3, 3), {}),                           # small-K direct: a pass after
    ((3, 8, 6, 6, 8, 3, 3), {}),                             # stacked GEMM: a pass after
    ((17, 4, 6, 6, 8, 3, 3), {}),                            # lanes: a pass after
    ((1, 8, 14, 14, 16, 3, 3), dict(padding=1, winograd=True)),  # Winograd: a pass after
    ((2, 8, 9, 9, 8, 3, 3), dict(padding=1, groups=2)),      # grouped GEMM
])
@pytest.mark.parametrize("activation", [None, "relu", "relu6", "prelu"])
def test_residual_is_added_before_the_activation(rng, isa, threads, shape, kw, activation):
    n, c, h, w_, o, kh, kw_ = shape
    x, w, b = make(rng, n, c, h, w_, o, kh, kw_, kw.get("groups", 1))
    plain = conv2d(x, w, b, **kw)
    r = (rng.standard_normal(plain.shape) * 3).astype(np.float32)
    r[..., 0] = -plain[..., 0]  # sums of exactly zero: relu's sign rule applies to the sum
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    s = plain + r  # float32, rounded once, as the fused store rounds it
    expected = {None: s, "relu": np.maximum(s, 0), "relu6": np.clip(s, 0, 6),
                "prelu": np.where(s > 0, s, s * slopes[:, None, None])}[activation]
    fused = conv2d(x, w, b, activation=activation, prelu_weight=slopes if activation == "prelu" else None,
                   residual=r, **kw)
    np.testing.assert_array_equal(fused, expected)


def test_residual_errors(rng):
    x, w, b = make(rng, 1, 4, 8, 8, 6, 3, 3)
    with pytest.raises(ValueError, match=r"conv2d: residual has shape \(1, 6, 8, 8\), expected dimension 2 to be 6"):
        conv2d(x, w, b, residual=np.zeros((1, 6, 8, 8), np.float32))
    with pytest.raises(ValueError, match="residual cannot be combined with max_pool or pointwise"):
        conv2d(x, w, b, residual=np.zeros((1, 6, 6, 6), np.float32), max_pool=(2, 2))
    with pytest.raises(TypeError, match="residual must be a real numeric array"):
        conv2d(x, w, b, residual=np.zeros((1, 6, 6, 6), bool))
    # A 3-D input takes a 3-D residual.
    out = conv2d(x[0], w, b, residual=np.ones((6, 6, 6)), activation="relu")
    np.testing.assert_array_equal(out, np.maximum(conv2d(x[0], w, b) + 1, 0))


@pytest.mark.parametrize("shape,kw", [
    ((1, 4, 10, 10, 6, 3, 3), dict(padding=1)),           # GEMM, in-place panels
    ((1, 3, 20, 21, 10, 3, 3), dict(stride=2)),           # GEMM, packed panels, M not a multiple of the tile
    ((1, 5, 7, 40, 11, 1, 1), {}),                         # 1x1
    ((2, 6, 9, 11, 6, 3, 3), dict(padding=1, groups=6)),  # depthwise
    ((1, 4, 6, 6, 4, 3, 3), dict(padding=1, groups=2)),   # grouped
])
def test_fused_prelu_is_prelu_of_conv(rng, isa, threads, shape, kw):
    n, c, h, w_, o, kh, kw_ = shape
    x, w, b = make(rng, n, c, h, w_, o, kh, kw_, kw.get("groups", 1))
    plain = conv2d(x, w, b, **kw)
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    np.testing.assert_array_equal(conv2d(x, w, b, activation="prelu", prelu_weight=slopes, **kw), prelu(plain, slopes))
    np.testing.assert_array_equal(conv2d(x, w, b, activation="prelu", prelu_weight=0.25, **kw), prelu(plain, 0.25))


@pytest.mark.parametrize("shape,kw", [
    ((150, 4, 10, 10, 28, 3, 3), {}),                # lane-batched: 8-pixel rows (2 pixels per tile)
    ((143, 6, 11, 11, 9, 3, 3), {}),                 # lane-batched: 9-pixel rows (3 per tile), a partial group
    ((13, 64, 10, 10, 64, 3, 3), {}),                # lane-batched: K = 576, more channels than a register tile
    ((9, 48, 4, 4, 64, 2, 2), {}),                   # lane-batched: R-Net's conv3, 3-pixel rows
    ((11, 5, 3, 7, 7, 3, 3), {}),                    # lane-batched: one output row, 5-pixel rows
    ((10, 3, 2, 2, 5, 2, 2), {}),                    # lane-batched: one output pixel
    ((5, 16, 6, 7, 9, 2, 2), dict(stride=2)),         # strided: the stacked GEMM
    ((7, 4, 9, 9, 6, 3, 3), {}),                     # fewer images than lanes: the stacked GEMM
    ((3, 4, 34, 33, 5, 3, 3), dict(dilation=2)),     # one chunk at 1 thread, two at 2
])
def test_batches_of_small_images(rng, isa, threads, shape, kw):
    # Unpadded small images are computed several at a time (as one GEMM, or side by side in the lanes
    # of the vectors); each result is what the image alone gives, bit for bit.
    n, c, h, w_, o, kh, kw_ = shape
    x, w, b = make(rng, n, c, h, w_, o, kh, kw_)
    s, d = kw.get("stride", 1), kw.get("dilation", 1)
    out = conv2d(x, w, b, **kw)
    assert_close(out, ref.conv2d(x, w, b, (s, s), (0, 0, 0, 0), (d, d)))
    assert_close(conv2d(x, w, None, **kw), ref.conv2d(x, w, None, (s, s), (0, 0, 0, 0), (d, d)))
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    np.testing.assert_array_equal(conv2d(x, w, b, activation="prelu", prelu_weight=slopes, **kw), prelu(out, slopes))
    for i in (0, 1, n - 1):
        np.testing.assert_array_equal(out[i:i + 1], conv2d(x[i:i + 1], w, b, **kw))  # as one image


@pytest.mark.parametrize("shape,kw", [
    ((1, 3, 40, 130, 10, 3, 3), {}),                  # P-Net's first layer: 2 vectors per tile, 2 channel blocks
    ((7, 3, 24, 24, 28, 3, 3), {}),                   # R-Net's: 22-pixel rows, last tile overlapping
    ((2, 3, 12, 11, 64, 3, 3), dict(stride=(2, 1))),  # 6 channel blocks, strided rows
    ((1, 2, 9, 30, 13, 4, 4), dict(dilation=2)),      # K = 32, odd channel count
    ((3, 1, 5, 21, 1, 2, 3), {}),                     # one channel, rectangular kernel
])
def test_small_reduction_path(rng, isa, threads, shape, kw):
    # Reductions of at most 32 terms with stride 1 along the width and no padding take a direct
    # kernel (output rows of at least one vector); the others the GEMM. Same results either way.
    n, c, h, w_, o, kh, kw_ = shape
    x, w, b = make(rng, n, c, h, w_, o, kh, kw_)
    s, d = kw.get("stride", (1, 1)), kw.get("dilation", 1)
    expected = ref.conv2d(x, w, b, s, (0, 0, 0, 0), (d, d))
    assert_close(conv2d(x, w, b, **kw), expected)
    assert_close(conv2d(x, w, None, **kw), expected - b[:, None, None])
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    np.testing.assert_array_equal(conv2d(x, w, b, activation="prelu", prelu_weight=slopes, **kw),
                                  prelu(conv2d(x, w, b, **kw), slopes))
    np.testing.assert_array_equal(conv2d(x, w, b, **kw)[-1:], conv2d(x[-1:], w, b, **kw))  # as one image


@pytest.mark.parametrize("shape,pool", [
    ((1, 3, 30, 41, 10, 3), (2, 2, True)),      # fused: whole image
    ((2, 3, 21, 37, 10, 3), (2, 2, True)),      # pooled in registers: odd sizes, last windows of one row / column
    ((1, 3, 21, 37, 7, 3), (2, 2, False)),      # pooled in registers, floor mode, a partial channel block
    ((1, 3, 260, 70, 10, 3), (2, 2, True)),     # fused: bands of rows (the map exceeds the buffer)
    ((1, 3, 301, 88, 12, 3), (3, 2, True)),     # fused bands, overlapping windows, clipped last window
    ((9, 3, 24, 24, 28, 3), (3, 2, True)),      # fused: groups of crops (R-Net)
    ((3, 3, 48, 48, 32, 3), (3, 2, False)),     # floor mode
    ((2, 3, 20, 33, 5, 2), ((2, 3), (1, 2), True)),  # rectangular windows
    ((120, 8, 11, 11, 24, 3), (3, 2, True)),    # fused: lane-batched groups of crops (R-Net's conv2)
    ((21, 32, 23, 23, 64, 3), (3, 2, True)),    # lane-batched: O-Net's conv2, a partial group
    ((17, 16, 10, 10, 20, 3), (2, 2, True)),    # lane-batched: O-Net's conv3 (even windows)
    ((30, 6, 10, 10, 16, 3), (2, 2, True)),     # stacked at 1 thread, one GEMM per image at 2
    ((2, 16, 40, 13, 6, 3), (3, 2, True)),      # K = 144, large images: convolution, then pooling
])
def test_conv2d_max_pool(rng, isa, threads, shape, pool):
    n, c, h, w_, o, k = shape
    x, w, b = make(rng, n, c, h, w_, o, k, k)
    x[0, 0, 3, 5] = np.nan  # NaN windows pool as max_pool2d's
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    kernel, stride, ceil = pool
    for kw in ({}, dict(activation="prelu", prelu_weight=slopes)):
        expected = max_pool2d(conv2d(x, w, b, **kw), kernel, stride, ceil_mode=ceil)
        np.testing.assert_array_equal(conv2d(x, w, b, max_pool=pool, **kw), expected)
    assert np.isnan(expected).any()
    np.testing.assert_array_equal(conv2d(x, w, b, max_pool=(kernel, stride)),
                                  max_pool2d(conv2d(x, w, b), kernel, stride))


def test_conv2d_max_pool_threads_and_reference(rng, isa):
    x, w, b = make(rng, 1, 3, 180, 101, 10, 3, 3)
    one, two = run_threads(lambda: conv2d(x, w, b, max_pool=(2, 2, True)))
    np.testing.assert_array_equal(one, two)
    full = ref.conv2d(x, w, b)
    rows, cols = -(-full.shape[2] // 2), -(-full.shape[3] // 2)
    padded = np.full((1, 10, 2 * rows, 2 * cols), -np.inf)
    padded[:, :, :full.shape[2], :full.shape[3]] = full
    assert_close(one, padded.reshape(1, 10, rows, 2, cols, 2).max(axis=(3, 5)))


@pytest.mark.parametrize("shape,kw", [
    ((1, 16, 40, 57, 32, 3, 3), {}),                      # fused: P-Net's conv3 and head, bands of rows
    ((1, 16, 230, 300, 32, 3, 3), {}),                    # fused: one row per band
    ((3, 4, 9, 9, 5, 3, 3), dict(stride=2)),              # fused: a batch, strided
    ((2, 5, 12, 13, 7, 3, 3), dict(padding=1)),           # padded: convolution, then the 1x1 one
    ((2, 6, 8, 9, 6, 3, 3), dict(groups=2)),              # grouped: likewise
    ((1, 3, 40, 41, 10, 3, 3), {}),                       # a small reduction (direct kernel when alone)
])
def test_conv2d_pointwise(rng, isa, threads, shape, kw):
    n, c, h, w_, o, kh, kw_ = shape
    x, w, b = make(rng, n, c, h, w_, o, kh, kw_, kw.get("groups", 1))
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    pw = rng.standard_normal((6, o, 1, 1)).astype(np.float32)
    pb = rng.standard_normal(6).astype(np.float32)
    x[0, 0, 2, 3] = np.nan  # propagates as through the two convolutions
    for act in ({}, dict(activation="prelu", prelu_weight=slopes), dict(activation="relu")):
        expected = conv2d(conv2d(x, w, b, **act, **kw), pw, pb)
        np.testing.assert_array_equal(conv2d(x, w, b, pointwise=(pw, pb), **act, **kw), expected)
    np.testing.assert_array_equal(conv2d(x, w, None, pointwise=pw[:, :, 0, 0], **kw), conv2d(conv2d(x, w, None, **kw), pw))
    s, p = kw.get("stride", 1), kw.get("padding", 0)
    if kw.get("groups", 1) == 1:
        conv = ref.conv2d(x, w, b, (s, s), (p, p, p, p))
        assert_close(conv2d(x, w, b, pointwise=(pw, pb), **kw), np.einsum("pc,nchw->nphw", pw[:, :, 0, 0], conv)
                     + pb[:, None, None])
    one, two = run_threads(lambda: conv2d(x, w, b, pointwise=(pw, pb), **kw))
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("shape,pad", [
    ((1, 16, 40, 57, 32), 0),      # P-Net's conv3: odd output width (a half tile at the right)
    ((2, 10, 33, 600, 16), 0),     # P-Net's conv2 on a wide level: several blocks of tiles per row
    ((1, 64, 14, 14, 64), 1),      # padded (VGG-style), more channels than one register tile
    ((3, 3, 5, 4, 7), 2),          # tiny: more padding than image, 3 input channels
    ((1, 5, 3, 3, 2), 0),          # a single output pixel
    ((1, 2, 9, 130, 13), (0, 2)),  # asymmetric padding pairs
])
def test_conv2d_winograd(rng, isa, threads, shape, pad):
    n, c, h, w_, o = shape
    x, w, b = make(rng, n, c, h, w_, o, 3, 3)
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    p = (pad, pad) if isinstance(pad, int) else pad
    expected = ref.conv2d(x, w, b, (1, 1), (p[0], p[1], p[0], p[1]))
    assert_close(conv2d(x, w, b, padding=pad, winograd=True), expected)
    assert_close(conv2d(x, w, None, padding=pad, winograd=True), expected - b[:, None, None])
    plain = conv2d(x, w, b, padding=pad, winograd=True)
    np.testing.assert_array_equal(conv2d(x, w, b, padding=pad, winograd=True, activation="relu"), np.maximum(plain, 0))
    np.testing.assert_array_equal(conv2d(x, w, b, padding=pad, winograd=True, activation="prelu", prelu_weight=slopes),
                                  prelu(plain, slopes))
    one, two = run_threads(lambda: conv2d(x, w, b, padding=pad, winograd=True))
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("shape,pool", [
    ((19, 28, 11, 11, 48), (3, 2, True)),  # R-Net's conv2: odd output (the last tiles half outside)
    ((9, 32, 23, 23, 64), (3, 2, True)),   # O-Net's conv2: one group and an image alone
    ((17, 64, 10, 10, 64), (2, 2, True)),  # O-Net's conv3: even output, 2 tiles per register tile
    ((24, 5, 8, 14, 7), None),             # 6 tiles per row: 3 per register tile, not pooled
    ((8, 2, 3, 4, 3), None),               # a single tile row, one output row
    ((3, 4, 8, 11, 5), None),              # F(3x3) on fewer images than lanes: 2 tile rows, 3 tiles each
])
def test_conv2d_winograd_lane_batched(rng, isa, threads, shape, pool):
    # Batches of small unpadded images run Winograd with one image per vector lane (F(3x3, 3x3) when
    # both output sides are multiples of 3, also for fewer images than lanes): each image's result is
    # that of the image alone, bit for bit (and the pooling exactly as apart).
    n, c, h, w_, o = shape
    x, w, b = make(rng, n, c, h, w_, o, 3, 3)
    x[1, 0, 2, 2] = np.nan  # stays in its image and its windows
    slopes = rng.uniform(-0.5, 0.5, o).astype(np.float32)
    act = dict(activation="prelu", prelu_weight=slopes, winograd=True)
    full = conv2d(x, w, b, **act)
    exact = ref.conv2d(x[2:], w, b, (1, 1), (0, 0, 0, 0))
    assert_close(full[2:], prelu(exact, slopes))
    for i in range(n):
        np.testing.assert_array_equal(full[i:i + 1], conv2d(x[i:i + 1], w, b, **act))
    if pool:
        np.testing.assert_array_equal(conv2d(x, w, b, max_pool=pool, **act), max_pool2d(full, pool[0], pool[1],
                                                                                         ceil_mode=pool[2]))
    one, two = run_threads(lambda: conv2d(x, w, b, max_pool=pool, **act))
    np.testing.assert_array_equal(one, two)
    pw = rng.standard_normal((4, o, 1, 1)).astype(np.float32)
    np.testing.assert_array_equal(conv2d(x, w, b, pointwise=pw, **act), conv2d(full, pw))


def test_conv2d_lane_batched_team_of_one():
    # A lane-batched team computes the images past its last group on a helper thread; when OpenMP
    # grants fewer threads than asked (here a thread limit of 1), the caller computes them after.
    code = """if True:
        import numpy as np, cvcore
        from cvcore.ops import conv2d
        cvcore.set_num_threads(2)
        rng = np.random.default_rng(0)
        for n, c, k, o, wino in [(9, 32, 23, 64, True), (10, 3, 24, 28, False)]:
            x = rng.standard_normal((n, c, k, k)).astype(np.float32)
            w = rng.standard_normal((o, c, 3, 3)).astype(np.float32)
            got = conv2d(x, w, winograd=wino, max_pool=(3, 2, True))
            alone = np.concatenate([conv2d(x[i:i + 1], w, winograd=wino, max_pool=(3, 2, True)) for i in range(n)])
            assert np.array_equal(got, alone), (n, c)
        print("ok")
    """
    res = subprocess.run([sys.executable, "-c", code], env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


@pytest.mark.parametrize("shape", [(9, 16, 10, 10, 20), (2, 6, 12, 12, 8), (1, 16, 20, 21, 32)])
def test_conv2d_winograd_weights_changed_in_place(rng, isa, shape):
    # The transformed kernels kept for the next call are used only while the weights hold the same
    # values: an edit in place between calls gives the new convolution.
    n, c, h, w_, o = shape
    x, w, b = make(rng, n, c, h, w_, o, 3, 3)
    first = conv2d(x, w, b, winograd=True)
    np.testing.assert_array_equal(conv2d(x, w, b, winograd=True), first)
    np.testing.assert_array_equal(conv2d(x, w.copy(), b, winograd=True), first)
    w[o - 1, c - 1, 1, 2] += 1.0
    changed = conv2d(x, w, b, winograd=True)
    assert_close(changed, ref.conv2d(x, w, b, (1, 1), (0, 0, 0, 0)))
    np.testing.assert_array_equal(changed, conv2d(x, w.copy(), b, winograd=True))


@pytest.mark.parametrize("shape", [(9, 32, 11, 11, 48), (3, 16, 23, 23, 24), (1, 8, 8, 5, 6)])
def test_conv2d_winograd3_accuracy(rng, isa, shape):
    # F(3x3, 3x3) (output sides multiples of 3, small unpadded images): within a few times the
    # direct float32 sum's error against the float64 result.
    n, c, h, w_, o = shape
    x, w, b = make(rng, n, c, h, w_, o, 3, 3)
    exact = ref.conv2d(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), (1, 1), (0, 0, 0, 0))
    err_winograd = np.abs(conv2d(x, w, b, winograd=True) - exact).max()
    err_direct = np.abs(conv2d(x, w, b) - exact).max()
    assert err_winograd <= 8 * err_direct + 1e-6 * np.abs(exact).max()
    assert err_winograd <= 4e-6 * np.abs(exact).max()


def test_conv2d_winograd_accuracy_and_fusions(rng, isa, threads):
    # The error against a float64 sum stays within twice that of the direct float32 path.
    x, w, b = make(rng, 1, 32, 30, 41, 24, 3, 3)
    exact = ref.conv2d(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), (1, 1), (0, 0, 0, 0))
    err_winograd = np.abs(conv2d(x, w, b, winograd=True) - exact).max()
    err_direct = np.abs(conv2d(x, w, b) - exact).max()
    assert err_winograd <= 2 * err_direct + 1e-6 * np.abs(exact).max()
    # Pooling and a 1x1 head apply to the Winograd output exactly as apart.
    slopes = rng.uniform(-0.5, 0.5, 24).astype(np.float32)
    act = dict(activation="prelu", prelu_weight=slopes, winograd=True)
    full = conv2d(x, w, b, **act)
    np.testing.assert_array_equal(conv2d(x, w, b, max_pool=(3, 2, True), **act), max_pool2d(full, 3, 2, ceil_mode=True))
    pw, pb = rng.standard_normal((6, 24, 1, 1)).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    np.testing.assert_array_equal(conv2d(x, w, b, pointwise=(pw, pb), **act), conv2d(full, pw, pb))
    # Other shapes ignore the request: the direct result, bit for bit.
    for kw in (dict(stride=2), dict(dilation=2), dict(groups=2)):
        wk = w[:, : 32 // kw.get("groups", 1)]
        np.testing.assert_array_equal(conv2d(x, wk, b, winograd=True, **kw), conv2d(x, wk, b, **kw))
    x5, w5, b5 = make(rng, 1, 4, 12, 12, 5, 5, 5)
    np.testing.assert_array_equal(conv2d(x5, w5, b5, winograd=True), conv2d(x5, w5, b5))
    with pytest.raises(TypeError, match="conv2d: winograd must be a bool, got 'yes'"):
        conv2d(x, w, b, winograd="yes")


def test_dtypes_and_layouts(rng):
    x, w, b = make(rng, 2, 4, 10, 12, 6, 3, 3)
    expected = ref.conv2d(x, w, b, (1, 1), (1, 1, 1, 1))
    xf = np.asfortranarray(x.astype(np.float64))
    wt = w.transpose(1, 0, 2, 3).copy().transpose(1, 0, 2, 3)  # same values, non-C-contiguous
    xr = x.copy()
    xr.flags.writeable = False
    assert_close(conv2d(xf, wt, b.tolist(), padding=1), expected)
    assert_close(conv2d(xr, w, b, padding=1), expected)
    xi = rng.integers(-3, 4, size=(1, 2, 5, 5)).astype(np.int16)
    wi = np.ones((1, 2, 3, 3), np.uint8)
    assert_close(conv2d(xi, wi), ref.conv2d(xi, wi))


def test_threads_bit_identical(rng, isa):
    for shape, kw in [((1, 64, 30, 30, 96, 3, 3), dict(padding=1)),
                      ((1, 32, 15, 15, 40, 3, 3), dict(padding=1)),
                      ((8, 6, 11, 11, 9, 3, 3), dict(padding=1)),
                      ((9, 4, 10, 10, 6, 3, 3), dict(stride=2, groups=2)),
                      ((200, 3, 12, 12, 10, 3, 3), {}),
                      ((1, 512, 7, 7, 130, 3, 3), dict(padding=1)),
                      ((2, 6, 40, 40, 6, 3, 3), dict(padding=1, groups=6)),
                      ((3, 8, 20, 20, 12, 3, 3), dict(stride=2, groups=4))]:
        n, c, h, w, o, kh, kwid = shape
        x, wt, b = make(rng, n, c, h, w, o, kh, kwid, kw.get("groups", 1))
        one, two = run_threads(lambda: conv2d(x, wt, b, **kw))
        np.testing.assert_array_equal(one, two)


def test_empty_batch_and_outputs(rng):
    x, w, b = make(rng, 0, 4, 6, 6, 5, 3, 3)
    assert conv2d(x, w, b).shape == (0, 5, 4, 4)
    x, w, _ = make(rng, 1, 4, 6, 6, 0, 3, 3)
    assert conv2d(x, w).shape == (1, 0, 4, 4)


def test_nan_propagates(rng, isa):
    x, w, b = make(rng, 1, 2, 6, 6, 3, 3, 3)
    x[0, 1, 2, 2] = np.nan
    out = conv2d(x, w, b, activation="relu")
    # Input pixel (2, 2) is in the windows of outputs 0..2 on each axis (3x3 kernel, no padding).
    assert np.isnan(out[0, :, 0:3, 0:3]).all()
    assert np.isfinite(out[0, :, 3, :]).all() and np.isfinite(out[0, :, :, 3]).all()


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(x=np.zeros((2, 3, 4))[None, None]), ValueError, "input must have 3 or 4 dimensions"),
    (dict(w=np.zeros((4, 3, 3))), ValueError, "weight must have 4 dimensions"),
    (dict(w=np.zeros((4, 2, 3, 3))), ValueError, r"weight.shape\[1\] must be"),
    (dict(groups=2), ValueError, "groups"),
    (dict(groups=0), ValueError, "groups must be >= 1, got 0"),
    (dict(stride=0), ValueError, "stride must be"),
    (dict(stride=(1, -2)), ValueError, "stride must be"),
    (dict(dilation=0), ValueError, "dilation must be"),
    (dict(padding=-1), ValueError, "padding must be"),
    (dict(padding="full"), ValueError, "padding must be"),
    (dict(padding="same", stride=2), ValueError, "same"),
    (dict(b=np.zeros(5)), ValueError, "bias must have 4 elements, got 5"),
    (dict(b=np.zeros((4, 1))), ValueError, "bias must have 1 dimensions"),
    (dict(x=np.zeros((1, 3, 2, 2))), ValueError, "output size"),
    (dict(x=np.zeros((1, 3, 5, 5), bool)), TypeError, "input must be a real numeric array"),
    (dict(w=np.zeros((4, 3, 3, 3), complex)), TypeError, "weight must be a real numeric array"),
    (dict(x=np.full((1, 3, 5, 5), "1")), TypeError, "input"),
    (dict(stride=1.5), TypeError, "stride"),
    (dict(groups=True), TypeError, "groups"),
    (dict(activation="gelu"), ValueError, "conv2d: activation must be one of 'none', 'relu', 'relu6', 'prelu', got 'gelu'"),
    (dict(activation="prelu"), ValueError, "prelu_weight must be given exactly when activation='prelu'"),
    (dict(activation="relu", prelu_weight=[0.1]), ValueError, "prelu_weight must be given exactly"),
    (dict(activation="prelu", prelu_weight=np.zeros(3)), ValueError, r"prelu_weight must have 4 elements \(one per output channel\) or 1, got 3"),
    (dict(activation="prelu", prelu_weight=np.zeros((4, 1))), ValueError, "prelu_weight"),
    (dict(activation="prelu", prelu_weight=[True] * 4), TypeError, "prelu_weight must be a real numeric array"),
    (dict(padding=2**62), ValueError, "overflow"),
    (dict(padding=2**70), ValueError, "64 bits"),
    (dict(w=np.zeros((4, 3, 0, 3))), ValueError, r"conv2d: kernel_size \(weight.shape\[2:\]\) must be >= 1, got \(0, 3\)"),
    (dict(max_pool=(0, 2)), ValueError, "max_pool kernel_size must be >= 1, got 0"),
    (dict(max_pool=(2, (1, 0))), ValueError, r"max_pool stride must be >= 1, got \(1, 0\)"),
    (dict(max_pool=(4, 1)), ValueError, r"max_pool kernel_size \(4, 4\) is larger than the convolution's output \(3, 3\)"),
    (dict(max_pool=2), ValueError, r"max_pool must be \(kernel_size, stride\)"),
    (dict(max_pool=(2, 2, 1, 1)), ValueError, "max_pool must be"),
    (dict(max_pool=(2, 2, "yes")), TypeError, "ceil_mode must be a bool"),
    (dict(max_pool=(2.5, 2)), TypeError, "max_pool kernel_size"),
    (dict(pointwise=np.zeros((2, 3, 1, 1))), ValueError, r"pointwise weight must have shape \(P, 4, 1, 1\), got \(2, 3, 1, 1\)"),
    (dict(pointwise=np.zeros((2, 4, 3, 3))), ValueError, "pointwise weight must have shape"),
    (dict(pointwise=np.zeros(4)), ValueError, "pointwise weight must have 2 or 4 dimensions"),
    (dict(pointwise=(np.zeros((2, 4)), np.zeros(3))), ValueError, "pointwise bias must have 2 elements, got 3"),
    (dict(pointwise=np.zeros((2, 4)), max_pool=(2, 2)), ValueError, "max_pool and pointwise cannot be combined"),
    (dict(w=np.zeros((0, 3, 3, 3)), pointwise=np.zeros((2, 0))), ValueError,
     r"pointwise needs at least one channel from the convolution, got weight shape \(0, 3, 3, 3\)"),
    (dict(x=np.zeros((1, 0, 5, 5)), w=np.zeros((4, 0, 3, 3))), ValueError, "at least one channel"),
])
def test_errors(kwargs, exc, match):
    args = dict(x=np.zeros((1, 3, 5, 5), np.float32), w=np.zeros((4, 3, 3, 3), np.float32), b=None)
    args.update(kwargs)
    x, w, b = args.pop("x"), args.pop("w"), args.pop("b")
    with pytest.raises(exc, match=match):
        conv2d(x, w, b, **args)


@pytest.mark.parametrize("size,k,s,p,d,ceil", [
    (s, k, st, p, d, c)
    for s in (1, 2, 5, 6, 7, 224)
    for k in (1, 2, 3, 5)
    for st in (1, 2, 3)
    for p in range(0, k // 2 + 1)
    for d in (1, 2)
    for c in (False, True)
])
def test_conv_output_size(size, k, s, p, d, ceil):
    assert conv_output_size(size, k, s, p, d, ceil) == ref.output_size(size, k, s, p, p, d, ceil)


def test_conv_output_size_pairs_and_errors():
    assert conv_output_size((7, 8), 3, stride=(1, 2)) == (5, 3)
    assert conv_output_size(1, 3) == -1
    with pytest.raises(ValueError, match="stride must be.*>= 1, got 0"):
        conv_output_size(5, 3, stride=0)
    with pytest.raises(ValueError, match="kernel_size"):
        conv_output_size(5, (3, 3, 3))
    with pytest.raises(ValueError, match="overflow"):
        conv_output_size(2**62, 1, padding=2**62)


def test_build_info_and_threads():
    info = cvcore.build_info()
    assert info["isa"] in info["isas_supported"]
    assert set(info["isas_supported"]) <= set(info["isas_compiled"])
    assert "generic" in info["isas_compiled"]
    assert cvcore.__version__ == info["version"]
    with pytest.raises(ValueError, match=r"n must be in \[1, 1024\], got 0"):
        cvcore.set_num_threads(0)
    with pytest.raises(TypeError, match="n must be an int"):
        cvcore.set_num_threads(1.5)
