"""The activations (and softmax) as layers: elementwise ``cvcore.ops`` calls, with PyTorch's names and
arguments; PReLU with its learned slopes."""

import numpy as np

from .. import ops
from .._validation import allocating, as_int, check_finite_scalar
from .module import Module, _shape


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
        init = check_finite_scalar("PReLU", "init", init)
        with allocating("PReLU", "its weight", (self.num_parameters,), 4):
            self._add_parameter("weight", np.full(self.num_parameters, init, np.float32))

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
