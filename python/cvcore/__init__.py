"""cvcore: a fast C++ core for convolutional networks and object detection, NumPy-native.

Submodules
----------
ops
    Functional operators on NumPy arrays (conv2d, pooling, batch norm, activations, linear, ...),
    with PyTorch / torchvision argument names, defaults and semantics.
nn
    Layer objects (Conv2d, BatchNorm2d, pooling, Linear, activations, Sequential) on ops, batch-norm
    folding, model summaries (shapes, parameters, MACs) and architecture builders (vgg16, vgg16_bn).
cluster
    k-means (incl. the IoU metric for anchors) and k-nearest-neighbour classification.
detection
    Box coders (SSD, Faster R-CNN, YOLO), post-processing and letterboxing, anchor clustering, and
    the MTCNN face detector with trained weights.
metrics
    COCO bounding-box evaluation equal to pycocotools' COCOeval (matching and accumulation in C++),
    VOC AP, precision / recall / F-beta and confusion matrices.
image
    PNG reading and writing with NumPy and zlib only, and drawing boxes and points.
cuda
    Whether the CUDA backend was built and a GPU is present.
onnx
    Trained networks from ONNX files, planned and run by the C++ core (needs the onnx package).

Runtime
-------
``set_num_threads(n)`` / ``get_num_threads()`` control the threads every op uses (results do not
depend on the count; Ctrl-C stops a long call with KeyboardInterrupt); ``build_info()`` reports the compiler, the SIMD ISAs compiled and the one
chosen for this CPU, OpenMP and CUDA.
"""

from . import _cvcore
from . import cluster, cuda, detection, image, metrics, nn, onnx, ops
from ._runtime import build_info, get_num_threads, set_num_threads

__version__ = _cvcore.build_info()["version"]

__all__ = ["__version__", "build_info", "cluster", "cuda", "detection", "get_num_threads", "image", "metrics",
           "nn", "onnx", "ops", "set_num_threads"]
