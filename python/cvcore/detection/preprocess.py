"""Detector input preparation: bilinear resizing, YOLO letterboxing and its inverse for boxes,
per-channel normalisation, and an OpenCV-``blobFromImage``-like HWC -> NCHW conversion."""

import numpy as np

from .. import _cvcore
from .._validation import (allocating, as_float, as_float32, as_float32_or_64, as_float64, as_int, as_sequence,
                           as_str, check_finite_scalar, finite_reals, real_array, uint8_pixels)


def _image(op, image):
    """image as an (H, W) or (H, W, C) array of a real dtype (kept: the NumPy ops here return it)."""
    img = real_array(op, "image", image)
    if img.ndim not in (2, 3) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"{op}: image must have shape (H, W) or (H, W, C) with H, W >= 1, got {img.shape}")
    return img


def rgb_pixels(op, name, image):
    """image unchanged when it is an (H, W, 3) uint8 NumPy array with H, W >= 1 (RGB pixels, what the
    face detectors take), else TypeError (not an array, another dtype) or ValueError (another shape)."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{op}: {name} must be a NumPy array (H, W, 3) uint8 RGB, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise TypeError(f"{op}: {name} must be uint8 RGB, got dtype {image.dtype}")
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"{op}: {name} must have shape (H, W, 3) with H, W >= 1, got {image.shape}")
    return image


def detect_each(op, image, detect_one):
    """A face detector's detect(): detect_one on the image, or on each image of a list or tuple (a list
    of its results), after rgb_pixels' checks naming ``image`` or ``image[i]``."""
    if isinstance(image, (list, tuple)):
        return [detect_one(rgb_pixels(op, f"image[{i}]", im)) for i, im in enumerate(image)]
    return detect_one(rgb_pixels(op, "image", image))


def _size(op, name, value, form="(height, width)", square=True):
    """A pair of ints >= 1 given as ``form``, or one int for both when ``square``."""
    if square and isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        value = (value, value)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(f"{op}: {name} must be {'an int or ' if square else ''}{form}, got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{op}: {name} must be {'an int or ' if square else ''}{form}, got {value!r}")
    a, b = (as_int(op, name, v, 1) for v in value)
    return a, b


def _per_channel(op, name, value, img):
    """value as a finite float32 array of one value, or one per channel (the last axis of img)."""
    arr = as_float32(op, name, value)
    try:
        fits = np.broadcast_shapes(img.shape, arr.shape) == img.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} must have 1 value or one per channel ({img.shape[-1]}, the last axis of the "
                         f"image of shape {img.shape}), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{op}: {name} must be finite, got {arr.tolist()}")
    return arr


def resize_bilinear(image, size):
    """``image`` (H, W) or (H, W, C) resized to ``size`` = (height, width) with bilinear interpolation
    at pixel centres (OpenCV's INTER_LINEAR geometry: source coordinate ``(i + 0.5) * H / h - 0.5``,
    clamped to the border). Computed in float32; integer images are rounded to nearest and keep their
    dtype (OpenCV's fixed-point uint8 path may differ by 1)."""
    op = "resize_bilinear"
    return _resize_bilinear(op, _image(op, image), *_size(op, "size", size))


def _resize_bilinear(op, img, h, w):
    """resize_bilinear of a checked image to h x w, errors naming the public function `op`."""
    with allocating(op, "the resized image", (h, w) + img.shape[2:], 4):
        return _bilinear(img, h, w)


