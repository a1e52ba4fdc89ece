"""Anchor clustering (cvcore.detection.kmeans_anchors) and the `cvcore anchors` / `cvcore info` CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest

from cvcore import cli
from cvcore.detection import anchor_quality, kmeans_anchors
from reference import kmeans as ref

SHAPES = np.array([[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]],
                  dtype=np.float64)


def synthetic_wh(rng, n=3000, jitter=0.05):
    pick = rng.integers(0, len(SHAPES), size=n)
    return SHAPES[pick] * np.exp(jitter * rng.standard_normal((n, 2)))


def test_recovers_known_clusters(rng):
    wh = synthetic_wh(rng)
    fit = kmeans_anchors(wh, 9, random_state=0)
    np.testing.assert_allclose(fit.anchors, SHAPES[np.argsort(SHAPES.prod(axis=1))], rtol=0.05)
    assert np.all(np.diff(fit.anchors.prod(axis=1)) > 0)
    assert fit.mean_iou > 0.85 and fit.recall == 1.0 and fit.bpr == 1.0


def test_normalised_sizes_are_scaled(rng):
    wh = synthetic_wh(rng, 1000)
    a = kmeans_anchors(wh / 640, 9, img_size=640, random_state=1)
    b = kmeans_anchors(wh, 9, random_state=1)
    np.testing.assert_allclose(a.anchors, b.anchors, rtol=1e-9)


def test_quality_against_reference(rng):
    wh = synthetic_wh(rng, 500, jitter=0.4)
    anchors = SHAPES[:5]
    mean_iou, recall, bpr, aat = anchor_quality(wh, anchors, thr=4.0)
    best_iou = (1 - ref.iou_distance(wh, anchors)).max(axis=1)
    assert mean_iou == pytest.approx(best_iou.mean(), rel=1e-12)
    assert recall == pytest.approx((best_iou >= 0.5).mean())
    ratio = np.array([[min(min(w / aw, aw / w), min(h / ah, ah / h)) for aw, ah in anchors] for w, h in wh])
    assert bpr == pytest.approx((ratio.max(axis=1) > 0.25).mean())
    assert aat == pytest.approx((ratio > 0.25).sum(axis=1).mean())


def test_bad_input():
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        kmeans_anchors(np.ones((10, 3)))
    with pytest.raises(ValueError, match="n_anchors"):
        kmeans_anchors(np.ones((5, 2)) * 20, 9)
    with pytest.raises(ValueError, match="> 0"):
        kmeans_anchors(np.array([[10.0, -1.0]] * 20), 2)


def write_coco(path, rng):
    wh = synthetic_wh(rng, 600)
    images = [{"id": i, "width": 640, "height": 480, "file_name": f"{i}.jpg"} for i in range(60)]
    anns = [{"id": j + 1, "image_id": j % 60, "category_id": 1, "bbox": [0, 0, float(w), float(h)], "iscrowd": 0,
             "area": float(w * h)} for j, (w, h) in enumerate(wh)]
    path.write_text(json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1, "name": "x"}]}))


def test_cli_anchors_coco(tmp_path, rng, capsys):
    f = tmp_path / "instances.json"
    write_coco(f, rng)
    assert cli.main(["anchors", str(f), "-n", "9", "--img-size", "640"]) == 0
    out = capsys.readouterr().out
    assert "boxes: 600" in out and "anchors (w,h):" in out and "BPR" in out
    anchors = [tuple(map(float, a.split(","))) for a in out.split("anchors (w,h): ")[1].splitlines()[0].split(", ")]
    np.testing.assert_allclose(sorted(anchors, key=lambda a: a[0] * a[1]),
                               SHAPES[np.argsort(SHAPES.prod(axis=1))], rtol=0.06, atol=1)


def test_cli_anchors_yolo_folder_subprocess(tmp_path, rng):
    wh = synthetic_wh(rng, 400) / 640
    labels = tmp_path / "labels"
    (labels / "train").mkdir(parents=True)
    for i in range(40):
        rows = [f"0 0.5 0.5 {w:.6f} {h:.6f}" for w, h in wh[i * 10:(i + 1) * 10]]
        (labels / "train" / f"{i}.txt").write_text("\n".join(rows) + "\n")
    res = subprocess.run([sys.executable, "-m", "cvcore.cli", "anchors", str(labels), "-n", "5"],
                         capture_output=True, text=True, check=True)
    assert "boxes: 400" in res.stdout and "mean IoU" in res.stdout


def test_cli_info(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "isa:" in out and "threads:" in out


def test_cli_missing_path(tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["anchors", str(tmp_path / "nope.json")])
