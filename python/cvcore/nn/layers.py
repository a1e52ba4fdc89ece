"""Layer objects: NumPy float32 weights, forward passes through ``cvcore.ops``, PyTorch's names.

Every layer is a :class:`Module`: calling it runs ``forward``; its weights are attributes
(``conv.weight``, ``bn.running_var``) that can be replaced by arrays of the same shape;
``state_dict()`` / ``load_state_dict()`` use PyTorch's keys (``"features.0.weight"``), so a
torchvision model's ``state_dict`` saved with ``np.savez`` loads directly. Layers are for
inference: there is no autograd, and BatchNorm2d always uses its running statistics.

Each layer also computes its output shape and its multiply-accumulate count from an input shape
alone (``output_shape``, ``macs``), which is what :func:`cvcore.nn.summary` reports.
"""

import collections
import collections.abc
import math
import numbers

import numpy as np

from .. import ops
from .._validation import as_float32, as_int, check_finite_scalar, pair
from ..ops.conv import _conv_padding
from ..ops.pool import _adaptive_size, _window_args

LoadResult = collections.namedtuple("LoadResult", ["missing_keys", "unexpected_keys"])
LoadResult.__doc__ = "What ``load_state_dict(..., strict=False)`` skipped: keys of the model absent from the " \
                     "mapping, and keys of the mapping that the model does not have."


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


def _shape(op, input_shape, ndims):
    """input_shape as a tuple of ints >= 0 with one of the ranks in ``ndims`` (None: any rank >= 1)."""
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, (tuple, list, np.ndarray)):
        raise TypeError(f"{op}: input_shape must be a sequence of ints, got {input_shape!r}")
    shape = tuple(as_int(op, "input_shape", d, 0) for d in input_shape)
    if ndims is not None and len(shape) not in ndims:
        expected = " or ".join(str(n) for n in ndims)
        raise ValueError(f"{op}: input_shape must have {expected} dimensions, got {shape}")
    if ndims is None and not shape:
        raise ValueError(f"{op}: input_shape must have at least 1 dimension, got ()")
    return shape


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


