"""Detection: box coders (SSD priors, Faster R-CNN deltas, YOLO grids), post-processing, letterboxing
and input blobs, anchor clustering, and the MTCNN face detector."""

from .anchors import AnchorFit, anchor_quality, kmeans_anchors
from .coders import (anchor_points, rcnn_decode, rcnn_encode, ssd_decode, ssd_encode, ssd_priors,
                     yolo_anchor_free_decode, yolo_decode)
from .mtcnn import MTCNN, load_weights, sample_image
from .postprocess import Detections, postprocess
from .preprocess import letterbox, normalize, resize_bilinear, scale_boxes, to_blob

__all__ = ["AnchorFit", "Detections", "MTCNN", "anchor_points", "anchor_quality", "kmeans_anchors", "letterbox",
           "load_weights", "normalize", "postprocess", "rcnn_decode", "rcnn_encode", "resize_bilinear",
           "sample_image", "scale_boxes", "ssd_decode", "ssd_encode", "ssd_priors", "to_blob",
           "yolo_anchor_free_decode", "yolo_decode"]
