"""COCOEvaluator against the plain-Python COCOeval in tests/reference/cocoeval.py (and pycocotools when
it is installed), on hand-built cases and random sets."""

import contextlib
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from cvcore.metrics import COCOEvaluator
from cvcore.metrics.coco import IOU_THRESHOLDS, RECALL_THRESHOLDS
from conftest import run_threads
from reference import cocoeval as ref


def coco(images, annotations, categories=(1, 2)):
    return {"images": [{"id": i} for i in images], "categories": [{"id": c, "name": f"c{c}"} for c in categories],
            "annotations": [dict(a, id=a.get("id", n + 1)) for n, a in enumerate(annotations)]}


def gt_box(image, cat, bbox, area=None, crowd=0, **extra):
    return dict(image_id=image, category_id=cat, bbox=list(bbox), area=bbox[2] * bbox[3] if area is None else area,
                iscrowd=crowd, **extra)


def det(image, cat, bbox, score):
    return {"image_id": image, "category_id": cat, "bbox": list(bbox), "score": score}


ONE = 1 / (1 + 2.220446049250313e-16)  # a perfect precision, with pycocotools' np.spacing(1) in the denominator


def check_against_reference(gt, dets, max_dets=(1, 10, 100)):
    result = COCOEvaluator(gt, dets, max_dets=max_dets).evaluate()
    precision, recall, _ = ref.cocoeval(gt, dets, max_dets, IOU_THRESHOLDS.tolist(), RECALL_THRESHOLDS.tolist())
    np.testing.assert_array_equal(result.precision, np.array(precision))
    np.testing.assert_array_equal(result.recall, np.array(recall))
    return result


def random_set(rng, n_images=12, n_categories=3, gt_per=5, dt_per=12):
    images = list(range(7, 7 + 2 * n_images, 2))  # non-contiguous ids
    cats = [1, 4, 9][:n_categories]
    anns, dets = [], []
    for im in images:
        for _ in range(rng.integers(0, gt_per + 1)):
            xy, wh = rng.uniform(0, 200, 2), rng.uniform(3, 120, 2)
            anns.append(gt_box(im, int(rng.choice(cats)), [*xy, *wh], area=float(wh.prod() * rng.uniform(0.5, 1)),
                               crowd=int(rng.uniform() < 0.1)))
        for _ in range(rng.integers(0, dt_per + 1)):
            if anns and rng.uniform() < 0.6:
                g = anns[rng.integers(len(anns))]
                b = np.abs(np.array(g["bbox"]) + rng.normal(0, 4, 4))
                dets.append(det(g["image_id"], g["category_id"], b.tolist(), float(np.round(rng.uniform(), 1))))
            else:
                xy, wh = rng.uniform(0, 200, 2), rng.uniform(3, 120, 2)
                dets.append(det(im, int(rng.choice(cats)), [*xy, *wh], float(np.round(rng.uniform(), 1))))
    return coco(images, anns, cats), dets


# --- hand-built cases ----------------------------------------------------------------------------

def test_perfect_detection():
    gt = coco([1], [gt_box(1, 1, [10, 10, 50, 40])], categories=[1])
    result = check_against_reference(gt, [det(1, 1, [10, 10, 50, 40], 0.9)])
    assert result.stats[0] == ONE and result.stats[1] == pytest.approx(1, abs=1e-15) and result.stats[8] == 1.0
    assert result.stats[3] == -1.0  # no small ground truth: -1, as pycocotools


def test_crowd_absorbs_detections_and_is_ignored():
    gt = coco([1], [gt_box(1, 1, [0, 0, 100, 100], crowd=1), gt_box(1, 1, [200, 200, 30, 30])], categories=[1])
    dets = [det(1, 1, [10, 10, 20, 20], 0.9), det(1, 1, [50, 50, 20, 20], 0.8), det(1, 1, [200, 200, 30, 30], 0.7)]
    result = check_against_reference(gt, dets)
    # Both detections inside the crowd box match it (intersection over the detection's area = 1) and
    # are ignored: the real box is found at precision 1.
    assert result.stats[0] == ONE


def test_area_bounds_are_inclusive():
    # area exactly 32^2 belongs to "small" and to "medium".
    gt = coco([1], [gt_box(1, 1, [0, 0, 32, 32], area=1024.0)], categories=[1])
    result = check_against_reference(gt, [det(1, 1, [0, 0, 32, 32], 0.5)])
    assert result.stats[3] == ONE and result.stats[4] == ONE and result.stats[5] == -1.0


def test_empty_images_categories_without_gt_and_no_detections():
    gt = coco([1, 2, 3], [gt_box(1, 1, [0, 0, 40, 40]), gt_box(3, 1, [5, 5, 40, 40])], categories=[1, 2])
    dets = [det(1, 1, [0, 0, 40, 40], 0.9), det(2, 1, [0, 0, 40, 40], 0.95),  # image 2 has no gt: a false positive
            det(2, 2, [0, 0, 10, 10], 0.99)]                                     # category 2 has no gt at all
    result = check_against_reference(gt, dets)
    assert (result.precision[:, :, 1] == -1).all()  # category 2 is left out of every mean
    check_against_reference(gt, [])                  # no detections: zeros, not an error


