"""The layers: convolution, batch norm, pooling, fully connected, flatten, split and dropout, each a
:class:`~cvcore.nn.module.Module` running on ``cvcore.ops`` with PyTorch's names, arguments and
state-dict keys; and the fused convolution and fully connected layers that :func:`~cvcore.nn.fuse`
makes (one op call for a layer and those after it)."""

import math
import numbers

import numpy as np

from .. import _cvcore, ops
from .._validation import allocating, as_float, as_float32, as_int, check_finite_scalar, epilogue, pair
from ..ops.conv import _conv_padding, _max_pool_args, _pointwise_args
from ..ops.pool import _adaptive_size, _window_args
from .module import Module, _shape


def _rng(op, seed):
    """A NumPy Generator from an int >= 0, None (fresh OS entropy) or a Generator (used as is)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{op}: seed must be None, an int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(as_int(op, "seed", seed, 0))


def _uniform(op, name, rng, shape, bound):
    """The layer op's parameter `name`: float32 draws from U(-bound, bound), vectorised (float32 draws,
    scaled in place); a MemoryError naming the layer and the bytes when it is too large."""
    with allocating(op, f"its {name}", shape, 4):
        out = rng.random(shape, dtype=np.float32)
    out *= np.float32(2 * bound)
    out -= np.float32(bound)
    return out


def _fan_in_bound(fan_in):
    """PyTorch's default bound for Conv2d / Linear weights and biases: kaiming_uniform_ with
    a = sqrt(5) gives ``sqrt(6 / ((1 + 5) * fan_in)) = 1 / sqrt(fan_in)``, and the bias uses the same."""
    return 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0


def _check_channels(op, shape, axis, expected, what):
    if shape[axis] != expected:
        raise ValueError(f"{op}: input_shape[{axis}] must be {what} = {expected}, got {shape[axis]} "
                         f"(input_shape {shape})")


def _spatial_out(op, shape, out_hw):
    """shape with its last two axes replaced by out_hw, which must be >= 1."""
    if min(out_hw) < 1:
        raise ValueError(f"{op}: input of spatial size {tuple(shape[-2:])} is too small, the output would be "
                         f"{tuple(out_hw)}")
    return tuple(shape[:-2]) + tuple(out_hw)


class Conv2d(Module):
    """2-D convolution layer, as ``torch.nn.Conv2d`` (zero padding): ``ops.conv2d`` with its weights.

    Parameters
    ----------
    in_channels, out_channels : int, >= 1
        Both divisible by ``groups``.
    kernel_size : int or (int, int), >= 1
    stride, dilation : int or (int, int), >= 1
    padding : int, (int, int), "valid" or "same" (stride 1 only)
    groups : int, >= 1
    bias : bool
        Whether the layer has a bias (state-dict key ``bias`` only then).
    winograd : bool, keyword only
        Compute with ``ops.conv2d(..., winograd=True)`` (not a PyTorch argument): 3x3 layers with
        stride 1, dilation 1 and one group run by Winograd's algorithm, up to about twice as fast,
        with results close to the direct sum's (see ops.conv2d) but not its bits; other layers
        ignore it. An inference option, not in the state dict; the attribute can be changed.
        Default False.
    seed : None, int or numpy.random.Generator, keyword only
        Source of the initial weights: PyTorch's default, ``U(-b, b)`` with
        ``b = 1 / sqrt(in_channels / groups * kH * kW)`` for the weight and the bias (what
        ``kaiming_uniform_(a=sqrt(5))`` gives). None draws fresh OS entropy.

    Attributes
    ----------
    weight : ndarray float32, shape (out_channels, in_channels / groups, kH, kW)
    bias : ndarray float32, shape (out_channels,), or None
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, *, winograd=False, seed=None):
        super().__init__()
        op = "Conv2d"
        self.in_channels = as_int(op, "in_channels", in_channels, 1)
        self.out_channels = as_int(op, "out_channels", out_channels, 1)
        self.kernel_size = pair(op, "kernel_size", kernel_size)
        self.stride = pair(op, "stride", stride)
        self.dilation = pair(op, "dilation", dilation)
        self.groups = as_int(op, "groups", groups)
        pad = _conv_padding(op, padding, self.kernel_size, self.dilation, self.stride)
        # The rest is checked now, by C++ as conv2d checks it (groups, kernel size, stride, dilation, padding).
        _cvcore.check_conv2d_params(op, self.in_channels, self.out_channels, self.kernel_size, self.stride, pad,
                                    self.dilation, self.groups)
        self.padding = padding if isinstance(padding, str) else pad[:2]
        if not isinstance(winograd, (bool, np.bool_)):
            raise TypeError(f"{op}: winograd must be a bool, got {winograd!r}")
        self.winograd = bool(winograd)
        rng = _rng(op, seed)
        fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        bound = _fan_in_bound(fan_in)
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self._add_parameter("weight", _uniform(op, "weight", rng, shape, bound))
        self._add_parameter("bias", _uniform(op, "bias", rng, (self.out_channels,), bound) if bias else None)

    def forward(self, input):
        # Weights read from their dict, not as attributes (Module.__getattr__): this runs on every call.
        p = self._parameters
        return ops.conv2d(input, p["weight"], p["bias"], self.stride, self.padding, self.dilation, self.groups,
                          winograd=self.winograd)

    def _epilogue(self):
        """ops.conv2d's keyword arguments for the layers computed in the convolution's pass (none here)."""
        return {}

    def output_shape(self, input_shape):
        return self._conv_shape(input_shape)

    def _conv_shape(self, input_shape):
        """The shape of the convolution's own output (which a FusedConv2d may pool or map to other channels)."""
        op = "Conv2d"
        shape = _shape(op, input_shape, (3, 4))
        _check_channels(op, shape, -3, self.in_channels, "in_channels")
        if self.padding == "same":
            hw = shape[-2:]
        else:
            padding = (0, 0) if self.padding == "valid" else self.padding
            hw = ops.conv_output_size(shape[-2:], self.kernel_size, self.stride, padding, self.dilation)
        return _spatial_out(op, shape[:-3] + (self.out_channels, 0, 0), hw)

    def macs(self, input_shape):
        """``N * out_channels * Ho * Wo * (in_channels / groups) * kH * kW`` (the bias adds none)."""
        out = self._conv_shape(input_shape)
        batch = out[0] if len(out) == 4 else 1
        return (batch * self.out_channels * out[-2] * out[-1] * (self.in_channels // self.groups)
                * self.kernel_size[0] * self.kernel_size[1])

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
             f"padding={self.padding!r}")
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.winograd:
            s += ", winograd=True"
        return s


