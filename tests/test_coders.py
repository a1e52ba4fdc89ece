"""Box coders and YOLO decoders against straightforward loop references, and encode/decode round trips."""

import math
import re

import numpy as np
import pytest

from cvcore.detection import (anchor_points, rcnn_decode, rcnn_encode, retinaface_priors, ssd_decode,
                              ssd_decode_points, ssd_encode, ssd_encode_points, ssd_priors, yolo_anchor_free_decode,
                              yolo_decode)
from reference import retinaface as ref_retinaface


def random_boxes(rng, n, size=500.0, sides=(1, 200)):
    xy = rng.uniform(0, size, (n, 2))
    return np.concatenate([xy, xy + rng.uniform(*sides, (n, 2))], 1)


def priors_reference(image_size, feature_maps, steps, min_sizes, max_sizes, aspect_ratios, clip):
    out = []
    for k, f in enumerate(feature_maps):
        for i in range(f):
            for j in range(f):
                f_k = image_size / steps[k]
                cx, cy = (j + 0.5) / f_k, (i + 0.5) / f_k
                s = min_sizes[k] / image_size
                out.append([cx, cy, s, s])
                sp = math.sqrt(s * (max_sizes[k] / image_size))
                out.append([cx, cy, sp, sp])
                for r in aspect_ratios[k]:
                    out.append([cx, cy, s * math.sqrt(r), s / math.sqrt(r)])
                    out.append([cx, cy, s / math.sqrt(r), s * math.sqrt(r)])
    out = np.array(out)
    return np.clip(out, 0, 1) if clip else out


