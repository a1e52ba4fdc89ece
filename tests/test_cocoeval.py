"""COCOEvaluator against the plain-Python COCOeval in tests/reference/cocoeval.py (and pycocotools when
it is installed), on hand-built cases and random sets."""

import contextlib
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvcore import _cvcore
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


# Valid JSON files in the forms a writer may choose: the C++ reader gives what json.loads and the list
# path give.
REC = '"category_id": 1, "bbox": [0.5, 0, 40, 39.5], "score": 0.75'
READABLE = [
    '[{"\\u0069mage_id": 1, "c\\u0061tegory_id": 1, "bbox": [0, 0, 40, 40], "sc\\u006fre": 0.5}]',
    '[{"image_id": 1, %s, "n\\"a\\\\m\\/e": "\\ud83d\\ude00\\t\\"}\\\\", "\\u00e9": [{"]": "["}, -0.0]}]' % REC,
    '[{"image_id": 1, "category_id": 1, "bbox": [5E-1, 0, 4e1, 3.95E+1], "score": 75e-2}]',
    '[{"image_id": -0, %s}]' % REC.replace('"category_id": 1', '"category_id": 10000000000000001'),
    '[{"score": 0.5, "bbox": [0, 0, 40, 40], "category_id": 1, "image_id": 1, "image_id": 2}]',
    '[{"image_id": 1, %s, "score": -1e999}, {"image_id": 2, %s, "score": 1e-999}]'
    % (REC.replace(', "score": 0.75', ''), REC.replace(', "score": 0.75', '')),
    ' \r\n\t[\n{ "image_id" :2 ,\t%s ,"e":[[],{},[[{}]]], "t": true, "f": false, "n": null}  ]\n ' % REC,
    '[{"image_id": 1, %s, "name": "caf\u00e9 \u4e2d \U0001F600"}]' % REC,
]


@pytest.mark.parametrize("text", READABLE)
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_detection_files_read_as_json_loads_reads_them(tmp_path, text, bom):
    gt = coco([0, 1, 2], [gt_box(1, 1, [0, 0, 40, 40]), gt_box(2, 1, [0, 0, 40, 40])],
              categories=[1, 10000000000000001])
    path = tmp_path / "dt.json"
    path.write_bytes(bom + text.encode())
    dets = json.loads(text)
    if "-1e999" in text:  # a score of -inf: an error in both
        for source in (path, dets):
            with pytest.raises(ValueError, match=r"dets\[0\]: 'score' must be a finite number, got (-1e999|-inf)"):
                COCOEvaluator(gt, source)
        return
    a, b = COCOEvaluator(gt, path), COCOEvaluator(gt, dets)
    for name in ("image", "category", "boxes", "score"):
        np.testing.assert_array_equal(a._dt[name], b._dt[name])
    np.testing.assert_array_equal(a.evaluate().precision, b.evaluate().precision)


FIELDS = ("image_id", "category_id", "bbox", "score")
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
json_id = st.integers(-2**63, 2**63 - 1)
finite = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-2**70, 2**70)
size = st.floats(min_value=0, allow_infinity=False) | st.integers(0, 2**70)


@st.composite
def detection_file(draw):
    records = []
    for _ in range(draw(st.integers(0, 4))):
        members = [("image_id", draw(json_id)), ("category_id", draw(json_id)),
                   ("bbox", [draw(finite), draw(finite), draw(size), draw(size)]), ("score", draw(finite))]
        members += draw(st.lists(st.tuples(st.text(max_size=6).filter(lambda k: k not in FIELDS), json_value),
                                 max_size=3, unique_by=lambda m: m[0]))
        records.append(dict(draw(st.permutations(members))))
    text = json.dumps(records, indent=draw(st.none() | st.integers(0, 2)), ensure_ascii=draw(st.booleans()),
                      separators=draw(st.sampled_from([None, (",", ":"), (" ,\t", " :\r\n")])))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@settings(max_examples=80, deadline=None)
@given(detection_file())
def test_detection_files_read_as_the_json_module_reads_them(data):
    records = json.loads(data)
    image, category, boxes, score = _cvcore.coco_read_records(data, "detections", "dt.json", "dets", "test")
    expected = (np.array([r["image_id"] for r in records], np.int64),
                np.array([r["category_id"] for r in records], np.int64),
                np.array([r["bbox"] for r in records], np.float64).reshape(-1, 4),
                np.array([r["score"] for r in records], np.float64))
    for got, want in zip((image, category, boxes, score), expected):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(_cvcore.coco_records(records, "detections", "dets", "test"), expected):
        np.testing.assert_array_equal(got, want)  # the list path: the same columns


