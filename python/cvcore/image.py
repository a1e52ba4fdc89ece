"""Reading, writing and annotating images with NumPy only: PNG through the standard library's zlib,
JPEG and other formats through Pillow when it is installed.

Images are ``(H, W, 3)`` uint8 RGB arrays, as :class:`cvcore.detection.MTCNN` takes them.
"""

import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ._validation import as_float64, as_int, real_array

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour type -> samples per pixel (gray, RGB, palette, gray + alpha, RGBA).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _path(op, file):
    """file as a Path: a str or path-like, else TypeError."""
    if not isinstance(file, (str, os.PathLike)):
        raise TypeError(f"{op}: file must be a str or path-like, got {type(file).__name__}")
    return Path(file)


def _png_chunks(data, source):
    """(type, payload) of every chunk after the signature, CRCs checked."""
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError(f"read_png: {source} is truncated (incomplete chunk header at byte {pos})")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length
        if end + 4 > len(data):
            raise ValueError(f"read_png: {source} is truncated (chunk {kind!r} runs past the end)")
        payload = data[pos + 8:end]
        (crc,) = struct.unpack(">I", data[end:end + 4])
        if zlib.crc32(kind + payload) != crc:
            raise ValueError(f"read_png: {source} is corrupt (bad CRC in chunk {kind!r})")
        yield kind, payload
        if kind == b"IEND":
            return
        pos = end + 4
    raise ValueError(f"read_png: {source} is truncated (no IEND chunk)")


def _unfilter(raw, height, width, channels):
    """Undo the PNG row filters (None, Sub, Up, Average, Paeth) of 8-bit samples.

    Sample (r, x) depends on its left (r, x - 1), upper (r - 1, x) and upper-left neighbours, so all
    samples on one anti-diagonal ``r + x = d`` are independent: the loop runs over the H + W - 1
    anti-diagonals and decodes each one at once, whatever mix of filters the rows use.
    """
    filters = raw[:, 0].astype(np.int32)
    if filters.size and filters.max() > 4:
        bad = int(filters.max())
        raise ValueError(f"read_png: unknown row filter type {bad} (PNG defines 0 to 4)")
    data = raw[:, 1:].reshape(height, width, channels).astype(np.int32)
    if (filters == 0).all():
        return data.astype(np.uint8)
    out = np.zeros((height + 1, width + 1, channels), np.int32)  # a zero row above and column on the left
    rows_all = np.arange(height)
    for d in range(height + width - 1):
        r = rows_all[max(0, d - width + 1):min(height, d + 1)]
        x = d - r
        a = out[r + 1, x]       # left
        b = out[r, x + 1]       # up
        c = out[r, x]           # upper left
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        f = filters[r][:, None]
        pred = np.select([f == 0, f == 1, f == 2, f == 3], [0, a, b, (a + b) >> 1], paeth)
        out[r + 1, x + 1] = (data[r, x] + pred) & 255
    return out[1:, 1:].astype(np.uint8)


