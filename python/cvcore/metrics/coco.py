"""COCO bounding-box evaluation with pycocotools' exact semantics (``COCOeval(gt, dt, "bbox")``).

The matching and accumulation run in C++ (``cvcore._cvcore.coco_evaluate``), and so do the reading of
JSON files (strict RFC 8259) and the checks of every record (``cvcore._cvcore.coco_records``, the same
rules for files and lists of dicts); this module maps COCO ids to dense indices.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from .. import _cvcore
from .._json import load_json
from .._validation import as_int, check_finite_scalar

# pycocotools' Params.setDetParams, computed the same way so that every threshold is the same double.
IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
MAX_DETS = (1, 10, 100)
AREA_RANGES = {"all": (0.0, 1e5 ** 2), "small": (0.0, 32.0 ** 2), "medium": (32.0 ** 2, 96.0 ** 2),
               "large": (96.0 ** 2, 1e5 ** 2)}

_OP = "COCOEvaluator"


def _load(source):
    """A JSON path (str / PathLike) read by the strict C++ reader, or the object itself."""
    if isinstance(source, (str, os.PathLike)):
        return load_json(source, _OP)
    return source


def _columns(records, kind, what):
    """The columns of COCO records (cvcore::read_coco_records: an id as (n,) int64, a number as (n,)
    float64, a box as (n, 4) float64), from a JSON file or from a list of dicts, by the same rules and
    with the same messages (naming the record, the field and the value; the line and column in a
    file). ``kind`` is "detections", "annotations", "images" or "categories"."""
    if isinstance(records, (str, os.PathLike)):
        with open(records, "rb") as f:
            data = f.read()
        return _cvcore.coco_read_records(data, kind, os.fspath(records), what, _OP)
    return _cvcore.coco_records(records, kind, what, _OP)


def _records(gt, key):
    """gt[key], the records of one kind in a ground truth dict."""
    if key not in gt:
        raise ValueError(f"{_OP}: gt has no {key!r} (a list of records)")
    return gt[key]


def _indices(ids, known, what, kind):
    """Positions of ids in the sorted array `known`; ValueError naming the first unknown one."""
    pos = np.searchsorted(known, ids)
    pos_clipped = np.minimum(pos, max(len(known) - 1, 0))
    bad = (pos >= len(known)) | (known[pos_clipped] != ids) if len(known) else np.ones(len(ids), bool)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{_OP}: {what}[{i}]: {kind} {int(ids[i])} is not in the ground truth")
    return pos.astype(np.int64)


@dataclass
class COCOResult:
    """The result of :meth:`COCOEvaluator.evaluate`.

    ``precision`` (T, R, K, A, M), ``recall`` (T, K, A, M) and ``scores`` (T, R, K, A, M) are
    pycocotools' ``eval['precision' | 'recall' | 'scores']``: T IoU thresholds, R recall thresholds, K
    categories (``category_ids`` order), A area ranges (``area_labels``), M ``max_dets``; -1 where a
    category has no unignored ground truth in that area range. ``stats`` holds the 12 numbers of
    ``COCOeval.summarize()`` in its order.
    """

    precision: np.ndarray
    recall: np.ndarray
    scores: np.ndarray
    category_ids: np.ndarray
    category_names: list
    iou_thresholds: np.ndarray
    recall_thresholds: np.ndarray
    max_dets: tuple
    area_labels: tuple
    stats: np.ndarray = field(init=False)

    def __post_init__(self):
        last = self.max_dets[2] if len(self.max_dets) > 2 else self.max_dets[-1]
        spec = [(1, None, "all", 100), (1, 0.5, "all", last), (1, 0.75, "all", last), (1, None, "small", last),
                (1, None, "medium", last), (1, None, "large", last), (0, None, "all", self.max_dets[0]),
                (0, None, "all", self.max_dets[min(1, len(self.max_dets) - 1)]), (0, None, "all", last),
                (0, None, "small", last), (0, None, "medium", last), (0, None, "large", last)]
        self._spec = spec
        self.stats = np.array([self._summarize(*s) for s in spec])

    def _summarize(self, ap, iou, area, max_dets):
        # pycocotools' _summarize, indexing included, so that the means are the same doubles.
        aind = [i for i, label in enumerate(self.area_labels) if label == area]
        mind = [i for i, m in enumerate(self.max_dets) if m == max_dets]
        s = self.precision if ap == 1 else self.recall
        if iou is not None:
            s = s[np.where(iou == self.iou_thresholds)[0]]
        s = s[:, :, :, aind, mind] if ap == 1 else s[:, :, aind, mind]
        return -1.0 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))

    def summary(self):
        """The 12 lines of ``COCOeval.summarize()``, as a string."""
        lines = []
        for (ap, iou, area, max_dets), value in zip(self._spec, self.stats):
            title, kind = ("Average Precision", "(AP)") if ap == 1 else ("Average Recall", "(AR)")
            iou_str = (f"{self.iou_thresholds[0]:0.2f}:{self.iou_thresholds[-1]:0.2f}" if iou is None
                       else f"{iou:0.2f}")
            lines.append(f" {title:<18} {kind} @[ IoU={iou_str:<9} | area={area:>6s} | maxDets={max_dets:>3d} ]"
                         f" = {value:0.3f}")
        return "\n".join(lines)

    def per_class_ap(self):
        """``[(category_id, name, AP, AP50, AP75)]``: AP over IoU .50:.95, at .50 and at .75 (area all, the
        largest max_dets), NaN for a category without unignored ground truth."""
        rows = []
        i50, i75 = (np.where(np.isclose(self.iou_thresholds, v))[0] for v in (0.5, 0.75))
        for k, (cid, name) in enumerate(zip(self.category_ids, self.category_names)):
            def mean(p):
                p = p[p > -1]
                return float(np.mean(p)) if p.size else float("nan")
            p = self.precision[:, :, k, 0, -1]
            rows.append((int(cid), name, mean(p), mean(p[i50]), mean(p[i75])))
        return rows

    def plot_pr(self, path, iou=0.5):
        """Writes the precision-recall curve of every category (area all, the largest max_dets) at IoU
        ``iou`` to an image file. Needs matplotlib (ImportError with a clear message otherwise)."""
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise ImportError("plot_pr needs matplotlib: pip install matplotlib") from None
        t = int(np.argmin(np.abs(self.iou_thresholds - iou)))
        fig, ax = plt.subplots(figsize=(7, 5))
        for k, name in enumerate(self.category_names):
            p = self.precision[t, :, k, 0, -1]
            if (p > -1).any():
                ax.plot(self.recall_thresholds, p, linewidth=0.8, label=str(name))
        ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.01),
               title=f"precision-recall at IoU {self.iou_thresholds[t]:.2f}")
        if len(self.category_names) <= 20:
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)


class COCOEvaluator:
    """COCO bounding-box evaluation, equal to pycocotools' ``COCOeval(gt, dt, "bbox")``.

    Parameters
    ----------
    gt : str, path-like or dict
        COCO ground truth (``images``, ``annotations`` with ``id, image_id, category_id, bbox
        [x, y, w, h], area, iscrowd``, ``categories``), as a JSON file or the loaded dict.
        ``iscrowd`` defaults to 0 when absent; ``area`` is required (it is the segment area in COCO,
        not the box area, and decides the small / medium / large ranges).
    dets : str, path-like or list
        Detections ``{image_id, category_id, bbox, score}``, as a JSON file or a list.
    max_dets : sequence of int, optional
        pycocotools' ``params.maxDets`` (default (1, 10, 100)).

    Notes
    -----
    Every pycocotools rule is kept: detections sorted by score with a stable sort (ties keep the
    input order), cut to ``max_dets[-1]`` per (image, category); a crowd box's IoU is intersection
    over the detection's area and it absorbs any number of matches; crowd ground truth and boxes
    outside an area range are ignored (an ``ignore`` field is overridden by ``iscrowd``, as in
    pycocotools); a detection matched to a ground truth of id 0 counts as unmatched; area bounds are
    inclusive; categories without unignored ground truth are -1 and left out of the means;
    ``stats[0]`` uses maxDets 100. Unlike pycocotools, an empty detection list is allowed (all zeros),
    and every record is checked, with the same rules for a file and a list, nothing converted: ids
    are integers in int64's range (a JSON number without fraction or exponent, a Python or NumPy
    int; not 1.0, 1.5 or "1"), scores and areas finite numbers, boxes 4 finite numbers with
    w, h >= 0 (bools and strings are not numbers). An unknown image or category id, a missing field
    or a value of the wrong kind raise ValueError naming the record, the field and the value (with
    the line and column in a file). JSON files must be strict RFC 8259 JSON in UTF-8 (no NaN or
    Infinity, nesting at most 512 deep); ValueError names the file, the line and the column.
    """

    def __init__(self, gt, dets, max_dets=MAX_DETS):
        gt = _load(gt)
        if not isinstance(gt, dict):
            raise ValueError(f"{_OP}: gt must be a COCO dict or a JSON file holding one, got {type(gt).__name__}")
        if isinstance(max_dets, (str, bytes)) or not hasattr(max_dets, "__iter__"):
            raise TypeError(f"{_OP}: max_dets must be a sequence of ints, got {max_dets!r}")
        self.max_dets = tuple(as_int(_OP, "max_dets", m) for m in max_dets)
        if not self.max_dets or any(m < 0 for m in self.max_dets) or list(self.max_dets) != sorted(self.max_dets):
            raise ValueError(f"{_OP}: max_dets must be increasing counts >= 0, got {max_dets!r}")

        self.image_ids = np.unique(_columns(_records(gt, "images"), "images", "gt['images']")[0])
        categories = _records(gt, "categories")
        cat_ids = _columns(categories, "categories", "gt['categories']")[0]
        order = np.argsort(cat_ids, kind="stable")
        self.category_ids = cat_ids[order]
        if len(np.unique(self.category_ids)) != len(self.category_ids):
            raise ValueError(f"{_OP}: gt['categories'] has duplicate ids")
        self.category_names = [categories[i].get("name", str(categories[i]["id"])) for i in order]

        what = "gt['annotations']"
        ann_id, image_id, category_id, boxes, area, crowd = _columns(_records(gt, "annotations"), "annotations", what)
        self._gt = dict(image=_indices(image_id, self.image_ids, what, "image_id"),
                        category=_indices(category_id, self.category_ids, what, "category_id"),
                        boxes=boxes, area=area, crowd=crowd, id=ann_id)

        what = "dets"
        image_id, category_id, boxes, scores = _columns(dets, "detections", what)
        self._dt = dict(image=_indices(image_id, self.image_ids, what, "image_id"),
                        category=_indices(category_id, self.category_ids, what, "category_id"),
                        boxes=boxes, score=scores)

    def confusion_matrix(self, iou_threshold=0.5, score_threshold=0.25):
        """The detection confusion matrix, (K + 1, K + 1) int64: rows are ground-truth categories
        (``category_ids`` order) then background, columns predicted categories then background.

        Per image, detections with score ``> score_threshold`` are matched to non-crowd ground truth
        of any category by IoU ``> iou_threshold``, greedily by decreasing IoU, one to one (YOLOv5's
        confusion matrix). A matched pair adds to (true, predicted); an unmatched ground truth to
        (true, background), an unmatched detection to (background, predicted)."""
        from .. import ops

        op = f"{_OP}.confusion_matrix"
        iou_threshold = check_finite_scalar(op, "iou_threshold", iou_threshold)
        score_threshold = check_finite_scalar(op, "score_threshold", score_threshold)
        K = len(self.category_ids)
        cm = np.zeros((K + 1, K + 1), np.int64)
        g, d = self._gt, self._dt
        gt_keep = g["crowd"] == 0
        dt_keep = d["score"] > score_threshold
        gt_by_image = np.argsort(g["image"], kind="stable")
        dt_by_image = np.argsort(d["image"], kind="stable")
        gt_bounds = np.searchsorted(g["image"][gt_by_image], np.arange(len(self.image_ids) + 1))
        dt_bounds = np.searchsorted(d["image"][dt_by_image], np.arange(len(self.image_ids) + 1))

        def xyxy(b):
            return np.concatenate([b[:, :2], b[:, :2] + b[:, 2:]], axis=1)

        for i in range(len(self.image_ids)):
            gi = gt_by_image[gt_bounds[i]:gt_bounds[i + 1]]
            di = dt_by_image[dt_bounds[i]:dt_bounds[i + 1]]
            gi, di = gi[gt_keep[gi]], di[dt_keep[di]]
            gc, dc = g["category"][gi], d["category"][di]
            matched_g, matched_d = np.zeros(len(gi), bool), np.zeros(len(di), bool)
            if len(gi) and len(di):
                iou = ops.box_iou(xyxy(g["boxes"][gi]), xyxy(d["boxes"][di]))
                rows, cols = np.nonzero(iou > iou_threshold)
                for r, c in zip(*(a[np.argsort(-iou[rows, cols], kind="stable")] for a in (rows, cols))):
                    if not matched_g[r] and not matched_d[c]:
                        matched_g[r] = matched_d[c] = True
                        cm[gc[r], dc[c]] += 1
            np.add.at(cm, (gc[~matched_g], K), 1)
            np.add.at(cm, (K, dc[~matched_d]), 1)
        return cm

    def evaluate(self):
        """Runs the evaluation: a :class:`COCOResult` (``.stats``, ``.precision``, ``.recall``, ...)."""
        g, d = self._gt, self._dt
        precision, recall, scores = _cvcore.coco_evaluate(
            g["image"], g["category"], g["boxes"].reshape(-1, 4), g["area"], g["crowd"], g["id"], d["image"],
            d["category"], d["boxes"], d["score"], len(self.image_ids), len(self.category_ids),
            IOU_THRESHOLDS.tolist(), RECALL_THRESHOLDS.tolist(), list(self.max_dets),
            [list(r) for r in AREA_RANGES.values()])
        return COCOResult(precision, recall, scores, self.category_ids, self.category_names, IOU_THRESHOLDS,
                          RECALL_THRESHOLDS, self.max_dets, tuple(AREA_RANGES))