class FusedConv2d(Conv2d):
    """A convolution and the layers after it in one ``ops.conv2d`` call: the bias, then an activation,
    then max pooling or a 1x1 convolution, in the same pass over the output (what :func:`fuse` makes of
    Conv2d -> ReLU / ReLU6 / PReLU -> MaxPool2d or a :class:`Parallel` of 1x1 Conv2d heads).

    ``FusedConv2d(conv, activation="prelu", prelu_weight=a, max_pool=(2, 2, True))(x)`` is
    ``ops.conv2d(x, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups,
    activation="prelu", prelu_weight=a, max_pool=(2, 2, True), winograd=conv.winograd)``, which
    ops.conv2d computes bit for bit as the layers one after the other.

    Parameters
    ----------
    conv : Conv2d
        The convolution: its hyper-parameters, its ``winograd`` option and its weight and bias (the
        same arrays, not copies); of a FusedConv2d, its convolution alone.
    activation : None, "relu", "relu6" or "prelu", keyword only
    prelu_weight : array_like, shape (out_channels,) or (1,), keyword only
        The PReLU slopes, given exactly when activation is "prelu".
    max_pool : (kernel_size, stride) or (kernel_size, stride, ceil_mode), keyword only
        Max pooling of the activated output, without padding, dilation 1.
    pointwise : weight or (weight, bias), keyword only
        A 1x1 convolution of the activated output: weight (P, out_channels, 1, 1) or (P, out_channels),
        bias (P,) or None. Not with max_pool.

    Attributes
    ----------
    weight, bias : those of the convolution, as in Conv2d
    activation : None or str
    prelu_weight : ndarray float32, shape (out_channels,) or (1,), or None
    max_pool : ((kH, kW), (sH, sW), ceil_mode) or None
    pointwise_weight : ndarray float32, shape (P, out_channels, 1, 1), or None
    pointwise_bias : ndarray float32, shape (P,), or None

    The state dict holds ``weight``, ``bias`` (when the conv has one) and, when present,
    ``prelu_weight``, ``pointwise_weight`` and ``pointwise_bias``. Per-channel PReLU slopes need a
    batched input (N, C, H, W): nn.PReLU takes axis 1 as the channels, which for a (C, H, W) map is
    its height, so the fused layer raises ValueError there rather than give other results than the
    layers apart.
    """

    def __init__(self, conv, *, activation=None, prelu_weight=None, max_pool=None, pointwise=None):
        Module.__init__(self)
        op = "FusedConv2d"
        if not isinstance(conv, Conv2d):
            raise TypeError(f"{op}: conv must be a cvcore.nn.Conv2d, got {type(conv).__name__}")
        for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                     "winograd"):
            setattr(self, name, getattr(conv, name))
        self._add_parameter("weight", conv.weight)
        self._add_parameter("bias", conv.bias)
        self.activation, slopes = _fused_activation(op, activation, prelu_weight, self.out_channels)
        self._add_parameter("prelu_weight", slopes)
        self._per_channel = _per_channel(slopes)
        if max_pool is not None and pointwise is not None:
            raise ValueError(f"{op}: max_pool and pointwise cannot be combined (ops.conv2d applies one or the other)")
        self.max_pool = None if max_pool is None else _max_pool_args(op, max_pool)
        weight, bias = _pointwise_args(op, pointwise)
        if weight is not None and weight.shape[1:] != (self.out_channels, 1, 1):
            raise ValueError(f"{op}: the pointwise weight must have shape (P, out_channels = {self.out_channels}, "
                             f"1, 1) or (P, {self.out_channels}), got {weight.shape}")
        if bias is not None and bias.shape != weight.shape[:1]:
            raise ValueError(f"{op}: the pointwise bias must have shape ({len(weight)},), got {bias.shape}")
        self._add_parameter("pointwise_weight", weight)
        self._add_parameter("pointwise_bias", bias)

    def forward(self, input):
        if self._per_channel:
            _check_slope_axis("FusedConv2d", input, 4, "(N, C, H, W)")
        p = self._parameters  # as in Conv2d.forward
        return ops.conv2d(input, p["weight"], p["bias"], self.stride, self.padding, self.dilation, self.groups,
                          activation=self.activation, prelu_weight=p["prelu_weight"], max_pool=self.max_pool,
                          pointwise=self._pointwise(), winograd=self.winograd)

    def _pointwise(self):
        p = self._parameters
        return None if p["pointwise_weight"] is None else (p["pointwise_weight"], p["pointwise_bias"])

    def _epilogue(self):
        return {"activation": self.activation, "prelu_weight": self.prelu_weight, "max_pool": self.max_pool,
                "pointwise": self._pointwise()}

    def output_shape(self, input_shape):
        shape = self._conv_shape(input_shape)
        if self.max_pool is not None:
            kernel, stride, ceil_mode = self.max_pool
            shape = _spatial_out("FusedConv2d", shape, ops.conv_output_size(shape[-2:], kernel, stride, 0, 1,
                                                                             ceil_mode))
        if self.pointwise_weight is not None:
            shape = shape[:-3] + (len(self.pointwise_weight),) + shape[-2:]
        return shape

    def macs(self, input_shape):
        """The convolution's MACs, plus ``N * P * Ho * Wo * out_channels`` for the 1x1 convolution."""
        macs = super().macs(input_shape)
        if self.pointwise_weight is not None:
            out = self._conv_shape(input_shape)
            batch = out[0] if len(out) == 4 else 1
            macs += batch * len(self.pointwise_weight) * out[-2] * out[-1] * self.out_channels
        return macs

    def extra_repr(self):
        s = super().extra_repr()
        if self.activation is not None:
            s += f", activation={self.activation!r}"
        if self.max_pool is not None:
            s += f", max_pool={self.max_pool}"
        if self.pointwise_weight is not None:
            s += f", pointwise={len(self.pointwise_weight)}"
        return s