def test_tied_scores_keep_input_order():
    gt = coco([1, 2], [gt_box(1, 1, [0, 0, 40, 40]), gt_box(2, 1, [0, 0, 40, 40])], categories=[1])
    # Ties across images go in image order; within an image, in input order.
    tp, fp = det(1, 1, [0, 0, 40, 40], 0.5), det(1, 1, [100, 100, 40, 40], 0.5)
    a = check_against_reference(gt, [tp, fp])
    b = check_against_reference(gt, [fp, tp])
    assert a.stats[0] != b.stats[0]  # as pycocotools: AP depends on the order of equal scores


def test_max_dets_per_image_and_category():
    anns = [gt_box(1, 1, [i * 50, 0, 40, 40]) for i in range(5)]
    dets = [det(1, 1, [i * 50, 0, 40, 40], 0.9 - 0.1 * i) for i in range(5)]
    result = check_against_reference(coco([1], anns, [1]), dets, max_dets=(1, 3, 100))
    assert result.stats[6] == pytest.approx(0.2) and result.stats[7] == pytest.approx(0.6)


def test_gt_id_zero_counts_as_unmatched():
    gt = coco([1], [gt_box(1, 1, [0, 0, 40, 40], id=0)], categories=[1])
    result = check_against_reference(gt, [det(1, 1, [0, 0, 40, 40], 0.9)])
    assert result.stats[0] == 0.0  # pycocotools' quirk, kept


def test_equal_ious_pick_the_later_gt():
    anns = [gt_box(1, 1, [0, 0, 40, 40]), gt_box(1, 1, [0, 0, 40, 40])]
    check_against_reference(coco([1], anns, [1]), [det(1, 1, [0, 0, 40, 40], 0.9), det(1, 1, [0, 0, 40, 40], 0.8)])


# --- random sets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_random_sets_match_reference(seed):
    gt, dets = random_set(np.random.default_rng(seed))
    check_against_reference(gt, dets)


def test_threads_bit_identical():
    gt, dets = random_set(np.random.default_rng(42), n_images=40, n_categories=3, dt_per=30)
    one, two = run_threads(lambda: COCOEvaluator(gt, dets).evaluate())
    for name in ("precision", "recall", "scores", "stats"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def test_pycocotools_agrees_when_installed():
    pytest.importorskip("pycocotools")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt, dets = random_set(np.random.default_rng(7), n_images=30, dt_per=20)
    result = COCOEvaluator(gt, dets).evaluate()
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = json.loads(json.dumps(gt))
        cg.createIndex()
        e = COCOeval(cg, cg.loadRes(json.loads(json.dumps(dets))), "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    np.testing.assert_array_equal(result.stats, np.array(e.stats))
    np.testing.assert_array_equal(result.precision, e.eval["precision"])
    np.testing.assert_array_equal(result.scores, e.eval["scores"])


# --- outputs -------------------------------------------------------------------------------------

def test_summary_and_per_class_table():
    gt, dets = random_set(np.random.default_rng(3))
    result = COCOEvaluator(gt, dets).evaluate()
    lines = result.summary().splitlines()
    assert len(lines) == 12
    assert lines[0].startswith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ")
    assert lines[11].startswith(" Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = ")
    rows = result.per_class_ap()
    assert [r[0] for r in rows] == [1, 4, 9]
    valid = [r[2] for r in rows if not np.isnan(r[2])]
    assert np.mean(valid) == pytest.approx(result.stats[0])


def test_detection_confusion_matrix():
    gt = coco([1, 2], [gt_box(1, 1, [0, 0, 40, 40]), gt_box(1, 2, [100, 100, 40, 40]), gt_box(2, 2, [0, 0, 40, 40]),
                       gt_box(2, 1, [200, 200, 40, 40], crowd=1)])
    dets = [det(1, 1, [1, 1, 40, 40], 0.9),        # matches category 1's box: (1, 1)
            det(1, 1, [100, 100, 40, 40], 0.8),    # matches category 2's box with the wrong class: (2, 1)
            det(1, 2, [300, 300, 10, 10], 0.7),    # nothing there: (background, 2)
            det(2, 2, [0, 0, 40, 40], 0.1),        # below the score threshold: not counted
            det(2, 1, [200, 200, 40, 40], 0.9)]    # on a crowd box, which takes no part: (background, 1)
    cm = COCOEvaluator(gt, dets).confusion_matrix(iou_threshold=0.5, score_threshold=0.25)
    # rows: true 1, true 2, background; columns: predicted 1, predicted 2, background.
    np.testing.assert_array_equal(cm, [[1, 0, 0], [1, 0, 1], [1, 1, 0]])


def test_plot_pr(tmp_path):
    gt, dets = random_set(np.random.default_rng(4))
    result = COCOEvaluator(gt, dets).evaluate()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="plot_pr needs matplotlib"):
            result.plot_pr(tmp_path / "pr.png")
        return
    result.plot_pr(tmp_path / "pr.png")
    assert (tmp_path / "pr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_files(tmp_path):
    gt, dets = random_set(np.random.default_rng(5))
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dets))
    a = COCOEvaluator(tmp_path / "gt.json", str(tmp_path / "dt.json")).evaluate()
    np.testing.assert_array_equal(a.stats, COCOEvaluator(gt, dets).evaluate().stats)