def test_detection_file_values():
    text = ('[{"image_id": 12345678901234567, "category_id": -9223372036854775808, "bbox": [1e-400, -1e-400, '
            '1.7976931348623157e308, 4.9e-324], "score": 1e-320}, {"image_id": 9223372036854775807, "category_id": 10, '
            '"bbox": [0.1, 0.2, 0.3, 123456789012345678901], "score": -0.0}]')
    image, category, boxes, score = _cvcore.coco_read_records(text.encode(), "detections", "dt.json", "dets", "test")
    np.testing.assert_array_equal(image, [12345678901234567, 2**63 - 1])  # exact, not through a double
    np.testing.assert_array_equal(category, [-2**63, 10])
    assert image.dtype == category.dtype == np.int64 and boxes.shape == (2, 4)
    expected = [[float(v) for v in json.loads(text)[i]["bbox"]] for i in range(2)]
    np.testing.assert_array_equal(boxes, expected)  # correctly rounded, as Python's float()
    assert np.signbit(boxes[0, 1]) and boxes[0, 1] == 0 and boxes[0, 2] == np.finfo(np.float64).max
    assert boxes[0, 3] == 5e-324 and score[0] == 1e-320 and np.signbit(score[1])


R = '"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]'


@pytest.mark.parametrize("text,match", [
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]', r"line 1 column 56: dets\[0\]: 'score' is missing"),
    ('[{%s, "score": 1e999}]' % R, r"line 1 column 67: dets\[0\]: 'score' must be a finite number, got 1e999"),
    ('[{%s, "score": 1}' % R, r"line 1 column 69: invalid JSON: expected ',' or '\]', got the end of the text"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "score": 1}]',
     r"line 1 column 52: dets\[0\]: 'bbox' must have 4 numbers, got 3"),
    ('[{%s, "score": 1},\n {"image_id": 1.5}]' % R, r"line 2 column 15: dets\[1\]: 'image_id' must be an integer, got 1.5"),
    ('[{%s, "score": 1},\n {"image_id": 1.0}]' % R, r"line 2 column 15: dets\[1\]: 'image_id' must be an integer, got 1.0"),
    ('[{"image_id": 1180591620717411303424}]', r"dets\[0\]: 'image_id' must be an integer in int64's range, got 11805"),
    ('[{%s, "score": "0.5"}]' % R, r"line 1 column 67: dets\[0\]: 'score' must be a finite number, got \"0.5\""),
    ('[{%s, "score": true}]' % R, r"dets\[0\]: 'score' must be a finite number, got true"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, [1], 1], "score": 1}]',
     r"dets\[0\]: 'bbox'\[2\] must be a finite number, got an array"),
    ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1], "score": 1}]',
     r"dets\[0\]: 'bbox' must have w, h >= 0, got \[0.0, 0.0, -1.0, 1.0\]"),
    ('[{"image_id": 1, "category_id": 1, "bbox": {"x": 0}, "score": 1}]',
     r"dets\[0\]: 'bbox' must be an array of 4 numbers \[x, y, w, h\], got an object"),
    ('[{"image_id": "1", "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]',
     r"dets\[0\]: 'image_id' must be an integer, got \"1\""),
    ('[{%s, "score": 1, "x": {"a": [1, 2,]}}]' % R, r"line 1 column 87: invalid JSON: expected a value, got '\]'"),
    ('{"annotations": []}', r"line 1 column 1: dets must be an array \(a list\) of records, got an object"),
    ('[] []', r"line 1 column 4: invalid JSON: expected the end of the text after the JSON value, got '\['"),
    ('[5]', r"line 1 column 2: dets\[0\] must be an object, got 5"),
    ('', r"line 1 column 1: invalid JSON: expected a value, got the end of the text"),
])
def test_detection_file_errors(tmp_path, text, match):
    path = tmp_path / "dt.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="COCOEvaluator: '.*dt.json' .*" + match):
        COCOEvaluator(GT, path)


