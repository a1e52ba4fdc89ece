"""cvcore.image: the zlib PNG reader and writer (against an encoder written here that uses every
PNG row filter), read_image and draw_detections."""

import struct
import zlib

import numpy as np
import pytest

from cvcore.image import draw_detections, read_image, read_png, write_png


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def encode_png(pixels, filters, color=None, depth=8, interlace=0, palette=None):
    """A plain PNG encoder: row r gets filter filters[r % len(filters)], sample by sample (the spec)."""
    h, w, ch = pixels.shape
    color = {1: 0, 2: 4, 3: 2, 4: 6}[ch] if color is None else color
    bpp = ch
    body = bytearray()
    prior = [0] * (w * ch)
    for r in range(h):
        row = [int(v) for v in pixels[r].reshape(-1)]
        f = filters[r % len(filters)]
        out = []
        for i, v in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][f]
            out.append((v - pred) & 255)
        body += bytes([f] + out)
        prior = row

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace))
    if palette is not None:
        png += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    data = zlib.compress(bytes(body))
    return png + chunk(b"IDAT", data[:7]) + chunk(b"IDAT", data[7:]) + chunk(b"IEND", b"")


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4], [4, 3, 2, 1, 0, 4]])
def test_read_png_every_filter(rng, channels, filters):
    pixels = rng.integers(0, 256, (7, 5, channels), dtype=np.uint8)
    pixels[2] = pixels[1]  # repeated and smooth content exercises the predictors' ties
    pixels[:, 3] = 200
    np.testing.assert_array_equal(read_png(encode_png(pixels, filters)), pixels)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (13, 17, 1), (13, 17, 2), (8, 21, 3), (5, 4, 4)])
def test_write_read_round_trip(rng, tmp_path, shape):
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    img[: shape[0] // 2] = 77  # flat rows favour Up / Sub, noisy rows None
    path = tmp_path / "x.png"
    write_png(path, img)
    back = read_png(path)
    np.testing.assert_array_equal(back, img.reshape(shape[0], shape[1], -1))
    np.testing.assert_array_equal(read_png(path.read_bytes()), back)


def test_palette_and_read_image_conversions(rng, tmp_path):
    palette = rng.integers(0, 256, (6, 3))
    index = rng.integers(0, 6, (4, 5, 1), dtype=np.uint8)
    rgb = read_png(encode_png(index, [4], color=3, palette=palette))
    np.testing.assert_array_equal(rgb, palette[index[..., 0]])
    gray = rng.integers(0, 256, (3, 4), dtype=np.uint8)
    write_png(tmp_path / "g.png", gray)
    np.testing.assert_array_equal(read_image(tmp_path / "g.png"), np.repeat(gray[..., None], 3, axis=2))
    rgba = rng.integers(0, 256, (3, 4, 4), dtype=np.uint8)
    write_png(tmp_path / "a.png", rgba)
    out = read_image(tmp_path / "a.png")
    assert out.shape == (3, 4, 3) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, rgba[..., :3])


def test_read_png_errors(tmp_path):
    good = encode_png(np.zeros((2, 2, 3), np.uint8), [0])
    with pytest.raises(ValueError, match="not a PNG"):
        read_png(b"GIF89a" + good)
    with pytest.raises(ValueError, match="truncated"):
        read_png(good[:-20])
    bad_crc = bytearray(good)
    bad_crc[30] ^= 1  # inside IHDR's payload
    with pytest.raises(ValueError, match="CRC"):
        read_png(bytes(bad_crc))
    with pytest.raises(ValueError, match="bit depth 16"):
        read_png(encode_png(np.zeros((2, 2, 3), np.uint8), [0], depth=16))
    with pytest.raises(ValueError, match="interlaced"):
        read_png(encode_png(np.zeros((2, 2, 3), np.uint8), [0], interlace=1))
    with pytest.raises(ValueError, match="PLTE"):
        read_png(encode_png(np.zeros((2, 2, 1), np.uint8), [0], color=3))
    with pytest.raises(ValueError, match="palette index 5"):
        read_png(encode_png(np.full((2, 2, 1), 5, np.uint8), [0], color=3, palette=np.zeros((2, 3))))
    with pytest.raises(ValueError, match="filter type 7"):
        read_png(_with_filter_byte(7))
    with pytest.raises(FileNotFoundError):
        read_png(tmp_path / "missing.png")


def _with_filter_byte(f):
    """A 1x1 RGB PNG whose row filter byte is f."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([f, 1, 2, 3]))) + chunk(b"IEND", b""))


def test_write_png_errors(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        write_png(tmp_path / "x.png", np.zeros((2, 2, 3), np.float32))
    for shape in [(2, 2, 5), (2,), (0, 3, 3), (2, 2, 3, 1)]:
        with pytest.raises(ValueError, match="shape"):
            write_png(tmp_path / "x.png", np.zeros(shape, np.uint8))


def test_read_image_other_formats_need_pillow(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    try:
        import PIL  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="Pillow"):
            read_image(path)
    else:
        pytest.skip("Pillow is installed: the no-Pillow message cannot be checked")


def outline_mask(h, w, box, t):
    """Reference: pixels within t of the border of the inclusive box, inside the image."""
    x1, y1, x2, y2 = box
    yy, xx = np.mgrid[0:h, 0:w]
    inside = (xx >= x1) & (xx <= x2) & (yy >= y1) & (yy <= y2)
    core = (xx >= x1 + t) & (xx <= x2 - t) & (yy >= y1 + t) & (yy <= y2 - t)
    return inside & ~core


@pytest.mark.parametrize("box", [(2, 3, 10, 8), (-5, -4, 6, 7), (10, 5, 40, 40), (3, 3, 3, 3), (-9, -9, -2, -2),
                                 (2.4, 2.6, 9.5, 12.2)])
@pytest.mark.parametrize("t", [1, 2, 5])
def test_draw_detections_outline(box, t):
    img = np.zeros((16, 20, 3), np.uint8)
    out = draw_detections(img, [box], color=(255, 10, 20), thickness=t)
    want = outline_mask(16, 20, np.rint(box).astype(int), t)
    np.testing.assert_array_equal(out[..., 0] == 255, want)
    assert (out[want] == (255, 10, 20)).all()
    assert not img.any()  # the input is not modified


def test_draw_detections_points_and_errors():
    img = np.zeros((10, 10, 3), np.uint8)
    out = draw_detections(img, np.zeros((0, 4)), points=[[[5, 5], [0, 9], [-3, 4]]], point_color=(1, 2, 3),
                          thickness=1)
    yy, xx = np.mgrid[0:10, 0:10]
    want = ((abs(xx - 5) <= 1) & (abs(yy - 5) <= 1)) | ((xx <= 1) & (yy >= 8))
    np.testing.assert_array_equal(out.any(axis=2), want)
    with pytest.raises(ValueError, match="uint8"):
        draw_detections(img.astype(np.float32), [])
    with pytest.raises(ValueError, match="finite"):
        draw_detections(img, [[0, 0, np.nan, 1]])
    with pytest.raises(ValueError, match="thickness"):
        draw_detections(img, [[0, 0, 1, 1]], thickness=0)
