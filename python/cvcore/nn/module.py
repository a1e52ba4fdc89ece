"""The module framework: :class:`Module` (named weights and children, state dicts, calling), the
containers :class:`Sequential` (children in order) and :class:`Parallel` (children on one input), and
:class:`Identity`.

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

import numpy as np

from .._validation import as_float32, as_int

LoadResult = collections.namedtuple("LoadResult", ["missing_keys", "unexpected_keys"])
LoadResult.__doc__ = "What ``load_state_dict(..., strict=False)`` skipped: keys of the model absent from the " \
                     "mapping, and keys of the mapping that the model does not have."


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
    """Returns its input unchanged: what :func:`~cvcore.nn.fuse` leaves in the slot of a layer it merged
    into another, and which a :class:`Sequential` skips (a fused model holds many)."""

    def forward(self, input):
        return input

    def output_shape(self, input_shape):
        return _shape("Identity", input_shape, None)


class _Container(Module):
    """Children given as modules (named "0", "1", ...) or as one mapping of names to modules (an OrderedDict
    or a dict, whose names become the state-dict prefixes); ``len``, iteration, ``c[i]`` (negative too),
    ``c[a:b]`` (a container of the same class with the same children and names) and ``append``."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            items = list(args[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(args)]
        for name, module in items:
            self._add_child(name, module)

    def _add_child(self, name, module):
        op = type(self).__name__
        if not isinstance(name, str) or not name or "." in name:
            raise ValueError(f"{op}: child names must be non-empty strings without '.', got {name!r}")
        if not isinstance(module, Module):
            raise TypeError(f"{op}: children must be cvcore.nn modules, got {type(module).__name__} for {name!r}")
        if name in self._modules:
            raise ValueError(f"{op}: duplicate child name {name!r}")
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
            return type(self)(collections.OrderedDict(items[index]))
        op = type(self).__name__
        i = as_int(op, "index", index)
        if not -len(items) <= i < len(items):
            raise IndexError(f"{op}: index {i} is out of range for {len(items)} modules")
        return items[i][1]


class Sequential(_Container):
    """Modules applied in order, as ``torch.nn.Sequential``.

    ``Sequential(m0, m1, ...)`` names the children "0", "1", ...; ``Sequential(OrderedDict(name=m))``
    (or a dict) keeps the given names, which become the state-dict prefixes. Supports ``len``,
    iteration, ``seq[i]`` (negative too), ``seq[a:b]`` (a Sequential of the same children and names)
    and ``append``.
    """

    def forward(self, input):
        for module in self._modules.values():
            if type(module) is not Identity:
                input = module(input)
        return input

    def output_shape(self, input_shape):
        if not self._modules:
            return _shape("Sequential", input_shape, None)
        shape = input_shape
        for module in self._modules.values():
            shape = module.output_shape(shape)
        return shape

    def macs(self, input_shape):
        total, shape = 0, input_shape
        for module in self._modules.values():
            total += module.macs(shape)
            shape = module.output_shape(shape)
        return total


class Parallel(_Container):
    """Modules applied to the same input, their outputs returned as a tuple in order: a network's heads
    (e.g. a detector's box regression and classification layers reading one feature map).

    Named and indexed as :class:`Sequential` (``Parallel(m0, m1)``, ``Parallel(OrderedDict(name=m))``,
    ``len``, iteration, ``p[i]``, ``p[a:b]``, ``append``). Its output shape is the tuple of its
    children's output shapes, and its MACs their sum.
    """

    def forward(self, input):
        return tuple(module(input) for module in self._modules.values())

    def output_shape(self, input_shape):
        return tuple(module.output_shape(input_shape) for module in self._modules.values())

    def macs(self, input_shape):
        return sum(module.macs(input_shape) for module in self._modules.values())