class Module:
    """Base of every layer: named weights (parameters and buffers), named child modules, ``__call__``.

    Subclasses register weights with ``_add_parameter`` / ``_add_buffer`` and children by assigning
    a Module to an attribute, then define ``forward(input)``, and, for :func:`summary`,
    ``output_shape(input_shape)`` and ``macs(input_shape)``.

    Assigning to a registered weight (``layer.weight = array``) checks the shape against the current
    one and stores a C-contiguous float32 copy; a wrong shape or dtype raises ValueError / TypeError.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})

    # -- registration and attribute access ------------------------------------------------------

    def _add_parameter(self, name, value):
        """Register a learned weight (counted by summary; None: absent, e.g. a conv without bias)."""
        self._parameters[name] = value

    def _add_buffer(self, name, value):
        """Register a non-learned state array (e.g. BatchNorm2d's running statistics)."""
        self._buffers[name] = value

    def _tensor_store(self, name):
        for store in (self._parameters, self._buffers):
            if name in store:
                return store
        return None

    def __getattr__(self, name):
        # Only called when normal lookup fails: weights and children live in the three dicts.
        for store in ("_parameters", "_buffers", "_modules"):
            d = self.__dict__.get(store)
            if d is not None and name in d:
                return d[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name, value):
        store = self._tensor_store(name) if "_parameters" in self.__dict__ else None
        if store is not None:
            store[name] = self._checked(name, store[name], value)
        elif isinstance(value, Module):
            if "_modules" not in self.__dict__:
                raise AttributeError("Module.__init__() must be called before assigning child modules")
            self._modules[name] = value
        elif name in self.__dict__.get("_modules", {}):
            raise TypeError(f"{type(self).__name__}.{name} is a child module: it can only be replaced by a "
                            f"cvcore.nn.Module, got {type(value).__name__}")
        else:
            object.__setattr__(self, name, value)

    def _checked(self, name, current, value):
        """value as a float32 copy of current's shape, for the weight called name."""
        op = f"{type(self).__name__}.{name}"
        if current is None:
            raise ValueError(f"{op}: this layer was built without {name} (e.g. bias=False), cannot set it")
        arr = as_float32(op, name, value)
        if arr.shape != current.shape:
            raise ValueError(f"{op}: expected an array of shape {current.shape}, got shape {arr.shape}")
        return np.array(arr, dtype=np.float32, order="C", copy=True)

    # -- traversal -------------------------------------------------------------------------------

    def named_children(self):
        """(name, module) for each direct child, in registration order."""
        return list(self._modules.items())

    def children(self):
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("" for itself) and all its descendants, depth first."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def named_parameters(self, prefix=""):
        """(dotted name, array) of every learned weight of this module and its descendants."""
        for mod_name, mod in self.named_modules(prefix):
            for name, value in mod._parameters.items():
                if value is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def count_parameters(self):
        """Number of learned values (weights, biases, BN gamma/beta, PReLU slopes; not running statistics)."""
        return sum(int(v.size) for _, v in self.named_parameters())

    # -- state dict ------------------------------------------------------------------------------

    #: state-dict keys this layer accepts and ignores on load (PyTorch training-only state).
    _ignored_state_keys = ()

    def state_dict(self):
        """An ordered dict ``{dotted name: array}`` of every parameter then buffer, module by module,
        with PyTorch's keys and order. The arrays are read-only views of the weights (no copy):
        ``np.savez(path, **model.state_dict())`` saves a model."""
        out = collections.OrderedDict()
        for mod_name, mod in self.named_modules():
            for name, value in list(mod._parameters.items()) + list(mod._buffers.items()):
                if value is not None:
                    view = value.view()
                    view.flags.writeable = False
                    out[f"{mod_name}.{name}" if mod_name else name] = view
        return out

    def load_state_dict(self, state_dict, strict=True):
        """Copy weights from a mapping ``{dotted name: array}`` (a dict, an ``np.load``-ed .npz, a
        PyTorch state dict converted to NumPy).

        All-or-nothing: every shape and dtype is checked before any weight is replaced.
        ``num_batches_tracked`` entries of BatchNorm2d layers (PyTorch training state) are accepted
        and ignored.

        Parameters
        ----------
        state_dict : mapping of str to array_like
        strict : bool
            When true, a key of the model missing from the mapping or a key of the mapping that the
            model does not have is a KeyError; when false they are skipped and reported.

        Returns
        -------
        LoadResult(missing_keys, unexpected_keys): lists of str.

        Raises
        ------
        TypeError when state_dict is not a mapping or holds non-numeric data; KeyError (strict)
        naming the missing and unexpected keys; ValueError naming the key, the expected and the
        received shape.
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"load_state_dict: state_dict must be a mapping of names to arrays, "
                            f"got {type(state_dict).__name__}")
        targets, ignorable = {}, set()
        for mod_name, mod in self.named_modules():
            pre = f"{mod_name}." if mod_name else ""
            for store in (mod._parameters, mod._buffers):
                for name, value in store.items():
                    if value is not None:
                        targets[pre + name] = (mod, name)
            ignorable.update(pre + k for k in mod._ignored_state_keys)
        keys = list(state_dict.keys())
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in keys if k not in targets and k not in ignorable]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        new = {}
        for key in keys:
            if key in targets:
                mod, name = targets[key]
                try:
                    new[key] = mod._checked(name, getattr(mod, name), state_dict[key])
                except (TypeError, ValueError) as e:
                    raise type(e)(f"load_state_dict: key {key!r}: {e}") from None
        for key, value in new.items():
            mod, name = targets[key]
            mod._tensor_store(name)[name] = value
        return LoadResult(missing, unexpected)

    # -- calling ---------------------------------------------------------------------------------

    def __call__(self, input):
        return self.forward(input)

    def forward(self, input):
        raise NotImplementedError(f"{type(self).__name__} must define forward(input)")

    def output_shape(self, input_shape):
        """The output shape for an input of ``input_shape``, computed without running the layer."""
        raise TypeError(f"{type(self).__name__} does not define output_shape(input_shape), which summary needs")

    def macs(self, input_shape):
        """Multiply-accumulates of one forward pass on ``input_shape`` (0 for layers without products)."""
        if self._modules:
            raise TypeError(f"{type(self).__name__} has children and does not define macs(input_shape), "
                            f"which summary needs")
        return 0

    # -- printing --------------------------------------------------------------------------------

    def extra_repr(self):
        return ""

    def __repr__(self):
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not self._modules:
            return head + ")"
        lines = [head]
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


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


class _Elementwise(Module):
    """An activation: ``_fn(input, **kwargs)`` from cvcore.ops; the arguments are checked at
    construction by applying it to an empty array (the op's own checks and messages)."""

    def __init__(self, **kwargs):
        super().__init__()
        self._fn(np.empty(0, np.float32), **kwargs)
        self._arg_names = tuple(kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def _kwargs(self):
        """The op's keyword arguments, read from the attributes (so that changing one takes effect)."""
        return {k: getattr(self, k) for k in self._arg_names}

    def forward(self, input):
        return self._fn(input, **self._kwargs())

    def output_shape(self, input_shape):
        return _shape(type(self).__name__, input_shape, None)

    def extra_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self._kwargs().items())


class ReLU(_Elementwise):
    """``max(x, 0)``: ``ops.relu``."""
    _fn = staticmethod(ops.relu)


class ReLU6(_Elementwise):
    """``min(max(x, 0), 6)``: ``ops.relu6``."""
    _fn = staticmethod(ops.relu6)


class LeakyReLU(_Elementwise):
    """``x if x > 0 else negative_slope * x``: ``ops.leaky_relu``."""
    _fn = staticmethod(ops.leaky_relu)

    def __init__(self, negative_slope=0.01):
        super().__init__(negative_slope=negative_slope)


class ELU(_Elementwise):
    """``x if x > 0 else alpha * (exp(x) - 1)``: ``ops.elu``."""
    _fn = staticmethod(ops.elu)

    def __init__(self, alpha=1.0):
        super().__init__(alpha=alpha)


class SELU(_Elementwise):
    """Scaled ELU with PyTorch's constants: ``ops.selu``."""
    _fn = staticmethod(ops.selu)


class Sigmoid(_Elementwise):
    """``1 / (1 + exp(-x))``: ``ops.sigmoid``."""
    _fn = staticmethod(ops.sigmoid)


class Tanh(_Elementwise):
    """``tanh(x)``: ``ops.tanh``."""
    _fn = staticmethod(ops.tanh)


class GELU(_Elementwise):
    """Gaussian error linear unit, exact or ``approximate="tanh"``: ``ops.gelu``."""
    _fn = staticmethod(ops.gelu)

    def __init__(self, approximate="none"):
        super().__init__(approximate=approximate)


class SiLU(_Elementwise):
    """``x * sigmoid(x)``: ``ops.silu``."""
    _fn = staticmethod(ops.silu)


class Hardswish(_Elementwise):
    """``x * relu6(x + 3) / 6``: ``ops.hardswish``."""
    _fn = staticmethod(ops.hardswish)


class Mish(_Elementwise):
    """``x * tanh(softplus(x))``: ``ops.mish``."""
    _fn = staticmethod(ops.mish)


class Softplus(_Elementwise):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold``: ``ops.softplus``."""
    _fn = staticmethod(ops.softplus)

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__(beta=beta, threshold=threshold)


class _SoftmaxBase(_Elementwise):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = as_int(type(self).__name__, "dim", dim)

    def forward(self, input):
        return self._fn(input, axis=self.dim)

    def output_shape(self, input_shape):
        shape = super().output_shape(input_shape)
        if not -len(shape) <= self.dim < len(shape):
            raise ValueError(f"{type(self).__name__}: dim must be in [{-len(shape)}, {len(shape) - 1}] for "
                             f"input_shape {shape}, got {self.dim}")
        return shape

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """Softmax along ``dim`` (default -1; PyTorch's ``dim=None`` guess is not reproduced): ``ops.softmax``."""
    _fn = staticmethod(ops.softmax)


class LogSoftmax(_SoftmaxBase):
    """Log-softmax along ``dim`` (default -1): ``ops.log_softmax``."""
    _fn = staticmethod(ops.log_softmax)


class PReLU(Module):
    """``x if x > 0 else weight[c] * x`` with learned slopes, as ``torch.nn.PReLU``: ``ops.prelu``.

    Parameters
    ----------
    num_parameters : int, >= 1
        1 (one slope shared by every channel) or the number of channels (axis 1 of the input).
    init : float
        The initial slope of every channel (PyTorch's 0.25).

    Attributes
    ----------
    weight : ndarray float32, shape (num_parameters,)
    """

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = as_int("PReLU", "num_parameters", num_parameters, 1)
        self._add_parameter("weight", np.full(self.num_parameters, check_finite_scalar("PReLU", "init", init),
                                              np.float32))

    def forward(self, input):
        return ops.prelu(input, self.weight)

    def output_shape(self, input_shape):
        shape = _shape("PReLU", input_shape, None)
        if self.num_parameters > 1:
            channels = shape[1] if len(shape) >= 2 else 1
            if channels != self.num_parameters:
                raise ValueError(f"PReLU: the input must have num_parameters = {self.num_parameters} channels "
                                 f"(axis 1), got input_shape {shape}")
        return shape

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Sequential(Module):
    """Modules applied in order, as ``torch.nn.Sequential``.

    ``Sequential(m0, m1, ...)`` names the children "0", "1", ...; ``Sequential(OrderedDict(name=m))``
    (or a dict) keeps the given names, which become the state-dict prefixes. Supports ``len``,
    iteration, ``seq[i]`` (negative too), ``seq[a:b]`` (a Sequential of the same children and names)
    and ``append``.
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            items = list(args[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(args)]
        for name, module in items:
            self._add_child(name, module)

    def _add_child(self, name, module):
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"Sequential: child names must be non-empty strings without '.', got {name!r}")
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: children must be cvcore.nn modules, got {type(module).__name__} "
                            f"for {name!r}")
        if name in self._modules:
            raise ValueError(f"Sequential: duplicate child name {name!r}")
        self._modules[name] = module

    def append(self, module):
        """Add a module at the end, named by its position."""
        self._add_child(str(len(self)), module)
        return self

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(collections.OrderedDict(items[index]))
        i = as_int("Sequential", "index", index)
        if not -len(items) <= i < len(items):
            raise IndexError(f"Sequential: index {i} is out of range for {len(items)} modules")
        return items[i][1]

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def output_shape(self, input_shape):
        shape = input_shape
        for module in self._modules.values():
            shape = module.output_shape(shape)
        return _shape("Sequential", shape, None)

    def macs(self, input_shape):
        total, shape = 0, input_shape
        for module in self._modules.values():
            total += module.macs(shape)
            shape = module.output_shape(shape)
        return total
