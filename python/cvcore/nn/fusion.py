"""Layer fusion for inference: rules that rewrite consecutive layers of a Sequential into fewer layers,
each one ``cvcore.ops`` call, and :func:`fuse`, which applies them to a copy of a model.

A rule is a pattern over consecutive layers, matched by exact class (a subclass may compute something
else), and a rewrite that returns the layers replacing them, or None when they do not qualify. An
Identity between two layers does not stop a match (it computes nothing). The rewrite's layers take the
slots of the matched ones in order, and each slot left over gets an Identity, so that the other layers
keep their names and state-dict keys.
"""

import collections
import copy
import dataclasses
import typing

import numpy as np

from .. import ops
from .activations import PReLU, ReLU, ReLU6
from .layers import BatchNorm2d, Conv2d, FusedConv2d, FusedLinear, Linear, MaxPool2d, Split
from .module import Identity, Module, Parallel, Sequential


@dataclasses.dataclass(frozen=True)
class Rule:
    """``pattern``: for each of the consecutive layers, the classes it may be; ``rewrite(*layers)``: the
    layers that replace them (no more than there are), or None when these do not qualify."""

    pattern: tuple
    rewrite: typing.Callable


def _with_parameters(layer, **parameters):
    """A shallow copy of layer with some of its parameters replaced (layer itself is unchanged)."""
    out = copy.copy(layer)
    object.__setattr__(out, "_parameters", {**layer._parameters, **parameters})
    return out


def _fused_after(conv):
    """The layers already computed in conv's pass, as the ops.conv2d arguments that are set."""
    return {name: value for name, value in conv._epilogue().items() if value is not None}


def _activation_args(layer, channels):
    """ops.conv2d / ops.linear's activation arguments for an activation layer after a layer of
    ``channels`` outputs; None for a PReLU whose slopes are not one shared or one per channel."""
    if type(layer) is PReLU:
        if layer.num_parameters not in (1, channels):
            return None
        return {"activation": "prelu", "prelu_weight": layer.weight}
    return {"activation": "relu" if type(layer) is ReLU else "relu6"}


def _concatenated(heads):
    """The heads' weights and biases stacked along the output axis (bias None when they have none)."""
    weight = np.concatenate([h.weight for h in heads])
    bias = None if heads[0].bias is None else np.concatenate([h.bias for h in heads])
    return weight, bias


def _biases_alike(heads):
    # Mixed, a missing bias would become zeros, and x + 0 turns an output of -0.0 into +0.0.
    return len({h.bias is None for h in heads}) == 1


def _fold_batch_norm(conv, bn):
    """Conv2d -> BatchNorm2d: the batch norm folded into the convolution's weight and bias
    (``ops.fold_batch_norm``; equal up to float32 rounding, the one rule that is not bit for bit)."""
    if bn.num_features != conv.out_channels:
        return None
    weight, bias = ops.fold_batch_norm(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.weight, bn.bias,
                                       eps=bn.eps)
    return [_with_parameters(conv, weight=weight, bias=bias)]


def _conv_activation(conv, activation):
    """Conv2d -> ReLU / ReLU6 / PReLU (shared or per-channel slopes): the activation in the conv's pass."""
    args = _activation_args(activation, conv.out_channels)
    if _fused_after(conv) or args is None:
        return None
    return [FusedConv2d(conv, **args)]


def _conv_max_pool(conv, pool):
    """Conv2d (activation fused or none) -> MaxPool2d without padding, dilation 1: the pooling in the
    conv's pass."""
    after = _fused_after(conv)
    if "max_pool" in after or "pointwise" in after or pool.padding != (0, 0) or pool.dilation != (1, 1):
        return None
    return [FusedConv2d(conv, **after, max_pool=(pool.kernel_size, pool.stride, pool.ceil_mode))]


def _conv_heads(conv, heads):
    """Conv2d (activation fused or none) -> Parallel of 1x1 Conv2d heads (stride 1, no padding, one
    group): the heads as one 1x1 convolution in the conv's pass (``pointwise=``, their weights
    concatenated), then a Split into the heads' channels."""
    after = _fused_after(conv)
    convs = list(heads)
    if "max_pool" in after or "pointwise" in after or not convs:
        return None
    if not all(type(h) is Conv2d and h.in_channels == conv.out_channels and h.kernel_size == (1, 1)
               and h.stride == (1, 1) and h.groups == 1 and h.padding in ((0, 0), "valid", "same")
               for h in convs) or not _biases_alike(convs):
        return None
    return [FusedConv2d(conv, **after, pointwise=_concatenated(convs)),
            Split([h.out_channels for h in convs], dim=-3)]


def _linear_activation(linear, activation):
    """Linear -> ReLU / ReLU6 / PReLU: the activation in the linear's pass."""
    args = _activation_args(activation, linear.out_features)
    return None if args is None else [FusedLinear(linear, **args)]


