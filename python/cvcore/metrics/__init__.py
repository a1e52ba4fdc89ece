"""Evaluation: COCO-style mAP with pycocotools' exact semantics (matching and accumulation in C++),
PASCAL VOC AP with the difficult flag, average precision from a PR curve (VOC07, VOC, COCO), and
precision / recall / F-beta / confusion matrix with scikit-learn's semantics."""

from .ap import average_precision, voc_evaluate
from .classification import confusion_matrix, precision_recall_fscore, precision_recall_fscore_from_counts
from .coco import COCOEvaluator, COCOResult

__all__ = ["COCOEvaluator", "COCOResult", "average_precision", "confusion_matrix", "precision_recall_fscore",
           "precision_recall_fscore_from_counts", "voc_evaluate"]
