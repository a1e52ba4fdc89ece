"""The layers: convolution, batch norm, pooling, fully connected, flatten, dropout and identity, each a
:class:`~cvcore.nn.module.Module` running on ``cvcore.ops`` with PyTorch's names, arguments and
state-dict keys."""

import math
import numbers

import numpy as np

from .. import ops
from .._validation import as_float32, as_int, check_finite_scalar, pair
from ..ops.conv import _conv_padding
from ..ops.pool import _adaptive_size, _window_args
from .module import Module, _shape


def _rng(op, seed):
    """A NumPy Generator from an int >= 0, None (fresh OS entropy) or a Generator (used as is)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return np.random.default_rng(seed)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{op}: seed must be None, an int or a numpy.random.Generator, got {seed!r}")
    return np.random.default_rng(as_int(op, "seed", seed, 0))


def _uniform(rng, shape, bound):
    """float32 draws from U(-bound, bound), vectorised (float32 draws, scaled in place)."""
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


class Identity(Module):
    """Returns its input unchanged (what :func:`fuse` leaves in place of a folded BatchNorm2d)."""

    def forward(self, input):
        return input

    def output_shape(self, input_shape):
        return _shape("Identity", input_shape, None)


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
                 bias=True, *, seed=None):
        super().__init__()
        op = "Conv2d"
        self.in_channels = as_int(op, "in_channels", in_channels, 1)
        self.out_channels = as_int(op, "out_channels", out_channels, 1)
        self.kernel_size = pair(op, "kernel_size", kernel_size, 1)
        self.stride = pair(op, "stride", stride, 1)
        self.dilation = pair(op, "dilation", dilation, 1)
        self.groups = as_int(op, "groups", groups, 1)
        for name, value in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if value % self.groups:
                raise ValueError(f"{op}: {name} must be divisible by groups = {self.groups}, got {value}")
        _conv_padding(op, padding, self.kernel_size, self.dilation, self.stride)  # validates
        self.padding = padding if isinstance(padding, str) else pair(op, "padding", padding, 0)
        rng = _rng(op, seed)
        fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        bound = _fan_in_bound(fan_in)
        self._add_parameter("weight", _uniform(rng, (self.out_channels, self.in_channels // self.groups)
                                               + self.kernel_size, bound))
        self._add_parameter("bias", _uniform(rng, (self.out_channels,), bound) if bias else None)

    def forward(self, input):
        return ops.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def output_shape(self, input_shape):
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
        out = self.output_shape(input_shape)
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
        return s


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
        self.eps = check_finite_scalar(op, "eps", eps)
        if self.eps < 0:
            raise ValueError(f"{op}: eps must be >= 0, got {eps!r}")
        c = self.num_features
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
        self.dilation = pair(op, "dilation", dilation, 1)
        self.ceil_mode = bool(ceil_mode)
        _check_pool_padding(op, self.kernel_size, self.padding)

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
        if divisor_override is not None and as_int(op, "divisor_override", divisor_override) == 0:
            raise ValueError(f"{op}: divisor_override must be non-zero, got 0")
        self.divisor_override = divisor_override
        _check_pool_padding(op, self.kernel_size, self.padding)

    def forward(self, input):
        return ops.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad, self.divisor_override)

    def output_shape(self, input_shape):
        shape = _shape("AvgPool2d", input_shape, (3, 4))
        return _spatial_out("AvgPool2d", shape, ops.conv_output_size(
            shape[-2:], self.kernel_size, self.stride, self.padding, 1, self.ceil_mode))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _check_pool_padding(op, kernel, padding):
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise ValueError(f"{op}: padding must be <= kernel_size // 2 = {k // 2}, got {padding}")


class _Adaptive(Module):
    def __init__(self, output_size):
        super().__init__()
        _adaptive_size(type(self).__name__, output_size, (1, 1))  # validates
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
        self._add_parameter("weight", _uniform(rng, (self.out_features, self.in_features), bound))
        self._add_parameter("bias", _uniform(rng, (self.out_features,), bound) if bias else None)

    def forward(self, input):
        return ops.linear(input, self.weight, self.bias)

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

    def output_shape(self, input_shape):
        shape = _shape("Flatten", input_shape, None)
        lo, hi = self._range(len(shape))
        return shape[:lo] + (int(np.prod(shape[lo:hi + 1], dtype=np.int64)),) + shape[hi + 1:]

    def forward(self, input):
        x = as_float32("Flatten", "input", input)
        return x.reshape(self.output_shape(x.shape) if x.ndim else (1,))

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


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
        ends = np.cumsum(self.sizes).tolist()
        self._parts = [slice(end - size, end) for size, end in zip(self.sizes, ends)]

    def _axis(self, shape):
        """dim as an axis of shape (>= 0), checked, with shape's length there."""
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"Split: dim must be in [{-len(shape)}, {len(shape) - 1}] for an input of shape {shape}, "
                             f"got {self.dim}")
        axis = self.dim % len(shape)
        if shape[axis] != sum(self.sizes):
            raise ValueError(f"Split: the input must have sum(sizes) = {sum(self.sizes)} elements along dim "
                             f"{self.dim}, got shape {shape}")
        return axis

    def forward(self, input):
        x = as_float32("Split", "input", input)
        before = (slice(None),) * self._axis(x.shape)
        return tuple(x[before + (part,)] for part in self._parts)

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
