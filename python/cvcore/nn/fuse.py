"""Folding inference batch norms into the convolutions before them."""

import copy

from .. import ops
from .layers import BatchNorm2d, Conv2d, Identity
from .module import Module, Sequential


def _fold(conv, bn):
    """A copy of conv whose weight and bias apply bn too."""
    weight, bias = ops.fold_batch_norm(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.weight,
                                       bn.bias, eps=bn.eps)
    fused = copy.copy(conv)
    object.__setattr__(fused, "_parameters", {"weight": weight, "bias": bias})
    return fused


def _fuse_in_place(module):
    for child in module.children():
        _fuse_in_place(child)
    if not isinstance(module, Sequential):
        return
    names = [name for name, _ in module.named_children()]
    for first, second in zip(names, names[1:]):
        conv, bn = module._modules[first], module._modules[second]
        if isinstance(conv, Conv2d) and isinstance(bn, BatchNorm2d) and bn.num_features == conv.out_channels:
            module._modules[first] = _fold(conv, bn)
            module._modules[second] = Identity()


def fuse(model):
    """A copy of ``model`` with every BatchNorm2d that directly follows a Conv2d in a Sequential folded into
    that convolution (``ops.fold_batch_norm``); the batch norm's place holds an :class:`Identity`, so the
    other layers keep their names and state-dict keys. The original model is not modified.

    The fused model computes the same outputs up to float32 rounding (about 1e-6 relative). A folded
    convolution always has a bias (its state dict gains ``bias`` where the original had bias=False),
    and the folded batch norm's keys disappear from the state dict.

    Raises
    ------
    TypeError when model is not a cvcore.nn.Module.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fuse: model must be a cvcore.nn.Module, got {type(model).__name__}")
    fused = copy.deepcopy(model)
    _fuse_in_place(fused)
    return fused