def _fused_activation(op, activation, prelu_weight, channels):
    """(activation, slopes) of a fused layer, checked: slopes float32 (1,) or (channels,), or None."""
    name, slopes = epilogue(op, activation, prelu_weight)
    _cvcore.check_epilogue(op, name, slopes, channels)
    return activation, slopes


def _per_channel(slopes):
    """Whether there is one PReLU slope per channel (fixed: a new array must have the same shape)."""
    return slopes is not None and len(slopes) > 1


def _check_slope_axis(op, input, ndim, layout):
    """Per-channel slopes apply to the layer's output channels, which nn.PReLU (axis 1) reads only in an
    input of ndim dimensions."""
    if np.ndim(input) != ndim:
        raise ValueError(f"{op}: with per-channel PReLU slopes the input must be {layout} (nn.PReLU reads the "
                         f"channels on axis 1), got shape {np.shape(input)}")


class BatchNorm2d(Module):
    """Batch normalisation with running statistics (inference), as ``torch.nn.BatchNorm2d`` in eval mode:
    ``ops.batch_norm(x, running_mean, running_var, weight, bias, eps=eps)``.

    Parameters
    ----------
    num_features : int, >= 1
        C, the number of channels.
    eps : float
        Finite, >= 0.
    affine : bool
        Whether the layer has ``weight`` (gamma, initially 1) and ``bias`` (beta, initially 0).

    Attributes
    ----------
    weight, bias : ndarray float32, shape (C,), or None when not affine (parameters)
    running_mean, running_var : ndarray float32, shape (C,), initially 0 and 1 (buffers)
    """

    _ignored_state_keys = ("num_batches_tracked",)

    def __init__(self, num_features, eps=1e-5, affine=True):
        super().__init__()
        op = "BatchNorm2d"
        self.num_features = as_int(op, "num_features", num_features, 1)
        self.eps = as_float(op, "eps", eps)
        _cvcore.check_batch_norm_eps(op, self.eps)
        c = self.num_features
        with allocating(op, "its parameters and statistics", (4, c), 4):
            self._add_parameter("weight", np.ones(c, np.float32) if affine else None)
            self._add_parameter("bias", np.zeros(c, np.float32) if affine else None)
            self._add_buffer("running_mean", np.zeros(c, np.float32))
            self._add_buffer("running_var", np.ones(c, np.float32))

    def forward(self, input):
        x = as_float32("BatchNorm2d", "input", input)
        if x.ndim != 4:
            raise ValueError(f"BatchNorm2d: input must have 4 dimensions (N, C, H, W), got {x.ndim} (shape {x.shape})")
        return ops.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, eps=self.eps)

    def output_shape(self, input_shape):
        shape = _shape("BatchNorm2d", input_shape, (4,))
        _check_channels("BatchNorm2d", shape, 1, self.num_features, "num_features")
        return shape

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}" + ("" if self.weight is not None else ", affine=False")


