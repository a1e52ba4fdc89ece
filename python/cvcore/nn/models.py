"""Classic architectures, layer for layer as torchvision builds them (same order, names and state-dict keys)."""

import collections

import numpy as np

from .._validation import as_int
from .activations import ReLU
from .layers import AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, _rng
from .module import Sequential

# Configuration "D" of Simonyan & Zisserman (2015): output channels of the 3x3 convs, "M" a 2x2 max pool.
_VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def _load(model, weights):
    if weights is None:
        return model
    if isinstance(weights, (str, bytes)) or hasattr(weights, "__fspath__"):
        with np.load(weights) as data:
            model.load_state_dict(data)
    else:
        model.load_state_dict(weights)
    return model


def _vgg(name, config, batch_norm, num_classes, seed, weights):
    num_classes = as_int(name, "num_classes", num_classes, 1)
    rng = _rng(name, seed)
    features, channels = [], 3
    for v in config:
        if v == "M":
            features.append(MaxPool2d(2, 2))
            continue
        features.append(Conv2d(channels, v, 3, padding=1, seed=rng))
        if batch_norm:
            features.append(BatchNorm2d(v))
        features.append(ReLU())
        channels = v
    classifier = Sequential(Linear(512 * 7 * 7, 4096, seed=rng), ReLU(), Dropout(), Linear(4096, 4096, seed=rng),
                            ReLU(), Dropout(), Linear(4096, num_classes, seed=rng))
    model = Sequential(collections.OrderedDict([
        ("features", Sequential(*features)), ("avgpool", AdaptiveAvgPool2d((7, 7))), ("flatten", Flatten(1)),
        ("classifier", classifier)]))
    return _load(model, weights)


def vgg16(num_classes=1000, seed=0, weights=None):
    """VGG-16 (configuration D), as ``torchvision.models.vgg16``: a Sequential of ``features`` (13 3x3
    convs with padding 1, each followed by ReLU, and 5 2x2 max pools), ``avgpool``
    (AdaptiveAvgPool2d((7, 7))), ``flatten`` and ``classifier`` (Linear(25088, 4096), ReLU, Dropout,
    Linear(4096, 4096), ReLU, Dropout, Linear(4096, num_classes)).

    138,357,544 parameters for 1000 classes; 15.47 G MACs on a 224x224 image. torchvision's state dict
    (``{k: v.numpy() for k, v in m.state_dict().items()}`` saved with ``np.savez``) loads as is: the
    ``flatten`` step has no weights, so the keys are the same (``features.0.weight``,
    ``classifier.6.bias``, ...).

    Parameters
    ----------
    num_classes : int, >= 1
    seed : None, int or numpy.random.Generator
        Random initial weights, drawn layer by layer from one generator with PyTorch's default
        (Kaiming-uniform) bounds. (torchvision re-initialises VGG with other distributions; the
        shapes, not the values, are what matter before loading trained weights.)
    weights : None, path of a .npz file, or mapping of state-dict keys to arrays
        Trained weights, loaded with ``load_state_dict`` (strict) after the random initialisation.
    """
    return _vgg("vgg16", _VGG16, False, num_classes, seed, weights)


def vgg16_bn(num_classes=1000, seed=0, weights=None):
    """VGG-16 with a BatchNorm2d after every convolution, as ``torchvision.models.vgg16_bn``
    (138,365,992 parameters for 1000 classes). Same arguments as :func:`vgg16`; fold the batch norms
    with :func:`cvcore.nn.fuse` for faster inference."""
    return _vgg("vgg16_bn", _VGG16, True, num_classes, seed, weights)


#: Builders by name (what ``cvcore summary ARCH`` accepts).
ARCHITECTURES = {"vgg16": vgg16, "vgg16_bn": vgg16_bn}