# A bad record: the file and the list give the same message, the file with its line and column.
BAD_RECORDS = [
    ({"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}, r"dets\[1\]: 'score' is missing"),
    (dict(det(1, 1, [0, 0, 1, 1], "0.5")), r"dets\[1\]: 'score' must be a finite number, got \"0.5\"$"),
    (dict(det(1.5, 1, [0, 0, 1, 1], 0.5)), r"dets\[1\]: 'image_id' must be an integer, got 1.5$"),
    (dict(det(2.0, 1, [0, 0, 1, 1], 0.5)), r"dets\[1\]: 'image_id' must be an integer, got 2.0$"),
    (dict(det(2**70, 1, [0, 0, 1, 1], 0.5)),
     r"dets\[1\]: 'image_id' must be an integer in int64's range, got 1180591620717411303424$"),
    (dict(det(-2**63 - 1, 1, [0, 0, 1, 1], 0.5)), r"dets\[1\]: 'image_id' must be an integer in int64's range, got -9223372036854775809$"),
    (dict(det(1, True, [0, 0, 1, 1], 0.5)), r"dets\[1\]: 'category_id' must be an integer, got true$"),
    (dict(det(1, None, [0, 0, 1, 1], 0.5)), r"dets\[1\]: 'category_id' must be an integer, got null$"),
    (dict(det(1, 1, [0, 0, 1, 1], [0.5])), r"dets\[1\]: 'score' must be a finite number, got an array$"),
    (dict(det(1, 1, [0, 0, 1, 1], 10**400)), r"dets\[1\]: 'score' must be a finite number, got 1000000000000000000000000000000000000\.\.\.$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": [0, 0, 1]}, r"dets\[1\]: 'bbox' must have 4 numbers, got 3$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": [0, 0, 1, 1, 1]}, r"dets\[1\]: 'bbox' must have 4 numbers, got more than 4$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": [0, 0, "1", 1]}, r"dets\[1\]: 'bbox'\[2\] must be a finite number, got \"1\"$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": [0, 0, 1, -0.5]},
     r"dets\[1\]: 'bbox' must have w, h >= 0, got \[0.0, 0.0, 1.0, -0.5\]$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": 4}, r"dets\[1\]: 'bbox' must be an array of 4 numbers \[x, y, w, h\], got 4$"),
    ({**det(1, 1, [0, 0, 1, 1], 0.5), "bbox": "x" * 60}, r"dets\[1\]: 'bbox' must be an array of 4 numbers \[x, y, w, h\], got \"x{36}\.\.\.$"),
    ([1, 2], r"dets\[1\] must be an object, got an array$"),
]


@pytest.mark.parametrize("record,match", BAD_RECORDS)
def test_bad_records_same_message_in_a_file_and_a_list(tmp_path, record, match):
    dets = [det(1, 1, [0, 0, 1, 1], 0.5), record]
    with pytest.raises(ValueError, match=r"^COCOEvaluator: " + match) as from_list:
        COCOEvaluator(GT, dets)
    path = tmp_path / "dt.json"
    path.write_text(json.dumps(dets, indent=1))
    with pytest.raises(ValueError, match=r"^COCOEvaluator: '.*dt.json' line \d+ column \d+: " + match) as from_file:
        COCOEvaluator(GT, path)
    assert str(from_file.value).endswith(str(from_list.value)[len("COCOEvaluator: "):])


def test_list_path_takes_numpy_values_and_rejects_other_types():
    dets = [{"image_id": np.int32(1), "category_id": np.uint8(1), "bbox": np.array([0, 0, 10, 10], np.float32),
             "score": np.float32(0.5)}, {"image_id": 1, "category_id": 1, "bbox": (0, 0, 10, 10), "score": 0.5}]
    image, category, boxes, score = _cvcore.coco_records(dets, "detections", "dets", "test")
    np.testing.assert_array_equal(image, [1, 1])
    np.testing.assert_array_equal(boxes, [[0, 0, 10, 10]] * 2)
    assert score[0] == float(np.float32(0.5))
    for value, got in [({1, 2}, "a value of type set"), (np.bool_(True), "true"), (np.float64("nan"), "nan"),
                       (np.array(0.5), "a value of type numpy.ndarray"), (float("inf"), "inf")]:
        with pytest.raises(ValueError, match=r"^test: dets\[0\]: 'score' must be a finite number, got " + got):
            _cvcore.coco_records([det(1, 1, [0, 0, 1, 1], value)], "detections", "dets", "test")
    # Members that are not fields are skipped whatever they hold, keys that are not str included.
    dets = [dict(det(1, 1, [0, 0, 1, 1], 0.5), extra=object()), {**det(1, 1, [0, 0, 1, 1], 0.5), 5: None}]
    assert len(_cvcore.coco_records(dets, "detections", "dets", "test")[0]) == 2


# --- errors --------------------------------------------------------------------------------------

GT = coco([1, 2], [gt_box(1, 1, [0, 0, 10, 10])])


