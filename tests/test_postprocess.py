"""postprocess against a straightforward NumPy pipeline with its own loop NMS."""

import numpy as np
import pytest

from cvcore.detection import Detections, postprocess


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def reference(boxes, scores, thr, iou_thr, top_k, cap, agnostic, multi):
    cands = []  # (score, box index, class), in candidate order
    for i in range(len(boxes)):
        if multi:
            cands += [(scores[i, c], i, c) for c in range(scores.shape[1]) if scores[i, c] > thr]
        else:
            c = int(np.argmax(scores[i]))
            if scores[i, c] > thr:
                cands.append((scores[i, c], i, c))
    if top_k is not None:
        order = sorted(range(len(cands)), key=lambda j: -cands[j][0])[:top_k]
        cands = [cands[j] for j in sorted(order)]
    order = sorted(range(len(cands)), key=lambda j: -cands[j][0])  # stable: candidate order on ties
    kept = []
    for j in order:
        s, i, c = cands[j]
        if all(not (agnostic or cands[k][2] == c) or iou(boxes[i], boxes[cands[k][1]]) <= iou_thr for k in kept):
            kept.append(j)
    kept = kept[:cap] if cap is not None else kept
    return ([boxes[cands[j][1]] for j in kept], [cands[j][0] for j in kept], [cands[j][2] for j in kept])


def random_inputs(rng, n=2, a=120, c=4):
    xy = rng.uniform(0, 200, (n, a, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(5, 60, (n, a, 2))], -1)
    scores = np.round(rng.uniform(0, 1, (n, a, c)) ** 2, 2)  # rounded: ties
    return boxes, scores


@pytest.mark.parametrize("agnostic", [False, True])
@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("top_k,cap", [(None, None), (30, 10), (None, 5)])
def test_postprocess_matches_reference(rng, agnostic, multi, top_k, cap):
    boxes, scores = random_inputs(rng)
    out = postprocess(boxes, scores, 0.2, 0.45, pre_nms_top_k=top_k, max_detections=cap, class_agnostic=agnostic,
                      multi_label=multi)
    assert len(out) == 2
    for det, b, s in zip(out, boxes, scores):
        rb, rs, rl = reference(b, s, 0.2, 0.45, top_k, cap, agnostic, multi)
        assert isinstance(det, Detections) and len(det) == len(rs)
        np.testing.assert_array_equal(det.boxes, np.array(rb).reshape(-1, 4))
        np.testing.assert_array_equal(det.scores, np.array(rs))
        np.testing.assert_array_equal(det.labels, np.array(rl, np.int64))
        assert det.labels.dtype == np.int64


def test_postprocess_single_image_empty_and_dtype(rng):
    boxes, scores = random_inputs(rng, n=1)
    (one,) = postprocess(boxes[0].astype(np.float32), scores[0].astype(np.float32))
    assert one.boxes.dtype == np.float32 and one.scores.dtype == np.float32
    (empty,) = postprocess(boxes[0], scores[0], score_threshold=2.0)
    assert empty.boxes.shape == (0, 4) and empty.scores.shape == (0,) and empty.labels.shape == (0,)
    assert empty.labels.dtype == np.int64


def test_postprocess_errors():
    b, s = np.zeros((1, 3, 4)), np.zeros((1, 3, 2))
    with pytest.raises(ValueError, match=r"boxes must have shape \(N, A, 4\)"):
        postprocess(np.zeros((1, 3, 5)), s)
    with pytest.raises(ValueError, match="scores must have shape"):
        postprocess(b, np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="score_threshold must be finite"):
        postprocess(b, s, score_threshold=float("nan"))
    with pytest.raises(ValueError, match="max_detections must be >= 0"):
        postprocess(b, s, max_detections=-1)
    with pytest.raises(ValueError, match="scores must not be NaN"):
        postprocess(b, np.full((1, 3, 2), np.nan))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_postprocess_non_finite_boxes_below_the_threshold_take_no_part(rng, bad):
    # Only candidates reach NMS, so a box that no class scores over the threshold may hold anything
    # (a decoder's overflow on a background cell, say); a candidate that is not finite is an error.
    boxes, scores = random_inputs(rng, n=2)
    boxes[1, 3, 2] = bad
    scores[1, 3] = 0.0
    (want,) = postprocess(np.delete(boxes[1], 3, axis=0), np.delete(scores[1], 3, axis=0))
    got = postprocess(boxes, scores)[1]
    assert len(want) > 0
    np.testing.assert_array_equal(got.boxes, want.boxes)
    np.testing.assert_array_equal(got.scores, want.scores)
    np.testing.assert_array_equal(got.labels, want.labels)
    scores[1, 3] = 0.99
    with pytest.raises(ValueError, match=r"^postprocess: boxes must have finite coordinates, got .* at boxes\[1, 3\]"):
        postprocess(boxes, scores)