def _linear_heads(heads):
    """Parallel of Linear heads reading the same features: one Linear (their weights concatenated), then a
    Split into the heads' features, as a Sequential of ``linear`` and ``split`` in the Parallel's slot."""
    linears = list(heads)
    if not linears or not all(type(h) is Linear and h.in_features == linears[0].in_features
                              for h in linears) or not _biases_alike(linears):
        return None
    weight, bias = _concatenated(linears)
    linear = _with_parameters(linears[0], weight=weight, bias=bias)
    linear.out_features = len(weight)
    return [Sequential(collections.OrderedDict([("linear", linear),
                                                ("split", Split([h.out_features for h in linears], dim=-1))]))]


_CONVS = (Conv2d, FusedConv2d)
_ACTIVATIONS = (ReLU, ReLU6, PReLU)

#: The rules, tried in this order at each position of a Sequential, first to last.
RULES = (
    Rule(((Conv2d,), (BatchNorm2d,)), _fold_batch_norm),
    Rule((_CONVS, _ACTIVATIONS), _conv_activation),
    Rule((_CONVS, (MaxPool2d,)), _conv_max_pool),
    Rule((_CONVS, (Parallel,)), _conv_heads),
    Rule(((Linear,), _ACTIVATIONS), _linear_activation),
    Rule(((Parallel,),), _linear_heads),
)


def _rewrite_once(seq):
    """Applies the first rule that matches at the first position where one does; whether one did."""
    slots = [(name, m) for name, m in seq._modules.items() if type(m) is not Identity]
    for i in range(len(slots)):
        for rule in RULES:
            window = slots[i:i + len(rule.pattern)]
            matched = len(window) == len(rule.pattern) and all(
                type(m) in kinds for (_, m), kinds in zip(window, rule.pattern))
            if not matched:
                continue
            new = rule.rewrite(*(m for _, m in window))
            if new is not None:
                for j, (name, _) in enumerate(window):
                    seq._modules[name] = new[j] if j < len(new) else Identity()
                return True
    return False


def _fuse_in_place(module):
    for child in module.children():
        _fuse_in_place(child)
    if isinstance(module, Sequential):
        while _rewrite_once(module):
            pass


def fuse(model):
    """A copy of ``model`` with consecutive layers of every Sequential (nested ones included) merged into
    fewer layers that each run as one ``cvcore.ops`` call. The original model is not modified. The rules
    (:data:`RULES`), applied until none matches:

    - Conv2d -> BatchNorm2d: the batch norm folded into the convolution's weight and bias
      (``ops.fold_batch_norm``).
    - Conv2d -> ReLU, ReLU6 or PReLU (one shared slope or one per channel): a :class:`FusedConv2d`
      with ``activation=``.
    - Conv2d (with its activation, or none) -> MaxPool2d without padding and dilation 1 (any
      kernel, stride, ceil_mode): ``max_pool=`` of the FusedConv2d.
    - Conv2d (with its activation, or none) -> :class:`Parallel` of 1x1 Conv2d heads (stride 1, no
      padding, one group, all with a bias or none): ``pointwise=`` with the heads' weights
      concatenated, then a :class:`Split` of the channels in the Parallel's slot.
    - Linear -> ReLU, ReLU6 or PReLU: a :class:`FusedLinear`.
    - Parallel of Linear heads reading the same features (all with a bias or none): a Sequential of
      ``linear`` (the heads' weights concatenated) and ``split``.

    Layers are matched by exact class; an Identity between them does not stop a match. Each merged
    layer takes the first layer's slot, and the slots of the layers it absorbed hold an Identity, so
    the other layers keep their names, state-dict keys and summary rows.

    The fused model computes bit for bit what the original does (ops.conv2d and ops.linear compute
    their fused activation, pooling and 1x1 convolution exactly as apart, and each output of a layer
    does not depend on the other output channels), except for folded batch norms: equal up to float32
    rounding (about 1e-6 relative). A per-channel PReLU fused into a convolution needs batched
    (N, C, H, W) input, and into a Linear 2-D input (elsewhere nn.PReLU's channel axis is not the
    layer's outputs): other inputs raise ValueError.

    State dict: a folded convolution always has a ``bias``, and the batch norm's keys are gone; a
    FusedConv2d holds ``weight``, ``bias``, ``prelu_weight`` (the PReLU's slopes) and
    ``pointwise_weight`` / ``pointwise_bias`` (the heads' concatenated weights) under the
    convolution's name, a FusedLinear ``weight``, ``bias`` and ``prelu_weight``, and fused Linear
    heads ``<parallel>.linear.weight`` / ``.bias``; the absorbed layers have no keys. So a fused
    model loads the state dict of a fused model of the same architecture; load trained weights into
    the unfused model, then fuse it.

    Raises
    ------
    TypeError when model is not a cvcore.nn.Module.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fuse: model must be a cvcore.nn.Module, got {type(model).__name__}")
    fused = copy.deepcopy(model)
    _fuse_in_place(fused)
    return fused
