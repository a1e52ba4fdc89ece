"""Detection helpers: anchor clustering (more to come: box coders, decoders, post-processing)."""

from .anchors import AnchorFit, anchor_quality, kmeans_anchors

__all__ = ["AnchorFit", "anchor_quality", "kmeans_anchors"]
