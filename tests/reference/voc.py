"""The PASCAL VOC devkit's matching (voc_eval), a loop over each class's detections as cvcore's Python
voc_evaluate ran it before the matching moved to C++: overlaps with inclusive pixels (+1 on widths and
heights) or torchvision's box IoU, np.argmax for the best ground truth, difficult boxes matched but
counted nowhere."""

import numpy as np

from .boxes import pairwise


def pixel_iou(box, boxes):
    """VOC devkit overlaps with inclusive pixel coordinates (+1 on widths and heights)."""
    iw = np.maximum(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]) + 1.0, 0.0)
    ih = np.maximum(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]) + 1.0, 0.0)
    inter = iw * ih
    union = ((box[2] - box[0] + 1.0) * (box[3] - box[1] + 1.0)
             + (boxes[:, 2] - boxes[:, 0] + 1.0) * (boxes[:, 3] - boxes[:, 1] + 1.0) - inter)
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / union


def voc_curves(ground_truth, detections, iou_threshold=0.5, pixel_inclusive=True):
    """{label: (recall, precision)} per label with non-difficult ground truth, at every detection of
    the label in order of decreasing score (stable)."""
    gts = [(np.asarray(g["boxes"], np.float64).reshape(-1, 4), np.asarray(g["labels"]).ravel(),
            np.asarray(g.get("difficult", np.zeros(len(g["labels"]), bool)), bool).ravel()) for g in ground_truth]
    dets = [(np.asarray(d["boxes"], np.float64).reshape(-1, 4), np.asarray(d["scores"], np.float64).ravel(),
             np.asarray(d["labels"]).ravel()) for d in detections]
    classes = np.unique(np.concatenate([g[1][~g[2]] for g in gts] or [np.zeros(0)]))
    curves = {}
    for c in classes.tolist():
        npos = sum(int(np.sum((g[1] == c) & ~g[2])) for g in gts)
        img_of, box_of, score_of = [], [], []
        for i, (boxes, scores, labels) in enumerate(dets):
            sel = np.nonzero(labels == c)[0]
            img_of += [i] * len(sel)
            box_of.append(boxes[sel])
            score_of.append(scores[sel])
        boxes_c = np.concatenate(box_of) if box_of else np.zeros((0, 4))
        order = np.argsort(-np.concatenate(score_of), kind="stable") if score_of else np.zeros(0, np.int64)
        taken = [np.zeros(int(np.sum(g[1] == c)), bool) for g in gts]
        tp, fp = np.zeros(len(order)), np.zeros(len(order))
        for rank, j in enumerate(order):
            gboxes, glabels, gdiff = gts[img_of[j]]
            mine = np.nonzero(glabels == c)[0]
            if len(mine) == 0:
                fp[rank] = 1
                continue
            if pixel_inclusive:
                ov = pixel_iou(boxes_c[j], gboxes[mine])
            else:
                ov = pairwise("iou", boxes_c[j][None], gboxes[mine])[0]
            best = int(np.argmax(ov))
            if ov[best] > iou_threshold:
                if gdiff[mine[best]]:
                    continue
                if not taken[img_of[j]][best]:
                    tp[rank] = 1
                    taken[img_of[j]][best] = True
                else:
                    fp[rank] = 1
            else:
                fp[rank] = 1
        tp, fp = np.cumsum(tp), np.cumsum(fp)
        curves[c] = (tp / npos, tp / np.maximum(tp + fp, np.finfo(np.float64).eps))
    return curves
