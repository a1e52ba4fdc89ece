"""Clustering and nearest neighbours on NumPy arrays, with scikit-learn's names and semantics.

KMeans / kmeans / kmeans_plusplus
    Lloyd's k-means with greedy k-means++ seeding, float32 or float64 kept end to end, optional
    sample weights, and the metric "iou" for (w, h) box shapes (anchor clustering).
KNeighborsClassifier
    Brute-force k-nearest-neighbour classification (Euclidean).
"""

from .kmeans import KMeans, kmeans, kmeans_plusplus
from .neighbors import KNeighborsClassifier

__all__ = ["KMeans", "KNeighborsClassifier", "kmeans", "kmeans_plusplus"]
