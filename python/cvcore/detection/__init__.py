"""Detection: anchor clustering and the MTCNN face detector (more to come: box coders, decoders,
post-processing)."""

from .anchors import AnchorFit, anchor_quality, kmeans_anchors
from .mtcnn import MTCNN, load_weights, sample_image

__all__ = ["AnchorFit", "MTCNN", "anchor_quality", "kmeans_anchors", "load_weights", "sample_image"]
