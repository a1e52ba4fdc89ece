"""precision / recall / F-beta / confusion matrix (scikit-learn semantics), average precision methods on
hand-computed curves, and the VOC evaluator on hand-built cases and against the devkit's loop in
tests/reference/voc.py."""

import numpy as np
import pytest

from cvcore.metrics import (average_precision, confusion_matrix, precision_recall_fscore,
                            precision_recall_fscore_from_counts, voc_evaluate)
from conftest import run_threads
from reference import voc as ref

Y_TRUE = [0, 1, 2, 0, 1, 2, 2]
Y_PRED = [0, 2, 1, 0, 0, 2, 2]


def test_confusion_matrix():
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), [[2, 0, 0], [1, 0, 1], [0, 1, 2]])
    # Explicit labels: their order, and samples of other classes dropped.
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0]), [[2, 0], [0, 2]])
    np.testing.assert_array_equal(confusion_matrix(["a", "b"], ["b", "b"]), [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])


def test_per_class_and_averages():
    # Class 0: tp 2, fp 1, fn 0; class 1: tp 0, fp 1, fn 2; class 2: tp 2, fp 1, fn 1.
    p, r, f, support = precision_recall_fscore(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(p, [2 / 3, 0, 2 / 3])
    np.testing.assert_allclose(r, [1, 0, 2 / 3])
    np.testing.assert_allclose(f, [0.8, 0, 2 / 3])
    np.testing.assert_array_equal(support, [2, 2, 3])
    micro = precision_recall_fscore(Y_TRUE, Y_PRED, average="micro")
    assert micro[:3] == pytest.approx((4 / 7, 4 / 7, 4 / 7)) and micro[3] is None
    macro = precision_recall_fscore(Y_TRUE, Y_PRED, average="macro")
    assert macro[:3] == pytest.approx((4 / 9, 5 / 9, (0.8 + 2 / 3) / 3))
    weighted = precision_recall_fscore(Y_TRUE, Y_PRED, average="weighted")
    assert weighted[0] == pytest.approx((2 * 2 / 3 + 3 * 2 / 3) / 7)
    p2 = precision_recall_fscore(Y_TRUE, Y_PRED, beta=2.0)[2]
    assert p2[0] == pytest.approx(5 * 2 / (5 * 2 + 4 * 0 + 1))


def test_zero_division_and_labels():
    # Class 3 is never true nor predicted: every ratio is 0 / 0.
    for zd in (0, 1):
        p, r, f, s = precision_recall_fscore([0, 0], [0, 0], labels=[0, 3], zero_division=zd)
        assert p[1] == zd and r[1] == zd and f[1] == zd and s[1] == 0
    p, _, _, _ = precision_recall_fscore([0, 0], [0, 0], labels=[0, 3], zero_division=np.nan)
    assert np.isnan(p[1])
    # NaN entries are left out of the averages, as scikit-learn does.
    assert precision_recall_fscore([0, 0], [0, 0], labels=[0, 3], average="macro", zero_division=np.nan)[0] == 1.0
    # A label subset still counts predictions of other classes as false positives.
    p, r, _, _ = precision_recall_fscore([1, 1, 0], [0, 0, 0], labels=[0])
    assert p[0] == pytest.approx(1 / 3) and r[0] == 1.0
    with pytest.raises(ValueError, match="average must be"):
        precision_recall_fscore([0], [0], average="binary")
    with pytest.raises(ValueError, match="zero_division must be 0, 1 or nan"):
        precision_recall_fscore([0], [0], zero_division=0.5)


def test_from_counts():
    p, r, f = precision_recall_fscore_from_counts([3, 0], [1, 0], [2, 0], zero_division=1)
    np.testing.assert_allclose(p, [0.75, 1])
    np.testing.assert_allclose(r, [0.6, 1])
    np.testing.assert_allclose(f, [2 * 3 / (2 * 3 + 2 + 1), 1])
    with pytest.raises(ValueError, match=">= 0"):
        precision_recall_fscore_from_counts(-1, 0, 0)


def test_sklearn_agrees_when_installed(rng):
    sklearn = pytest.importorskip("sklearn.metrics")
    for _ in range(20):
        t, p = rng.integers(0, 5, 40), rng.integers(0, 6, 40)
        for avg in (None, "micro", "macro", "weighted"):
            ours = precision_recall_fscore(t, p, average=avg, beta=0.5)
            theirs = sklearn.precision_recall_fscore_support(t, p, average=avg, beta=0.5, zero_division=0)
            for a, b in zip(ours[:3], theirs[:3]):
                np.testing.assert_allclose(a, b)


# --- average precision ---------------------------------------------------------------------------

RECALL = [0.2, 0.4, 0.4, 0.6, 0.8]
PRECISION = [1.0, 1.0, 0.67, 0.75, 0.5]


def test_average_precision_voc():
    # Monotone envelope: 1 up to recall 0.4, 0.75 to 0.6, 0.5 to 0.8, 0 after.
    assert average_precision(RECALL, PRECISION, "voc") == pytest.approx(0.4 * 1 + 0.2 * 0.75 + 0.2 * 0.5)


def test_average_precision_voc07():
    # t = 0..0.4: 1 (5 points); 0.5: 0.75; 0.6, 0.7, 0.8: 0.5; 0.9, 1.0: 0. As in the devkit, the
    # thresholds are 0.1 * k, so the sixth is 0.6000000000000001 and recall 0.6 does not reach it.
    assert average_precision(RECALL, PRECISION, "voc07") == pytest.approx((5 * 1 + 0.75 + 3 * 0.5) / 11)


def test_average_precision_coco():
    # Thresholds 0..0.4 (41): 1; 0.41..0.6 (20): 0.75; 0.61..0.8 (20): 0.5; 0.81..1 (20): 0.
    assert average_precision(RECALL, PRECISION, "coco") == pytest.approx((41 + 20 * 0.75 + 20 * 0.5) / 101)


def test_average_precision_edges():
    assert average_precision([], [], "coco") == 0.0 and average_precision([], [], "voc") == 0.0
    assert average_precision([1.0], [1.0], "voc07") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="method must be"):
        average_precision([1], [1], "area")
    with pytest.raises(ValueError, match="same length"):
        average_precision([1, 2], [1], "voc")