def read_png(file):
    """Decode a PNG file into an array.

    Parameters
    ----------
    file : str, path-like or bytes
        A file name, or the file's content.

    Returns
    -------
    ndarray uint8, shape (H, W, C)
        C = 1 (gray), 2 (gray + alpha), 3 (RGB, also for palette images) or 4 (RGBA).

    Raises
    ------
    ValueError
        For data that is not PNG, truncated or corrupt (CRC, zlib), and for the variants not supported:
        bit depths other than 8 and interlaced (Adam7) images.
    """
    if isinstance(file, (bytes, bytearray)):
        data, source = bytes(file), "the data"
    else:
        data, source = _path("read_png", file).read_bytes(), str(file)
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"read_png: {source} is not a PNG file (bad signature)")
    header, palette, idat = None, None, []
    for kind, payload in _png_chunks(data, source):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", payload)
        elif kind == b"PLTE":
            palette = np.frombuffer(payload, np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat.append(payload)
    if header is None:
        raise ValueError(f"read_png: {source} has no IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    if color not in _PNG_CHANNELS:
        raise ValueError(f"read_png: {source} has an invalid colour type {color}")
    if depth != 8:
        raise ValueError(f"read_png: only 8-bit PNG is supported, {source} has bit depth {depth}")
    if interlace:
        raise ValueError(f"read_png: interlaced PNG is not supported ({source})")
    if color == 3 and palette is None:
        raise ValueError(f"read_png: {source} is a palette image without a PLTE chunk")
    channels = _PNG_CHANNELS[color]
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise ValueError(f"read_png: {source} has corrupt image data ({e})") from None
    if len(raw) != height * (1 + width * channels):
        raise ValueError(f"read_png: {source} holds {len(raw)} bytes of image data, expected "
                         f"{height * (1 + width * channels)} for {width}x{height}")
    pixels = _unfilter(np.frombuffer(raw, np.uint8).reshape(height, 1 + width * channels), height, width, channels)
    if color == 3:
        if pixels.size and pixels.max() >= len(palette):
            raise ValueError(f"read_png: {source} uses palette index {pixels.max()} of a {len(palette)}-entry palette")
        pixels = palette[pixels[..., 0]]
    return pixels


def _chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def write_png(file, image):
    """Encode an array as an 8-bit PNG file (gray, gray + alpha, RGB or RGBA).

    Each row gets the filter None, Sub or Up whichever leaves the smallest sum of absolute
    differences (the usual heuristic), then the data is deflated with zlib.

    Parameters
    ----------
    file : str or path-like
    image : array_like uint8, shape (H, W) or (H, W, C) with C in 1, 2, 3, 4
        H, W >= 1.

    Raises
    ------
    TypeError for a dtype other than uint8; ValueError for another shape.
    """
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise TypeError(f"write_png: image must be uint8, got dtype {img.dtype}")
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3 or img.shape[2] not in (1, 2, 3, 4) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"write_png: image must have shape (H, W) or (H, W, C) with C in 1..4 and H, W >= 1, "
                         f"got {np.shape(image)}")
    height, width, channels = img.shape
    rows = img.reshape(height, width * channels).astype(np.int16)
    candidates = np.stack([rows,
                           rows - np.pad(rows, ((0, 0), (channels, 0)))[:, :-channels],  # Sub
                           rows - np.pad(rows, ((1, 0), (0, 0)))[:-1]])  # Up
    filtered = (candidates & 255).astype(np.uint8)
    cost = np.abs(filtered.view(np.int8).astype(np.int32)).sum(axis=2)  # (3, H)
    best = cost.argmin(axis=0)
    body = np.concatenate([best[:, None].astype(np.uint8), filtered[best, np.arange(height)]], axis=1)
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    png = (_PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(body.tobytes(), 6)) + _chunk(b"IEND", b""))
    _path("write_png", file).write_bytes(png)


def _to_rgb(pixels):
    """(H, W, C) uint8 with C in 1..4 as (H, W, 3) RGB: gray is repeated, alpha dropped."""
    if pixels.shape[2] in (1, 2):
        return np.repeat(pixels[:, :, :1], 3, axis=2)
    return np.ascontiguousarray(pixels[:, :, :3])