def test_detection_file_reader(tmp_path):
    # The C++ reader of detection files: extra members of any kind are skipped, spacing is free.
    gt = coco([1, 2], [gt_box(1, 1, [0, 0, 40, 40]), gt_box(2, 2, [5, 5, 20, 30])])
    dets = [dict(det(1, 1, [0.5, 0, 40, 39.5], 0.75), extra={"a": [1, "x\\\"]"], "b": None}, name="caf\u00e9", flag=True),
            dict(det(2, 2, [5, 5, 20, 30], 1e-3), segmentation=[[1.5, 2, 3e2]], id=-4)]
    path = tmp_path / "dt.json"
    path.write_text(json.dumps(dets, indent=3, ensure_ascii=False), encoding="utf-8")
    a = COCOEvaluator(gt, path).evaluate()
    np.testing.assert_array_equal(a.precision, COCOEvaluator(gt, dets).evaluate().precision)
    path.write_text(" [ ] ")
    assert COCOEvaluator(gt, path).evaluate().stats[0] == 0.0
    path.write_text('[{"image_id": 1.0, "category_id": 1, "bbox": [0, 0, 40, 40], "score": 0.5}]')  # 1.0: an id
    assert COCOEvaluator(gt, path).evaluate().stats[0] > 0


@pytest.mark.parametrize("text,match", [
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]', r"dets\[0\] has no 'score'"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": NaN}]', r"dets\[0\] has a NaN 'score'"),
    ('[{"image_id": 9, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]', r"dets\[0\]: image_id 9 is not in"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}', r"dets file .* is not valid JSON"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "score": 1}]', r"dets\[0\] has an invalid 'bbox'"),
])
def test_detection_file_errors(tmp_path, text, match):
    path = tmp_path / "dt.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        COCOEvaluator(GT, path)


# --- errors --------------------------------------------------------------------------------------

GT = coco([1, 2], [gt_box(1, 1, [0, 0, 10, 10])])


@pytest.mark.parametrize("dets,match", [
    ([det(3, 1, [0, 0, 1, 1], 0.5)], r"dets\[0\]: image_id 3 is not in the ground truth"),
    ([det(1, 1, [0, 0, 1, 1], 0.5), det(1, 7, [0, 0, 1, 1], 0.5)], r"dets\[1\]: category_id 7 is not in the ground truth"),
    ([det(1, 1, [0, 0, 1, 1], float("nan"))], r"dets\[0\] has a NaN 'score'"),
    ([det(1, 1, [0, 0, -1, 1], 0.5)], r"dets\[0\] has an invalid bbox .*w, h >= 0"),
    ([det(1, 1, [0, 0, 1], 0.5)], r"dets\[0\] has an invalid 'bbox'"),
    ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}], r"dets\[0\] has no 'score'"),
    ([5], r"dets\[0\] must be a dict"),
    ({"a": 1}, r"dets must be a list of records"),
])
def test_bad_detections(dets, match):
    with pytest.raises(ValueError, match=match):
        COCOEvaluator(GT, dets)


def test_bad_ground_truth_and_files(tmp_path):
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: image_id 5 is not in the ground truth"):
        COCOEvaluator(coco([1], [gt_box(5, 1, [0, 0, 1, 1])]), [])
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\] has no 'area'"):
        COCOEvaluator(coco([1], [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "id": 1}]), [])
    with pytest.raises(ValueError, match=r"gt must have a 'images' list"):
        COCOEvaluator({"annotations": []}, [])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"gt file .*bad.json' is not valid JSON"):
        COCOEvaluator(bad, [])
    with pytest.raises(ValueError, match=r"max_dets must be increasing counts >= 0"):
        COCOEvaluator(GT, [], max_dets=(10, 1))


# --- the command line ----------------------------------------------------------------------------

def test_cli_eval(tmp_path):
    gt, dets = random_set(np.random.default_rng(9))
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dets))
    res = subprocess.run([sys.executable, "-m", "cvcore.cli", "eval", str(tmp_path / "gt.json"),
                          str(tmp_path / "dt.json")], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    stats = COCOEvaluator(gt, dets).evaluate().stats
    assert f"maxDets=100 ] = {stats[0]:0.3f}" in res.stdout
    assert "category" in res.stdout and "c4" in res.stdout
    res = subprocess.run([sys.executable, "-m", "cvcore.cli", "eval", str(tmp_path / "gt.json"),
                          str(tmp_path / "missing.json")], capture_output=True, text=True, timeout=120)
    assert res.returncode != 0 and "missing.json" in res.stderr