# --- VOC evaluator -------------------------------------------------------------------------------

def test_voc_evaluate_hand_built():
    gt = [{"boxes": [[0, 0, 9, 9], [20, 20, 29, 29]], "labels": [1, 1], "difficult": [False, True]},
          {"boxes": [[0, 0, 9, 9]], "labels": [2]}]
    dets = [{"boxes": [[0, 0, 9, 9], [0, 0, 9, 9], [20, 20, 29, 29], [50, 50, 60, 60]], "scores": [0.9, 0.8, 0.7, 0.6],
             "labels": [1, 1, 1, 1]},
            {"boxes": [[1, 1, 9, 9]], "scores": [0.5], "labels": [2]}]
    ap, mean_ap = voc_evaluate(gt, dets)
    # Class 1 (one non-difficult box): TP, duplicate FP, difficult match (ignored), FP -> recall 1 at
    # precision 1 first: AP 1. Class 2: IoU 81/100 > 0.5: AP 1.
    assert ap == {1: pytest.approx(1.0), 2: pytest.approx(1.0)} and mean_ap == pytest.approx(1.0)
    ap, _ = voc_evaluate(gt, dets, iou_threshold=0.85)  # class 2's detection now misses
    assert ap[2] == 0.0
    # Without the +1 pixel convention the overlaps are torchvision's.
    ap, _ = voc_evaluate(gt, dets, iou_threshold=0.75, pixel_inclusive=False)
    assert ap[2] == pytest.approx(1.0)  # IoU 64 / 81 = 0.79


