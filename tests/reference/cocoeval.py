"""A plain-Python COCO bbox evaluation following pycocotools' COCOeval step by step (straight loops,
Python floats), used as the oracle for cvcore.metrics.COCOEvaluator."""

import math

IOU_THRS = [0.5 + 0.05 * i for i in range(10)]
AREAS = [(0.0, 1e10), (0.0, 1024.0), (1024.0, 9216.0), (9216.0, 1e10)]


def iou(d, g, crowd):
    w = min(d[0] + d[2], g[0] + g[2]) - max(d[0], g[0])
    h = min(d[1] + d[3], g[1] + g[3]) - max(d[1], g[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = d[2] * d[3] if crowd else d[2] * d[3] + g[2] * g[3] - inter
    return inter / union


def evaluate_image(gts, dts, area, iou_thrs, max_det):
    """pycocotools' evaluateImg for one (image, category) and area range, or None when both are empty."""
    if not gts and not dts:
        return None
    lo, hi = area
    gt_ig = [1 if (g.get("iscrowd", 0) or g["area"] < lo or g["area"] > hi) else 0 for g in gts]
    gorder = sorted(range(len(gts)), key=lambda i: gt_ig[i])  # stable: non-ignored first
    gts = [gts[i] for i in gorder]
    gt_ig = [gt_ig[i] for i in gorder]
    dts = sorted(dts, key=lambda d: -d["score"])[:max_det]  # stable
    T = len(iou_thrs)
    gtm = [[0] * len(gts) for _ in range(T)]
    dtm = [[0] * len(dts) for _ in range(T)]
    dt_ig = [[0] * len(dts) for _ in range(T)]
    if gts and dts:
        ious = [[iou(d["bbox"], g["bbox"], g.get("iscrowd", 0)) for g in gts] for d in dts]
        for t, thr in enumerate(iou_thrs):
            for di, d in enumerate(dts):
                best, m = min(thr, 1 - 1e-10), -1
                for gi, g in enumerate(gts):
                    if gtm[t][gi] > 0 and not g.get("iscrowd", 0):
                        continue
                    if m > -1 and gt_ig[m] == 0 and gt_ig[gi] == 1:
                        break
                    if ious[di][gi] < best:
                        continue
                    best, m = ious[di][gi], gi
                if m == -1:
                    continue
                dt_ig[t][di] = gt_ig[m]
                dtm[t][di] = gts[m]["id"]
                gtm[t][m] = d["id"]
    for t in range(T):
        for di, d in enumerate(dts):
            a = d["bbox"][2] * d["bbox"][3]
            if dtm[t][di] == 0 and (a < lo or a > hi):
                dt_ig[t][di] = 1
    return {"scores": [d["score"] for d in dts], "dtm": dtm, "dt_ig": dt_ig, "gt_ig": gt_ig}


def cocoeval(gt, dets, max_dets=(1, 10, 100), iou_thrs=None, rec_thrs=None):
    """(precision [T][R][K][A][M], recall [T][K][A][M], category ids) as nested lists."""
    iou_thrs = IOU_THRS if iou_thrs is None else iou_thrs
    rec_thrs = [i / 100 for i in range(101)] if rec_thrs is None else rec_thrs
    img_ids = sorted({im["id"] for im in gt["images"]})
    cat_ids = sorted(c["id"] for c in gt["categories"])
    dets = [dict(d, id=i + 1) for i, d in enumerate(dets)]
    T, R, K, A, M = len(iou_thrs), len(rec_thrs), len(cat_ids), len(AREAS), len(max_dets)
    precision = [[[[[-1.0] * M for _ in range(A)] for _ in range(K)] for _ in range(R)] for _ in range(T)]
    recall = [[[[-1.0] * M for _ in range(A)] for _ in range(K)] for _ in range(T)]
    for k, cat in enumerate(cat_ids):
        for a, area in enumerate(AREAS):
            evals = []
            for img in img_ids:
                gts = [g for g in gt["annotations"] if g["image_id"] == img and g["category_id"] == cat]
                dts = [d for d in dets if d["image_id"] == img and d["category_id"] == cat]
                e = evaluate_image(gts, dts, area, iou_thrs, max_dets[-1])
                if e is not None:
                    evals.append(e)
            if not evals:
                continue
            npig = sum(1 for e in evals for ig in e["gt_ig"] if ig == 0)
            if npig == 0:
                continue
            for m, md in enumerate(max_dets):
                entries = [(e["scores"][j], e, j) for e in evals for j in range(min(md, len(e["scores"])))]
                entries.sort(key=lambda x: -x[0])  # stable
                for t in range(T):
                    tp = fp = 0
                    rc, pr = [], []
                    for _, e, j in entries:
                        if not e["dt_ig"][t][j]:
                            if e["dtm"][t][j] != 0:
                                tp += 1
                            else:
                                fp += 1
                        rc.append(tp / npig)
                        pr.append(tp / (fp + tp + 2.220446049250313e-16))
                    recall[t][k][a][m] = rc[-1] if rc else 0.0
                    for i in range(len(pr) - 1, 0, -1):
                        pr[i - 1] = max(pr[i - 1], pr[i])
                    for r, thr in enumerate(rec_thrs):
                        at = next((i for i, v in enumerate(rc) if v >= thr), len(rc))
                        precision[t][r][k][a][m] = pr[at] if at < len(rc) else 0.0
    return precision, recall, cat_ids


def mean_valid(values):
    valid = [v for v in values if v > -1]
    return -1.0 if not valid else math.fsum(valid) / len(valid)