@pytest.mark.parametrize("dets,match", [
    ([det(3, 1, [0, 0, 1, 1], 0.5)], r"dets\[0\]: image_id 3 is not in the ground truth"),
    ([det(1, 1, [0, 0, 1, 1], 0.5), det(1, 7, [0, 0, 1, 1], 0.5)], r"dets\[1\]: category_id 7 is not in the ground truth"),
    ([det(1, 1, [0, 0, 1, 1], float("nan"))], r"dets\[0\]: 'score' must be a finite number, got nan"),
    ([det(1, 1, [0, 0, -1, 1], 0.5)], r"dets\[0\]: 'bbox' must have w, h >= 0"),
    ([det(1, 1, [0, 0, 1], 0.5)], r"dets\[0\]: 'bbox' must have 4 numbers, got 3"),
    ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}], r"dets\[0\]: 'score' is missing"),
    ([5], r"dets\[0\] must be an object, got 5"),
    ({"a": 1}, r"dets must be an array \(a list\) of records, got an object"),
    (None, r"dets must be an array \(a list\) of records, got null"),
])
def test_bad_detections(dets, match):
    with pytest.raises(ValueError, match=match):
        COCOEvaluator(GT, dets)


def test_bad_ground_truth_and_files(tmp_path):
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: image_id 5 is not in the ground truth"):
        COCOEvaluator(coco([1], [gt_box(5, 1, [0, 0, 1, 1])]), [])
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: 'area' is missing"):
        COCOEvaluator(coco([1], [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "id": 1}]), [])
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: 'area' must be a finite number, got nan"):
        COCOEvaluator(coco([1], [gt_box(1, 1, [0, 0, 1, 1], area=float("nan"))]), [])
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: 'iscrowd' must be an integer, got false"):
        COCOEvaluator(coco([1], [gt_box(1, 1, [0, 0, 1, 1], crowd=False)]), [])
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\]: 'id' must be an integer, got 1.5"):
        COCOEvaluator(coco([1], [dict(gt_box(1, 1, [0, 0, 1, 1]), id=1.5)]), [])
    with pytest.raises(ValueError, match=r"gt\['images'\]\[0\]: 'id' must be an integer in int64's range, got 2361"):
        COCOEvaluator(coco([2**71], []), [])
    with pytest.raises(ValueError, match=r"gt\['categories'\]\[1\]: 'id' must be an integer, got \"2\""):
        COCOEvaluator(coco([1], [], categories=[1, "2"]), [])
    with pytest.raises(ValueError, match=r"gt has no 'images' \(a list of records\)"):
        COCOEvaluator({"annotations": []}, [])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"^COCOEvaluator: '.*bad.json' line 1 column 2: invalid JSON: expected a member"):
        COCOEvaluator(bad, [])
    with pytest.raises(ValueError, match=r"max_dets must be increasing counts >= 0"):
        COCOEvaluator(GT, [], max_dets=(10, 1))
    with pytest.raises(TypeError, match=r"COCOEvaluator: max_dets must be an int, got 1.5"):
        COCOEvaluator(GT, [], max_dets=(1.5,))
    with pytest.raises(TypeError, match=r"COCOEvaluator: max_dets must be an int, got '10'"):
        COCOEvaluator(GT, [], max_dets=(1, "10"))
    with pytest.raises(TypeError, match=r"COCOEvaluator: max_dets must be a sequence of ints, got 100"):
        COCOEvaluator(GT, [], max_dets=100)
    assert COCOEvaluator(GT, [], max_dets=np.array([1, 10, 100])).max_dets == (1, 10, 100)
    for name, value in (("iou_threshold", "0.5"), ("score_threshold", None)):
        with pytest.raises(TypeError, match=rf"COCOEvaluator.confusion_matrix: {name} must be a real number"):
            COCOEvaluator(GT, []).confusion_matrix(**{name: value})
    with pytest.raises(ValueError, match=r"COCOEvaluator.confusion_matrix: iou_threshold must be finite, got nan"):
        COCOEvaluator(GT, []).confusion_matrix(iou_threshold=float("nan"))


def test_ground_truth_files_strict_named_and_bounded(tmp_path):
    path = tmp_path / "gt.json"
    path.write_text(json.dumps(GT))
    assert COCOEvaluator(path, []).evaluate().stats[0] == 0
    for text, match in [
        (json.dumps(GT).replace('"iscrowd": 0', '"iscrowd": NaN'), "NaN and Infinity are not JSON numbers"),
        ('{"images": [' * 50000 + "]}" * 50000, "more than 512 nested arrays and objects"),  # no RecursionError
        ('{"images": [], "info": "caf\xe9"}', r"invalid UTF-8 \(byte 0xE9\) in a string"),
    ]:
        path.write_bytes(text.encode("latin-1"))
        with pytest.raises(ValueError, match=r"^COCOEvaluator: '.*gt.json' line 1 column \d+: invalid JSON: " + match):
            COCOEvaluator(path, [])


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
