"""Detection evaluation: COCO-style mAP with pycocotools' exact semantics (more to come: VOC AP,
precision / recall / F1, confusion matrices)."""

from .coco import COCOEvaluator, COCOResult

__all__ = ["COCOEvaluator", "COCOResult"]
