"""Detector input preparation: resize_bilinear, letterbox and scale_boxes, normalize against manual
computations; to_blob against its float32 formula in NumPy."""

import numpy as np
import pytest

from cvcore.detection import letterbox, normalize, resize_bilinear, scale_boxes, to_blob


def test_resize_bilinear_matches_the_formula(rng):
    img = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    out = resize_bilinear(img, (4, 5))
    f = img.astype(np.float64)
    y, x = 2, 3
    sy, sx = (y + 0.5) * 7 / 4 - 0.5, (x + 0.5) * 9 / 5 - 0.5
    y0, x0 = int(np.floor(sy)), int(np.floor(sx))
    wy, wx = sy - y0, sx - x0
    v = ((1 - wy) * ((1 - wx) * f[y0, x0] + wx * f[y0, x0 + 1]) + wy * ((1 - wx) * f[y0 + 1, x0] + wx * f[y0 + 1, x0 + 1]))
    assert out.dtype == np.uint8 and out.shape == (4, 5, 3)
    np.testing.assert_allclose(out[y, x], np.rint(v), atol=1)
    np.testing.assert_array_equal(resize_bilinear(img, (7, 9)), img)  # the identity
    flat = np.full((5, 5), 3.5, np.float32)
    np.testing.assert_array_equal(resize_bilinear(flat, (11, 2)), np.full((11, 2), 3.5, np.float32))


@pytest.mark.parametrize("shape,new,auto,scaleup", [((480, 640), 640, False, True), ((300, 200), (320, 256), False, True),
                                                    ((100, 50), 640, True, True), ((1000, 800), 640, False, False),
                                                    ((100, 120), 640, False, False)])
def test_letterbox_and_scale_boxes_round_trip(rng, shape, new, auto, scaleup):
    img = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    out, ratio, (dw, dh) = letterbox(img, new, auto=auto, scaleup=scaleup)
    nh, nw = (new, new) if isinstance(new, int) else new
    r = min(nh / shape[0], nw / shape[1])
    r = r if scaleup else min(r, 1.0)
    assert ratio == (r, r)
    uh, uw = round(shape[0] * r), round(shape[1] * r)
    if not auto:
        assert out.shape == (nh, nw, 3)
    else:
        assert out.shape[0] % 32 == uh % 32 or out.shape[0] - uh < 32
    top, left = int(round(dh - 0.1)), int(round(dw - 0.1))
    if top > 0:
        assert (out[:top] == 114).all()
    if left > 0:
        assert (out[:, :left] == 114).all()
    # Boxes on the letterboxed image map back onto the original.
    boxes = np.array([[10.0, 20.0, 40.0, 45.0], [0.0, 0.0, shape[1], shape[0]]])
    on_letterbox = boxes * r + np.array([dw, dh, dw, dh])
    np.testing.assert_allclose(scale_boxes(on_letterbox, ratio, (dw, dh), shape), boxes, atol=1e-9)


def test_scale_boxes_clips_and_errors():
    out = scale_boxes([[-50.0, -5.0, 900.0, 700.0]], (0.5, 0.5), (10.0, 0.0), (480, 640))
    np.testing.assert_array_equal(out, [[0.0, 0.0, 640.0, 480.0]])
    with pytest.raises(ValueError, match="ratio must be > 0"):
        scale_boxes([[0, 0, 1, 1]], (0, 0), (0, 0), (10, 10))
    with pytest.raises(ValueError, match=r"image must have shape \(H, W\) or \(H, W, C\)"):
        letterbox(np.zeros((4,)), 32)


def ref_blob(images, scale, mean, swap_rb):
    """(N, H, W, C) images to NCHW in float32 arithmetic: (pixel - mean) * scale."""
    x = np.asarray(images).astype(np.float32)
    if swap_rb:
        x = x[..., ::-1]
    return ((x - np.asarray(mean, np.float64).astype(np.float32)) * np.float32(scale)).transpose(0, 3, 1, 2)