def test_voc_evaluate_recall_and_07():
    gt = [{"boxes": [[0, 0, 10, 10], [20, 0, 30, 10]], "labels": [0, 0]}]
    dets = [{"boxes": [[0, 0, 10, 10], [40, 0, 50, 10]], "scores": [0.5, 0.9], "labels": [0, 0]}]
    ap, _ = voc_evaluate(gt, dets, method="voc")
    # Order: FP (0.9), TP (0.5): recall [0, 0.5], precision [0, 0.5] -> area 0.5 * 0.5.
    assert ap[0] == pytest.approx(0.25)
    ap07, _ = voc_evaluate(gt, dets, method="voc07")
    assert ap07[0] == pytest.approx(6 * 0.5 / 11)
    with pytest.raises(ValueError, match="same images"):
        voc_evaluate(gt, [])
    with pytest.raises(ValueError, match=r"detections\[0\]\['scores'\] must not hold NaN"):
        voc_evaluate(gt, [{"boxes": [[0, 0, 1, 1]], "scores": [np.nan], "labels": [0]}])
    with pytest.raises(ValueError, match=r"detections\[0\]\['boxes'\] must have finite coordinates"):
        voc_evaluate(gt, [{"boxes": [[0, 0, np.inf, 1]], "scores": [0.5], "labels": [0]}])
    with pytest.raises(ValueError, match=
                       r"voc_match: dt_boxes coordinates must have magnitude <= .* \(as for box_iou\)"):
        voc_evaluate(gt, [{"boxes": [[0, 0, 1e200, 1]], "scores": [0.5], "labels": [0]}], pixel_inclusive=False)


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(iou_threshold="0.5"), TypeError, r"voc_evaluate: iou_threshold must be a real number, got '0.5'"),
    (dict(iou_threshold=float("nan")), ValueError, r"voc_evaluate: iou_threshold must be finite, got nan"),
    (dict(iou_threshold=1.5), ValueError, r"voc_match: iou_threshold must be in \[0, 1\], got 1.5"),
    (dict(iou_threshold=-0.1), ValueError, r"voc_match: iou_threshold must be in \[0, 1\], got -0.1"),
    (dict(pixel_inclusive=1), TypeError, r"voc_evaluate: pixel_inclusive must be a bool, got 1"),
    (dict(pixel_inclusive="no"), TypeError, r"voc_evaluate: pixel_inclusive must be a bool, got 'no'"),
    (dict(ground_truth={"boxes": []}), TypeError, r"voc_evaluate: ground_truth\[0\] must be a dict, got str"),
    (dict(detections=[[]]), TypeError, r"voc_evaluate: detections\[0\] must be a dict, got list"),
    (dict(detections=[{"boxes": [[0, 0, 1, 1]], "labels": [0]}]), ValueError, r"voc_evaluate: detections\[0\] has no 'scores'"),
    (dict(ground_truth=[{"labels": [0]}]), ValueError, r"voc_evaluate: ground_truth\[0\] has no 'boxes'"),
    (dict(ground_truth=[{"boxes": [[0, 0, 10, 10]], "labels": [0], "difficult": ["no"]}]), TypeError,
     r"voc_evaluate: ground_truth\[0\]\['difficult'\] must hold bools \(or 0 / 1\), got <U2 \['no'\]"),
    (dict(ground_truth=[{"boxes": [[0, 0, 10, 10]], "labels": [0], "difficult": [2]}]), TypeError,
     r"voc_evaluate: ground_truth\[0\]\['difficult'\] must hold bools \(or 0 / 1\), got int64 \[2\]"),
])
def test_voc_evaluate_arguments_are_named(kwargs, error, match):
    args = dict(ground_truth=[{"boxes": [[0, 0, 10, 10]], "labels": [0]}],
                detections=[{"boxes": [[0, 0, 10, 10]], "scores": [0.5], "labels": [0]}])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        voc_evaluate(**args)
    assert voc_evaluate(**{**args, **dict(ground_truth=[{"boxes": [[0, 0, 10, 10]], "labels": [0]}],
                                          detections=[{"boxes": [[0, 0, 10, 10]], "scores": [0.5], "labels": [0]}],
                                          iou_threshold=1.0, pixel_inclusive=np.bool_(False))})[1] == 0.0


def voc_set(rng, n_images=25, n_classes=4, labels=None, degenerate=0.0, integer=True):
    """Images of 0-5 boxes (some difficult), detections jittered from them or of another class, scores
    with ties; `degenerate` of the boxes have zero or negative pixel widths or heights."""
    gt, dt = [], []
    for _ in range(n_images):
        n, m = int(rng.integers(0, 6)), int(rng.integers(0, 10))
        xy = rng.uniform(0, 150, (n, 2))
        boxes = np.concatenate([xy, xy + rng.uniform(0, 60, (n, 2))], 1)
        label = rng.integers(0, n_classes, n)
        src = rng.integers(0, max(n, 1), m)
        dboxes = (boxes[src] if n else np.zeros((m, 4))) + rng.normal(0, 5, (m, 4))
        dlabel = np.where(rng.random(m) < 0.8, label[src] if n else 0, rng.integers(0, n_classes + 1, m))
        for b in (boxes, dboxes):
            bad = rng.random(len(b)) < degenerate
            b[bad, 2] = b[bad, 0] - rng.choice([0.0, 1.0, 2.5], int(bad.sum()))
            if integer:
                b[:] = np.round(b)
        if labels is not None:
            label, dlabel = np.asarray(labels)[label], np.asarray(labels)[dlabel]
        gt.append({"boxes": boxes, "labels": label, "difficult": rng.random(n) < 0.15})
        dt.append({"boxes": dboxes, "scores": rng.random(m).round(1), "labels": dlabel})
    return gt, dt


