"""roi_align and roi_pool written as straight loops from torchvision's definitions.

The RoI geometry (scaled corners, bin sizes, sample positions, rounding) follows torchvision's
float32 arithmetic, done here on NumPy float32 scalars so that the discrete decisions (which
pixels a bin covers, whether a sample is inside the map) are the operator's; the interpolation and
averaging are then done in float64.
"""

import math

import numpy as np

f32 = np.float32
FLT_MAX = float(np.finfo(np.float32).max)


def _bilinear(plane, y, x):
    """plane (C, H, W) float64 at (y, x): 0 outside [-1, H] x [-1, W], clamped to the border."""
    _, height, width = plane.shape
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return np.zeros(plane.shape[0])
    y, x = max(float(y), 0.0), max(float(x), 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= height - 1:
        y0 = y1 = height - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= width - 1:
        x0 = x1 = width - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    hy, hx = 1.0 - ly, 1.0 - lx
    return (hy * hx * plane[:, y0, x0] + hy * lx * plane[:, y0, x1] + ly * hx * plane[:, y1, x0]
            + ly * lx * plane[:, y1, x1])


def roi_align(x, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1, aligned=False):
    """x (N, C, H, W), boxes (K, 5) -> (K, C, PH, PW) float64."""
    x = np.asarray(x, np.float64)
    boxes = np.asarray(boxes, np.float32)
    ph_n, pw_n = output_size
    out = np.zeros((boxes.shape[0], x.shape[1], ph_n, pw_n))
    scale, offset = f32(spatial_scale), f32(0.5 if aligned else 0.0)
    for k, row in enumerate(boxes):
        plane = x[int(row[0])]
        x1, y1, x2, y2 = (f32(v) * scale - offset for v in row[1:])
        roi_w, roi_h = x2 - x1, y2 - y1
        if not aligned:
            roi_w, roi_h = max(roi_w, f32(1)), max(roi_h, f32(1))
        bin_h, bin_w = roi_h / f32(ph_n), roi_w / f32(pw_n)
        grid_h = sampling_ratio if sampling_ratio > 0 else max(math.ceil(roi_h / f32(ph_n)), 0)
        grid_w = sampling_ratio if sampling_ratio > 0 else max(math.ceil(roi_w / f32(pw_n)), 0)
        count = max(grid_h * grid_w, 1)
        for ph in range(ph_n):
            for pw in range(pw_n):
                total = np.zeros(x.shape[1])
                for iy in range(grid_h):
                    y = y1 + f32(ph) * bin_h + (f32(iy) + f32(0.5)) * bin_h / f32(grid_h)
                    for ix in range(grid_w):
                        xx = x1 + f32(pw) * bin_w + (f32(ix) + f32(0.5)) * bin_w / f32(grid_w)
                        total += _bilinear(plane, y, xx)
                out[k, :, ph, pw] = total / count
    return out


def _c_round(v):
    """C's round(): half away from zero."""
    v = float(v)
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def roi_pool(x, boxes, output_size, spatial_scale=1.0):
    """x (N, C, H, W), boxes (K, 5) -> (out (K, C, PH, PW) float64, argmax int64)."""
    x = np.asarray(x, np.float64)
    boxes = np.asarray(boxes, np.float32)
    _, channels, height, width = x.shape
    ph_n, pw_n = output_size
    out = np.zeros((boxes.shape[0], channels, ph_n, pw_n))
    argmax = np.full(out.shape, -1, np.int64)
    scale = f32(spatial_scale)
    for k, row in enumerate(boxes):
        plane = x[int(row[0])]
        x1, y1, x2, y2 = (_c_round(f32(v) * scale) for v in row[1:])
        roi_w, roi_h = max(x2 - x1 + 1, 1), max(y2 - y1 + 1, 1)
        bin_h, bin_w = f32(roi_h) / f32(ph_n), f32(roi_w) / f32(pw_n)
        for ph in range(ph_n):
            hs = min(max(math.floor(f32(ph) * bin_h) + y1, 0), height)
            he = min(max(math.ceil(f32(ph + 1) * bin_h) + y1, 0), height)
            for pw in range(pw_n):
                ws = min(max(math.floor(f32(pw) * bin_w) + x1, 0), width)
                we = min(max(math.ceil(f32(pw + 1) * bin_w) + x1, 0), width)
                if he <= hs or we <= ws:
                    continue  # empty bin: 0, argmax -1
                for c in range(channels):
                    best, index = -FLT_MAX, -1
                    for h in range(hs, he):
                        for w in range(ws, we):
                            if plane[c, h, w] > best:  # strict: the first maximum; NaN never wins
                                best, index = plane[c, h, w], h * width + w
                    out[k, c, ph, pw], argmax[k, c, ph, pw] = best, index
    return out, argmax