def _bilinear(img, h, w):
    def axis(out, n):
        pos = np.clip((np.arange(out) + 0.5) * (n / out) - 0.5, 0, n - 1)
        lo = np.floor(pos).astype(np.int64)
        return lo, np.minimum(lo + 1, n - 1), (pos - lo).astype(np.float32)

    y0, y1, fy = axis(h, img.shape[0])
    x0, x1, fx = axis(w, img.shape[1])
    f = img.astype(np.float32, copy=False)
    col = (1,) * (img.ndim - 1)  # weights broadcast over the other axes
    fy, fx = fy.reshape((h,) + col), fx.reshape((1, w) + col[1:])
    rows = f[y0] + (f[y1] - f[y0]) * fy  # a + (b - a) t: exact on flat regions
    out = rows[:, x0] + (rows[:, x1] - rows[:, x0]) * fx
    if img.dtype.kind in "ui":
        info = np.iinfo(img.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(img.dtype)
    return out.astype(img.dtype, copy=False)


def _fill_color(op, color, channels, dtype):
    """letterbox's padding colour in the image dtype: one value, or one per channel (more are ignored,
    so that the default gray serves a 1-channel image), finite and within an integer dtype's range."""
    values = real_array(op, "color", color)
    if values.ndim > 1 or (values.size != 1 and values.size < channels):
        raise ValueError(f"{op}: color must have 1 value or one per channel ({channels} for this image), got "
                         f"{values.tolist()!r}")
    values = values.reshape(-1)
    if not np.isfinite(values).all():
        raise ValueError(f"{op}: color must be finite, got {values.tolist()!r}")
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        if values.min() < info.min or values.max() > info.max:
            raise ValueError(f"{op}: color must be in [{info.min}, {info.max}] for a {dtype} image, got "
                             f"{values.tolist()!r}")
    return values.astype(dtype)


def letterbox(image, new_shape=640, color=(114, 114, 114), auto=False, stride=32, scaleup=True):
    """Resizes keeping the aspect ratio and pads to ``new_shape``, as YOLOv5's ``letterbox``.

    ``r = min(new_h / h, new_w / w)`` (at most 1 when not ``scaleup``); the image is resized to
    ``(round(h r), round(w r))`` and padded with ``color`` on both sides, ``(new - resized) / 2`` each
    (the odd pixel at the bottom / right). With ``auto`` the padding is only up to the next multiple
    of ``stride``.

    Returns
    -------
    image : (H', W', C) of the input's dtype
    ratio : (r, r)
    pad : (pad_w, pad_h), the padding added on the left and top before rounding (floats)
    """
    op = "letterbox"
    img = _image(op, image)
    nh, nw = _size(op, "new_shape", new_shape)
    stride = as_int(op, "stride", stride, 1)
    h, w = img.shape[:2]
    r = min(nh / h, nw / w)
    if not scaleup:
        r = min(r, 1.0)
    uw, uh = max(int(round(w * r)), 1), max(int(round(h * r)), 1)  # at least a pixel, however small the target
    dw, dh = nw - uw, nh - uh
    if auto:
        dw, dh = dw % stride, dh % stride
    dw, dh = dw / 2, dh / 2
    if (uh, uw) != (h, w):
        img = _resize_bilinear(op, img, uh, uw)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    channels = 1 if img.ndim == 2 else img.shape[2]
    fill = np.broadcast_to(_fill_color(op, color, channels, img.dtype)[:channels], (channels,))
    with allocating(op, "the padded image", (uh + top + bottom, uw + left + right) + img.shape[2:], img.itemsize):
        out = np.empty((uh + top + bottom, uw + left + right) + img.shape[2:], dtype=img.dtype)
    out[...] = fill if img.ndim == 3 else fill[0]
    out[top:top + uh, left:left + uw] = img
    return out, (r, r), (dw, dh)


def scale_boxes(boxes, ratio, pad, original_shape):
    """Boxes (..., 4) xyxy on a letterboxed image back to the original image: minus the padding,
    divided by the ratio, clipped to ``original_shape`` (height, width). The inverse of
    :func:`letterbox` for boxes (YOLOv5's ``scale_boxes``). float32 and float64 boxes keep their
    dtype, float16 boxes give float32 and integer boxes float64 (the box ops' rule)."""
    op = "scale_boxes"
    b = as_float32_or_64(op, "boxes", boxes).copy()
    if b.ndim < 1 or b.shape[-1] != 4:
        raise ValueError(f"{op}: boxes must have shape (..., 4), got {b.shape}")
    gain = check_finite_scalar(op, "ratio", ratio[0] if np.ndim(ratio) else ratio)
    if gain <= 0:
        raise ValueError(f"{op}: ratio must be > 0, got {ratio!r}")
    pad = finite_reals(op, "pad", pad, 2)
    shape = as_sequence(op, "original_shape", original_shape)
    h, w = _size(op, "original_shape", tuple(shape[:2]) if len(shape) >= 2 else shape, "(height, width, ...)",
                 square=False)
    b[..., [0, 2]] -= pad[0]
    b[..., [1, 3]] -= pad[1]
    b /= gain
    b[..., [0, 2]] = b[..., [0, 2]].clip(0, w)
    b[..., [1, 3]] = b[..., [1, 3]].clip(0, h)
    return b


def normalize(image, mean, std):
    """``(image - mean) / std`` per channel (the last axis), in float32."""
    op = "normalize"
    img = _image(op, image).astype(np.float32)
    mean, std = _per_channel(op, "mean", mean, img), _per_channel(op, "std", std, img)
    if (std == 0).any():
        raise ValueError(f"{op}: std must not be 0, got {std.tolist()}")
    return (img - mean) / std


def to_blob(images, scale=1.0, size=None, mean=0.0, swap_rb=False, dtype=np.float32, *, device="cpu"):
    """HWC images to an NCHW batch, as OpenCV's ``cv2.dnn.blobFromImages`` (no crop).

    Each image is resized to ``size`` = (width, height) when given (bilinear, :func:`resize_bilinear`),
    then ``out[n, c, y, x] = (image[y, x, s] - mean[c]) * scale`` in float32, with ``s = C - 1 - c``
    when ``swap_rb`` (RGB <-> BGR), else ``c``.

    Parameters
    ----------
    images : array_like (H, W, C) or a list of them (all the same size after resizing)
        Real numbers: uint8 pixels are read as they are, other dtypes converted to float32 once.
    scale : float
        Finite; applied in float32 after the mean.
    size : (int, int), optional
        (width, height), as OpenCV.
    mean : float or sequence of C floats
        Finite; one value for every channel, or one per channel in the order after the swap.
    swap_rb : bool
    dtype : np.float32 or np.uint8
        np.uint8 (OpenCV's ``CV_8U``) gives the pixels themselves in NCHW order: uint8 images only,
        with scale 1 and mean 0.
    device : "cpu" or "cuda", keyword only
        Where it runs, as the ops' ``device``.

    Returns
    -------
    ndarray of ``dtype``, shape (N, C, H, W) (N = 1 for a single image).

    Raises
    ------
    TypeError for non-numeric images or a dtype other than float32 / uint8 (uint8 also for
    non-uint8 images); ValueError for images that are not (H, W, C) with H, W, C >= 1, sizes that
    differ, a mean of another length, non-finite scale or mean, or scale / mean with dtype uint8.

    Notes
    -----
    The layout change runs in C++ (the active ISA's shuffles, rows over the threads): several
    times faster than NumPy's transposing copy, which moves one element at a time.
    """
    op = "to_blob"
    if isinstance(images, np.ndarray) and images.ndim not in (3, 4):
        raise ValueError(f"{op}: images must be an (H, W, C) image, an (N, H, W, C) batch or a list of images, got "
                         f"shape {images.shape}")
    batch = [images] if isinstance(images, np.ndarray) and images.ndim == 3 else as_sequence(op, "images", images)
    if not batch:
        raise ValueError(f"{op}: images must hold at least one image")
    mean = as_float64(op, "mean", mean)
    if mean.ndim > 1 or mean.size == 0:
        raise ValueError(f"{op}: mean must be a number or one number per channel, got {mean!r}")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{op}: dtype must be np.float32 or np.uint8, got {dtype!r}") from None
    if dtype not in (np.float32, np.uint8):
        raise TypeError(f"{op}: dtype must be np.float32 or np.uint8, got {dtype}")
    prepared = []
    for img in batch:
        img = real_array(op, "images", img)  # before np.stack, which would promote a bool image
        if img.ndim != 3:
            raise ValueError(f"{op}: each image must have 3 dimensions (H, W, C), got shape {img.shape}")
        if size is not None:
            w, h = _size(op, "size", size, "(width, height)", square=False)
            img = _resize_bilinear(op, _image(op, img), h, w)
        prepared.append(img)
    shapes = {img.shape for img in prepared}
    if len(shapes) != 1:
        raise ValueError(f"{op}: images must all have the same shape (give size), got {sorted(shapes)}")
    stacked = prepared[0][None] if len(prepared) == 1 else np.stack(prepared)
    pixels = uint8_pixels(stacked, (4,))
    stacked = pixels if pixels is not None else as_float32(op, "images", stacked)
    return _cvcore.to_blob(stacked, as_float(op, "scale", scale), mean.reshape(-1).tolist(), bool(swap_rb),
                           dtype == np.uint8, as_str(op, "device", device))