class MaxPool2d(Module):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: ``ops.max_pool2d`` (ceil_mode included).

    Parameters
    ----------
    kernel_size : int or (int, int), >= 1
    stride : int or (int, int), >= 1, optional (default: kernel_size)
    padding : int or (int, int), 0 <= padding <= kernel_size // 2
    dilation : int or (int, int), >= 1
    ceil_mode : bool
        Round the output size up (Caffe's rule, used by MTCNN), dropping a last window that would
        start in the padding.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        op = "MaxPool2d"
        self.kernel_size, self.stride, self.padding = _window_args(op, kernel_size, stride, padding)
        self.dilation = pair(op, "dilation", dilation)
        self.ceil_mode = bool(ceil_mode)
        _cvcore.check_max_pool2d_params(op, self.kernel_size, self.stride, self.padding, self.dilation)

    def forward(self, input):
        return ops.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def output_shape(self, input_shape):
        shape = _shape("MaxPool2d", input_shape, (3, 4))
        return _spatial_out("MaxPool2d", shape, ops.conv_output_size(
            shape[-2:], self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode))

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d``: ``ops.avg_pool2d`` (same arguments and divisor rules)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        op = "AvgPool2d"
        self.kernel_size, self.stride, self.padding = _window_args(op, kernel_size, stride, padding)
        self.ceil_mode = bool(ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = None if divisor_override is None else as_int(op, "divisor_override", divisor_override)
        _cvcore.check_avg_pool2d_params(op, self.kernel_size, self.stride, self.padding, self.divisor_override)

    def forward(self, input):
        return ops.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad, self.divisor_override)

    def output_shape(self, input_shape):
        shape = _shape("AvgPool2d", input_shape, (3, 4))
        return _spatial_out("AvgPool2d", shape, ops.conv_output_size(
            shape[-2:], self.kernel_size, self.stride, self.padding, 1, self.ceil_mode))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _Adaptive(Module):
    def __init__(self, output_size):
        super().__init__()
        op = type(self).__name__
        _cvcore.check_adaptive_output_size(op, _adaptive_size(op, output_size, (1, 1)))
        self.output_size = output_size

    def forward(self, input):
        return self._fn(input, self.output_size)

    def output_shape(self, input_shape):
        op = type(self).__name__
        shape = _shape(op, input_shape, (3, 4))
        return tuple(shape[:-2]) + _adaptive_size(op, self.output_size, shape[-2:])

    def extra_repr(self):
        return f"output_size={self.output_size!r}"


class AdaptiveAvgPool2d(_Adaptive):
    """2-D adaptive average pooling, as ``torch.nn.AdaptiveAvgPool2d``: ``ops.adaptive_avg_pool2d``.

    ``output_size`` is an int or a pair (None entries keep that input size)."""

    _fn = staticmethod(ops.adaptive_avg_pool2d)


class AdaptiveMaxPool2d(_Adaptive):
    """2-D adaptive max pooling, as ``torch.nn.AdaptiveMaxPool2d``: ``ops.adaptive_max_pool2d``."""

    _fn = staticmethod(ops.adaptive_max_pool2d)


class Linear(Module):
    """Fully connected layer, as ``torch.nn.Linear``: ``ops.linear(x, weight, bias)`` = ``x @ weight.T + bias``.

    Parameters
    ----------
    in_features, out_features : int, >= 1
    bias : bool
    seed : None, int or numpy.random.Generator, keyword only
        Initial weight and bias from ``U(-1/sqrt(in_features), 1/sqrt(in_features))`` (PyTorch's default).

    Attributes
    ----------
    weight : ndarray float32, shape (out_features, in_features)
    bias : ndarray float32, shape (out_features,), or None
    """

    def __init__(self, in_features, out_features, bias=True, *, seed=None):
        super().__init__()
        self.in_features = as_int("Linear", "in_features", in_features, 1)
        self.out_features = as_int("Linear", "out_features", out_features, 1)
        rng = _rng("Linear", seed)
        bound = _fan_in_bound(self.in_features)
        self._add_parameter("weight", _uniform("Linear", "weight", rng, (self.out_features, self.in_features), bound))
        self._add_parameter("bias", _uniform("Linear", "bias", rng, (self.out_features,), bound) if bias else None)

    def forward(self, input):
        p = self._parameters  # as in Conv2d.forward
        return ops.linear(input, p["weight"], p["bias"])

    def output_shape(self, input_shape):
        shape = _shape("Linear", input_shape, None)
        _check_channels("Linear", shape, len(shape) - 1, self.in_features, "in_features")
        return shape[:-1] + (self.out_features,)

    def macs(self, input_shape):
        """``rows * in_features * out_features``, rows the product of the leading dimensions (bias adds none)."""
        shape = self.output_shape(input_shape)
        return int(np.prod(shape[:-1], dtype=np.int64)) * self.in_features * self.out_features

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """Merges dimensions ``start_dim..end_dim`` into one, as ``torch.nn.Flatten`` (a reshape, no copy
    when the input is contiguous float32)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = as_int("Flatten", "start_dim", start_dim)
        self.end_dim = as_int("Flatten", "end_dim", end_dim)

    def _range(self, ndim):
        n = max(ndim, 1)
        lo, hi = self.start_dim, self.end_dim
        for name, v in (("start_dim", lo), ("end_dim", hi)):
            if not -n <= v < n:
                raise ValueError(f"Flatten: {name} must be in [{-n}, {n - 1}] for an input of {ndim} dimensions, "
                                 f"got {v}")
        lo, hi = lo % n, hi % n
        if lo > hi:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} "
                             f"for an input of {ndim} dimensions")
        return lo, hi

    def _flattened(self, shape):
        lo, hi = self._range(len(shape))
        return shape[:lo] + (math.prod(shape[lo:hi + 1]),) + shape[hi + 1:]

    def output_shape(self, input_shape):
        return self._flattened(_shape("Flatten", input_shape, None))

    def forward(self, input):
        x = as_float32("Flatten", "input", input)
        return x.reshape(self._flattened(x.shape) if x.ndim else (1,))

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class FusedLinear(Linear):
    """A fully connected layer and the activation after it in one ``ops.linear`` call (what :func:`fuse`
    makes of Linear -> ReLU / ReLU6 / PReLU): ``FusedLinear(linear, activation="relu")(x)`` is
    ``ops.linear(x, linear.weight, linear.bias, activation="relu")``, bit for bit the layers apart.

    Parameters
    ----------
    linear : Linear
        Its weight and bias (the same arrays, not copies); of a FusedLinear, its linear part alone.
    activation : None, "relu", "relu6" or "prelu", keyword only
    prelu_weight : array_like, shape (out_features,) or (1,), keyword only
        The PReLU slopes, given exactly when activation is "prelu".

    The state dict holds ``weight``, ``bias`` (when present) and ``prelu_weight`` (with "prelu").
    Per-feature PReLU slopes need a 2-D input (N, in_features), the only one whose axis 1 (nn.PReLU's
    channels) holds the features; others raise ValueError.
    """

    def __init__(self, linear, *, activation=None, prelu_weight=None):
        Module.__init__(self)
        op = "FusedLinear"
        if not isinstance(linear, Linear):
            raise TypeError(f"{op}: linear must be a cvcore.nn.Linear, got {type(linear).__name__}")
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self._add_parameter("weight", linear.weight)
        self._add_parameter("bias", linear.bias)
        self.activation, slopes = _fused_activation(op, activation, prelu_weight, self.out_features)
        self._add_parameter("prelu_weight", slopes)
        self._per_channel = _per_channel(slopes)

    def forward(self, input):
        if self._per_channel:
            _check_slope_axis("FusedLinear", input, 2, "(N, in_features)")
        p = self._parameters  # as in Conv2d.forward
        return ops.linear(input, p["weight"], p["bias"], activation=self.activation, prelu_weight=p["prelu_weight"])

    def extra_repr(self):
        s = super().extra_repr()
        return s if self.activation is None else s + f", activation={self.activation!r}"


class Split(Module):
    """Consecutive parts of the input along ``dim``, of the given sizes, as a tuple of views (no copy of a
    C-contiguous float32 input), as ``torch.split(x, sizes, dim)`` with a list of sizes and ONNX's Split.
    :func:`fuse` leaves one in place of a :class:`Parallel` of heads whose weights it concatenated.

    Parameters
    ----------
    sizes : sequence of int, each >= 1
        The parts' lengths along ``dim``; they must add up to the input's length there.
    dim : int
        The axis, negative counting from the end (default 0, as torch.split).
    """

    def __init__(self, sizes, dim=0):
        super().__init__()
        op = "Split"
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (tuple, list)) or not sizes:
            raise TypeError(f"{op}: sizes must be a non-empty sequence of ints, got {sizes!r}")
        self.sizes = tuple(as_int(op, "sizes", size, 1) for size in sizes)
        self.dim = as_int(op, "dim", dim)
        self._total = sum(self.sizes)
        ends = np.cumsum(self.sizes).tolist()
        self._parts = [slice(end - size, end) for size, end in zip(self.sizes, ends)]

    def _axis(self, shape):
        """dim as an axis of shape (>= 0), checked, with shape's length there."""
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"Split: dim must be in [{-len(shape)}, {len(shape) - 1}] for an input of shape {shape}, "
                             f"got {self.dim}")
        axis = self.dim % len(shape)
        if shape[axis] != self._total:
            raise ValueError(f"Split: the input must have sum(sizes) = {self._total} elements along dim "
                             f"{self.dim}, got shape {shape}")
        return axis

    def forward(self, input):
        x = as_float32("Split", "input", input)
        before = (slice(None),) * self._axis(x.shape)
        return tuple([x[before + (part,)] for part in self._parts])

    def output_shape(self, input_shape):
        shape = _shape("Split", input_shape, None)
        axis = self._axis(shape)
        return tuple(shape[:axis] + (size,) + shape[axis + 1:] for size in self.sizes)

    def extra_repr(self):
        return f"sizes={list(self.sizes)}, dim={self.dim}"


class Dropout(Module):
    """Dropout at inference: the identity (as ``torch.nn.Dropout`` in eval mode). ``p`` in [0, 1] is kept
    for the record and the repr."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = check_finite_scalar("Dropout", "p", p)
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p!r}")

    def forward(self, input):
        return as_float32("Dropout", "input", input)

    def output_shape(self, input_shape):
        return _shape("Dropout", input_shape, None)

    def extra_repr(self):
        return f"p={self.p}"