@pytest.mark.parametrize("channels", [1, 2, 3, 4, 5])
def test_to_blob_layouts(rng, isa, threads, channels):
    # Rows wider and narrower than the C++ units, every channel count the kernels specialise and one
    # they do not, uint8 and other dtypes, with and without the swap.
    for n, h, w in [(1, 3, 5), (2, 7, 1), (1, 40, 700)]:
        u8 = rng.integers(0, 256, (n, h, w, channels), dtype=np.uint8)
        mean = rng.uniform(-50, 300, channels)
        for images in (u8, u8.astype(np.float32) + 0.25, u8.astype(np.float64) / 7, u8.astype(np.uint16) * 200):
            for swap in (False, True):
                for m, scale in ((0.0, 1.0), (mean, 1 / 58.4), (17.5, -3.0)):
                    batch = images[0] if n == 1 else list(images)
                    got = to_blob(batch, scale=scale, mean=m, swap_rb=swap)
                    assert got.dtype == np.float32 and got.shape == (n, channels, h, w)
                    np.testing.assert_array_equal(got, ref_blob(images, scale, m, swap))
        for swap in (False, True):
            got = to_blob(u8[0] if n == 1 else list(u8), swap_rb=swap, dtype=np.uint8)
            assert got.dtype == np.uint8 and got.flags.c_contiguous
            np.testing.assert_array_equal(got, (u8[..., ::-1] if swap else u8).transpose(0, 3, 1, 2))
    view = rng.integers(0, 256, (9, 11, channels), dtype=np.uint8)[::2, ::-1]  # not contiguous
    np.testing.assert_array_equal(to_blob(view, dtype="uint8")[0], view.transpose(2, 0, 1))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(dtype=np.float64), TypeError, "dtype must be np.float32 or np.uint8, got float64"),
    (dict(dtype="pixels"), TypeError, "dtype must be np.float32 or np.uint8"),
    (dict(dtype=np.uint8, scale=1 / 255), ValueError, "scale must be 1"),
    (dict(dtype=np.uint8, mean=(0, 0, 1)), ValueError, "mean must be 0, got 1 for channel 2"),
    (dict(mean=(1, 2)), ValueError, r"mean must have 1 or 3 values \(one per channel\), got 2"),
    (dict(mean=()), ValueError, "mean must be a number or one number per channel"),
    (dict(mean=((1, 2, 3),)), ValueError, "mean must be a number or one number per channel"),
    (dict(mean="abc"), TypeError, "to_blob: mean must be a real numeric array, got dtype <U3"),
    (dict(mean=(0, np.nan, 0)), ValueError, r"mean\[1\] must be finite"),
    (dict(mean=1e39), ValueError, "must be finite \\(also in float32\\)"),
    (dict(scale=np.inf), ValueError, "scale must be finite"),
    (dict(scale="2"), TypeError, "scale must be a real number"),
])
def test_to_blob_errors(kwargs, exc, match):
    img = np.zeros((4, 5, 3), np.uint8)
    with pytest.raises(exc, match=match):
        to_blob(img, **kwargs)


def test_to_blob_image_errors():
    with pytest.raises(TypeError, match="uint8 output needs uint8 images, got float32"):
        to_blob(np.zeros((4, 5, 3), np.float32), dtype=np.uint8)
    with pytest.raises(ValueError, match=r"^to_blob: images must have shape \(N, H, W, C\) with every size >= 1, "
                                         r"got \(1, 4, 5, 0\)$"):
        to_blob(np.zeros((4, 5, 0), np.uint8))
    with pytest.raises(ValueError, match=r"^to_blob: each image must have 3 dimensions \(H, W, C\), got shape \(4, 5\)$"):
        to_blob([np.zeros((4, 5), np.uint8)])
    with pytest.raises(TypeError, match=r"^to_blob: images must be a real numeric array, got dtype bool$"):
        to_blob([np.zeros((4, 5, 3), np.uint8), np.zeros((4, 5, 3), bool)])
    with pytest.raises(ValueError, match="at least one image"):
        to_blob([])
    with pytest.raises(TypeError, match="real numeric array"):
        to_blob(np.zeros((4, 5, 3), bool))


def test_normalize_and_to_blob(rng):
    img = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    mean, std = (0.485 * 255, 0.456 * 255, 0.406 * 255), (58.4, 57.1, 57.4)
    np.testing.assert_allclose(normalize(img, mean, std), (img - np.array(mean)) / np.array(std), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="std must not be 0"):
        normalize(img, 0, 0)
    with pytest.raises(TypeError, match="^normalize: mean must be a real numeric array, got dtype bool$"):
        normalize(img, True, 1)
    blob = to_blob(img, scale=1 / 255, mean=(10, 20, 30), swap_rb=True)
    assert blob.shape == (1, 3, 6, 8) and blob.dtype == np.float32
    expected = (img[..., ::-1].astype(np.float64) - np.array([10, 20, 30])) / 255
    np.testing.assert_allclose(blob[0], expected.transpose(2, 0, 1), rtol=1e-6, atol=1e-7)
    two = to_blob([img, img[::-1].copy()], size=(4, 3))
    assert two.shape == (2, 3, 3, 4)
    np.testing.assert_array_equal(two[0], resize_bilinear(img, (3, 4)).transpose(2, 0, 1))
    with pytest.raises(ValueError, match="same shape"):
        to_blob([img, img[:3]])


def test_letterbox_keeps_at_least_one_pixel():
    # A 1 x 6 image into a 2 x 2 canvas scales to 0.33 x 2 pixels: kept as one row (YOLOv5's
    # cv2.resize refuses a zero size), padded as usual.
    img = np.arange(18, dtype=np.uint8).reshape(1, 6, 3)
    out, ratio, pad = letterbox(img, 2, color=(7, 8, 9))
    assert out.shape == (2, 2, 3) and ratio == (1 / 3, 1 / 3) and pad == (0.0, 0.5)
    np.testing.assert_array_equal(out[0], resize_bilinear(img, (1, 2))[0])
    np.testing.assert_array_equal(out[1], [[7, 8, 9], [7, 8, 9]])