@pytest.mark.parametrize("clip", [True, False])
def test_ssd300_priors(clip):
    cfg = dict(image_size=300, feature_maps=(38, 19, 10, 5, 3, 1), steps=(8, 16, 32, 64, 100, 300),
               min_sizes=(30, 60, 111, 162, 213, 264), max_sizes=(60, 111, 162, 213, 264, 315),
               aspect_ratios=((2,), (2, 3), (2, 3), (2, 3), (2,), (2,)))
    p = ssd_priors(**cfg, clip=clip)
    assert p.shape == (8732, 4)
    np.testing.assert_allclose(p, priors_reference(**cfg, clip=clip), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(p, ssd_priors(clip=clip))  # SSD300 is the default


def test_ssd_priors_errors():
    with pytest.raises(ValueError, match="steps must have one entry per feature map"):
        ssd_priors(feature_maps=(2, 1), steps=(8,), min_sizes=(1, 2), max_sizes=(2, 3), aspect_ratios=((2,), (2,)))
    with pytest.raises(ValueError, match=r"^ssd_priors: feature_maps\[0\] must be >= 1, got 0$"):
        ssd_priors(feature_maps=(0,), steps=(8,), min_sizes=(1,), max_sizes=(2,), aspect_ratios=((2,),))
    with pytest.raises(ValueError, match=r"^ssd_priors: aspect_ratios\[0\]\[1\] must be a finite number > 0, got 0$"):
        ssd_priors(feature_maps=(2,), steps=(8,), min_sizes=(1,), max_sizes=(2,), aspect_ratios=((2, 0),))


def test_ssd_round_trip_and_formula(rng):
    priors = ssd_priors(clip=False)[:500]
    boxes = random_boxes(rng, 500, 1.0) / 3
    loc = ssd_encode(boxes, priors)
    np.testing.assert_allclose(ssd_decode(loc, priors), boxes, rtol=1e-12, atol=1e-12)
    cx, cy, w, h = priors[7]
    b = boxes[7]
    expected = [((b[0] + b[2]) / 2 - cx) / (0.1 * w), ((b[1] + b[3]) / 2 - cy) / (0.1 * h),
                math.log((b[2] - b[0]) / w) / 0.2, math.log((b[3] - b[1]) / h) / 0.2]
    np.testing.assert_allclose(loc[7], expected, rtol=1e-12)
    batched = ssd_decode(np.stack([loc, loc]), priors)  # (N, P, 4) with shared priors
    np.testing.assert_array_equal(batched[1], ssd_decode(loc, priors))


@pytest.mark.parametrize("height, width", [(480, 640), (512, 512), (1, 1), (7, 9), (33, 65), (100, 17)])
def test_retinaface_priors(height, width):
    p = retinaface_priors((height, width))
    expected = ref_retinaface.priors(height, width)
    assert p.dtype == np.float64 and p.shape == expected.shape
    np.testing.assert_array_equal(p, expected)
    if (height, width) == (480, 640):
        assert len(p) == 12600  # what the model outputs for a 640x480 image
    np.testing.assert_array_equal(retinaface_priors((height, width), clip=True), np.clip(expected, 0, 1))


def test_retinaface_priors_options():
    np.testing.assert_array_equal(retinaface_priors(40), retinaface_priors((40, 40)))
    p = retinaface_priors((10, 30), steps=[4, 10], min_sizes=[[3], [5, 7.5, 20]])
    np.testing.assert_array_equal(p, ref_retinaface.priors(10, 30, (4, 10), ((3,), (5, 7.5, 20))))
    assert len(p) == 3 * 8 + 1 * 3 * 3


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(image_size=0), ValueError, "retinaface_priors: image_size must be >= 1, got 0"),
    (dict(image_size=(4, 4, 4)), ValueError, "retinaface_priors: image_size must be an int or a pair of ints, got (4, 4, 4)"),
    (dict(image_size=4.5), TypeError, "retinaface_priors: image_size must be an int, got 4.5"),
    (dict(image_size=8, steps=()), ValueError, "retinaface_priors: steps must list at least one level's step, got []"),
    (dict(image_size=8, steps=(8, 0), min_sizes=((1,), (2,))), ValueError, "retinaface_priors: steps[1] must be >= 1, got 0"),
    (dict(image_size=8, steps=(8,)), ValueError, "retinaface_priors: min_sizes must have 1 items, got 3"),
    (dict(image_size=8, steps=(8,), min_sizes=((1, -2),)), ValueError,
     "retinaface_priors: min_sizes[0][1] must be a finite number > 0, got -2"),
    (dict(image_size=8, steps=(8,), min_sizes=((),)), ValueError, "retinaface_priors: min_sizes[0] must list at least one size, got []"),
    (dict(image_size=8, steps=(8,), min_sizes=(16,)), TypeError, "retinaface_priors: min_sizes[0] must be a sequence, got 16"),
    (dict(image_size=(2**62, 2**62)), ValueError, "retinaface_priors: the priors of shape"),
])
def test_retinaface_priors_errors(kwargs, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        retinaface_priors(**kwargs)


def test_ssd_points_round_trip_and_formula(rng):
    priors = retinaface_priors((48, 64))  # (P, 4)
    points = rng.uniform(-0.2, 1.2, (len(priors), 5, 2))
    offsets = ssd_encode_points(points, priors)
    assert offsets.shape == (len(priors), 10) and offsets.dtype == np.float64
    cx, cy, w, h = priors[11]
    expected = [(points[11, k, 0] - cx) / (0.1 * w) if c == 0 else (points[11, k, 1] - cy) / (0.1 * h)
                for k in range(5) for c in range(2)]
    np.testing.assert_allclose(offsets[11], expected, rtol=1e-12)
    decoded = ssd_decode_points(offsets, priors)
    np.testing.assert_allclose(decoded, points, rtol=1e-12, atol=1e-12)
    # biubug6's decode_landm: prior centre + offset * variance * prior size, x then y, point by point.
    d = rng.standard_normal((len(priors), 10))
    want = np.stack([priors[:, :2] + d[:, 2 * k:2 * k + 2] * 0.25 * priors[:, 2:] for k in range(5)], axis=1)
    np.testing.assert_allclose(ssd_decode_points(d, priors, variance=0.25), want, rtol=1e-14, atol=1e-15)
    # Batches against shared priors, float32 kept, any number of points, non-contiguous views.
    batched = ssd_decode_points(np.stack([d, 2 * d]), priors)
    np.testing.assert_array_equal(batched[1], ssd_decode_points(2 * d, priors))
    single = ssd_decode_points(d.astype(np.float32), priors.astype(np.float32))
    assert single.dtype == np.float32 and single.shape == (len(priors), 5, 2)
    np.testing.assert_allclose(single, ssd_decode_points(d, priors), rtol=1e-5, atol=1e-6)
    assert ssd_decode_points(d[:, :2], priors).shape == (len(priors), 1, 2)
    np.testing.assert_array_equal(ssd_decode_points(d[::-1], priors[::-1]), ssd_decode_points(d, priors)[::-1])
    assert ssd_encode_points(points[:0], priors[:0]).shape == (0, 10)
    assert ssd_decode_points(d[:0], priors[:0]).shape == (0, 5, 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: ssd_decode_points(np.zeros((3, 5)), np.ones((3, 4))), ValueError,
     "ssd_decode_points: offsets must have shape (..., 2K) with K >= 1 (x, y pairs), got (3, 5)"),
    (lambda: ssd_decode_points(np.zeros((3, 0)), np.ones((3, 4))), ValueError,
     "ssd_decode_points: offsets must have shape (..., 2K) with K >= 1 (x, y pairs), got (3, 0)"),
    (lambda: ssd_decode_points(np.zeros((3, 10)), np.ones((2, 4))), ValueError,
     "ssd_decode_points: offsets and priors must have one prior per row (shapes that broadcast), got (3, 10) and (2, 4)"),
    (lambda: ssd_decode_points(np.zeros((3, 10)), np.ones((3, 5))), ValueError,
     "ssd_decode_points: priors must have shape (..., 4), got (3, 5)"),
    (lambda: ssd_decode_points(np.zeros((3, 10)), np.ones((3, 4)), variance=0), ValueError,
     "ssd_decode_points: variance must be a finite number > 0, got 0"),
    (lambda: ssd_decode_points(np.zeros((3, 10), bool), np.ones((3, 4))), TypeError,
     "ssd_decode_points: offsets must be a real numeric array, got dtype bool"),
    (lambda: ssd_encode_points(np.zeros((3, 10)), np.ones((3, 4))), ValueError,
     "ssd_encode_points: points must have shape (..., K, 2) with K >= 1, got (3, 10)"),
    (lambda: ssd_encode_points(np.zeros((3, 0, 2)), np.ones((3, 4))), ValueError,
     "ssd_encode_points: points must have shape (..., K, 2) with K >= 1, got (3, 0, 2)"),
    (lambda: ssd_encode_points(np.zeros((3, 5, 2)), np.ones((4, 4))), ValueError,
     "ssd_encode_points: points and priors must have one prior per row (shapes that broadcast), got (3, 5, 2) and (4, 4)"),
    (lambda: ssd_encode_points(np.zeros((3, 5, 2)), np.ones((3, 4)), variance=np.nan), ValueError,
     "ssd_encode_points: variance must be a finite number > 0, got nan"),
])
def test_ssd_points_errors(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


@pytest.mark.parametrize("weights", [(10.0, 10.0, 5.0, 5.0), (1.0, 1.0, 1.0, 1.0)])
def test_rcnn_round_trip(rng, weights):
    # Side ratios below 1000 / 16, so that decoding does not clamp.
    proposals, boxes = random_boxes(rng, 300, sides=(20, 200)), random_boxes(rng, 300, sides=(20, 200))
    deltas = rcnn_encode(boxes, proposals, weights)
    np.testing.assert_allclose(rcnn_decode(deltas, proposals, weights), boxes, rtol=1e-9, atol=1e-9)
    p, b = proposals[3], boxes[3]
    pw, ph, bw, bh = p[2] - p[0], p[3] - p[1], b[2] - b[0], b[3] - b[1]
    expected = [weights[0] * ((b[0] + 0.5 * bw) - (p[0] + 0.5 * pw)) / pw,
                weights[1] * ((b[1] + 0.5 * bh) - (p[1] + 0.5 * ph)) / ph,
                weights[2] * math.log(bw / pw), weights[3] * math.log(bh / ph)]
    np.testing.assert_allclose(deltas[3], expected, rtol=1e-12)


def test_rcnn_decode_clamps_the_scale():
    proposals = np.array([[0.0, 0.0, 10.0, 20.0]])
    out = rcnn_decode(np.array([[0.0, 0.0, 1e4, -1e4]]), proposals, (1, 1, 1, 1))
    # dw clamped at log(1000 / 16): the width is 10 * 62.5; dh is not clamped below.
    np.testing.assert_allclose(out[0], [5 - 312.5, 10 - 0.0, 5 + 312.5, 10 + 0.0], atol=1e-9)
    assert np.isfinite(out).all()
    f32 = rcnn_decode(np.zeros((2, 4), np.float32), proposals.astype(np.float32).repeat(2, 0))
    assert f32.dtype == np.float32


def yolo_reference(outputs, anchors, strides, style):
    boxes, scores = [], []
    for x, anc, s in zip(outputs, anchors, strides):
        n, ch, h, w = x.shape
        na = len(anc)
        no = ch // na
        sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
        per_image_b, per_image_s = [[] for _ in range(n)], [[] for _ in range(n)]
        for b in range(n):
            for a in range(na):
                for i in range(h):
                    for j in range(w):
                        t = x[b, a * no:(a + 1) * no, i, j]
                        if style == "v5":
                            cx = (sig(t[0]) * 2 - 0.5 + j) * s
                            cy = (sig(t[1]) * 2 - 0.5 + i) * s
                            bw = (sig(t[2]) * 2) ** 2 * anc[a][0]
                            bh = (sig(t[3]) * 2) ** 2 * anc[a][1]
                        else:
                            cx, cy = (sig(t[0]) + j) * s, (sig(t[1]) + i) * s
                            bw, bh = math.exp(t[2]) * anc[a][0], math.exp(t[3]) * anc[a][1]
                        per_image_b[b].append([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2])
                        per_image_s[b].append([sig(t[4]) * sig(c) for c in t[5:]])
        boxes.append(np.array(per_image_b))
        scores.append(np.array(per_image_s))
    return np.concatenate(boxes, 1), np.concatenate(scores, 1)


@pytest.mark.parametrize("style", ["v5", "v3"])
def test_yolo_decode_against_loops(rng, style):
    anchors = [[(10, 13), (16, 30), (33, 23)], [(30, 61), (62, 45), (59, 119)]]
    strides = [8, 16]
    nc = 4
    outputs = [rng.normal(0, 2, (2, 3 * (5 + nc), 6, 5)), rng.normal(0, 2, (2, 3 * (5 + nc), 3, 3))]
    boxes, scores = yolo_decode(outputs, anchors, strides, style=style)
    rb, rs = yolo_reference(outputs, anchors, strides, style)
    assert boxes.shape == (2, 3 * 30 + 3 * 9, 4) and scores.shape == (2, 117, nc)
    np.testing.assert_allclose(boxes, rb, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(scores, rs, rtol=1e-12, atol=1e-15)
    f32 = yolo_decode([o.astype(np.float32) for o in outputs], anchors, strides, style=style)
    assert f32[0].dtype == np.float32 and np.allclose(f32[0], boxes, rtol=1e-5, atol=1e-3)


def test_yolo_decode_errors(rng):
    with pytest.raises(ValueError, match="style must be 'v5' or 'v3'"):
        yolo_decode([np.zeros((1, 18, 2, 2))], [[(1, 1), (2, 2), (3, 3)]], [8], style="v7")
    with pytest.raises(ValueError, match=r"na \* \(5 \+ nc\)"):
        yolo_decode([np.zeros((1, 17, 2, 2))], [[(1, 1), (2, 2), (3, 3)]], [8])
    with pytest.raises(ValueError, match="one entry per level"):
        yolo_decode([np.zeros((1, 18, 2, 2))], [], [8])


def test_anchor_free_decode(rng):
    shapes, strides = [(4, 5), (2, 3)], [8, 16]
    pts, s = anchor_points(shapes, strides)
    assert pts.shape == (26, 2) and list(pts[0]) == [0.5, 0.5] and list(pts[1]) == [1.5, 0.5]
    assert list(pts[20]) == [0.5, 0.5] and s[20] == 16
    d = rng.uniform(0, 3, (2, 26, 4))
    boxes = yolo_anchor_free_decode(d, shapes, strides)
    k = 21  # level 1, row 0, column 1
    cx, cy = 1.5, 0.5
    np.testing.assert_allclose(boxes[1, k], [(cx - d[1, k, 0]) * 16, (cy - d[1, k, 1]) * 16,
                                             (cx + d[1, k, 2]) * 16, (cy + d[1, k, 3]) * 16])
    with pytest.raises(ValueError, match=r"distances must have shape \(N, 26, 4\)"):
        yolo_anchor_free_decode(d[:, :20], shapes, strides)
