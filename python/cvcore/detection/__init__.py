"""Detection: box coders (SSD and RetinaFace priors, Faster R-CNN deltas, YOLO grids), post-processing,
letterboxing and input blobs, anchor clustering, and the MTCNN and RetinaFace face detectors."""

from .anchors import AnchorFit, anchor_quality, kmeans_anchors
from .coders import (anchor_points, rcnn_decode, rcnn_encode, retinaface_priors, ssd_decode, ssd_decode_points,
                     ssd_encode, ssd_encode_points, ssd_priors, yolo_anchor_free_decode, yolo_decode)
from .mtcnn import MTCNN, load_weights, sample_image
from .postprocess import Detections, postprocess
from .preprocess import letterbox, normalize, resize_bilinear, scale_boxes, to_blob
from .retinaface import RetinaFace

__all__ = ["AnchorFit", "Detections", "MTCNN", "RetinaFace", "anchor_points", "anchor_quality", "kmeans_anchors",
           "letterbox", "load_weights", "normalize", "postprocess", "rcnn_decode", "rcnn_encode",
           "resize_bilinear", "retinaface_priors", "sample_image", "scale_boxes", "ssd_decode", "ssd_decode_points",
           "ssd_encode", "ssd_encode_points", "ssd_priors", "to_blob", "yolo_anchor_free_decode", "yolo_decode"]
