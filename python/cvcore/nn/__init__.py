"""Layer objects holding NumPy float32 weights and running on ``cvcore.ops``, with PyTorch's names,
defaults and state-dict keys; layer fusion for inference (:func:`fuse`: batch norms folded into the
convolutions, activations, pooling and 1x1 heads computed in the convolution's pass); model summaries
with shapes, parameters and MACs computed from the input shape alone (:func:`summary`); architecture
builders (:func:`vgg16`, :func:`vgg16_bn`).

Inference only: no gradients, BatchNorm2d uses its running statistics and Dropout is the identity.

    from cvcore import nn
    model = nn.vgg16(num_classes=10)               # or weights="vgg16.npz" (torchvision keys)
    s = nn.summary(model, (1, 3, 224, 224))        # prints the table; s.total_params, s.total_macs
    y = nn.fuse(model)(x)                          # x: (N, 3, H, W) float32
"""

from .activations import (ELU, GELU, SELU, Hardswish, LeakyReLU, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU,
                          Softmax, Softplus, Tanh)
from .fusion import RULES, Rule, fuse
from .layers import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten,
                     FusedConv2d, FusedLinear, Linear, MaxPool2d, Split)
from .module import Identity, LoadResult, Module, Parallel, Sequential
from .models import ARCHITECTURES, vgg16, vgg16_bn
from .summary import LayerSummary, ModelSummary, summary

__all__ = [
    "ARCHITECTURES", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "BatchNorm2d", "Conv2d", "Dropout",
    "ELU", "Flatten", "FusedConv2d", "FusedLinear", "GELU", "Hardswish", "Identity", "LayerSummary", "LeakyReLU",
    "Linear", "LoadResult", "LogSoftmax", "MaxPool2d", "Mish", "ModelSummary", "Module", "PReLU", "Parallel",
    "RULES", "ReLU", "ReLU6", "Rule", "SELU", "Sequential", "SiLU", "Sigmoid", "Softmax", "Softplus", "Split", "Tanh",
    "fuse", "summary", "vgg16", "vgg16_bn",
]
