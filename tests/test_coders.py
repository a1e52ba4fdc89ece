"""Box coders and YOLO decoders against straightforward loop references, and encode/decode round trips."""

import math

import numpy as np
import pytest

from cvcore.detection import (anchor_points, rcnn_decode, rcnn_encode, ssd_decode, ssd_encode, ssd_priors,
                              yolo_anchor_free_decode, yolo_decode)


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