@pytest.mark.parametrize("pixel_inclusive", [True, False])
@pytest.mark.parametrize("seed,labels,degenerate,integer", [
    (0, None, 0.0, True), (1, None, 0.0, False), (2, ["cat", "dog", "bus", "car", "sky"], 0.0, True),
    (3, None, 0.3, True), (4, [0.5, 1.5, 2.5, 3.5, 4.5], 0.3, False)])
def test_voc_evaluate_matches_the_devkit_loop(threads, pixel_inclusive, seed, labels, degenerate, integer):
    gt, dt = voc_set(np.random.default_rng(seed), labels=labels, degenerate=degenerate, integer=integer)
    for threshold in (0.5, 0.3, 0.0):
        curves = ref.voc_curves(gt, dt, threshold, pixel_inclusive)
        for method in ("voc", "voc07"):
            ap, mean_ap = voc_evaluate(gt, dt, threshold, method, pixel_inclusive)
            expected = {c: average_precision(rec, prec, method) for c, (rec, prec) in curves.items()}
            assert ap == expected  # bit for bit: the same true / false positives at every detection
            assert mean_ap == np.mean(list(expected.values()))


def test_voc_evaluate_threads_bit_identical():
    gt, dt = voc_set(np.random.default_rng(9), n_images=200, n_classes=12)
    one, two = run_threads(lambda: voc_evaluate(gt, dt, pixel_inclusive=False))
    assert one == two


def test_voc_evaluate_edges():
    ap, mean_ap = voc_evaluate([], [])
    assert ap == {} and np.isnan(mean_ap)
    only_difficult = [{"boxes": [[0, 0, 5, 5]], "labels": [3], "difficult": [True]}]
    ap, mean_ap = voc_evaluate(only_difficult, [{"boxes": [[0, 0, 5, 5]], "scores": [1.0], "labels": [3]}])
    assert ap == {} and np.isnan(mean_ap)
    # A class without detections: AP 0; detections of a label without ground truth take no part.
    gt = [{"boxes": [[0, 0, 5, 5], [10, 10, 20, 20]], "labels": [1, 2]}, {"boxes": np.zeros((0, 4)), "labels": []}]
    dt = [{"boxes": [[0, 0, 5, 5]], "scores": [0.3], "labels": [1]},
          {"boxes": [[0, 0, 5, 5]], "scores": [0.9], "labels": [7]}]
    assert voc_evaluate(gt, dt)[0] == {1: 1.0, 2: 0.0}



@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int32, np.uint8, np.int64])
def test_metrics_compute_in_float64(dtype):
    # Metrics compute in float64 whatever the real dtype given (the values below are exact in each).
    rec, prec = np.array([0, 1, 1, 2, 3]) / 4, np.array([4, 4, 2, 2, 1]) / 4
    if np.dtype(dtype).kind == "f":
        for method in ("voc07", "voc", "coco"):
            assert average_precision(rec.astype(dtype), prec.astype(dtype), method) == average_precision(rec, prec, method)
    counts = np.array([3, 0, 5]), np.array([1, 0, 2]), np.array([0, 0, 4])
    got = precision_recall_fscore_from_counts(*(c.astype(dtype) for c in counts))
    for g, want in zip(got, precision_recall_fscore_from_counts(*(c.astype(np.float64) for c in counts))):
        assert g.dtype == np.float64
        np.testing.assert_array_equal(g, want)
    gt, dt = voc_set(np.random.default_rng(5), n_images=8)
    as_dtype = [{**d, "boxes": np.asarray(d["boxes"]).astype(dtype)} for d in gt]
    assert voc_evaluate(as_dtype, dt) == voc_evaluate([{**d, "boxes": d["boxes"].astype(dtype).astype(np.float64)}
                                                       for d in gt], dt)


@pytest.mark.parametrize("call", [
    lambda: average_precision(np.array([True]), [1.0]),
    lambda: precision_recall_fscore_from_counts(["1"], [0], [0]),
    lambda: voc_evaluate([{"boxes": np.zeros((1, 4), bool), "labels": [0]}], [{"boxes": [], "scores": [], "labels": []}]),
    lambda: voc_evaluate([{"boxes": [[0, 0, 1, 1]], "labels": [0]}], [{"boxes": [[0, 0, 1, 1]], "scores": ["a"],
                                                                          "labels": [0]}]),
])
def test_metrics_reject_data_that_is_not_real(call):
    with pytest.raises(TypeError, match="must be a real numeric array, got dtype"):
        call()