def read_image(file):
    """Read an image file as an RGB uint8 array of shape (H, W, 3).

    PNG files (8-bit, non-interlaced) are decoded by :func:`read_png`, with no dependency; gray is
    repeated into three channels and an alpha channel is dropped (not composited). Other formats
    (JPEG, BMP, ...) are read with Pillow when it is installed.

    Raises
    ------
    FileNotFoundError when the file does not exist; ValueError for a PNG that cannot be decoded, or
    for another format when Pillow is not installed (the message says so).
    """
    path = _path("read_image", file)
    with path.open("rb") as f:
        head = f.read(len(_PNG_SIGNATURE))
    if head == _PNG_SIGNATURE:
        return _to_rgb(read_png(path))
    try:
        from PIL import Image
    except ImportError:
        raise ValueError(f"read_image: {path} is not a PNG file; reading other formats (JPEG, ...) needs Pillow "
                         "(pip install pillow)") from None
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def _finite_rows(op, name, value, width):
    """value as finite float64 rows of ``width`` numbers (its last axis; an empty array has none)."""
    arr = as_float64(op, name, value)
    if arr.size and (arr.ndim == 0 or arr.shape[-1] != width):
        raise ValueError(f"{op}: {name} must have shape (..., {width}), got {arr.shape}")
    arr = arr.reshape(-1, width)
    if not np.isfinite(arr).all():
        raise ValueError(f"{op}: {name} must be finite, got {arr[~np.isfinite(arr).all(axis=1)][0].tolist()}")
    return arr


def _rgb(op, name, value):
    """An RGB colour: three numbers in [0, 255]."""
    arr = real_array(op, name, value)
    if arr.shape != (3,) or not (np.isfinite(arr).all() and (arr >= 0).all() and (arr <= 255).all()):
        raise ValueError(f"{op}: {name} must be three numbers (R, G, B) in [0, 255], got {arr.tolist()!r}")
    return arr.astype(np.uint8)


def draw_detections(image, boxes, points=None, color=(255, 0, 0), point_color=(0, 255, 0), thickness=2):
    """A copy of an RGB image with box outlines and landmark points drawn on it.

    Parameters
    ----------
    image : ndarray uint8, shape (H, W, 3)
    boxes : array_like, shape (K, 4)
        ``x1, y1, x2, y2`` in pixels; rounded to the nearest pixel and clipped to the image (a box
        entirely outside it draws nothing).
    points : array_like, shape (K, P, 2), optional
        ``x, y`` points (e.g. MTCNN's five landmarks), each drawn as a filled square of side
        ``2 * thickness + 1``.
    color, point_color : (int, int, int)
        RGB colours of the outlines and of the points.
    thickness : int
        Outline width in pixels (>= 1), drawn inside the box.

    Returns
    -------
    ndarray uint8, shape (H, W, 3)
    """
    op = "draw_detections"
    img = np.asarray(image)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"{op}: image must be a (H, W, 3) uint8 array, got shape {img.shape} "
                         f"and dtype {img.dtype}")
    b = _finite_rows(op, "boxes", boxes, 4)
    color, point_color = _rgb(op, "color", color), _rgb(op, "point_color", point_color)
    t = as_int(op, "thickness", thickness, minimum=1)
    out = img.copy()
    height, width = out.shape[:2]
    # Python ints: coordinates far outside the image (and any thickness) cannot overflow.
    for x1, y1, x2, y2 in (map(int, row) for row in np.rint(b).tolist()):
        # Slices of the outline's four bands, bounds clipped to the image (x2, y2 inclusive).
        rows = [min(max(v, 0), height) for v in (y1, min(y1 + t, y2 + 1), max(y2 + 1 - t, y1), y2 + 1)]
        cols = [min(max(v, 0), width) for v in (x1, min(x1 + t, x2 + 1), max(x2 + 1 - t, x1), x2 + 1)]
        out[rows[0]:rows[1], cols[0]:cols[3]] = color  # top
        out[rows[2]:rows[3], cols[0]:cols[3]] = color  # bottom
        out[rows[0]:rows[3], cols[0]:cols[1]] = color  # left
        out[rows[0]:rows[3], cols[2]:cols[3]] = color  # right
    if points is not None:
        p = _finite_rows(op, "points", points, 2)
        for x, y in (map(int, row) for row in np.rint(p).tolist()):
            out[max(y - t, 0):max(y + t + 1, 0), max(x - t, 0):max(x + t + 1, 0)] = point_color
    return out
