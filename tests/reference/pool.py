"""Reference 2-D pooling, written from PyTorch's documented definitions with explicit windows.

Values are computed in float64; inputs are (N, C, H, W). Indices are flat h * W + w in each plane.
"""

import numpy as np

from .conv import output_size


def _first_tap(start, dilation):
    """The first of start, start + dilation, ... that is >= 0."""
    while start < 0:
        start += dilation
    return start


def _max_taps(vals, flat):
    """max and its index over the last axis of vals (N, C, T): the first maximum, or the last NaN."""
    nan = np.isnan(vals)
    has_nan = nan.any(axis=-1)
    last_nan = vals.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    first_max = np.argmax(np.where(nan, -np.inf, vals), axis=-1)  # argmax returns the first maximum
    best = np.take_along_axis(vals, first_max[..., None], axis=-1)[..., 0]
    return np.where(has_nan, np.nan, best), np.asarray(flat, np.int64)[np.where(has_nan, last_nan, first_max)]


def max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """(out, indices); out[..., i, j] is the max over the window's taps inside the input."""
    x = np.asarray(x, np.float64)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho = output_size(h, kh, sh, ph, ph, dh, ceil_mode)
    wo = output_size(w, kw, sw, pw, pw, dw, ceil_mode)
    out = np.empty((n, c, ho, wo))
    idx = np.empty((n, c, ho, wo), np.int64)
    for i in range(ho):
        for j in range(wo):
            rows = [i * sh - ph + a * dh for a in range(kh)]
            cols = [j * sw - pw + b * dw for b in range(kw)]
            taps = [(r, q) for r in rows for q in cols if 0 <= r < h and 0 <= q < w]  # row-major
            if not taps:  # PyTorch: -inf, and the first tap at or after 0 along each axis
                out[:, :, i, j] = -np.inf
                idx[:, :, i, j] = _first_tap(rows[0], dh) * w + _first_tap(cols[0], dw)
                continue
            vals = np.stack([x[:, :, r, q] for r, q in taps], axis=-1)
            out[:, :, i, j], idx[:, :, i, j] = _max_taps(vals, [r * w + q for r, q in taps])
    return out, idx


def avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """Window sum / divisor: divisor_override, else the window clipped to [-pad, size + pad) when
    count_include_pad, else the number of input values in it."""
    x = np.asarray(x, np.float64)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho = output_size(h, kh, sh, ph, ph, 1, ceil_mode)
    wo = output_size(w, kw, sw, pw, pw, 1, ceil_mode)
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, q0 = i * sh - ph, j * sw - pw
            r1, q1 = r0 + kh, q0 + kw
            inside = x[:, :, max(r0, 0):min(r1, h), max(q0, 0):min(q1, w)]
            if divisor_override is not None:
                divisor = divisor_override
            elif count_include_pad:
                divisor = (min(r1, h + ph) - max(r0, -ph)) * (min(q1, w + pw) - max(q0, -pw))
            else:
                divisor = inside.shape[2] * inside.shape[3]
            out[:, :, i, j] = inside.sum(axis=(2, 3)) / divisor
    return out


def avg_pool2d_float32(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override,
                       float32_values=64):
    """avg_pool2d in float32 as the op rounds it: a window of at most ``float32_values`` values sums
    them in float32 in row-major order and divides by the divisor in float32 (PyTorch's CPU kernel);
    a larger window is avg_pool2d's float64 mean rounded to float32. The divisor is avg_pool2d's."""
    x = np.asarray(x, np.float32)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    wide = avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override).astype(np.float32)
    out = np.empty_like(wide)
    for i in range(wide.shape[2]):
        for j in range(wide.shape[3]):
            r0, q0 = i * sh - ph, j * sw - pw
            rows, cols = range(max(r0, 0), min(r0 + kh, h)), range(max(q0, 0), min(q0 + kw, w))
            if len(rows) * len(cols) > float32_values:
                out[:, :, i, j] = wide[:, :, i, j]
                continue
            if divisor_override is not None:
                divisor = divisor_override
            elif count_include_pad:
                divisor = (min(r0 + kh, h + ph) - max(r0, -ph)) * (min(q0 + kw, w + pw) - max(q0, -pw))
            else:
                divisor = len(rows) * len(cols)
            s = np.zeros((n, c), np.float32)
            for r in rows:
                for q in cols:
                    s = s + x[:, :, r, q]  # float32 + float32: one rounding per value
            out[:, :, i, j] = s / np.float32(divisor)
    return out


def _adaptive_bounds(i, size, out):
    """[floor(i * size / out), ceil((i + 1) * size / out))."""
    return (i * size) // out, -((-(i + 1) * size) // out)


def adaptive_avg_pool2d(x, output_size):
    x = np.asarray(x, np.float64)
    n, c, h, w = x.shape
    ho, wo = output_size
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        r0, r1 = _adaptive_bounds(i, h, ho)
        for j in range(wo):
            q0, q1 = _adaptive_bounds(j, w, wo)
            out[:, :, i, j] = x[:, :, r0:r1, q0:q1].mean(axis=(2, 3))
    return out


def adaptive_max_pool2d(x, output_size):
    x = np.asarray(x, np.float64)
    n, c, h, w = x.shape
    ho, wo = output_size
    out = np.empty((n, c, ho, wo))
    idx = np.empty((n, c, ho, wo), np.int64)
    for i in range(ho):
        r0, r1 = _adaptive_bounds(i, h, ho)
        for j in range(wo):
            q0, q1 = _adaptive_bounds(j, w, wo)
            taps = [(r, q) for r in range(r0, r1) for q in range(q0, q1)]
            vals = np.stack([x[:, :, r, q] for r, q in taps], axis=-1)
            out[:, :, i, j], idx[:, :, i, j] = _max_taps(vals, [r * w + q for r, q in taps])
    return out, idx
